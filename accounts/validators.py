"""Password rules with Dutch messages.

Django's own MinimumLengthValidator message lost its Dutch translation when it became a plural form
(Django 5.2 ships it untranslated), so the length rule has its own Dutch text here. The other validators
(similarity to the user's data, common passwords, only digits) are Django's own, translated by Django.
"""
from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "Dit wachtwoord is te kort. Het moet minstens %(min_length)d teken bevatten.",
            "Dit wachtwoord is te kort. Het moet minstens %(min_length)d tekens bevatten.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short",
                                  params={"min_length": self.min_length})

    def get_help_text(self):
        return ngettext(
            "Uw wachtwoord moet minstens %(min_length)d teken bevatten.",
            "Uw wachtwoord moet minstens %(min_length)d tekens bevatten.",
            self.min_length,
        ) % {"min_length": self.min_length}

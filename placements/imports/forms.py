"""The upload form: choose the kind of file and the file (validation only)."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from placements.models import ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort bestand"), choices=ImportKind.choices, widget=forms.RadioSelect,
                             initial=ImportKind.EPISODES)
    file = forms.FileField(
        label=_("CSV-bestand"),
        validators=[FileExtensionValidator(["csv", "txt"], message=_("Kies een CSV-bestand (.csv of .txt)."))],
        help_text=_("Komma of puntkomma als scheidingsteken, UTF-8 (Windows-1252 wordt ook gelezen)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,text/csv"
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes the form tag with its one-time token (core.submissions)
        self.helper.add_input(Submit("submit", _("Importeren"), css_class="btn-fv"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("Het bestand is leeg."))
        limit = settings.IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(_("Het bestand is groter dan %(limit)s MB. Splits het, of laat de beheerder het "
                                          "importeren met manage.py import_episodes of import_declarations.") % {"limit": limit})
        return upload

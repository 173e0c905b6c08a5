"""The crisis-contact form (validation only; the rules live in crisis.services)."""
from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.forms import DateInput, NoBsnInTextMixin
from placements.forms import _helper as form_helper

from .models import CrisisSource


class CrisisContactForm(NoBsnInTextMixin, forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput(), help_text=_("De dag van de crisis."))
    source = forms.ChoiceField(label=_("Gemeld door / ingezet"), choices=[("", _("Kies…")), *CrisisSource.choices])
    note = forms.CharField(label=_("Toelichting"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Kort wat er gebeurde en wat is ingezet. Geen namen of BSN."))

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs.update(min=child.birth_date.isoformat(), max=timezone.localdate().isoformat())
        self.helper = form_helper(Row(Column("date", css_class="col-md-4"), Column("source", css_class="col-md-8")), "note")

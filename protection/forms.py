"""Forms of child protection (validation only; the rules live in protection.services)."""
from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.forms import DateInput
from placements.forms import _helper as form_helper
from placements.models import Municipality, Provider

from .models import MeasureKind


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Maatregel"), choices=[("", _("Kies een maatregel…")), *MeasureKind.choices])
    gi = forms.ModelChoiceField(label=_("Gecertificeerde instelling (GI)"), queryset=Provider.objects.none(),
                                empty_label=_("Kies de GI…"))
    start_date = forms.DateField(label=_("Ingangsdatum"), widget=DateInput(), help_text=_("De dag waarop de kinderrechter de maatregel liet ingaan."))
    end_date = forms.DateField(label=_("Einddatum"), widget=DateInput(), required=False,
                               help_text=_("Leeg laten zolang de maatregel loopt."))
    municipality = forms.ModelChoiceField(label=_("Verantwoordelijke gemeente"), queryset=Municipality.objects.none(), empty_label=None)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gi"].queryset = Provider.objects.order_by("name")
        self.fields["municipality"].queryset = Municipality.objects.filter(region_id=child.municipality.region_id).order_by("name")
        self.fields["municipality"].initial = child.municipality_id
        today = timezone.localdate().isoformat()
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs.update(min=child.birth_date.isoformat(), max=today)
        self.helper = form_helper(
            Row(Column("kind", css_class="col-md-6"), Column("gi", css_class="col-md-6")),
            Row(Column("start_date", css_class="col-md-4"), Column("end_date", css_class="col-md-4"),
                Column("municipality", css_class="col-md-4")),
        )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("start_date", "end_date"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("Een datum in de toekomst kan nog niet; leg de maatregel vast als die is ingegaan."))
        return data


class MeasureEndForm(forms.Form):
    end_date = forms.DateField(label=_("Einddatum"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["end_date"].initial = timezone.localdate()
        self.helper = form_helper(Row(Column("end_date", css_class="col-md-5")))

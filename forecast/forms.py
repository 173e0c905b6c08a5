from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from placements.forms import DateInput, NoBsnInTextMixin

from .models import ForecastScenario


class ScenarioForm(NoBsnInTextMixin, forms.ModelForm):
    """A region's saved scenario; `groups` are the care-form groups the forecast knows (value, label)."""

    class Meta:
        model = ForecastScenario
        fields = ["name", "description", "start", "group", "entries_pct", "stay_months_shorter", "population_growth_pct",
                  "cost_index_pct", "in_report"]
        widgets = {"start": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, groups: list[tuple[str, str]], region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["group"] = forms.ChoiceField(label=_("Zorgvormgroep"), choices=groups,
                                                 help_text=_("De groep waarvan instroom en verblijfsduur veranderen."))
        self.fields["description"].help_text = _("Geen namen van kinderen of gezinnen en geen BSN.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ForecastScenario.objects.filter(region=self.region, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("De regio heeft al een scenario met deze naam."))
        return name

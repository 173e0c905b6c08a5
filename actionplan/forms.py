"""Forms of the action plan (validation of input only; the rules live in actionplan.services)."""
from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.forms import DateInput, NoBsnInTextMixin
from placements.forms import _helper as form_helper

from .models import Measure, MeasureStatus
from .selectors import region_targets

NO_NAMES = _("Geen namen van kinderen of gezinnen en geen BSN.")


class MeasureForm(NoBsnInTextMixin, forms.Form):
    title = forms.CharField(label=_("Afgesproken maatregel"), max_length=200)
    owner = forms.CharField(label=_("Eigenaar"), max_length=100, help_text=_("Functie of organisatie die de maatregel trekt."))
    planned_on = forms.DateField(label=_("Gepland gereed"), widget=DateInput())
    description = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_NAMES)
    targets = forms.ModelMultipleChoiceField(label=_("Draagt bij aan de doelen"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = region_targets(region=region)
        self.helper = form_helper("title", Row(Column("owner", css_class="col-md-8"), Column("planned_on", css_class="col-md-4")),
                                  "description", "targets")

    @classmethod
    def for_measure(cls, measure: Measure, **kwargs) -> MeasureForm:
        initial = {"title": measure.title, "owner": measure.owner, "planned_on": measure.planned_on,
                   "description": measure.description, "targets": list(measure.targets.all())}
        return cls(initial=initial, region=measure.region, **kwargs)


class MeasureUpdateForm(NoBsnInTextMixin, forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status vanaf die dag"), choices=MeasureStatus.choices)
    text = forms.CharField(label=_("Uitvoering"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Wat is gedaan, het tussenresultaat en de volgende stap. ") + NO_NAMES)

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs.update(max=timezone.localdate().isoformat())
        self.fields["status"].initial = measure.status if measure.status != MeasureStatus.PLANNED else MeasureStatus.RUNNING
        self.helper = form_helper(Row(Column("date", css_class="col-md-4"), Column("status", css_class="col-md-8")), "text")


class BottleneckForm(NoBsnInTextMixin, forms.Form):
    title = forms.CharField(label=_("Knelpunt"), max_length=200)
    raised_on = forms.DateField(label=_("Gesignaleerd op"), widget=DateInput())
    resolved_on = forms.DateField(label=_("Opgelost op"), widget=DateInput(), required=False,
                                  help_text=_("Leeg zolang het knelpunt speelt."))
    description = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_NAMES)
    measures = forms.ModelMultipleChoiceField(label=_("Maatregelen die het aanpakken"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = Measure.objects.filter(region=region).order_by("planned_on", "pk")
        self.fields["raised_on"].initial = timezone.localdate()
        self.helper = form_helper("title", Row(Column("raised_on", css_class="col-md-6"), Column("resolved_on", css_class="col-md-6")),
                                  "description", "measures")

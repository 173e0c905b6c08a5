"""Forms of the foster-care pages: they validate and normalise only; writes go through fostercare.services.
Every field has a Dutch label and a stable id (id_<name>), so the pages can be driven by a browser test."""
from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.child_picker import ChildChoiceField, ChildPick
from placements.forms import DateInput, NoBsnInTextMixin
from placements.models import Municipality

from .models import (
    ChangeReason,
    Destination,
    DropReason,
    FamilyKind,
    FamilyStatus,
    RiskOutcome,
    RiskSignal,
    Severity,
    StopReason,
    SupportKind,
)

TEXTAREA = {"rows": 3}


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


def _max_today(*fields):
    today = timezone.localdate().isoformat()
    for f in fields:
        f.widget.attrs["max"] = today


CHOOSE = _("Kies…")


def _choices(choices, empty=CHOOSE):
    return [("", empty), *choices]


def region_municipalities(user):
    region_id = getattr(user, "scope_region_id", None)
    qs = Municipality.objects.order_by("name")
    return qs.filter(region_id=region_id) if region_id else qs


class FamilyForm(NoBsnInTextMixin, forms.Form):
    reference = forms.CharField(label=_("Gezinsreferentie"), max_length=30,
                                help_text=_("Eigen referentie van de aanbieder, zonder namen of adres (bijv. PG-2024-017)."))
    kind = forms.ChoiceField(label=_("Soort gezin"), choices=_choices(FamilyKind.choices))
    municipality = forms.ModelChoiceField(label=_("Woongemeente"), queryset=Municipality.objects.none(), empty_label=_("Kies een gemeente…"))
    places = forms.IntegerField(label=_("Aantal plaatsen"), min_value=1, max_value=12, initial=1)
    age_min = forms.IntegerField(label=_("Leeftijd vanaf"), min_value=0, max_value=21, initial=0)
    age_max = forms.IntegerField(label=_("Leeftijd tot en met"), min_value=0, max_value=21, initial=17)
    siblings_together = forms.BooleanField(label=_("Broers en zussen samen mogelijk"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[(FamilyStatus.IN_TRAINING, FamilyStatus.IN_TRAINING.label),
                                                           (FamilyStatus.APPROVED, FamilyStatus.APPROVED.label)])
    status_since = forms.DateField(label=_("Status sinds"), widget=DateInput())
    note = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
                           help_text=_("Geen namen of andere persoonsgegevens."))

    def __init__(self, *args, user=None, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = region_municipalities(user)
        if edit:
            del self.fields["status"]
            del self.fields["status_since"]
            head = []
        else:
            self.fields["status_since"].initial = timezone.localdate()
            _max_today(self.fields["status_since"])
            head = [Row(Column("status", css_class="col-md-6"), Column("status_since", css_class="col-md-3"))]
        self.helper = _helper(
            Row(Column("reference", css_class="col-md-4"), Column("kind", css_class="col-md-4"), Column("municipality", css_class="col-md-4")),
            Row(Column("places", css_class="col-md-3"), Column("age_min", css_class="col-md-3"), Column("age_max", css_class="col-md-3"),
                Column("siblings_together", css_class="col-md-3 pt-md-4")),
            *head,
            "note",
        )


class FamilyStatusForm(NoBsnInTextMixin, forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=_choices(FamilyStatus.choices))
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reden stoppen"), choices=_choices(StopReason.choices, "–"), required=False,
                               help_text=_("Verplicht als het gezin stopt."))

    def __init__(self, *args, family=None, **kwargs):
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != family.status]
        self.fields["on"].initial = timezone.localdate()
        _max_today(self.fields["on"])
        self.helper = _helper(Row(Column("status", css_class="col-md-4"), Column("on", css_class="col-md-3"), Column("reason", css_class="col-md-5")))


class SupportForm(NoBsnInTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Ondersteuning"), choices=_choices(SupportKind.choices))
    start_date = forms.DateField(label=_("Vanaf"), widget=DateInput())
    end_date = forms.DateField(label=_("Tot en met"), required=False, widget=DateInput(), help_text=_("Leeg laten zolang het loopt."))
    risk = forms.ModelChoiceField(label=_("Ingezet bij risicomelding"), queryset=None, required=False, empty_label=_("(geen)"))
    note = forms.CharField(label=_("Toelichting"), max_length=300, required=False)

    def __init__(self, *args, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["start_date"].help_text = _("Ook vooruit te plannen, bijvoorbeeld respijtzorg komend weekend.")
        self.fields["start_date"].widget.attrs["max"] = (timezone.localdate() + dt.timedelta(days=366)).isoformat()
        if risks is None:
            del self.fields["risk"]
            risk_col = []
        else:
            self.fields["risk"].queryset = risks
            self.fields["risk"].label_from_instance = lambda r: f"{r.placement.episode.child.reference} · {r.registered_on:%d-%m-%Y} · {r.get_severity_display()}"
            risk_col = [Column("risk", css_class="col-md-4")]
        self.helper = _helper(
            Row(Column("kind", css_class="col-md-4"), Column("start_date", css_class="col-md-2"), Column("end_date", css_class="col-md-2"), *risk_col),
            "note",
        )


class MatchSearchForm(NoBsnInTextMixin, forms.Form):
    """The child's needs: the start date, how many siblings are placed together, network first."""

    start_date = forms.DateField(label=_("Plaatsing per"), widget=DateInput())
    siblings = forms.IntegerField(label=_("Aantal kinderen samen (broers en zussen)"), min_value=1, max_value=6, initial=1)
    prefer_network = forms.BooleanField(label=_("Netwerkgezinnen eerst"), required=False, initial=True)
    family_ref = forms.CharField(label=_("Gezinsreferentie (optioneel)"), max_length=30, required=False,
                                 help_text=_("Alleen gezinnen waarvan de referentie dit bevat."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()
        _max_today(self.fields["start_date"])
        self.helper = _helper(Row(Column("start_date", css_class="col-md-3"), Column("siblings", css_class="col-md-3"),
                                  Column("family_ref", css_class="col-md-3"), Column("prefer_network", css_class="col-md-3 pt-md-4")))


class MatchChildForm(NoBsnInTextMixin, forms.Form):
    child = ChildChoiceField(label=_("Kind"))

    def __init__(self, *args, children=None, picked: ChildPick | None = None, **kwargs):
        """`children` is the scope the chosen child must be in; `picked` the children to offer (never all of them)."""
        super().__init__(*args, **kwargs)
        self.fields["child"].offer(children, picked or ChildPick())
        self.helper = _helper(Row(Column("child", css_class="col-md-8")))


class RiskForm(NoBsnInTextMixin, forms.Form):
    registered_on = forms.DateField(label=_("Datum melding"), widget=DateInput())
    severity = forms.ChoiceField(label=_("Ernst"), choices=_choices(Severity.choices))
    signals = forms.MultipleChoiceField(label=_("Signalen"), choices=RiskSignal.choices, required=False, widget=forms.CheckboxSelectMultiple)
    signals_text = forms.CharField(label=_("Wat speelt er?"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    support_deployed = forms.CharField(label=_("Ingezette ondersteuning"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                       help_text=_("Wat is al ingezet? Vaste steun (Module X, respijt, hubgezin …) legt u vast bij het gezin."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].initial = timezone.localdate()
        _max_today(self.fields["registered_on"])
        self.helper = _helper(Row(Column("registered_on", css_class="col-md-3"), Column("severity", css_class="col-md-3")),
                              Row(Column("signals", css_class="col-md-5"), Column("signals_text", css_class="col-md-7")),
                              "support_deployed")


class RiskFollowUpForm(NoBsnInTextMixin, forms.Form):
    date = forms.DateField(label=_("Datum follow-up"), widget=DateInput())
    severity = forms.ChoiceField(label=_("Ernst nu"), choices=_choices(Severity.choices))
    note = forms.CharField(label=_("Wat is er gebeurd?"), widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        _max_today(self.fields["date"])
        self.helper = _helper(Row(Column("date", css_class="col-md-3"), Column("severity", css_class="col-md-3")), "note")


class RiskResolveForm(NoBsnInTextMixin, forms.Form):
    resolved_on = forms.DateField(label=_("Datum afsluiten"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=_choices(RiskOutcome.choices))
    reason = forms.ChoiceField(label=_("Reden beëindiging"), choices=_choices(ChangeReason.choices, "–"), required=False,
                               help_text=_("Alleen als de plaatsing eindigt."))
    destination = forms.ChoiceField(label=_("Kind gaat naar"), choices=_choices(Destination.choices, "–"), required=False,
                                    help_text=_("Alleen als de plaatsing eindigt."))
    note = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].initial = timezone.localdate()
        _max_today(self.fields["resolved_on"])
        self.helper = _helper(Row(Column("resolved_on", css_class="col-md-3"), Column("outcome", css_class="col-md-3")),
                              Row(Column("reason", css_class="col-md-6"), Column("destination", css_class="col-md-6")), "note")


class ProspectForm(NoBsnInTextMixin, forms.Form):
    reference = forms.CharField(label=_("Referentie"), max_length=30, help_text=_("Zonder namen of adres."))
    municipality = forms.ModelChoiceField(label=_("Woongemeente"), queryset=Municipality.objects.none(), empty_label=_("Kies een gemeente…"))
    kind = forms.ChoiceField(label=_("Wil worden"), choices=[(FamilyKind.GENERAL, FamilyKind.GENERAL.label), (FamilyKind.FAMILY_HOME, FamilyKind.FAMILY_HOME.label)])
    info_on = forms.DateField(label=_("Datum informatieavond"), widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = region_municipalities(user)
        self.fields["info_on"].initial = timezone.localdate()
        _max_today(self.fields["info_on"])
        self.helper = _helper(Row(Column("reference", css_class="col-md-3"), Column("municipality", css_class="col-md-3"),
                                  Column("kind", css_class="col-md-3"), Column("info_on", css_class="col-md-3")))


class ProspectStepForm(NoBsnInTextMixin, forms.Form):
    action = forms.ChoiceField(label=_("Stap"), choices=[("advance", _("Volgende fase")), ("drop", _("Afgehaakt"))], widget=forms.RadioSelect,
                               initial="advance")
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reden afhaken"), choices=_choices(DropReason.choices, "–"), required=False)
    places = forms.IntegerField(label=_("Plaatsen (bij goedkeuring)"), min_value=1, max_value=12, initial=1, required=False)
    age_min = forms.IntegerField(label=_("Leeftijd vanaf"), min_value=0, max_value=21, initial=0, required=False)
    age_max = forms.IntegerField(label=_("Leeftijd tot en met"), min_value=0, max_value=21, initial=17, required=False)
    siblings_together = forms.BooleanField(label=_("Broers en zussen samen"), required=False)

    def __init__(self, *args, approving: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        _max_today(self.fields["on"])
        extra = [Row(Column("places", css_class="col-md-3"), Column("age_min", css_class="col-md-3"), Column("age_max", css_class="col-md-3"),
                     Column("siblings_together", css_class="col-md-3 pt-md-4"))] if approving else []
        if not approving:
            for name in ("places", "age_min", "age_max", "siblings_together"):
                del self.fields[name]
        self.helper = _helper(Row(Column("action", css_class="col-md-3"), Column("on", css_class="col-md-3"), Column("reason", css_class="col-md-6")),
                              *extra)

"""Forms of the casework pages: they validate and normalise only; writes go through casework.services."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.child_picker import ChildChoiceField, ChildPick
from placements.forms import DateInput, NoBsnInTextMixin
from placements.models import CareForm

from .models import (
    AdviceFollowed,
    AlternativeKind,
    CaseStatus,
    Concern,
    Decision,
    HowItGoes,
    Outcome,
    Party,
    ResidentialChecklist,
    Signaller,
)
from .services import CHECKLIST_ITEMS, checklist_errors

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


class CaseForm(NoBsnInTextMixin, forms.Form):
    child = ChildChoiceField(label=_("Kind"))
    opened_on = forms.DateField(label=_("Datum signaal"), widget=DateInput())
    signaller = forms.ChoiceField(label=_("Wie signaleert"), choices=[("", _("Kies…")), *Signaller.choices])
    concerns = forms.MultipleChoiceField(label=_("Zorgen"), choices=Concern.choices, required=False, widget=forms.CheckboxSelectMultiple)
    concerns_text = forms.CharField(label=_("Toelichting zorgen"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    child_view = forms.CharField(label=_("Visie van het kind"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                 help_text=_("Wat zegt het kind zelf over de situatie en wat het wil?"))
    parents_view = forms.CharField(label=_("Visie van de ouders"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    gi_involved = forms.BooleanField(label=_("Er is een gecertificeerde instelling (GI) betrokken"), required=False)
    plan = forms.CharField(label=_("Plan"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, children=None, picked: ChildPick | None = None, edit: bool = False, **kwargs):
        """`children` is the scope the chosen child must be in; `picked` the children to offer (never all of them)."""
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["child"]
            del self.fields["opened_on"]
        else:
            self.fields["child"].offer(children, picked or ChildPick())
            self.fields["opened_on"].initial = timezone.localdate()
            _max_today(self.fields["opened_on"])
        head = [] if edit else [Row(Column("child", css_class="col-md-8")),
                                Row(Column("opened_on", css_class="col-md-3"), Column("signaller", css_class="col-md-3"))]
        self.helper = _helper(
            *head,
            *([Row(Column("signaller", css_class="col-md-4"))] if edit else []),
            Row(Column("concerns", css_class="col-md-5"), Column("concerns_text", css_class="col-md-7")),
            Row(Column("child_view", css_class="col-md-6"), Column("parents_view", css_class="col-md-6")),
            "gi_involved",
            "plan",
        )


class AlternativeForm(NoBsnInTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Alternatief"), choices=[("", _("Kies…")), *AlternativeKind.choices])
    decision = forms.ChoiceField(label=_("Besluit"), choices=[("", _("Kies…")), *Decision.choices])
    reason = forms.CharField(label=_("Toelichting"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("kind", css_class="col-md-4"), Column("decision", css_class="col-md-3"),
                                  Column("reason", css_class="col-md-5")))


class TransitionForm(NoBsnInTextMixin, forms.Form):
    to = forms.ChoiceField(label=_("Nieuwe status"), choices=CaseStatus.choices)
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Uitkomst (bij sluiten)"), choices=[("", "–"), *Outcome.choices], required=False)
    outcome_note = forms.CharField(label=_("Toelichting uitkomst"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            allowed = case.allowed_transitions()
            self.fields["to"].choices = [(v, lbl) for v, lbl in CaseStatus.choices if v in allowed]
        self.fields["on"].initial = timezone.localdate()
        _max_today(self.fields["on"])
        self.helper = _helper(Row(Column("to", css_class="col-md-4"), Column("on", css_class="col-md-3"),
                                  Column("outcome", css_class="col-md-5")), "outcome_note")


class RetReviewForm(NoBsnInTextMixin, forms.Form):
    review_date = forms.DateField(label=_("Datum bespreking"), widget=DateInput())
    question = forms.CharField(label=_("Vraag aan het RET"), widget=forms.Textarea(attrs=TEXTAREA))
    invited = forms.MultipleChoiceField(label=_("Uitgenodigd"), choices=Party.choices, widget=forms.CheckboxSelectMultiple)
    attended = forms.MultipleChoiceField(label=_("Aanwezig"), choices=Party.choices, required=False, widget=forms.CheckboxSelectMultiple)
    advice = forms.CharField(label=_("Advies van het RET"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    follow_up_on = forms.DateField(label=_("Follow-up op"), required=False, widget=DateInput(),
                                   help_text=_("Leeg laten: zes maanden na de bespreking."))

    def __init__(self, *args, case=None, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if edit:
            del self.fields["review_date"]
            self.fields["follow_up_on"].required = True
            self.fields["follow_up_on"].help_text = ""
        else:
            self.fields["review_date"].initial = timezone.localdate()
        warning = []
        if case is not None and case.gi_involved:
            warning = [HTML(
                '<div class="alert alert-warning py-2 small" id="gi-warning" role="status">'
                '<i class="bi bi-exclamation-triangle"></i> '
                + str(_("Bij deze casus is een GI betrokken: nodig de GI uit voor de bespreking."))
                + "</div>"
            )]
        self.helper = _helper(
            *([] if edit else [Row(Column("review_date", css_class="col-md-4"))]),
            "question",
            *warning,
            Row(Column("invited", css_class="col-md-6"), Column("attended", css_class="col-md-6")),
            "advice",
            Row(Column("follow_up_on", css_class="col-md-4")),
        )

    @property
    def gi_not_invited(self) -> bool:
        """True when a GI is involved and the submitted (or initial) invitation list lacks it."""
        if self.case is None or not self.case.gi_involved:
            return False
        invited = self.data.getlist("invited") if self.is_bound else (self.initial.get("invited") or [])
        return Party.GI not in invited


class RetActionForm(NoBsnInTextMixin, forms.Form):
    description = forms.CharField(label=_("Actie"), max_length=300)
    owner = forms.CharField(label=_("Eigenaar"), max_length=100, help_text=_("Rol of organisatie, bijv. ‘wijkteam’ of ‘GI’."))
    due_on = forms.DateField(label=_("Uiterlijk"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("description", css_class="col-md-6"), Column("owner", css_class="col-md-3"),
                                  Column("due_on", css_class="col-md-3")))


class RetFollowUpForm(NoBsnInTextMixin, forms.Form):
    date = forms.DateField(label=_("Datum follow-up"), widget=DateInput())
    advice_followed = forms.ChoiceField(label=_("Wordt het advies nog gevolgd?"), choices=[("", _("Kies…")), *AdviceFollowed.choices])
    child_at_home = forms.BooleanField(label=_("Het kind woont (nog) thuis"), required=False, initial=True)
    what_happened = forms.CharField(label=_("Wat is er gebeurd?"), widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        _max_today(self.fields["date"])
        self.helper = _helper(Row(Column("date", css_class="col-md-4"), Column("advice_followed", css_class="col-md-4"),
                                  Column("child_at_home", css_class="col-md-4 pt-md-4")), "what_happened")


class ChecklistForm(NoBsnInTextMixin, forms.ModelForm):
    class Meta:
        model = ResidentialChecklist
        fields = ["care_form", "completed_on", *CHECKLIST_ITEMS, "alternatives_note", "consulted_note", "return_plan",
                  "under12_justification"]
        widgets = {
            "completed_on": DateInput(),
            "alternatives_note": forms.Textarea(attrs=TEXTAREA),
            "return_plan": forms.Textarea(attrs=TEXTAREA),
            "under12_justification": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args, child=None, under12: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["care_form"].queryset = CareForm.objects.filter(active=True, with_stay=True, rung__gte=5).order_by("rung", "name")
        self.fields["care_form"].empty_label = _("Kies een zorgvorm…")
        self.fields["completed_on"].initial = timezone.localdate()
        _max_today(self.fields["completed_on"])
        # The service checks the items and texts (errors land next to the fields); the form only parses.
        for name in ("alternatives_note", "return_plan", "under12_justification"):
            self.fields[name].required = False
        self.fields["under12_justification"].label = _("Onderbouwing: waarom toch residentieel onder 12 jaar?")
        self.fields["under12_justification"].help_text = _(
            "Verplicht als het kind op de datum van de checklist jonger is dan 12 (‘geen kinderen onder 12 in de "
            "residentiële zorg, tenzij’). De plaatsing komt dan in de Week van de Casus.")
        under12_part = [Fieldset(_("Kind jonger dan 12") if under12 else _("Alleen bij een kind jonger dan 12"), "under12_justification")]
        self.helper = _helper(
            Row(Column("care_form", css_class="col-md-6"), Column("completed_on", css_class="col-md-3")),
            Fieldset(_("Alternatieven afgewogen"), Row(*[Column(f, css_class="col-md-4 col-lg") for f in CHECKLIST_ITEMS[:5]]),
                     "alternatives_note"),
            Fieldset(_("Overleg en betrokkenen"), Row(Column("ret_consulted", css_class="col-md-4"), Column("consulted_note", css_class="col-md-8")),
                     Row(Column("child_heard", css_class="col-md-4"), Column("parents_heard", css_class="col-md-4"),
                         Column("safety_assessed", css_class="col-md-4"))),
            Fieldset(_("Terugkeer"), "return_plan"),
            *under12_part,
        )


    def clean(self):
        data = super().clean()
        if self.child is not None:
            for field, messages in checklist_errors(self.child, data.get("care_form"), data.get("completed_on"), data).items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return data


class CaseWeekReviewForm(NoBsnInTextMixin, forms.Form):
    review_date = forms.DateField(label=_("Datum bespreking"), widget=DateInput())
    helped = forms.CharField(label=_("Wat hielp?"), widget=forms.Textarea(attrs=TEXTAREA))
    missing = forms.CharField(label=_("Wat ontbrak?"), widget=forms.Textarea(attrs=TEXTAREA))
    alternative_routes = forms.CharField(label=_("Welke andere routes waren er?"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    gi_involved = forms.BooleanField(label=_("GI betrokken"), required=False)
    gi_invited = forms.BooleanField(label=_("GI uitgenodigd"), required=False)
    lesson_1 = forms.CharField(label=_("Les 1"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Schrijf lessen zonder namen of herleidbare details: het projectteam ziet ze regiobreed."))
    tags_1 = forms.CharField(label=_("Tags les 1"), required=False, max_length=200, help_text=_("Gescheiden door komma's, bijv. ‘netwerk, wachtlijst’."))
    lesson_2 = forms.CharField(label=_("Les 2"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags_2 = forms.CharField(label=_("Tags les 2"), required=False, max_length=200)
    lesson_3 = forms.CharField(label=_("Les 3"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags_3 = forms.CharField(label=_("Tags les 3"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_date"].initial = timezone.localdate()
        _max_today(self.fields["review_date"])
        self.helper = _helper(
            Row(Column("review_date", css_class="col-md-4"), Column("gi_involved", css_class="col-md-4 pt-md-4"),
                Column("gi_invited", css_class="col-md-4 pt-md-4")),
            Row(Column("helped", css_class="col-md-6"), Column("missing", css_class="col-md-6")),
            "alternative_routes",
            *[Row(Column(f"lesson_{i}", css_class="col-md-8"), Column(f"tags_{i}", css_class="col-md-4")) for i in (1, 2, 3)],
        )

    def clean(self):
        data = super().clean()
        if not any((data.get(f"lesson_{i}") or "").strip() for i in (1, 2, 3)):
            self.add_error("lesson_1", _("Leg minstens één les vast."))
        return data


class TrajectoryFollowUpForm(NoBsnInTextMixin, forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    how_it_goes = forms.ChoiceField(label=_("Hoe gaat het?"), choices=[("", _("Kies…")), *HowItGoes.choices])
    still_home = forms.BooleanField(label=_("Het kind woont nog thuis"), required=False, initial=True)
    note = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        _max_today(self.fields["date"])
        self.helper = _helper(Row(Column("date", css_class="col-md-4"), Column("how_it_goes", css_class="col-md-4"),
                                  Column("still_home", css_class="col-md-4 pt-md-4")), "note")

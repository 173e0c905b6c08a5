"""Forms of the registry pages. They validate and normalise only; writes go through placements.services."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bsn import contains_bsn, is_valid_bsn, normalise_bsn
from .models import CareForm, Child, EndReason, Episode, LegalFramework, Municipality, Provider, Referrer, Sex, TargetGroup


class DateInput(forms.DateInput):
    """The browser's date picker (shows the date in the user's locale, posts ISO)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BsnInput(forms.TextInput):
    """A text input that never renders its value: a BSN is not sent back to the browser after a failed submit. So
    that a typing error does not cost the user what they typed, static/js/bsn.js runs the 11-check in the browser
    first (data-bsn) and keeps the form from being sent with an invalid number; the server checks again."""

    def __init__(self, attrs=None):
        super().__init__({"data-bsn": _("Dit is geen geldig BSN: de elfproef klopt niet."), **(attrs or {})})

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class NoBsnInTextMixin:
    """Refuses a BSN typed into any free-text field: a BSN is only used in the BSN field and never stored as text
    (labels, notes and explanations are shown to colleagues and kept for years)."""

    bsn_fields = ("bsn",)

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if name in self.bsn_fields or not isinstance(field, forms.CharField) or isinstance(field, forms.ChoiceField):
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, str) and contains_bsn(value):
                self.add_error(name, ValidationError(
                    _("Vul hier geen BSN in: een BSN wordt alleen in het BSN-veld gebruikt en nooit als tekst opgeslagen."),
                    code="bsn_in_text"))


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoeken"), required=False, max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("BSN of kenmerk"), "autocomplete": "off", "autofocus": True}),
    )
    # Always used unbound, with the query as initial value only for a label search: a BSN is never echoed.


class ChildRegisterForm(NoBsnInTextMixin, forms.Form):
    bsn = forms.CharField(
        label=_("BSN"), max_length=20,
        help_text=_("Wordt gecontroleerd met de elfproef en direct versleuteld; het BSN zelf wordt nooit opgeslagen."),
        widget=BsnInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(label=_("Geboortedatum"), widget=DateInput())
    sex = forms.ChoiceField(label=_("Geslacht"), choices=Sex.choices)
    label = forms.CharField(
        label=_("Kenmerk"), max_length=40, required=False,
        help_text=Child._meta.get_field("label").help_text,
    )
    target_group = forms.ModelChoiceField(label=_("Doelgroep"), queryset=TargetGroup.objects.none(), required=False,
                                          empty_label=_("(nog onbekend)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["target_group"].queryset = TargetGroup.objects.filter(active=True)
        self.helper = _helper(
            Row(Column("bsn", css_class="col-md-6"), Column("birth_date", css_class="col-md-6")),
            Row(Column("sex", css_class="col-md-4"), Column("label", css_class="col-md-4"), Column("target_group", css_class="col-md-4")),
        )

    def clean_bsn(self) -> str:
        raw = self.cleaned_data["bsn"]
        digits = normalise_bsn(raw)
        # The messages never repeat the number that was entered.
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationError(_("Een BSN bestaat alleen uit cijfers."), code="bsn_digits")
        if len(digits) != 9:
            raise ValidationError(_("Een BSN bestaat uit 9 cijfers (of 8 met een weggelaten voorloopnul)."), code="bsn_length")
        if digits == "000000000":
            raise ValidationError(_("Een BSN van alleen nullen betekent 'onbekend' en is geen geldig BSN."), code="bsn_unknown")
        if not is_valid_bsn(digits):
            raise ValidationError(_("Dit is geen geldig BSN: de elfproef klopt niet."), code="bsn_checksum")
        return digits

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise ValidationError(_("De geboortedatum ligt in de toekomst."), code="future")
        if birth_date.year < 1900:
            raise ValidationError(_("Controleer het jaar van de geboortedatum."), code="too_old")
        return birth_date


class EpisodeStartForm(NoBsnInTextMixin, forms.ModelForm):
    class Meta:
        model = Episode
        fields = ["care_form", "provider", "start_date", "referrer", "legal_framework", "municipality"]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, child: Child, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["care_form"].queryset = CareForm.objects.filter(active=True).order_by("rung", "name")
        self.fields["care_form"].label_from_instance = lambda cf: f"{cf.name} (trede {cf.rung})"
        self.fields["provider"].queryset = Provider.objects.order_by("name")
        # Responsible municipality (woonplaatsbeginsel): one of the region's, by default the child's.
        region_id = child.municipality.region_id
        self.fields["municipality"].queryset = Municipality.objects.filter(region_id=region_id).order_by("name")
        self.fields["municipality"].initial = child.municipality_id
        self.fields["municipality"].help_text = _("De gemeente die betaalt en telt (woonplaatsbeginsel).")
        self.fields["municipality"].empty_label = None
        self.fields["care_form"].empty_label = _("Kies een zorgvorm…")
        self.fields["provider"].empty_label = _("Kies een aanbieder…")
        self.fields["referrer"].choices = [("", _("Onbekend")), *Referrer.choices]
        self.fields["referrer"].initial = Referrer.MUNICIPALITY
        self.fields["legal_framework"].choices = LegalFramework.choices
        self.fields["start_date"].help_text = _("Bij verblijf: de dag na de eerste nacht.")
        self.fields["care_form"].help_text = _("Residentiële en gesloten zorg (trede 5–6) vragen eerst een ingevulde checklist plaatsing residentieel.")
        self.fields["start_date"].widget.attrs.update(min=child.birth_date.isoformat(), max=timezone.localdate().isoformat())
        self.helper = _helper(
            Row(Column("care_form", css_class="col-md-6"), Column("provider", css_class="col-md-6")),
            Row(Column("start_date", css_class="col-md-4"), Column("referrer", css_class="col-md-4"),
                Column("legal_framework", css_class="col-md-4")),
            Row(Column("municipality", css_class="col-md-6")),
        )


class TargetGroupForm(forms.Form):
    target_group = forms.ModelChoiceField(label=_("Doelgroep"), queryset=TargetGroup.objects.none(), required=False,
                                          empty_label=_("(nog onbekend)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_group"].queryset = TargetGroup.objects.filter(active=True)
        self.helper = _helper(Row(Column("target_group", css_class="col-md-8")))


class EpisodeEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Einddatum"), widget=DateInput(),
        help_text=_("Bij verblijf: de dag na de laatste nacht."),
    )
    end_reason = forms.ChoiceField(label=_("Reden beëindiging"), choices=[("", _("Kies een reden…")), *EndReason.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.helper = _helper(Row(Column("end_date", css_class="col-md-5"), Column("end_reason", css_class="col-md-7")))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields; keys the form lacks become form errors."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)

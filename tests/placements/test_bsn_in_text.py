"""One detector for a BSN in free text (issue 15): however its digits are written, in every form and import column."""
from __future__ import annotations

import pytest

from fostercare import forms as foster_forms
from placements.bsn import contains_bsn, mask_bsns, synthetic_bsn

BSN = "999900055"  # passes the 11-check
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in BSN)


@pytest.mark.parametrize("text", [
    f"{BSN} 12 jaar", "Kind 9999 000 55", "999/900/055", "999_900_055", "999,900,055", "999\u00a0900\u00a0055",
    "999\u2013900\u2013055", FULL_WIDTH, f"dossier {BSN}abc", f"12 jaar {BSN}", "9.9.9.9.0.0.0.5.5",
])
def test_it_finds_a_bsn_however_its_digits_are_written(text):
    assert contains_bsn(text)
    assert "•••••••••" in mask_bsns(text) and BSN not in mask_bsns(text).replace(" ", "")


@pytest.mark.parametrize("text", [
    "geboren 12-03-2012 om 14:30", "tel 0612345678", "dossier 2024-0017", "postcode 3900 AB", "123456789", "€ 1.234.567,89",
])
def test_dates_phone_numbers_and_amounts_are_no_bsn(text):
    assert not contains_bsn(text)


@pytest.mark.parametrize("form_class, field", [
    (foster_forms.SupportForm, "note"), (foster_forms.RiskFollowUpForm, "note"), (foster_forms.ProspectForm, "reference"),
    (foster_forms.FamilyForm, "note"),
])
def test_every_foster_care_form_refuses_a_bsn_in_its_text(db, form_class, field):
    assert field in form_class.base_fields, f"{form_class.__name__} has no field {field}"
    data = {field: f"zie {synthetic_bsn(77)} 12 jaar"}
    form = form_class(data=data) if "user" not in form_class.__init__.__code__.co_varnames else form_class(data=data, user=None)
    form.is_valid()
    assert any(e.code == "bsn_in_text" for e in form.errors.as_data().get(field, [])), form.errors


def test_being_told_a_child_is_known_elsewhere_is_logged_and_limited(client, owner, outsider, settings):
    """Issue 15: a wijkteam worker learned whether a BSN is known to youth care elsewhere, unlogged and unlimited.
    The answer stays (the municipalities must arrange a transfer), but each is logged and a user gets five an hour."""
    from django.urls import reverse

    from accounts.models import AccessLogEntry
    from placements.selectors import ELSEWHERE_DETAIL
    from placements.services import child_register
    from tests.conftest import login

    settings.REGISTRATION_ELSEWHERE_LIMIT = 5
    for i in range(6):
        child_register(user=owner, bsn=synthetic_bsn(7000 + i), birth_date="2015-01-01", sex="M", label=f"E-{i}")
    login(client, outsider)

    def register(n):
        return client.post(reverse("children:register"), {"bsn": synthetic_bsn(n), "birth_date": "2015-01-01", "sex": "M", "label": "V"})

    for i in range(5):
        assert "al geregistreerd bij een andere gemeente" in register(7000 + i).content.decode()
    told = AccessLogEntry.objects.filter(actor=outsider, detail=ELSEWHERE_DETAIL, result="denied")
    assert told.count() == 5
    page = register(7005).content.decode()
    assert "al vaker een kind ingevoerd dat bij een andere gemeente bekend is" in page
    assert "al geregistreerd bij een andere gemeente" not in page and told.count() == 5
    assert AccessLogEntry.objects.filter(actor=outsider, detail__startswith="registration refused").count() == 1

"""The child picker of the case form and the foster-care matching start page (issue 7): never every child of a
municipality; the known child alone; a search of at most PICK_LIMIT children of the scope; a child outside the
scope refused; a BSN never searched from a web address."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLogEntry
from casework.models import ThreatCase
from placements import child_picker
from placements.bsn import synthetic_bsn
from placements.models import Child
from placements.services import child_register
from tests.conftest import login

D = dt.date
CASE = "casework:case_open"
MATCH = "fostercare:match_start"


def many(municipality, n: int, start: int = 0) -> list[Child]:
    """`n` children of `municipality` labelled K-0000…, registered in that order (the last is the newest)."""
    return Child.objects.bulk_create([
        Child(pseudonym=hashlib.sha256(f"picker-{municipality.pk}-{i}".encode()).hexdigest(), municipality=municipality,
              birth_date=D(2010, 1, 1) + dt.timedelta(days=i), sex="V", label=f"K-{i:04d}")
        for i in range(start, start + n)
    ])


def offered(html: str) -> list[int]:
    """Primary keys of the children the page offers (radio buttons or options of the child field)."""
    radios = re.findall(r'<input type="radio"[^>]*name="child" value="(\d+)"', html)
    select = re.search(r'<select[^>]*name="child"[^>]*>(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="(\d+)"', select.group(1)) if select else []
    return [int(pk) for pk in radios + options]


@pytest.fixture
def sixty(ede):
    return many(ede, 60)


@pytest.fixture
def foreign(outsider):
    return child_register(user=outsider, bsn=synthetic_bsn(4401), birth_date=D(2012, 2, 2), sex="M", label="VN-FOREIGN")[0]


@pytest.mark.parametrize("name", [CASE, MATCH])
def test_the_form_never_offers_more_than_the_limit(client, owner, sixty, foreign, name, monkeypatch):
    html = login(client, owner).get(reverse(name)).content.decode()
    shown = offered(html)
    assert len(shown) == child_picker.PICK_LIMIT == 20
    newest = sorted(sixty, key=lambda c: c.pk, reverse=True)[:20]
    assert shown == [c.pk for c in newest]  # newest first
    assert "K-0000" not in html and "VN-FOREIGN" not in html
    assert "Zoek het kind op kenmerk of korte referentie" in html
    monkeypatch.setattr(child_picker, "PICK_LIMIT", 5)
    assert len(offered(client.get(reverse(name)).content.decode())) == 5


@pytest.mark.parametrize("name", [CASE, MATCH])
def test_query_count_does_not_grow_with_the_municipality(client, owner, ede, name):
    many(ede, 5)
    login(client, owner).get(reverse(name))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse(name)).content
    many(ede, 55, start=5)
    with CaptureQueriesContext(connection) as lots:
        large = client.get(reverse(name)).content
    assert len(lots) == len(few) <= 8
    assert len(large) < len(small) + 20 * 400  # 20 options at most, whatever the municipality's size


@pytest.mark.parametrize("name", [CASE, MATCH])
def test_search_finds_the_child_by_label_and_short_reference(client, owner, sixty, foreign, name):
    old = sixty[3]  # not among the newest 20
    login(client, owner)
    html = client.get(reverse(name), {"q": "k-0003"}).content.decode()
    assert offered(html) == [old.pk] and f"K-0003 · {old.reference} · 2010" in html
    assert offered(client.get(reverse(name), {"q": old.reference[:6]}).content.decode())[:1] == [old.pk]
    assert offered(client.get(reverse(name), {"q": "K-00"}).content.decode()) == [c.pk for c in sixty[::-1][:20]]
    html = client.get(reverse(name), {"q": "VN-FOREIGN"}).content.decode()
    assert offered(html) == [] and "Geen kind gevonden" in html
    entries = AccessLogEntry.objects.filter(actor=owner, object_type="child", action="search")
    assert entries.count() == 4 and not entries.filter(detail__icontains="K-00").exists()  # logged, without the query


def test_a_known_child_is_the_only_choice(client, owner, sixty):
    kid = sixty[7]
    html = login(client, owner).get(reverse(CASE), {"kind": kid.pk}).content.decode()
    assert offered(html) == [kid.pk]
    assert 'id="id_child"' in html and f'<option value="{kid.pk}" selected>K-0007 · {kid.reference} · 2010</option>' in html
    assert 'type="radio"' not in html and "Ander kind kiezen" in html
    # a known child posted back after an error stays the only choice
    response = client.post(reverse(CASE), {"child": kid.pk, "opened_on": "2024-01-05"})
    assert response.status_code == 200 and offered(response.content.decode()) == [kid.pk]
    # the child's page links to both forms
    html = client.get(reverse("children:detail", args=[kid.pk])).content.decode()
    assert f'{reverse(CASE)}?kind={kid.pk}"' in html and reverse("fostercare:match_child", args=[kid.pk]) in html


def test_a_child_outside_the_scope_is_refused(client, owner, sixty, foreign):
    login(client, owner)
    html = client.get(reverse(CASE), {"kind": foreign.pk}).content.decode()
    assert foreign.pk not in offered(html) and "VN-FOREIGN" not in html and len(offered(html)) == 20
    response = client.post(reverse(CASE), {"child": foreign.pk, "opened_on": "2024-01-05", "signaller": "school"})
    assert response.status_code == 200 and response.context["form"].errors["child"]
    assert not ThreatCase.objects.exists() and "VN-FOREIGN" not in response.content.decode()
    response = client.get(reverse(MATCH), {"child": foreign.pk})
    assert response.status_code == 200 and response.context["form"].errors["child"] and "VN-FOREIGN" not in response.content.decode()
    for odd in ("99999999999999999999999", "-1", "²", "0"):
        assert client.get(reverse(CASE), {"kind": odd}).status_code == 200
        assert client.get(reverse(MATCH), {"child": odd}).status_code == 200


def test_posting_a_searched_child_opens_the_case(client, owner, sixty):
    kid = sixty[3]
    login(client, owner)
    url = reverse(CASE) + "?q=K-0003"
    assert offered(client.get(url).content.decode()) == [kid.pk]
    response = client.post(url, {"child": kid.pk, "opened_on": "2024-01-05", "signaller": "school", "concerns": ["veiligheid"]})
    case = ThreatCase.objects.get()
    assert case.child == kid and response["Location"] == reverse("casework:case_detail", args=[case.pk])
    response = client.get(reverse(MATCH), {"child": kid.pk})
    assert response["Location"] == reverse("fostercare:match_child", args=[kid.pk])


@pytest.mark.parametrize("name", [CASE, MATCH])
def test_a_bsn_is_never_searched_from_the_web_address(client, owner, sixty, name):
    bsn = synthetic_bsn(4402)
    login(client, owner)
    for typed in (bsn, "1234567", f"{bsn[:4]} {bsn[4:]}"):
        response = client.get(reverse(name), {"q": typed})
        assert response.status_code == 302 and response["Location"] == reverse(name)
    page = client.get(reverse(name)).content.decode()
    assert "Zoek op BSN via het zoekveld" in page and bsn not in page
    assert AccessLogEntry.objects.filter(actor=owner, result="denied", detail__contains="bsn in web address").count() == 3

"""What reaches the access log and the pages from a request's own input (issue 15)."""
from __future__ import annotations

from django.urls import reverse

from accounts.audit import log_access, request_origin
from accounts.models import AccessLogEntry
from placements.bsn import synthetic_bsn
from tests.conftest import login

BSN = synthetic_bsn(31337)


def test_the_writer_never_stores_a_bsn_whatever_the_caller_passes(owner):
    entry = log_access(actor=owner, action="read", object_type="child", object_ref=f"x{BSN}", detail=f"zocht op {BSN[:4]} {BSN[4:]}")
    entry.refresh_from_db()
    assert BSN not in entry.object_ref and BSN[:4] + " " + BSN[4:] not in entry.detail and "•••••••••" in entry.detail


def test_a_bsn_as_scope_never_reaches_the_log_or_the_page(client, project_user):
    login(client, project_user)
    for url in (reverse("monitoring:dashboard"), reverse("reports:cost_table")):
        response = client.get(url, {"scope": BSN})
        assert BSN not in response.content.decode()
    assert not [e for e in AccessLogEntry.objects.all() if BSN in e.detail + e.object_ref]
    assert AccessLogEntry.objects.filter(result="denied").exists()  # the refusals are logged, masked


def test_the_language_form_does_not_echo_the_query(client, project_user):
    login(client, project_user)
    html = client.get(reverse("home"), {"x": BSN, "page": BSN}).content.decode()
    assert BSN not in html


def test_a_forged_forwarded_for_is_not_trusted_without_a_proxy(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="<b>1.2.3.4</b>, 5.6.7.8", REMOTE_ADDR="10.0.0.7")
    assert request_origin(request) == "10.0.0.7"
    request = rf.get("/", REMOTE_ADDR="not an address")
    assert request_origin(request) == "?"


def test_a_child_reference_that_looks_like_a_bsn_is_kept(owner):
    """About 3 in 1,000 child references (10 hex characters of the pseudonym) are digits that pass the 11-check; the
    log keeps them as they are, or the child's history would lose entries. A BSN inside any other reference is masked."""
    entry = log_access(actor=owner, action="read", object_type="child", object_ref="5264063550")
    entry.refresh_from_db()
    assert entry.object_ref == "5264063550"
    entry = log_access(actor=owner, action="read", object_type="cost_table", object_ref=f"scope {BSN}")
    entry.refresh_from_db()
    assert BSN not in entry.object_ref

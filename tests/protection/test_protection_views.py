"""Recording and ending a child-protection measure on the child's page: the owner and a colleague of the child's
municipality may, an outsider gets 404 (logged), other roles 403; overlapping measures are refused in Dutch."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry
from protection.models import Measure
from tests.conftest import login

D = dt.date
pytestmark = pytest.mark.django_db


def form(provider, ede, **extra):
    return {"kind": "11", "gi": provider.pk, "start_date": "2024-01-10", "end_date": "", "municipality": ede.pk, **extra}


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_it_lets_the_childs_municipality_record_and_end_a_measure(client, request, who, child, provider, ede):
    user = request.getfixturevalue(who)
    login(client, user)
    response = client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede))
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[child.pk])
    measure = Measure.objects.get(child=child)
    assert (measure.kind, measure.gi, measure.start_date, measure.end_date, measure.created_by) == ("11", provider, D(2024, 1, 10), None, user)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert 'data-measure="11"' in page and "10-01-2024" in page
    assert AccessLogEntry.objects.filter(actor=user, object_type="measure", object_ref=child.reference, action="create").exists()
    response = client.post(reverse("protection:measure_end", args=[measure.pk]), {"end_date": "2024-03-01"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.end_date == D(2024, 3, 1)


def test_it_hides_the_child_from_an_outsider_and_logs_it(client, outsider, child, provider, ede):
    login(client, outsider)
    response = client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede))
    assert response.status_code == 404
    assert not Measure.objects.exists()
    assert AccessLogEntry.objects.filter(actor=outsider, result="denied", object_ref=child.reference).exists()


def test_it_refuses_other_roles(client, project_user, child, provider, ede):
    login(client, project_user)
    assert client.get(reverse("protection:measure_record", args=[child.pk])).status_code == 403


def test_it_refuses_an_overlapping_measure_and_a_future_date_in_dutch(client, owner, child, provider, ede):
    login(client, owner)
    client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede, kind="12", end_date="2024-02-01"))
    overlapping = client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede, start_date="2024-01-20"))
    assert overlapping.status_code == 200 and "al een maatregel" in overlapping.content.decode()
    future = client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede, start_date="2099-01-01"))
    assert future.status_code == 200 and "toekomst" in future.content.decode()
    follows = client.post(reverse("protection:measure_record", args=[child.pk]), form(provider, ede, start_date="2024-02-01"))
    assert follows.status_code == 302  # the order starts the day the provisional one ends
    assert list(Measure.objects.order_by("start_date").values_list("kind", flat=True)) == ["12", "11"]

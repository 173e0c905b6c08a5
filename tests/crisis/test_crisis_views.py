"""Recording a crisis contact on the child's page: the child's municipality may (logged), an outsider gets 404
(logged), other roles 403; a future date and a BSN in the note are refused in Dutch."""
from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry
from crisis.models import CrisisContact
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_it_lets_the_childs_municipality_record_a_crisis(client, request, who, child):
    user = request.getfixturevalue(who)
    login(client, user)
    response = client.post(reverse("crisis:contact_record", args=[child.pk]), {"date": "2024-05-02", "source": "veilig_thuis", "note": "Netwerk ingezet."})
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[child.pk])
    contact = CrisisContact.objects.get(child=child)
    assert (contact.source, contact.municipality, contact.created_by) == ("veilig_thuis", child.municipality, user)
    assert 'data-crisis="veilig_thuis"' in client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert AccessLogEntry.objects.filter(actor=user, object_type="crisis_contact", object_ref=child.reference).exists()


def test_it_hides_the_child_from_an_outsider_and_refuses_other_roles(client, outsider, project_user, child):
    login(client, outsider)
    assert client.post(reverse("crisis:contact_record", args=[child.pk]), {"date": "2024-05-02", "source": "politie"}).status_code == 404
    assert AccessLogEntry.objects.filter(actor=outsider, result="denied", object_ref=child.reference).exists()
    login(client, project_user)
    assert client.get(reverse("crisis:contact_record", args=[child.pk])).status_code == 403
    assert not CrisisContact.objects.exists()


def test_it_refuses_a_future_date_and_a_bsn_in_the_note(client, owner, child):
    login(client, owner)
    future = client.post(reverse("crisis:contact_record", args=[child.pk]), {"date": "2099-01-01", "source": "politie"})
    assert future.status_code == 200 and "toekomst" in future.content.decode()
    bsn = client.post(reverse("crisis:contact_record", args=[child.pk]), {"date": "2024-05-02", "source": "politie", "note": "bsn 9999 000 55"})
    assert bsn.status_code == 200 and "Vul hier geen BSN in" in bsn.content.decode()
    assert not CrisisContact.objects.exists()

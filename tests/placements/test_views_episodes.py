"""Starting and ending an episode: the scope triangle, validation on the fields, logging."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from placements.bsn import synthetic_bsn
from placements.models import Episode, Municipality, Provider
from placements.services import child_register, episode_start
from tests.conftest import login

D = dt.date


def start_url(child):
    return reverse("children:episode_start", args=[child.pk])


def end_url(episode):
    return reverse("children:episode_end", args=[episode.pk])


def start_data(care_forms, provider, **overrides):
    data = {
        "care_form": care_forms["PLZ"].pk, "provider": provider.pk, "start_date": "2024-02-01",
        "referrer": "01", "legal_framework": "vrijwillig", "municipality": Municipality.objects.get(cbs_code="GM0228").pk,
    }
    data.update(overrides)
    return data


@pytest.fixture
def episode(owner, child, provider, care_forms):
    return episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2023, 1, 10), allow_without_checklist=True)


@pytest.fixture
def other_episode(outsider, provider, care_forms):
    other, _ = child_register(user=outsider, bsn=synthetic_bsn(88), birth_date=D(2011, 1, 1), sex="M", label="VN-88")
    return episode_start(user=outsider, child=other, care_form=care_forms["PLZ"], provider=provider, start_date=D(2022, 1, 1))


# --- start -------------------------------------------------------------------------------------


def test_the_owner_starts_an_episode(client, owner, child, provider, care_forms):
    login(client, owner)
    response = client.get(start_url(child))
    assert response.status_code == 200
    assert response.context["form"]["municipality"].value() == child.municipality_id
    response = client.post(start_url(child), start_data(care_forms, provider))
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[child.pk])
    ep = Episode.objects.get()
    assert (ep.child, ep.care_form.code, ep.provider, ep.start_date, ep.end_date, ep.referrer, ep.legal_framework, ep.created_by) == (
        child, "PLZ", provider, D(2024, 2, 1), None, "01", "vrijwillig", owner)
    assert ep.municipality.cbs_code == "GM0228"
    entry = AccessLogEntry.objects.get(action="create", object_type="episode")
    assert (entry.object_ref, entry.actor) == (child.reference, owner)


def test_a_colleague_starts_an_episode(client, colleague, child, provider, care_forms):
    assert login(client, colleague).post(start_url(child), start_data(care_forms, provider)).status_code == 302
    assert Episode.objects.get().created_by == colleague


def test_the_responsible_municipality_can_be_another_of_the_region(client, owner, child, provider, care_forms, veenendaal):
    login(client, owner).post(start_url(child), start_data(care_forms, provider, municipality=veenendaal.pk))
    assert Episode.objects.get().municipality == veenendaal


def test_a_municipality_outside_the_region_is_refused(client, owner, child, provider, care_forms):
    amsterdam = Municipality.objects.get(cbs_code="GM0363")
    response = login(client, owner).post(start_url(child), start_data(care_forms, provider, municipality=amsterdam.pk))
    assert list(response.context["form"].errors) == ["municipality"]
    assert not Episode.objects.exists()


def test_an_outsider_cannot_start_an_episode_for_a_child_of_another_municipality(client, outsider, child, provider, care_forms):
    login(client, outsider)
    assert client.get(start_url(child)).status_code == 404
    assert client.post(start_url(child), start_data(care_forms, provider)).status_code == 404
    assert not Episode.objects.exists()
    entries = AccessLogEntry.objects.filter(actor=outsider, result="denied")
    assert entries.count() == 2 and {e.object_ref for e in entries} == {child.reference}


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_cannot_start_an_episode(request, client, who, child, provider, care_forms):
    login(client, request.getfixturevalue(who))
    assert client.get(start_url(child)).status_code == 403
    assert client.post(start_url(child), start_data(care_forms, provider)).status_code == 403
    assert not Episode.objects.exists()


def test_anonymous_users_are_sent_to_login(client, child, episode):
    for url in (start_url(child), end_url(episode)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_start_in_the_future_is_refused_on_the_start_date(client, owner, child, provider, care_forms):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(client, owner).post(start_url(child), start_data(care_forms, provider, start_date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == ["De begindatum ligt in de toekomst."]
    assert "De begindatum ligt in de toekomst." in response.content.decode()
    assert not Episode.objects.exists()


def test_an_overlapping_episode_of_the_same_form_and_provider_is_refused(client, owner, child, provider, care_forms):
    episode_start(user=owner, child=child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2023, 1, 1))
    response = login(client, owner).post(start_url(child), start_data(care_forms, provider))
    assert "al een traject met deze zorgvorm" in response.context["form"].errors["start_date"][0]
    assert Episode.objects.count() == 1


def test_the_same_form_at_another_provider_is_allowed(client, owner, child, provider, care_forms):
    episode_start(user=owner, child=child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2023, 1, 1))
    other = Provider.objects.create(name="Pleegzorg Gelderland")
    assert login(client, owner).post(start_url(child), start_data(care_forms, other)).status_code == 302
    assert Episode.objects.count() == 2


def test_a_start_before_birth_is_refused(client, owner, child, provider, care_forms):
    response = login(client, owner).post(start_url(child), start_data(care_forms, provider, start_date="2010-01-01"))
    assert "geboortedatum" in response.context["form"].errors["start_date"][0]


def test_only_active_care_forms_are_offered(client, owner, child, provider, care_forms):
    care_forms["DRM"].active = False
    care_forms["DRM"].save()
    form = login(client, owner).get(start_url(child)).context["form"]
    codes = {cf.code for cf in form.fields["care_form"].queryset}
    assert "DRM" not in codes and "RES" in codes
    response = client.post(start_url(child), start_data(care_forms, provider, care_form=care_forms["DRM"].pk))
    assert "care_form" in response.context["form"].errors


def test_missing_fields_are_reported_in_dutch(client, owner, child):
    response = login(client, owner).post(start_url(child), {})
    errors = response.context["form"].errors
    assert errors["care_form"] == ["Dit veld is verplicht."]
    assert {"care_form", "provider", "start_date"} <= set(errors)


# --- end ---------------------------------------------------------------------------------------


def test_the_owner_ends_an_episode(client, owner, child, episode):
    login(client, owner)
    response = client.get(end_url(episode))
    assert response.status_code == 200 and "10-01-2023" in response.content.decode()
    response = client.post(end_url(episode), {"end_date": "2024-05-31", "end_reason": "31"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.end_date, episode.end_reason) == (D(2024, 5, 31), "31")
    entry = AccessLogEntry.objects.get(action="change")
    assert (entry.object_type, entry.object_ref, entry.actor) == ("episode", child.reference, owner)


def test_a_colleague_ends_an_episode(client, colleague, episode):
    assert login(client, colleague).post(end_url(episode), {"end_date": "2024-05-31", "end_reason": "33"}).status_code == 302
    episode.refresh_from_db()
    assert episode.end_reason == "33"


def test_an_end_before_the_start_is_refused_on_the_end_date(client, owner, episode):
    response = login(client, owner).post(end_url(episode), {"end_date": "2022-12-31", "end_reason": "31"})
    assert response.context["form"].errors["end_date"] == ["De einddatum ligt vóór de begindatum."]
    episode.refresh_from_db()
    assert episode.end_date is None


def test_an_end_in_the_future_is_refused(client, owner, episode):
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = login(client, owner).post(end_url(episode), {"end_date": later, "end_reason": "31"})
    assert response.context["form"].errors["end_date"] == ["De einddatum ligt in de toekomst."]


def test_an_end_reason_is_required(client, owner, episode):
    response = login(client, owner).post(end_url(episode), {"end_date": "2024-01-01", "end_reason": ""})
    assert list(response.context["form"].errors) == ["end_reason"]


def test_an_ended_episode_cannot_be_ended_again(client, owner, episode):
    login(client, owner).post(end_url(episode), {"end_date": "2024-05-31", "end_reason": "31"})
    response = client.post(end_url(episode), {"end_date": "2024-06-30", "end_reason": "34"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.end_date, episode.end_reason) == (D(2024, 5, 31), "31")


def test_an_outsider_cannot_end_an_episode(client, outsider, child, episode):
    login(client, outsider)
    assert client.get(end_url(episode)).status_code == 404
    assert client.post(end_url(episode), {"end_date": "2024-05-31", "end_reason": "31"}).status_code == 404
    episode.refresh_from_db()
    assert episode.end_date is None
    entries = AccessLogEntry.objects.filter(actor=outsider, result="denied", action="change")
    assert entries.count() == 2 and {e.object_ref for e in entries} == {child.reference}


def test_the_owner_cannot_end_an_episode_of_another_municipality(client, owner, other_episode):
    assert login(client, owner).post(end_url(other_episode), {"end_date": "2024-05-31", "end_reason": "31"}).status_code == 404
    other_episode.refresh_from_db()
    assert other_episode.end_date is None


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_cannot_end_an_episode(request, client, who, episode):
    login(client, request.getfixturevalue(who))
    assert client.post(end_url(episode), {"end_date": "2024-05-31", "end_reason": "31"}).status_code == 403
    episode.refresh_from_db()
    assert episode.end_date is None


def test_the_detail_shows_the_timeline_with_the_open_episode_to_today(client, owner, child, episode, provider, care_forms):
    ended = episode_start(user=owner, child=child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2020, 3, 1))
    ended.end_date, ended.end_reason = D(2023, 1, 10), "38"
    ended.save()
    html = login(client, owner).get(reverse("children:detail", args=[child.pk])).content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "Residentiële groepszorg" in svg and "Pleegzorg" in svg
    assert "10-01-2023 – lopend" in svg and "01-03-2020 – 10-01-2023" in svg
    assert "url(#fade-5)" in svg  # the open residential episode fades out towards today
    assert ">2020<" in svg and ">vandaag<" in svg
    assert "#d32f2f" in svg and "#7cb342" in svg  # rung 5 red, rung 2 green

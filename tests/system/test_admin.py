"""Admin: every registered changelist loads for a superuser; records with a child are not in the admin;
the access log is append-only; the user form checks role and scope."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.admin import AccessLogEntryAdmin, UserAdminChangeForm, UserAdminCreationForm
from accounts.audit import log_access
from accounts.models import AccessLogEntry, Role, User
from placements.models import CareForm, Child, Declaration, Episode, ImportIssue, ImportJob, YouthPopulation
from tests.conftest import login


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.django_db
def test_every_registered_changelist_loads_for_a_superuser(client, admin_user, ede, child):
    YouthPopulation.objects.create(municipality=ede, year=2026, age_band="0-11", count=16700)
    job = ImportJob.objects.create(kind="episodes", original_name="trajecten.csv", file="imports/x.csv")
    ImportIssue.objects.create(job=job, row=3, field="bsn", code="E010", message="BSN ongeldig")
    log_access(actor=admin_user, action="read", object_type="child", object_ref=child.reference)
    login(client, admin_user)
    assert admin.site._registry, "nothing registered"
    for model in admin.site._registry:
        response = client.get(changelist_url(model))
        assert response.status_code == 200, (model, response.status_code)
    assert client.get(reverse("admin:placements_importjob_change", args=[job.pk])).status_code == 200


def test_children_episodes_and_declarations_are_not_in_the_admin():
    for model in (Child, Episode, Declaration):
        assert not admin.site.is_registered(model)


@pytest.mark.django_db
def test_care_forms_active_flag_is_editable_in_the_list(client, admin_user):
    model_admin = admin.site._registry[CareForm]
    assert model_admin.list_editable == ("active", "crisis")
    assert admin.site._registry[YouthPopulation].list_editable == ("count",)
    login(client, admin_user)
    response = client.get(changelist_url(CareForm))
    assert b'name="form-0-active"' in response.content


@pytest.mark.django_db
def test_import_jobs_and_issues_are_read_only(rf, admin_user):
    for model in (ImportJob, ImportIssue):
        model_admin = admin.site._registry[model]
        request = rf.get("/")
        request.user = admin_user
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert model_admin.has_view_permission(request)


@pytest.mark.django_db
def test_the_access_log_refuses_add_change_and_delete_for_everyone(client, rf, admin_user, child):
    entry = log_access(actor=admin_user, action="read", object_type="child", object_ref=child.reference)
    model_admin = admin.site._registry[AccessLogEntry]
    assert isinstance(model_admin, AccessLogEntryAdmin)
    request = rf.get("/")
    request.user = admin_user  # a superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.get_actions(request) == {}

    login(client, admin_user)
    delete_url = reverse("admin:accounts_accesslogentry_delete", args=[entry.pk])
    response = client.post(delete_url, {"post": "yes"})
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    # No bulk delete either.
    response = client.post(changelist_url(AccessLogEntry), {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    # Viewing and searching work.
    response = client.get(changelist_url(AccessLogEntry), {"q": child.reference})
    assert response.status_code == 200
    assert child.reference.encode() in response.content
    assert client.get(reverse("admin:accounts_accesslogentry_add")).status_code == 403


def user_change_data(user, **overrides):
    data = {
        "username": user.username, "role": user.role, "municipality": user.municipality_id or "", "region": user.region_id or "",
        "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "last_login": "", "date_joined": "2026-01-01 10:00:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_wijkteam_worker_needs_a_municipality(owner, foodvalley):
    form = UserAdminChangeForm(data=user_change_data(owner, municipality=""), instance=owner)
    assert not form.is_valid()
    assert "municipality" in form.errors


@pytest.mark.django_db
def test_a_wijkteam_worker_gets_the_region_of_the_municipality(owner, ede, foodvalley):
    from placements.models import Region

    form = UserAdminChangeForm(data=user_change_data(owner, region=""), instance=owner)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == foodvalley
    other = Region.objects.exclude(pk=foodvalley.pk).first()
    form = UserAdminChangeForm(data=user_change_data(owner, region=other.pk), instance=owner)
    assert not form.is_valid()
    assert "region" in form.errors


@pytest.mark.django_db
def test_a_project_team_member_needs_a_region(project_user, foodvalley):
    form = UserAdminChangeForm(data=user_change_data(project_user, region=""), instance=project_user)
    assert not form.is_valid()
    assert "region" in form.errors
    form = UserAdminChangeForm(data=user_change_data(project_user), instance=project_user)
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_add_form_checks_the_scope_too(ede):
    base = {"username": "nieuw", "usable_password": "true", "password1": "Een-goed-wachtwoord-2026", "password2": "Een-goed-wachtwoord-2026"}
    form = UserAdminCreationForm(data=base | {"role": Role.WIJKTEAM})
    assert not form.is_valid() and "municipality" in form.errors
    form = UserAdminCreationForm(data=base | {"role": Role.WIJKTEAM, "municipality": ede.pk})
    assert form.is_valid(), form.errors
    user = form.save()
    assert User.objects.get(pk=user.pk).region == ede.region


@pytest.mark.django_db
def test_an_administrator_can_add_a_user_through_the_admin(client, admin_user, foodvalley):
    login(client, admin_user)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "pt2", "usable_password": "true", "password1": "Een-goed-wachtwoord-2026", "password2": "Een-goed-wachtwoord-2026",
        "role": Role.PROJECT, "region": "",
    })
    assert response.status_code == 200  # form shown again with the error
    assert not User.objects.filter(username="pt2").exists()
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "pt2", "usable_password": "true", "password1": "Een-goed-wachtwoord-2026", "password2": "Een-goed-wachtwoord-2026",
        "role": Role.PROJECT, "region": foodvalley.pk,
    })
    assert response.status_code == 302
    assert User.objects.get(username="pt2").region == foodvalley

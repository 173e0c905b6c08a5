"""One-month runs stored as patches over their base run (monitoring.store): every reader sees the same series
as a full run would give, the base is never changed and cannot be deleted while a month run depends on it."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from monitoring import exports, services, store
from monitoring.models import FigurePatch, FigureSeries, RunStatus
from placements.models import CareForm, Child, Episode, Provider
from tests import test_snapshot_runs

TODAY = test_snapshot_runs.TODAY

MONTHLY = set(services.MONTHLY_METRICS)


@pytest.fixture
def data(db):
    return test_snapshot_runs.data.__wrapped__(db)


def everything(run) -> dict:
    return {(r.level, r.scope, r.group, r.band, r.metric): r.values for r in store.run_series(run)}


def raw_rows(run) -> dict:
    return {(s.scope, s.group, s.band, s.metric): s.values for s in FigureSeries.objects.filter(run=run)}


def expected_month_run(full: dict, base: dict, month: str) -> dict:
    """What a month run must hold: the base's series with `month` of every monthly series taken from the full
    run, and the casework/foster-care series of the full run (the month run recomputes them whole)."""
    provided = services._provided_metrics([])
    out = {}
    for key in base.keys() | full.keys():
        metric = key[4]
        if metric in provided:
            values = full.get(key, {})
        elif metric in MONTHLY:
            values = {p: v for p, v in base.get(key, {}).items() if p != month}
            if month in full.get(key, {}):
                values[month] = full[key][month]
            values = dict(sorted(values.items()))
        else:
            values = base.get(key, {})
        if values:
            out[key] = values
    return out


def assert_same(got: dict, want: dict):
    assert got.keys() == want.keys(), (sorted(got.keys() - want.keys())[:5], sorted(want.keys() - got.keys())[:5])
    for key, values in want.items():
        assert got[key] == values, key
        # integer figures stay integers (the patch table stores floats)
        assert [type(v) for v in got[key].values()] == [type(v) for v in values.values()], key


def test_a_month_run_on_unchanged_data_equals_the_full_run_series_by_series(data):
    full = services.run_compute_inline(services.run_create(today=TODAY))
    month = services.run_compute_month(base=full, month="2020-12", today=TODAY)
    assert month.status == RunStatus.DONE and month.base_id == full.pk
    assert_same(everything(month), everything(full))
    assert month.series_count == full.series_count == len(everything(full))
    # stored as a patch: the month run holds no copy of the base's series
    assert FigureSeries.objects.filter(run=month).count() < full.series_count / 2
    assert FigurePatch.objects.filter(run=month, period="2020-12").exists()


def test_a_month_run_over_an_older_base_takes_the_month_from_fresh_data(data):
    base = services.run_compute_inline(services.run_create(today=TODAY))
    before = raw_rows(base)
    child = Child.objects.order_by("id")[2]
    Episode.objects.create(child=child, care_form=CareForm.objects.get(code="RES"), provider=Provider.objects.first(),
                           municipality=data["veen"], start_date=dt.date(2020, 12, 5))
    full = services.run_compute_inline(services.run_create(today=TODAY))
    month = services.run_compute_month(base=base, month="2020-12", today=TODAY)
    want = expected_month_run(everything(full), everything(base), "2020-12")
    assert_same(everything(month), want)
    assert month.series_count == len(want)
    assert raw_rows(base) == before  # the base's rows are never changed


def test_recomputing_a_month_inside_the_base_removes_values_that_are_gone(data):
    provider = Provider.objects.first()
    child = Child.objects.order_by("id")[2]
    short = Episode.objects.create(child=child, care_form=CareForm.objects.get(code="JZP"), provider=provider,
                                   municipality=data["veen"], start_date=dt.date(2020, 11, 3), end_date=dt.date(2020, 11, 20))
    base = services.run_compute_inline(services.run_create(today=TODAY))
    assert store.run_series(base, scope="GM0345", group="JZP", band="all", metric="served")[0].values == {"2020-11": 1}
    short.delete()
    full = services.run_compute_inline(services.run_create(today=TODAY))
    month = services.run_compute_month(base=base, month="2020-11", today=TODAY)
    assert FigurePatch.objects.filter(run=month, period="2020-11", value__isnull=True).exists()
    # the JZP series of Veenendaal had only November: it is gone altogether
    assert store.run_series(month, scope="GM0345", group="JZP", band="all", metric="served") == []
    want = expected_month_run(everything(full), everything(base), "2020-11")
    assert_same(everything(month), want)
    assert month.series_count == len(want)


def test_a_chain_of_two_month_runs(data):
    base = services.run_compute_inline(services.run_create(today=TODAY))
    provider, res = Provider.objects.first(), CareForm.objects.get(code="RES")
    child = Child.objects.order_by("id")[2]
    Episode.objects.create(child=child, care_form=res, provider=provider, municipality=data["veen"],
                           start_date=dt.date(2020, 11, 5), end_date=dt.date(2020, 11, 25), end_reason="31")
    first = services.run_compute_month(base=base, month="2020-11", today=TODAY)
    Episode.objects.create(child=child, care_form=res, provider=provider, municipality=data["ede"], start_date=dt.date(2020, 12, 7))
    second = services.run_compute_month(base=first, month="2020-12", today=TODAY)
    assert store.chain(second) == [base.pk, first.pk, second.pk]
    full = everything(services.run_compute_inline(services.run_create(today=TODAY)))
    want = expected_month_run(full, expected_month_run(full, everything(base), "2020-11"), "2020-12")
    assert_same(everything(second), want)
    assert second.series_count == len(want)
    # the first month run still reads as it was
    assert store.run_series(first, scope="GM0228", group="RES", band="all", metric="entries")[0].values.get("2020-12", 0) == 0
    assert store.run_series(second, scope="GM0228", group="RES", band="all", metric="entries")[0].values["2020-12"] == 1


def test_provided_series_that_vanished_are_gone_in_the_month_run(data):
    child = Child.objects.order_by("id")[2]
    jim = Episode.objects.create(child=child, care_form=CareForm.objects.get_or_create(code="JIM", defaults={"name": "JIM", "rung": 0})[0],
                                 provider=Provider.objects.first(), municipality=data["ede"], start_date=dt.date(2020, 5, 1))
    base = services.run_compute_inline(services.run_create(today=TODAY))
    assert store.run_series(base, scope="GM0228", metric="jim_families")
    jim.delete()
    month = services.run_compute_month(base=base, month="2020-12", today=TODAY)
    assert store.run_series(month, scope="GM0228", metric="jim_families") == []
    assert FigureSeries.objects.filter(run=month, scope="GM0228", metric="jim_families", values={}).exists()  # the tombstone
    assert store.run_series(base, scope="GM0228", metric="jim_families")  # the base still has it
    full = services.run_compute_inline(services.run_create(today=TODAY))
    assert_same(everything(month), expected_month_run(everything(full), everything(base), "2020-12"))


def test_revisions_between_a_month_run_and_its_locked_base(data):
    base = services.run_compute_inline(services.run_create(today=TODAY))
    services.run_lock(run=base, note="gepubliceerd")
    child = Child.objects.order_by("id")[2]
    Episode.objects.create(child=child, care_form=CareForm.objects.get(code="RES"), provider=Provider.objects.first(),
                           municipality=data["veen"], start_date=dt.date(2020, 11, 15))
    month = services.run_compute_month(base=base, month="2020-11", today=TODAY)
    revised = services.revisions(newer=month, published=base, scope="GM0345")
    assert {"group": "RES", "band": "all", "metric": "stock", "period": "2020-11", "old": 1, "new": 2} in revised
    assert all(r["period"] == "2020-11" or r["metric"] not in MONTHLY for r in revised)
    assert services.revisions(newer=month, published=month, scope="GM0345") == []


def test_a_base_cannot_be_deleted_while_a_month_run_depends_on_it(data):
    base = services.run_compute_inline(services.run_create(today=TODAY))
    services.run_lock(run=base)
    month = services.run_compute_month(base=base, month="2020-12", today=TODAY)
    with pytest.raises(ProtectedError):
        base.delete()
    month.delete()  # its patches and rows go with it; the base stays whole
    assert not FigurePatch.objects.filter(run_id=month.pk).exists()
    assert FigureSeries.objects.filter(run=base).count() == base.series_count
    base.delete()


def test_export_figures_of_a_month_run_equals_the_full_runs_export(data, tmp_path):
    from django.core.management import call_command

    full = services.run_compute_inline(services.run_create(today=TODAY))
    month = services.run_compute_month(base=full, month="2020-12", today=TODAY)
    a, b = tmp_path / "full.csv", tmp_path / "month.csv"
    call_command("export_figures", str(a), "--run", str(full.pk))
    call_command("export_figures", str(b), "--run", str(month.pk))
    rows_full = list(csv.reader(a.open()))
    assert rows_full == list(csv.reader(b.open()))  # the same rows in the same order
    assert len(rows_full) > 100
    # a scope filter gives the same subset
    assert list(exports.figure_rows(month, scopes=["GM0345"])) == list(exports.figure_rows(full, scopes=["GM0345"]))


def test_the_dashboard_reads_a_month_run(client, data, admin_user):
    from django.test.utils import CaptureQueriesContext

    full = services.run_compute_inline(services.run_create(today=TODAY))
    client.force_login(admin_user)
    url = reverse("monitoring:dashboard")
    params = {"scope": "NL", "group": "residential"}
    page_full = client.get(url, params)
    month = services.run_compute_month(base=full, month="2020-12", today=TODAY)  # a new run id: never the cached page
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        page_month = client.get(url, params)
    assert page_month.status_code == 200 and page_full.status_code == 200
    assert page_month.context["dash"].run.pk == month.pk
    assert [q for q in queries if "monitoring_figurepatch" in q["sql"]]
    assert len(queries) <= 24
    strip = lambda html: html.replace(f"Run {month.pk}", "").replace(f"Run {full.pk}", "")  # noqa: E731
    assert page_month.context["dash"].tiles == page_full.context["dash"].tiles if hasattr(page_full.context["dash"], "tiles") else True
    assert strip(page_month.content.decode()).count("Kinderen in zorg") == strip(page_full.content.decode()).count("Kinderen in zorg")


def test_the_run_page_says_a_month_run_takes_its_other_figures_from_its_base(client, data, admin_user):
    full = services.run_compute_inline(services.run_create(today=TODAY))
    month = services.run_compute_month(base=full, month="2020-12", today=TODAY)
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:run_detail", args=[month.pk])).content.decode()
    assert f'href="{reverse("monitoring:run_detail", args=[full.pk])}">run {full.pk}</a>' in page
    assert "rond de berekende maand" in page
    assert "rond de berekende maand" not in client.get(reverse("monitoring:run_detail", args=[full.pk])).content.decode()

"""Snapshot runs over the database: stored series, idempotence, the Celery path, locking, revisions."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from core.periods import period_last_month
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs import selectors, services, store
from monitoring.runs.tasks import compute_snapshot
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import CareForm, Child, Declaration, Episode, Municipality, Provider, YouthPopulation

TODAY = dt.date(2021, 1, 15)  # last complete month: December 2020


@pytest.fixture
def data(db):
    ede = Municipality.objects.get(cbs_code="GM0228")
    veen = Municipality.objects.get(cbs_code="GM0345")
    utrecht = Municipality.objects.get(cbs_code="GM0344")
    res = CareForm.objects.get(code="RES")
    plz = CareForm.objects.get(code="PLZ")
    prov = Provider.objects.create(name="Aanbieder A")
    kids = [Child.objects.create(pseudonym=pseudonymise(synthetic_bsn(i)), birth_date=b, municipality=ede)
            for i, b in enumerate([dt.date(2010, 1, 1), dt.date(2008, 11, 20), dt.date(2015, 6, 1)])]
    Episode.objects.create(child=kids[0], care_form=plz, provider=prov, municipality=ede, start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 6, 1), end_reason="33")
    Episode.objects.create(child=kids[0], care_form=res, provider=prov, municipality=veen, start_date=dt.date(2020, 6, 10))
    Episode.objects.create(child=kids[1], care_form=res, provider=prov, municipality=ede, start_date=dt.date(2020, 3, 1), end_date=dt.date(2020, 9, 1), end_reason="31")
    Episode.objects.create(child=kids[1], care_form=res, provider=prov, municipality=utrecht, start_date=dt.date(2020, 10, 1))
    Episode.objects.create(child=kids[2], care_form=plz, provider=prov, municipality=veen, start_date=dt.date(2019, 12, 31))
    Declaration.objects.create(source_id="D1", child=kids[1], care_form=res, provider=prov, municipality=ede,
                               period_start=dt.date(2020, 3, 1), period_end=dt.date(2020, 3, 31), amount=Decimal("7000.00"))
    Declaration.objects.create(source_id="D2", child=kids[1], care_form=res, provider=prov, municipality=ede,
                               period_start=dt.date(2020, 3, 1), period_end=dt.date(2020, 3, 31), amount=Decimal("-1000.50"))
    YouthPopulation.objects.create(municipality=ede, year=2020, age_band="0-11", count=15000)
    YouthPopulation.objects.create(municipality=ede, year=2020, age_band="12-17", count=9000)
    return {"ede": ede, "veen": veen, "utrecht": utrecht}


def series(run, scope, group, metric, band="all"):
    (row,) = store.run_series(run, scope=scope, group=group, band=band, metric=metric)
    return row.values


def test_it_stores_series_per_scope_and_counts_a_region_hopping_child_once_per_region(data):
    run = services.run_compute(services.run_create(today=TODAY))
    assert run.status == RunStatus.DONE
    assert run.last_month == "2020-12"
    assert run.first_month == "2019-12"
    # Food Valley residential stock in December: child 0 (Veenendaal); child 1 moved to Utrecht in October
    fv = series(run, "Food Valley", "residential", "stock")
    assert fv["2020-12"] == 1
    assert fv["2020-07"] == 2  # child 0 in Veenendaal and child 1 in Ede
    assert series(run, "Utrecht stad", "residential", "stock")["2020-12"] == 1
    assert series(run, "NL", "residential", "stock")["2020-12"] == 2
    # child 0's foster -> residential (9-day gap) is an escalation in Veenendaal and a breakdown in Ede
    assert series(run, "GM0345", "residential", "escalations")["2020-06"] == 1
    assert series(run, "GM0228", "family_based", "breakdowns")["2020-06"] == 1
    # cost with a correction
    assert series(run, "GM0228", "RES", "cost")["2020-03"] == pytest.approx(5999.50)
    # per 1,000 youths: Ede residential stock in July 2020 is 1 of 24,000 youths
    assert series(run, "GM0228", "residential", "stock_per_1000")["2020-07"] == pytest.approx(1000 / 24000, abs=1e-4)


def test_running_twice_gives_identical_series_and_a_repeated_part_never_doubles(data):
    a = services.run_compute(services.run_create(today=TODAY))
    b = services.run_compute(services.run_create(today=TODAY))

    def dump(run):
        return sorted((s.scope, s.group, s.band, s.metric, tuple(sorted(s.values.items()))) for s in run.series.all())

    assert dump(a) == dump(b)
    count = b.series.count()
    SnapshotRun.objects.filter(pk=b.pk).update(status=RunStatus.RUNNING)
    for part in b.parts:
        services.run_part_compute(run_id=b.pk, part=part)  # a repeated task
    assert b.series.count() == count
    assert dump(b) == dump(a)


def test_the_celery_path_computes_the_same_run(data):
    inline = services.run_compute(services.run_create(today=TODAY))
    run = services.run_create(today=TODAY)
    compute_snapshot.delay(run.pk)  # eager in tests: the parts run in-process, one after the other
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.progress == 100
    assert run.series.count() == inline.series.count()
    assert series(run, "NL", "stay", "stock") == series(inline, "NL", "stay", "stock")


def test_a_locked_run_stays_and_a_newer_run_shows_revisions(data):
    published = services.run_lock(run=services.run_compute(services.run_create(today=TODAY)), note="Q4 2020")
    assert SnapshotRun.objects.get(pk=published.pk).locked
    # a late registration changes history
    child = Child.objects.order_by("id")[2]
    Episode.objects.create(child=child, care_form=CareForm.objects.get(code="RES"), provider=Provider.objects.first(),
                           municipality=data["veen"], start_date=dt.date(2020, 11, 15))
    newer = services.run_compute(services.run_create(today=TODAY))
    before = series(published, "GM0345", "residential", "stock")
    assert before.get("2020-11", 0) == 1
    assert series(newer, "GM0345", "residential", "stock")["2020-11"] == 2
    revised = selectors.run_revisions(newer=newer, published=published, scope="GM0345")
    assert {"group": "residential", "band": "all", "metric": "stock", "period": "2020-11", "old": 1, "new": 2} in revised
    # the published run did not change
    assert series(SnapshotRun.objects.get(pk=published.pk), "GM0345", "residential", "stock") == before


def test_export_figures_writes_long_form_and_logs_the_export(data, tmp_path):
    import csv

    from django.core.management import call_command

    from accounts.models import AccessLogEntry

    run = services.run_compute(services.run_create(today=TODAY))
    out = tmp_path / "figures.csv"
    call_command("export_figures", str(out), "--run", str(run.pk))
    rows = list(csv.DictReader(out.open()))
    assert set(rows[0]) == {"period", "scope", "care_form_group", "provider", "age_band", "metric", "value"}
    hit = [r for r in rows if (r["period"], r["scope"], r["care_form_group"], r["age_band"], r["metric"]) == ("2020-12", "NL", "residential", "all", "stock")]
    assert [(r["value"], r["provider"]) for r in hit] == [("2", "")]
    # figures per provider: group "all", the provider's AGB code (its name when it has none) in its own column
    Provider.objects.filter(name="Aanbieder A").update(agb_code="73010001")
    call_command("export_figures", str(out), "--run", str(run.pk))
    rows = list(csv.DictReader(out.open()))
    per_provider = {(r["provider"], r["care_form_group"]) for r in rows if r["metric"] == "provider_stock"}
    assert per_provider == {("73010001", "all")}
    assert any(r["period"] == "2020" and r["metric"] == "cost_year" for r in rows)
    assert any(r["period"] == "2020-Q2" and r["metric"] == "los_median" for r in rows) or any(r["metric"] == "cohort_size" for r in rows)
    assert AccessLogEntry.objects.filter(action="export", object_ref=f"run {run.pk}").exists()


def test_revisions_include_figures_that_appeared_and_skip_periods_not_yet_ended():
    assert period_last_month("2020") == "2020-12"
    assert period_last_month("2020-Q3") == "2020-09"
    assert period_last_month("2020-H1") == "2020-06"
    assert period_last_month("2020-07") == "2020-07"


def test_a_figure_that_appears_in_a_newer_run_is_a_revision(data):
    published = services.run_compute(services.run_create(today=TODAY))
    child = Child.objects.order_by("id")[2]
    # Veenendaal had no closed care (JZP): that series did not exist in the published run
    Episode.objects.create(child=child, care_form=CareForm.objects.get(code="JZP"), provider=Provider.objects.first(),
                           municipality=data["veen"], start_date=dt.date(2020, 11, 15))
    newer = services.run_compute(services.run_create(today=TODAY))
    revised = selectors.run_revisions(newer=newer, published=published, scope="GM0345")
    assert {"group": "JZP", "band": "all", "metric": "stock", "period": "2020-11", "old": 0, "new": 1} in revised


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"), reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # other tests need the reference data after the flush
def test_two_parts_that_finish_together_both_record_themselves_and_the_last_one_finishes_the_run():
    """Two workers finish their parts at the same moment, each inside the transaction that wrote its series
    (PostgreSQL, real row locks): both are recorded, neither waits forever, and the run is done once."""
    import threading

    from django.db import connection, transaction

    from monitoring.models import FigureSeries

    run = SnapshotRun.objects.create(status=RunStatus.RUNNING, data_date=dt.date(2020, 12, 31), parts=["a", "b"])
    both_wrote = threading.Barrier(2, timeout=10)
    errors = []

    def part(name):
        try:
            with transaction.atomic():
                FigureSeries.objects.create(run=run, level="country", scope="NL", group="all", band="all", metric=f"m_{name}",
                                            values={"2020-12": 1}, part=name)
                both_wrote.wait()
                services.run_part_done(run_id=run.pk, part=name)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=part, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and sorted(run.parts_done) == ["a", "b"] and run.series_count == 2

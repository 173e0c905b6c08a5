"""A full run shared between two processes (PostgreSQL) stores exactly the figures of a run in one process."""
import pytest
from django.core.management import call_command
from django.db import connection

from monitoring import services
from monitoring.models import FigureSeries, RunStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migrated municipalities


def _figures(run):
    return {(s.scope, s.group, s.band, s.metric): s.values for s in FigureSeries.objects.filter(run=run)}


def test_a_forked_run_equals_a_single_process_run(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the run forks only on PostgreSQL")
    call_command("demo_region", "--children", "400", "--seed", "7", verbosity=0)
    settings.MONITORING_PROCESSES = 2
    assert services._can_fork()
    forked = services.run_compute_inline(services.run_create())
    settings.MONITORING_PROCESSES = 1
    assert not services._can_fork()
    single = services.run_compute_inline(services.run_create())
    assert forked.status == single.status == RunStatus.DONE
    assert forked.series_count == single.series_count > 1000
    assert _figures(forked) == _figures(single)


def test_a_month_run_with_casework_and_foster_care_in_a_second_process_equals_one_in_a_single_process(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the run forks only on PostgreSQL")
    from monitoring import store

    call_command("demo_region", "--children", "400", "--seed", "7", verbosity=0)
    settings.MONITORING_PROCESSES = 1
    base = services.run_compute_inline(services.run_create())
    single = services.run_compute_month(base=base, month=base.last_month)
    settings.MONITORING_PROCESSES = 2
    assert services._can_fork()
    forked = services.run_compute_month(base=base, month=base.last_month)
    assert forked.status == single.status == RunStatus.DONE
    merged = lambda run: {(r.scope, r.group, r.band, r.metric): r.values for r in store.run_series(run)}  # noqa: E731
    assert merged(forked) == merged(single) == merged(base)  # the same data: the month run changes nothing
    assert forked.series_count == single.series_count == base.series_count
    assert FigureSeries.objects.filter(run=forked).exists()  # the second process stored the provided series

"""The providers page (project team and administrators), its publication of small numbers, contracts and the
data-quality card."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AccessLogEntry, AccessResult
from core import publication
from monitoring.runs import services
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import CareForm, Child, Declaration, Episode, Provider, ProviderContract
from providers import quality
from tests.conftest import login

TODAY = dt.date(2026, 1, 15)  # data date 31-12-2025

pytestmark = pytest.mark.django_db


def _child(n: int, muni) -> Child:
    return Child.objects.create(pseudonym=pseudonymise(synthetic_bsn(n)), birth_date=dt.date(2012, 1, 1), municipality=muni)


@pytest.fixture
def providers_run(ede, foodvalley):
    """Provider Groot with 8 children in residential care in Ede (published as 10), provider Klein with 2 (≤5)."""
    res = CareForm.objects.get(code="RES")
    big = Provider.objects.create(name="Groot Jeugdzorg", agb_code="73019001")
    small = Provider.objects.create(name="Klein Jeugdzorg", agb_code="73019002")
    ProviderContract.objects.create(provider=big, region=foodvalley, start_date=dt.date(2020, 1, 1))
    ProviderContract.objects.create(provider=small, region=foodvalley, start_date=dt.date(2020, 1, 1), end_date=dt.date(2024, 12, 31))
    for n in range(10):
        ep = Episode.objects.create(child=_child(n + 1, ede), care_form=res, provider=big if n < 8 else small, municipality=ede,
                                    start_date=dt.date(2025, 3, 1))
        Declaration.objects.create(child=ep.child, care_form=res, provider=ep.provider, municipality=ede, period_start=dt.date(2025, 3, 1),
                                   period_end=dt.date(2025, 3, 31), amount=Decimal("1000.00"), source_id=f"D{n}")
    # ambulant care only: no stay series at all for this provider
    ambulant = Provider.objects.create(name="Ambulant Team")
    for n in range(10, 17):
        Episode.objects.create(child=_child(n + 1, ede), care_form=CareForm.objects.get(code="AMB"), provider=ambulant, municipality=ede,
                               start_date=dt.date(2025, 3, 1))
    return services.run_compute(services.run_create(today=TODAY)), big, small


def _row(content: str, name: str) -> str:
    start = content.index(name)
    return content[start:content.index("</tr>", start)]


def test_it_shows_the_project_team_its_providers_with_small_numbers_protected(client, project_user, providers_run):
    _run, big, small = providers_run
    response = login(client, project_user).get("/aanbieders/")
    assert response.status_code == 200
    content = response.content.decode()
    big_row, small_row = _row(content, big.name), _row(content, small.name)
    assert ">10<" in big_row and ">8<" not in big_row  # 8 children, rounded up to a multiple of 5
    assert publication.label() in small_row and ">2<" not in small_row
    assert "73019001" in big_row
    # cost 8 × € 1.000 beside the cost per client: € 8.000 / 10 published clients, never the exact € 1.000 (which
    # with the cost would give back the exact 8 clients)
    assert "€ 8.000" in big_row and "€ 800" in big_row and "€ 1.000" not in big_row
    # contracted on the peildatum: the big one; the small one's contract ended in 2024
    assert "text-bg-success" in big_row and "text-bg-success" not in small_row
    assert content.index(big.name) < content.index(small.name)  # most children in care first
    # 7 children with ambulant care, none in stay: the stay share 0 of 7 is a share with fewer than 6 in a part
    assert "afgeschermd" in _row(content, "Ambulant Team")


def test_it_shows_a_provider_with_its_contracts_and_data_quality(client, project_user, providers_run):
    _run, big, _small = providers_run
    response = login(client, project_user).get(f"/aanbieders/{big.pk}/?scope=GM0228&year=2025")
    assert response.status_code == 200
    content = response.content.decode()
    assert "01-01-2020" in content and 'data-rule="Q05"' in content
    assert "Datakwaliteit" in content


def test_the_quarterly_report_lists_the_providers_of_the_last_whole_year(providers_run, foodvalley):
    from reports.content import build_report

    run, big, small = providers_run
    report = build_report(run=run, region=foodvalley, quarter="2025-Q4")
    rows = {p.name: p for p in report.providers}
    assert report.providers_year == 2025 and list(rows)[0] == big.name
    assert rows[big.name].stock.text == "10" and rows[small.name].stock.suppressed
    assert rows[small.name].contracted is False
    assert build_report(run=run, region=foodvalley, quarter="2025-Q3").providers_year == 2024
    # stay durations per group of the same year: 10 stays into residential care in March 2025, all still running
    durations = {d.label: d for d in report.durations}
    assert durations["Met verblijf"].cohort.text == "10" and durations["Met verblijf"].median.text == "–"


def test_it_refuses_the_wijkteam_and_logs_it(client, owner, providers_run):
    response = login(client, owner).get("/aanbieders/")
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(object_type="providers", result=AccessResult.DENIED, actor=owner).exists()


def test_it_refuses_a_scope_outside_the_region_and_logs_it(client, project_user, providers_run):
    response = login(client, project_user).get("/aanbieders/?scope=GM0363")  # Amsterdam
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(object_type="providers", result=AccessResult.DENIED, actor=project_user).exists()


def test_an_administrator_sees_the_country(client, admin_user, providers_run):
    response = login(client, admin_user).get("/aanbieders/?scope=NL")
    assert response.status_code == 200
    assert "Groot Jeugdzorg" in response.content.decode()


# --- the data-quality rules, on hand-made data (data date 31-12-2025)
DATA_DATE = dt.date(2025, 12, 31)


def _episode(child, form, provider, muni, start, end=None, reason="", created=None, source=None):
    ep = Episode.objects.create(child=child, care_form=form, provider=provider, municipality=muni, start_date=start, end_date=end,
                                end_reason=reason, source_id=source)
    # registered on its start day unless said otherwise
    Episode.objects.filter(pk=ep.pk).update(created_at=dt.datetime.combine(created or start, dt.time(12), tzinfo=dt.UTC))
    return ep


def _declaration(child, form, provider, muni, start, end, source):
    return Declaration.objects.create(child=child, care_form=form, provider=provider, municipality=muni, period_start=start, period_end=end,
                                      amount=Decimal("100.00"), source_id=source)


def test_each_quality_rule_counts_what_breaks_it_and_nothing_else(ede, veenendaal):
    p = Provider.objects.create(name="Aanbieder Q")
    other = Provider.objects.create(name="Aanbieder Anders")
    amb, res = CareForm.objects.get(code="AMB"), CareForm.objects.get(code="RES")
    c = [_child(n, ede) for n in range(1, 8)]
    # Q01: registered 31 days after its start (late) and 30 days after (on time); one late but started > 12 months ago
    _episode(c[0], amb, p, ede, dt.date(2025, 11, 1), dt.date(2025, 12, 1), "31", created=dt.date(2025, 12, 2), source="LATE")
    _episode(c[1], amb, p, ede, dt.date(2025, 11, 1), dt.date(2025, 12, 1), "31", created=dt.date(2025, 12, 1), source="ONTIME")
    _episode(c[1], amb, p, ede, dt.date(2024, 6, 1), dt.date(2024, 8, 1), "31", created=dt.date(2024, 12, 1), source="OLD")
    # Q02: two overlapping episodes of one child, form and provider; touching ones do not overlap
    _episode(c[2], res, p, ede, dt.date(2025, 1, 1), dt.date(2025, 5, 1), "31", source="OV-1")
    _episode(c[2], res, p, ede, dt.date(2025, 4, 1), dt.date(2025, 6, 1), "31", source="OV-2")
    _episode(c[2], res, p, ede, dt.date(2025, 6, 1), dt.date(2025, 7, 1), "31", source="TOUCH")
    # Q03: a declaration without a running episode at the provider (the child's episode is at another provider)
    _episode(c[3], amb, other, ede, dt.date(2025, 1, 1), None, source="ELSEWHERE")
    _declaration(c[3], amb, p, ede, dt.date(2025, 3, 1), dt.date(2025, 3, 31), "D-NOEP")
    _declaration(c[2], res, p, ede, dt.date(2025, 2, 1), dt.date(2025, 2, 28), "D-OK")
    # Q04: running through October–December 2025 without a declaration of the provider; the other one has one
    _episode(c[4], res, p, ede, dt.date(2025, 1, 1), None, source="UNDECLARED")
    _episode(c[5], res, p, ede, dt.date(2025, 1, 1), None, source="DECLARED")
    _declaration(c[5], res, p, ede, dt.date(2025, 11, 1), dt.date(2025, 11, 30), "D-NOV")
    # Q05: ended without a reason; outside the scope (Veenendaal) does not count
    _episode(c[6], amb, p, ede, dt.date(2025, 2, 1), dt.date(2025, 3, 1), "", source="NOREASON")
    _episode(c[6], amb, p, veenendaal, dt.date(2025, 4, 1), dt.date(2025, 5, 1), "", source="ELSEWHERE-MUNI")
    results = {r.rule.code: r for r in quality.provider_quality(provider_id=p.pk, municipality_ids=[ede.pk], data_date=DATA_DATE)}
    assert {code: (r.count, sorted(r.examples)) for code, r in results.items()} == {
        "Q01": (1, ["LATE"]),
        "Q02": (2, ["OV-1", "OV-2"]),
        "Q03": (1, ["D-NOEP"]),
        "Q04": (1, ["UNDECLARED"]),
        "Q05": (1, ["NOREASON"]),
    }
    everywhere = {r.rule.code: r.count for r in quality.provider_quality(provider_id=p.pk, municipality_ids=None, data_date=DATA_DATE)}
    assert everywhere["Q05"] == 2


def test_the_dashboard_links_to_the_providers_for_the_project_team_only(client, project_user, owner, providers_run):
    assert "data-providers-link" in login(client, project_user).get("/monitor/").content.decode()
    assert "data-providers-link" not in login(client, owner).get("/monitor/").content.decode()


def test_a_target_can_be_set_on_a_provider_figure_and_only_there(providers_run, foodvalley):
    from monitoring.admin import TargetAdminForm
    from monitoring.models import Target
    from monitoring.targets.progress import card, target_progress

    run, big, _small = providers_run
    base = {"name": "Minder kinderen bij Groot", "region": foodvalley.pk, "band": "all", "period_start": "2025-01-01",
            "period_end": "2025-12-31", "kind": "value", "target_value": "5", "direction": "at_most", "active": "on"}
    wrong = TargetAdminForm(data={**base, "metric": "stock", "group": f"prov_{big.pk}"})
    assert not wrong.is_valid() and "group" in wrong.errors
    assert not TargetAdminForm(data={**base, "metric": "provider_stock", "group": "all"}).is_valid()
    form = TargetAdminForm(data={**base, "metric": "provider_stock", "group": f"prov_{big.pk}"})
    assert form.is_valid(), form.errors
    target = form.save()
    shown = card(target_progress(Target.objects.get(pk=target.pk), run), suppress=True)
    assert shown["group"] == "Aanbieder Groot Jeugdzorg"
    assert shown["cells"]["actual"].text == "10"  # 8 children, published as 10

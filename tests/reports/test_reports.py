"""The quarterly report: content of the generated PDF (extracted text), locking of its run, idempotence, progress,
the HTML view, and who may generate, see and download it (with an access-log entry for each download)."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLogEntry, Role
from monitoring.models import Target
from placements.models import Child, Declaration
from reports import content, services, tasks
from reports.models import GeneratedReport, ReportSettings, ReportStatus
from tests.conftest import login, make_user


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def target(foodvalley):
    return Target.objects.create(name="Minder kinderen in residentiële zorg", metric="stock", region=foodvalley, group="residential",
                                 band="all", period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31), kind="value",
                                 target_value=120, direction="at_most")


@pytest.fixture
def declarations(ede, care_forms, provider):
    """2025 at € 1.000,50 a line: 6 children in residential care (shown as 10), 5 in foster care and 2 in a family
    home (both ≤5)."""
    for i in range(13):
        child = Child.objects.create(pseudonym=f"rep-{i:03d}" + "0" * 57, birth_date=dt.date(2012, 1, 1), municipality=ede)
        form = care_forms["RES"] if i < 6 else (care_forms["PLZ"] if i < 11 else care_forms["GZH"])
        Declaration.objects.create(source_id=f"R{i}", child=child, care_form=form, provider=provider, municipality=ede,
                                   period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31), amount=Decimal("1000.50"))


def _text(report: GeneratedReport) -> str:
    with report.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _generate(run, region, user, municipality=None, quarter="2025-Q4") -> GeneratedReport:
    report = services.report_create(user=user, run=run, region=region, municipality=municipality, quarter=quarter)
    tasks.generate_report.delay(report.pk)  # eager in tests: runs inline
    report.refresh_from_db()
    return report


def test_the_pdf_names_its_run_and_shows_the_figures(figures_run, foodvalley, project_user, target, declarations):
    report = _generate(figures_run, foodvalley, project_user)
    assert report.status == ReportStatus.DONE and report.progress == 100 and report.pages >= 5
    text = _text(report)
    assert "Food Valley" in text and "K4 2025" in text
    assert f"Rekenrun {figures_run.pk}, gegevens tot en met 31 december 2025" in text
    # 163, 150 and 137 published as 165, 150 and 140; the changes from the published values
    assert "In residentiële zorg (trede 5–6) op de peildatum 165 150 +15 (+10,0%) 140 +25 (+17,9%)" in text
    assert "van wie jonger dan 12 op de peildatum ≤5 25 – 25 –" in text  # 3 children: hidden, and so is the change
    assert "Minder kinderen in residentiële zorg" in text  # the target, with its status
    assert "uit koers" in text or "risico" in text
    assert "Casussen besproken in het RET (casuswerk) K4 2025 10" in text  # 2 + 4 + 3 = 9 in the quarter, published as 10
    assert "steeg met 18% ten opzichte van K4 2024 (140 → 165 kinderen)" in text  # "what changed", from the published figures
    assert "Ede" in text and "Jaarlijkse kostentabel" in text
    costs = text[text.index("Jaarlijkse kostentabel"):]
    assert "10 € 6.003,00" in costs  # residential care: 6 clients, published as 10; no cost per client (it would give 6 back)
    assert "Gezinshuis ≤5 ≤5" in costs  # 2 clients: hidden with their money
    assert "Pleegzorg ≤5 ≤5" in costs  # 5 clients: hidden as well (two hidden rows: their sum is all the total gives)
    assert "Totaal 15 € 13.006,50" in costs  # 13 clients, published as 15
    assert "€ 1.000,50" not in costs
    assert "Hoe kleine aantallen beschermd zijn" in text and "naar boven afgerond op veelvouden van 5" in text
    assert "Bijlage: definities" in text
    figures_run.refresh_from_db()
    assert figures_run.locked and "K4 2025" in figures_run.lock_note  # generating published the run


def test_generating_again_is_idempotent_and_progress_is_stored(figures_run, foodvalley, project_user):
    report = _generate(figures_run, foodvalley, project_user)
    name, size = report.file.name, report.size
    again = services.report_generate(report.pk)  # a repeated task leaves a done report as it is
    assert (again.file.name, again.size) == (name, size)
    report.status = ReportStatus.RUNNING  # a retried task after a crash rebuilds and replaces its own file
    report.save()
    rebuilt = services.report_generate(report.pk)
    assert rebuilt.status == ReportStatus.DONE and rebuilt.file.name == name
    assert GeneratedReport.objects.count() == 1


def test_a_report_uses_the_settings_threshold_and_name(figures_run, foodvalley, project_user):
    ReportSettings.objects.create(region=foodvalley, region_name="Jeugdregio Foodvalley", suppression_k=10)
    text = _text(_generate(figures_run, foodvalley, project_user))
    assert "Jeugdregio Foodvalley" in text
    assert "naar boven afgerond op 10-tallen (tot en met 20 wordt 20); 0 tot en met 10 staat als ≤10" in text


def test_a_municipality_report_shows_its_small_numbers_suppressed(figures_run, foodvalley, ede, project_user):
    text = _text(_generate(figures_run, foodvalley, project_user, municipality=ede))
    assert "K4 2025 · Ede" in text
    assert "Ede ≤5" in text  # 2 children in residential care in Ede


def test_a_quarter_outside_the_run_is_refused(figures_run, foodvalley, project_user):
    with pytest.raises(ValueError):
        services.report_create(user=project_user, run=figures_run, region=foodvalley, quarter="2026-Q1")


def test_quarters_of_a_run():
    run = type("R", (), {"last_month": "2025-11", "first_month": "2024-01"})()
    assert content.last_complete_quarter(run) == "2025-Q3"
    assert content.quarter_choices(run, n=3) == ["2025-Q3", "2025-Q2", "2025-Q1"]
    assert content.quarter_shift("2025-Q1", -1) == "2024-Q4"


# --------------------------------------------------------------------------------------------- pages
def test_the_project_team_generates_follows_and_downloads(client, figures_run, project_user):
    login(client, project_user)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200 and "Rapportage maken" in page.content.decode()
    response = client.post(reverse("reports:start"), {"scope": "Food Valley", "quarter": "2025-Q4", "run": figures_run.pk})
    report = GeneratedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["fields"]["download_url"]
    pdf = client.get(reverse("reports:download", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    html = client.get(reverse("reports:html", args=[report.pk]))
    assert html.status_code == 200 and "Kwartaalrapportage" in html.content.decode() and "<svg" in html.content.decode()
    logged = AccessLogEntry.objects.filter(object_type="report", result="ok").values_list("action", flat=True)
    assert sorted(logged) == ["create", "export", "read"]
    # asking for the same report again shows the existing one
    client.post(reverse("reports:start"), {"scope": "Food Valley", "quarter": "2025-Q4", "run": figures_run.pk})
    assert GeneratedReport.objects.count() == 1


def test_a_wijkteam_worker_sees_only_reports_of_their_own_municipality(client, figures_run, foodvalley, ede, veenendaal, project_user, owner, outsider):
    region_report = _generate(figures_run, foodvalley, project_user)
    ede_report = _generate(figures_run, foodvalley, project_user, municipality=ede)
    login(client, owner)
    listing = client.get(reverse("reports:list")).content.decode()
    assert f'data-report="{ede_report.pk}"' in listing and f'data-report="{region_report.pk}"' not in listing
    assert client.get(reverse("reports:download", args=[ede_report.pk])).status_code == 200
    assert client.get(reverse("reports:download", args=[region_report.pk])).status_code == 404
    assert client.post(reverse("reports:start"), {"scope": "GM0228", "quarter": "2025-Q4", "run": figures_run.pk}).status_code == 403
    login(client, outsider)
    assert client.get(reverse("reports:download", args=[ede_report.pk])).status_code == 404
    assert client.get(reverse("reports:html", args=[ede_report.pk])).status_code == 404
    denied = AccessLogEntry.objects.filter(object_type="report", result="denied")
    assert denied.filter(actor_username="carla").count() == 2 and denied.filter(actor_username="anna").count() == 2
    # the status of another municipality's report is refused like the report, and logged (issue 15)
    assert client.get(reverse("reports:status", args=[ede_report.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(object_type="report_status", object_ref=str(ede_report.pk), result="denied",
                                         actor_username="carla").count() == 1


def test_a_project_team_member_cannot_report_on_another_region(client, figures_run, project_user):
    login(client, project_user)
    response = client.post(reverse("reports:start"), {"scope": "Amsterdam-Amstelland", "quarter": "2025-Q4", "run": figures_run.pk})
    assert response.status_code == 404 and not GeneratedReport.objects.exists()


def test_anonymous_is_sent_to_login_and_ret_is_refused(client, figures_run, foodvalley):
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    ret = make_user("rita", Role.RET, region=foodvalley)
    login(client, ret)
    assert client.get(reverse("reports:list")).status_code == 403
    assert client.get(reverse("reports:cost_table")).status_code == 403


def test_foster_care_and_casework_figures_are_read_generically_from_the_registry(figures_run, foodvalley, monkeypatch):
    from monitoring import registry
    from monitoring.models import FigureSeries
    from monitoring.registry import Metric

    monkeypatch.setitem(registry.REGISTRY, "test_foster_flow", Metric("test_foster_flow", "Testfiguur pleegzorg", "def", "flow", "sum",
                                                                       counts_children=True, source="fostercare"))
    monkeypatch.setitem(registry.REGISTRY, "test_foster_off", Metric("test_foster_off", "Nog niet gemeten", "def", "flow", "sum",
                                                                      source="fostercare", available=False))
    FigureSeries.objects.create(run=figures_run, level="region", scope=foodvalley.name, group="all", band="all", metric="test_foster_flow",
                                values={"2025-10": 3, "2025-11": 4, "2025-12": 5, "2025-09": 2})
    scope = content.report_scope(region=foodvalley)
    rows = {r.key: r for r in content._source_rows(figures_run, scope, "2025-Q4", "2025-Q3", "2024-Q4", 5)}
    assert rows["test_foster_flow"].now.text == "15" and rows["test_foster_flow"].prev_q.text == "≤5"  # 3+4+5 = 12; Q3 only 2
    assert rows["test_foster_flow"].source == "fostercare"
    assert rows["ret_cases"].now.text == "10" and rows["ret_cases"].prev_y.text == "≤5"  # 9
    assert "test_foster_off" not in rows  # not available: left out


def test_report_settings_never_lower_the_threshold(foodvalley, settings):
    from django.core.exceptions import ValidationError

    settings.SUPPRESSION_K = 5
    with pytest.raises(ValidationError):
        ReportSettings(region=foodvalley, suppression_k=3).full_clean()
    assert ReportSettings(region=foodvalley, suppression_k=8).k == 8
    assert ReportSettings.for_region(foodvalley).k == 5  # unsaved defaults


def test_the_admin_lists_reports_and_settings(client, admin_user, figures_run, foodvalley, project_user):
    report = _generate(figures_run, foodvalley, project_user)
    login(client, admin_user)
    listing = client.get(reverse("admin:reports_generatedreport_changelist"))
    assert listing.status_code == 200 and "dirk" in listing.content.decode()
    assert client.get(reverse("admin:reports_generatedreport_change", args=[report.pk])).status_code == 200
    assert client.get(reverse("admin:reports_reportsettings_add")).status_code == 200


def test_charts_are_plain_svg_that_never_draw_a_hidden_value():
    from reports import charts

    assert charts.nice_ticks(41) == [0, 20, 40, 60]
    assert charts.nice_ticks(6_999_000) == [0, 2_000_000, 4_000_000, 6_000_000, 8_000_000]
    svg = charts.lines(months=["2025-01", "2025-02", "2025-03", "2025-04"], series=[("Instroom", [10, None, 12, 14], "#000")])
    assert svg.startswith("<svg") and svg.count("<polyline") == 2  # the hidden month is a gap: two pieces
    assert "Instroom" in svg and "2025" in svg and "clip-path" not in svg
    bars = charts.stacked_bars(labels=["Q1 2025"], series=[("RES", [None]), ("PLZ", [5.0])])
    assert bars.count("<rect") == 1 + 2  # one bar (the hidden one is not drawn) and two legend keys


def test_the_logo_is_embedded_and_nothing_is_fetched_from_outside(figures_run, foodvalley, project_user):
    from django.core.files.base import ContentFile

    from reports import render

    row = ReportSettings(region=foodvalley, title="Rapportage met logo")
    row.logo.save("logo.svg", ContentFile(b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#2f6b3f"/></svg>'))
    report = _generate(figures_run, foodvalley, project_user)
    with report.html_file.open("rb") as fh:
        html = fh.read().decode()
    assert 'src="data:image/svg+xml;base64,' in html and "Rapportage met logo" in _text(report)
    fetcher = render.url_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/tracker.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")

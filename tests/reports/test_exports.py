"""Exports: small numbers suppressed in every export, formula-injection escaping in CSV and XLSX, figures only
from a named run, an access-log entry for each export, and the pseudonymised episode export for administrators."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccessLogEntry
from monitoring.exports import episodes
from monitoring.exports import figures as exports
from placements.models import Child, Declaration, Episode, Provider
from reports.models import ExportJob
from tests.conftest import login

DANGEROUS = ["=SUM(A1:A9)", "+31 6 1234", "-2+3", "@cmd", "\tTAB", "\rCR"]


def _workbook(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def _csv_rows(response, delimiter=";"):
    text = response.content.decode("utf-8-sig") if hasattr(response, "content") else response
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield ws.title, row


# --------------------------------------------------------------------------------------------- escaping
def test_text_starting_with_a_formula_character_is_escaped_in_csv_and_xlsx():
    sheet = exports.Sheet("t", "Test", ["naam", "waarde"], [[text, -5] for text in DANGEROUS] + [["gewoon", 1.5]])
    buf = io.StringIO()
    exports.write_sheets_csv([sheet], buf)
    rows = _csv_rows(buf.getvalue())
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS] + ["gewoon"]
    assert rows[1][1] == "-5" and rows[-1][1] == "1,5"  # numbers stay numbers (decimal comma for Dutch Excel)
    wb = load_workbook(io.BytesIO(exports.write_sheets_xlsx([sheet], about=[("=bron", "@run 1")])))
    ws = wb["Test"]
    cells = [ws.cell(row=i, column=1) for i in range(2, 2 + len(DANGEROUS))]
    assert [c.value for c in cells] == ["'" + t.replace("\r", "\n") for t in DANGEROUS]  # XML reads a lone CR as LF
    assert all(c.data_type == "s" for c in cells)  # stored as text, never as a formula
    assert ws.cell(row=2, column=2).value == -5 and ws.cell(row=2, column=2).data_type == "n"
    about = wb["Over deze export"]
    assert (about.cell(row=1, column=1).value, about.cell(row=1, column=2).value) == ("'=bron", "'@run 1")


# --------------------------------------------------------------------------------------------- dashboard
def test_the_dashboard_export_is_suppressed_names_its_run_and_is_logged(client, figures_run, project_user):
    login(client, project_user)
    url = reverse("reports:export_dashboard")
    xlsx = client.get(url, {"run": figures_run.pk, "scope": "Food Valley", "month": "2025-12", "format": "xlsx"})
    assert xlsx.status_code == 200 and f"run{figures_run.pk}" in xlsx["Content-Disposition"]
    wb = _workbook(xlsx)
    assert set(wb.sheetnames) == {"Over deze export", "Kerncijfers", "Per zorgvorm", "Instroom en uitstroom", "Op- en afschalingen", "Ladder",
                                 "Verblijfsduur", "Kosten", "Gemeenten", "Casuswerk en pleegzorg", "Doelen"}
    about = {r[0].value: r[1].value for r in wb["Over deze export"].iter_rows()}
    assert about["Rekenrun"].startswith(f"{figures_run.pk} (gegevens tot en met 31-12-2025)")
    tiles = [[c.value for c in row] for row in wb["Kerncijfers"].iter_rows(min_row=2)]
    stock = "Kinderen in zorg (peildatum)"
    u12 = next(r for r in tiles if r[3] == "van wie jonger dan 12" and r[6] == stock)
    assert u12[7] == "≤5"  # 3 children in the run
    residential = next(r for r in tiles if r[3] == "In residentiële zorg" and r[6] == stock)
    assert residential[7] == 165  # 163, rounded up to a multiple of 5
    comparison = [[c.value for c in row] for row in wb["Gemeenten"].iter_rows(min_row=2)]
    assert ["Gemeenten", "2025-12", "Ede", "kinderen in zorg", "Met verblijf", "alle leeftijden", stock, 300] in comparison
    csv_response = client.get(url, {"run": figures_run.pk, "scope": "Food Valley", "month": "2025-12", "format": "csv", "figure": "tiles"})
    rows = _csv_rows(csv_response)
    assert rows[0] == exports.FIGURE_HEADER
    assert ["Kerncijfers", "2025-12", "Food Valley", "van wie jonger dan 12", "Residentieel (trede 5–6)", "0-11 jaar", stock, "≤5"] in rows
    assert all(r[0] == "Kerncijfers" for r in rows[1:])
    assert [r for r in rows[1:] if r[7] == "–"] == []  # no value is an empty cell, not a dash in a numeric column
    entries = AccessLogEntry.objects.filter(object_type="figures", action="export", actor_username="dirk")
    assert entries.count() == 2 and all(e.object_ref == f"run {figures_run.pk}" for e in entries)


def test_a_wijkteam_worker_gets_suppressed_exports_of_their_own_municipality_only(client, figures_run, owner, outsider):
    login(client, owner)
    url = reverse("reports:export_dashboard")
    response = client.get(url, {"run": figures_run.pk, "scope": "GM0228", "month": "2025-12", "format": "csv", "figure": "stock_forms"})
    rows = _csv_rows(response)
    residential = [r for r in rows if r[1] == "2025-12" and r[4].endswith("(RES)")]
    assert residential and residential[0][7] == "≤5"  # 2 children: suppressed in an export, even for Ede's own worker
    login(client, outsider)
    refused = client.get(url, {"run": figures_run.pk, "scope": "GM0228", "format": "csv"})
    assert refused.status_code == 404
    assert AccessLogEntry.objects.filter(actor_username="carla", result="denied", object_type="figures").exists()


def test_only_a_finished_named_run_is_exported(client, figures_run, project_user):
    login(client, project_user)
    url = reverse("reports:export_dashboard")
    assert client.get(url, {"run": 999, "format": "csv"}).status_code == 404
    assert client.get(url, {"run": figures_run.pk, "format": "pdf"}).status_code == 404
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_anonymous_users_are_sent_to_login(client, figures_run):
    for name in ("reports:export_dashboard", "reports:export_episodes", "reports:cost_table", "reports:exports"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


# --------------------------------------------------------------------------------------------- cost table
@pytest.fixture
def cost_lines(ede, care_forms, provider):
    """2025: 6 children in residential care, 2 in a family home (small), one with provider-free formula text nowhere."""
    for i in range(8):
        child = Child.objects.create(pseudonym=f"exp-{i:03d}" + "0" * 57, birth_date=dt.date(2012, 1, 1), municipality=ede)
        form = care_forms["RES"] if i < 6 else care_forms["GZH"]
        Declaration.objects.create(source_id=f"E{i}", child=child, care_form=form, provider=provider, municipality=ede,
                                   period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 2, 28), amount=Decimal("500.25"))


def test_cost_table_page_and_downloads_are_suppressed_and_logged(client, figures_run, project_user, cost_lines):
    login(client, project_user)
    url = reverse("reports:cost_table")
    page = client.get(url, {"scope": "Food Valley"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-form="GZH"' in html
    csv_rows = _csv_rows(client.get(url, {"scope": "Food Valley", "format": "csv"}))
    # GZH 2 clients: ≤5 with its cost; RES 6 → 10, its cost hidden too (else 4002.00 − RES gives GZH's cost back);
    # no cost per client: 4002.00 ÷ 500.25 would give the exact 8 clients behind the published 10
    assert [r[:6] for r in csv_rows] == [["jaar", "zorgvorm", "naam", "clienten", "kosten", "kosten_per_client"],
                                         ["2025", "GZH", "Gezinshuis", "≤5", "≤5", ""],
                                         ["2025", "RES", "Residentiële groepszorg (leefgroep/behandelgroep)", "10", "x", ""],
                                         ["2025", "totaal", "Totaal", "10", "4002", ""]]
    wb = _workbook(client.get(url, {"scope": "Food Valley", "format": "xlsx"}))
    values = [[c.value for c in row] for row in wb["Kostentabel"].iter_rows(min_row=2)]
    assert values[0][:6] == [2025, "GZH", "Gezinshuis", "≤5", "≤5", None]
    assert values[-1][:6] == [2025, "totaal", "Totaal", 10, 4002.0, None]
    logged = AccessLogEntry.objects.filter(object_type="cost_table", actor_username="dirk")
    assert sorted(logged.values_list("action", flat=True)) == ["export", "export", "read"]


def test_the_owner_sees_exact_cost_figures_on_the_page_but_downloads_stay_suppressed(client, owner, cost_lines, figures_run):
    login(client, owner)
    url = reverse("reports:cost_table")
    html = client.get(url).content.decode()
    assert 'data-form="GZH"' in html and "<td class=\"text-end\" data-clients>2</td>" in html
    rows = _csv_rows(client.get(url, {"format": "csv"}))
    assert ["2025", "GZH", "≤5", "≤5"] in [r[:2] + r[3:5] for r in rows]
    assert client.get(url, {"scope": "GM0345"}).status_code == 404  # another municipality


# --------------------------------------------------------------------------------------------- episodes
@pytest.fixture
def episode(child, care_forms, ede):
    provider = Provider.objects.create(name="=HYPERLINK(\"http://x\")")
    return Episode.objects.create(child=child, care_form=care_forms["PLZ"], provider=provider, municipality=ede,
                                  start_date=dt.date(2024, 3, 1), end_date=dt.date(2025, 1, 31), end_reason="31")


def test_the_pseudonymised_episode_export_is_for_administrators_and_logged(client, admin_user, project_user, episode, child):
    url = reverse("reports:export_episodes")
    login(client, project_user)
    assert client.get(url).status_code == 403
    login(client, admin_user)
    page = client.post(url, {"format": "csv"}, follow=True)  # a job; without a broker it is done at once
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.created_by) == ("done", 1, admin_user) and "js/jobs.js" in page.content.decode()
    response = client.get(reverse("reports:export_download", args=[job.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == episodes.EPISODE_HEADER
    row = rows[1]
    assert row[1] == "2012-05" and "2012-05-17" not in text  # birth month only
    assert "AB-1001" not in text and child.pseudonym not in text and child.reference not in text  # no label, no registry pseudonym
    assert row[0] == episodes.export_pseudonym(child.pseudonym) and len(row[0]) == 20
    assert row[5] == "'=HYPERLINK(\"http://x\")"  # a provider name cannot become a formula
    assert row[6:9] == ["2024-03-01", "2025-01-31", "31"]
    client.post(url, {"format": "xlsx", "scope": "GM0228"})
    xlsx = ExportJob.objects.latest("id")
    wb = _workbook(client.get(reverse("reports:export_download", args=[xlsx.pk])))
    sheet = wb["Trajecten"]
    assert sheet.cell(row=2, column=2).value == "2012-05" and sheet.cell(row=2, column=6).data_type == "s"
    logged = AccessLogEntry.objects.filter(object_type="episode_export")
    assert logged.filter(result="denied", actor_username="dirk").count() == 1
    assert list(logged.filter(result="ok").order_by("id").values_list("object_ref", flat=True)) == ["alle", "GM0228"]


def test_the_targets_table_is_exported_with_small_numbers_hidden(client, figures_run, project_user, foodvalley):
    from monitoring.models import Target

    Target.objects.create(name="=Onder 12 naar nul", metric="stock", region=foodvalley, group="residential", band="0-11",
                          period_start=dt.date(2025, 1, 1), period_end=dt.date(2027, 12, 31), kind="value", target_value=0,
                          direction="at_most")
    login(client, project_user)
    rows = _csv_rows(client.get(reverse("reports:export_dashboard"), {"run": figures_run.pk, "format": "csv", "figure": "targets"}))
    assert rows[0] == exports.TARGET_HEADER
    assert rows[1][0] == "'=Onder 12 naar nul"  # escaped
    assert rows[1][8] == "≤5"  # actual: 3 children in Dec 2025
    assert rows[1][11] == "2025-12-31"


def test_the_dashboard_links_to_the_exports_of_its_run(client, figures_run, project_user):
    login(client, project_user)
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    assert f'{reverse("reports:export_dashboard")}?run={figures_run.pk}&amp;scope=Food%20Valley' in html


def test_the_episode_export_streams_csv_past_the_xlsx_limit_and_refuses_xlsx_above_it(client, admin_user, episode, child, monkeypatch,
                                                                                       settings, tmp_path):
    """An XLSX sheet holds 1,048,575 data rows: above that the export says so in Dutch and starts nothing; CSV has no
    limit and is written row by row. Shown here with the limit set to 0 rows."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(episodes, "XLSX_MAX_ROWS", 0)
    login(client, admin_user)
    url = reverse("reports:export_episodes")
    page = client.post(url, {"format": "xlsx"}, follow=True).content.decode()
    assert "ten hoogste 0 regels en deze export heeft er 1" in page and not ExportJob.objects.exists()
    client.post(url, {"format": "csv"})
    job = ExportJob.objects.get()
    assert job.status == "done" and job.rows == job.rows_expected == 1
    body = b"".join(client.get(reverse("reports:export_download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert body.count("\r\n") == 2  # header and one episode


def test_an_export_is_only_its_makers(client, admin_user, episode, settings, tmp_path):
    from accounts.models import Role
    from tests.conftest import make_user

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    login(client, admin_user)
    client.post(reverse("reports:export_episodes"), {"format": "csv"})
    job = ExportJob.objects.get()
    other = make_user("kees", Role.ADMIN, is_staff=True, is_superuser=True)
    login(client, other)
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_status", args=[job.pk])).status_code == 404

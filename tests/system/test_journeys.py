"""Browser journeys (issue 7): three users walk through the app in a real browser (Playwright on the system
Chromium) against pytest-django's live server, and each journey asserts what the user sees, in Dutch.

1. A wijkteam worker logs in, registers a child, starts foster care by matching the child with a foster family,
   reports a risk on the placement (and a follow-up), opens a threatened-placement case, brings it to the RET
   and closes it.
2. A project-team member opens the dashboard, changes the filters (care-form group, age band, month), downloads a
   CSV and generates and downloads the quarterly PDF.
3. An administrator sets a target in the admin (and sees it on the targets page), imports an episodes file with
   errors, reads the error report, fixes the file and imports it.

Every journey fails on any browser console error, uncaught page error, failed request or same-origin response
with status >= 400 (see `BrowserWatch`); a download ends its navigation with net::ERR_ABORTED in Chromium, which
is allowed only for the URLs a journey announces as downloads.

The module is skipped only when /usr/bin/chromium is missing (it is never downloaded with `playwright install`).
The tests are transactional (the live server runs in another thread and must see committed data); serialized
rollback restores the reference tables (municipalities, care forms) that the flush empties.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 20_000

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser journeys need the system Chromium at /usr/bin/chromium, which is missing"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --------------------------------------------------------------------------------------------- browser plumbing
class BrowserWatch:
    """Collects everything that would make a journey untrustworthy: console errors, uncaught page errors, failed
    requests and same-origin responses >= 400. Downloads are announced with `download()`; expected error answers
    with `allow()` (no journey needs one today)."""

    def __init__(self, page, origin: str):
        self.origin = origin.rstrip("/")
        self.problems: list[str] = []
        self.downloads: set[str] = set()  # paths whose navigation ends in a download (aborted in Chromium)
        self.allowed: dict[str, int] = {}  # path -> expected status >= 400
        self.page = page
        self.navigations = 0  # main-frame navigations started so far
        self.commits = 0  # main-frame navigations committed so far (a new document)
        self.started_during: dict[object, tuple[int, int]] = {}  # request -> (navigations, commits) when it started
        page.on("framenavigated", self._committed)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught page error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def download(self, path: str) -> None:
        self.downloads.add(path)

    def allow(self, path: str, status: int) -> None:
        self.allowed[path] = status

    def _path(self, url: str) -> str:
        return urlsplit(url).path

    def _same_origin(self, url: str) -> bool:
        return url.startswith(self.origin + "/") or url == self.origin

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and self.allowed.get(self._path(url)):
            return  # the console twin of an announced error answer
        self.problems.append(f"console error ({url}): {message.text}")

    def _committed(self, frame) -> None:
        if frame == self.page.main_frame:
            self.commits += 1

    def _request(self, request) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.navigations += 1
        self.started_during[request] = (self.navigations, self.commits)

    def _left_page(self, request) -> bool:
        """True when the user navigated on after the request started: the browser drops the old page's files."""
        navigations, commits = self.started_during.get(request, (self.navigations, self.commits))
        return navigations < self.navigations or commits < self.commits

    def _request_failed(self, request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" in failure and self._path(request.url) in self.downloads:
            return
        if "ERR_ABORTED" in failure and not request.is_navigation_request() and self._left_page(request):
            return  # a file of a page the user already left
        if "ERR_ABORTED" in failure and self._path(request.url).endswith("/favicon.svg"):
            return  # Chromium fetches the tab icon at low priority and drops it whenever the page changes or closes
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if response.status < 400 or not self._same_origin(response.url):
            return
        if self.allowed.get(self._path(response.url)) == response.status:
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        assert not self.problems, "the browser reported problems:\n" + "\n".join(self.problems)


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker):
    """One Chromium for the module.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started. Two consequences for
    Django: its async-safety check would refuse the test's ORM calls (switched off for this module only), and
    `django.db.connections` then hands out connection objects from context-local storage instead of the thread's,
    so the test talks to the same test database through a second connection object. That object lacks the
    serialized reference data that `serialized_rollback` restores after each flush: it is copied over, and the
    extra connections are closed before Playwright stops (PostgreSQL could not drop the test database otherwise).
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {conn.alias: conn._test_serialized_contents for conn in connections.all()
                  if getattr(conn, "_test_serialized_contents", None)}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        with django_db_blocker.unblock():
            connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def journey(browser, live_server, settings, tmp_path):
    """A fresh browser context (no cookies) with a watched page; generated files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.REQUIRE_ADMIN_2FA = False  # the administrator journey logs in with a password only (default outside production)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="nl-NL",
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = BrowserWatch(page, live_server.url)
    yield page, watch
    context.close()
    watch.assert_clean()


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def alert(page, text: str):
    """The Django message (Bootstrap alert) containing `text`."""
    return page.locator(".alert", has_text=text)


def log_in(page, user) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # every page asks for a login first
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("nav.navbar")).to_contain_text(user.username)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


def nav(page, name: str) -> None:
    """Follow a link of the main menu once the current page has loaded completely (its scripts ran)."""
    page.wait_for_load_state("load")
    page.locator("#mainnav").get_by_role("link", name=name, exact=True).click()


# --------------------------------------------------------------------------------------------- journey 1
def test_wijkteam_worker_registers_a_child_places_it_in_foster_care_and_takes_a_threatened_placement_to_the_ret(
        journey, owner, foster_worker, foster_provider, ede, bsn):
    from casework.models import CaseStatus, RetReview, ThreatCase
    from fostercare.models import FosterPlacement, PlacementRisk
    from fostercare.services import family_register
    from placements.models import Child

    page, watch = journey
    today = timezone.localdate()
    family_register(user=foster_worker, provider=foster_provider, reference="PG-2026-001", municipality=ede, kind="bestand", places=2,
                    age_min=0, age_max=17, status="goedgekeurd", status_since=dt.date(2025, 1, 6))

    log_in(page, owner)

    # register the child: the BSN is checked and never shown again
    nav(page, "Kind registreren")
    expect(page.get_by_role("heading", name="Kind registreren")).to_be_visible()
    page.fill("#id_bsn", bsn)
    page.fill("#id_birth_date", "2015-03-14")
    page.select_option("#id_sex", "V")
    page.fill("#id_label", "JR-0701")
    page.get_by_role("button", name="Registreren").click()
    expect(alert(page, "Het kind is geregistreerd.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("JR-0701")
    assert bsn not in page.content()
    child = Child.objects.get(label="JR-0701")
    assert child.municipality == ede

    # start foster care: match the child with the approved family
    nav(page, "Pleegzorg")
    page.click("#match-start")
    expect(page.get_by_role("heading", name="Kind koppelen aan een pleeggezin")).to_be_visible()
    page.fill("#id_child_q", "JR-0701")  # the picker searches; it never lists every child of the municipality
    page.click("#child-search-submit")
    page.check(f'input[name="child"][value="{child.pk}"]')
    page.click("#submit-id-save")
    expect(page.get_by_role("heading", name=re.compile("Passende gezinnen"))).to_be_visible()
    expect(page.locator('tr[data-family="PG-2026-001"]')).to_contain_text("Ede")
    page.click("#match-pg-2026-001")
    expect(alert(page, "Het kind is gekoppeld aan gezin PG-2026-001")).to_be_visible()
    placement = FosterPlacement.objects.get(episode__child=child)
    assert (placement.episode.care_form.code, placement.episode.start_date, placement.episode.end_date) == ("PLZ", today, None)

    # report a risk on the placement, then a follow-up
    page.click(f"#risk-create-{placement.pk}")
    expect(page.get_by_role("heading", name=re.compile("Plaatsing in gevaar melden"))).to_be_visible()
    expect(page.locator("#child-ref")).to_contain_text("JR-0701")
    page.select_option("#id_severity", "hoog")
    page.check("#id_signals_0")  # behaviour of the child
    page.fill("#id_signals_text", "Veel ruzie thuis sinds de schoolwissel.")
    page.click("#submit-id-save")
    expect(alert(page, "De risicomelding is vastgelegd.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Gedrag van het kind")
    page.click("#risk-follow-up")
    page.select_option("#id_severity", "midden")
    page.fill("#id_note", "Extra begeleiding van de pleegzorgwerker ingezet.")
    page.click("#submit-id-save")
    expect(alert(page, "De follow-up is vastgelegd.")).to_be_visible()
    expect(page.locator("#risk-follow-ups")).to_contain_text("Extra begeleiding")
    risk = PlacementRisk.objects.get(placement=placement)
    assert (risk.severity, risk.follow_ups.count()) == ("midden", 1)  # the follow-up sets the current severity

    # open a threatened-placement case for the child
    nav(page, "Casussen")
    page.get_by_role("link", name="Nieuw signaal").click()
    expect(page.get_by_role("heading", name="Signaal dreigende uithuisplaatsing")).to_be_visible()
    page.fill("#id_child_q", child.reference)  # by short reference this time
    page.click("#child-search-submit")
    page.check(f'input[name="child"][value="{child.pk}"]')
    page.select_option("#id_signaller", "wijkteam")
    page.check("#id_concerns_0")
    page.fill("#id_concerns_text", "Pleegouders overwegen te stoppen.")
    page.fill("#id_plan", "Bespreken in het RET.")
    page.get_by_role("button", name="Casus openen").click()
    expect(alert(page, "De casus is geopend.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Dreigende uithuisplaatsing · JR-0701")
    expect(page.locator("main")).to_contain_text("Nog niet ingebracht bij het RET.")

    # bring it to the RET
    page.get_by_role("link", name="Inbrengen bij het RET").click()
    expect(page.get_by_role("heading", name="Inbrengen bij het RET")).to_be_visible()
    page.fill("#id_question", "Welke steun houdt deze plaatsing overeind?")
    page.get_by_role("button", name="Inbrengen").click()
    expect(alert(page, "De casus is ingebracht bij het RET.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("RET-bespreking")

    # back to the case: it is in review; close it (the child stays in the foster family)
    page.locator(".breadcrumb").get_by_role("link", name=re.compile(r"Casus \d+")).click()
    expect(page.locator(".case-steps .fw-semibold")).to_contain_text("In bespreking")
    page.select_option("#id_to", "closed")
    page.select_option("#id_outcome", "family_based")
    page.fill("#id_outcome_note", "Plaatsing blijft, met extra steun.")
    page.get_by_role("button", name="Status wijzigen").click()
    expect(alert(page, "De status is gewijzigd in ‘Gesloten’.")).to_be_visible()
    expect(page.locator(".case-steps .fw-semibold")).to_contain_text("Gesloten")
    expect(page.locator("main")).to_contain_text("Geplaatst in pleegzorg of gezinshuis")
    expect(page.get_by_role("link", name="Inbrengen bij het RET")).to_have_count(0)

    case = ThreatCase.objects.get(child=child)
    assert (case.status, case.outcome, case.in_review_on, case.closed_on) == (CaseStatus.CLOSED, "family_based", today, today)
    assert RetReview.objects.filter(case=case).count() == 1
    log_out(page)
    watch.assert_clean()


# --------------------------------------------------------------------------------------------- journey 2
def test_project_team_member_filters_the_dashboard_downloads_a_csv_and_the_quarterly_pdf(journey, project_user, settings):
    from monitoring.runs import services
    from reports.models import GeneratedReport, ReportStatus

    page, watch = journey
    started = time.monotonic()
    call_command("demo_region", "--children", "300", "--seed", "5", stdout=io.StringIO())
    run = services.run_compute(services.run_create())
    assert run.status == "done", run.message
    assert time.monotonic() - started < 30, "the journey's data should take seconds"

    log_in(page, project_user)
    nav(page, "Dashboard")
    expect(page.locator("h1")).to_contain_text("Dashboard · Food Valley")
    expect(page.locator("[data-tile]").first).to_be_visible()
    expect(page.locator(".chart svg").first).to_be_attached()  # Plotly drew the figures

    # filters submit themselves on change
    page.select_option("#f-group", "residential")
    page.wait_for_url(re.compile(r"group=residential"))
    expect(page.locator("#f-group")).to_have_value("residential")
    expect(page.locator("main")).to_contain_text("Residentieel (trede 5–6)")
    page.select_option("#f-band", "12-17")
    page.wait_for_url(re.compile(r"band=12-17"))
    expect(page.locator("#f-band")).to_have_value("12-17")
    page.fill("#f-month", "2026-06")
    page.wait_for_url(re.compile(r"month=2026-06"))
    expect(page.locator("#tiles-title")).to_contain_text("jun 2026 · 12–17 jaar")

    # the CSV behind the tiles, for these filters
    watch.download("/monitor/csv/")
    with page.expect_download() as info:
        page.locator('a.csv-link[href*="figure=tiles"]').click()
    download = info.value
    assert download.suggested_filename == "foodvalley-tiles-food-valley-2026-06.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["tegel", "gebied", "maand", "zorgvormgroep", "leeftijd", "kinderen_in_zorg", "per_1000_jeugdigen",
                       "verschil_vorige_maand", "verschil_zelfde_maand_vorig_jaar"]
    tiles = {row[0]: row[1:] for row in rows[1:]}
    assert all(row[:2] == ["Food Valley", "2026-06"] for row in tiles.values()), rows
    assert tiles["In residentiële zorg"][2:4] == ["residential", "12-17"], rows
    assert tiles["Totaal met verblijf"][2:4] == ["stay", "12-17"], rows

    # the quarterly report: choose area and quarter, start, follow the progress, download the PDF
    nav(page, "Rapportages")
    expect(page.get_by_role("heading", name="Nieuwe kwartaalrapportage")).to_be_visible()
    page.select_option("#r-scope", "Food Valley")
    page.select_option("#r-quarter", "2026-Q2")
    page.get_by_role("button", name="Rapportage maken").click()
    expect(page.locator("h1")).to_contain_text("Kwartaalrapportage Food Valley")
    expect(page.locator(".progress-bar")).to_have_text("100%", timeout=60_000)
    expect(page.locator("[data-badge]")).to_have_class(re.compile("text-bg-success"))
    report = GeneratedReport.objects.get()
    assert (report.status, report.quarter, report.run_id) == (ReportStatus.DONE, "2026-Q2", run.pk)
    pdf_path = f"/rapportages/{report.pk}/pdf/"
    watch.download(pdf_path)
    with page.expect_download() as info:
        page.click("[data-download]")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    run.refresh_from_db()
    assert run.locked  # a report publishes its run
    watch.assert_clean()


# --------------------------------------------------------------------------------------------- journey 3
EPISODES_HEADER = "episode_id,bsn,birth_date,sex,municipality,provider,care_form,start_date,end_date,end_reason,referrer\n"


def test_administrator_sets_a_target_and_imports_an_episodes_file_after_fixing_its_errors(journey, admin_user, foodvalley, provider):
    from monitoring.models import Target
    from placements.bsn import synthetic_bsn
    from placements.models import Episode, ImportJob, ImportStatus

    page, watch = journey
    log_in(page, admin_user)

    # a target in the admin
    nav(page, "Beheer")
    expect(page.get_by_role("heading", name="Beheer", exact=True)).to_be_visible()
    page.get_by_role("link", name="Doelen", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/monitoring/target/$"))
    page.locator(".object-tools a.addlink").click()  # "Doel toevoegen"
    expect(page).to_have_url(re.compile(r"/admin/monitoring/target/add/$"))
    page.fill("#id_name", "Minder kinderen in residentiële zorg")
    page.select_option("#id_metric", "stock")
    page.select_option("#id_region", str(foodvalley.pk))
    page.select_option("#id_group", "residential")
    page.select_option("#id_band", "all")
    page.fill("#id_period_start", "01-01-2026")
    page.fill("#id_period_end", "31-12-2027")
    page.select_option("#id_kind", "value")
    page.fill("#id_target_value", "120")
    page.select_option("#id_direction", "at_most")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Minder kinderen in residentiële zorg")
    target = Target.objects.get()
    assert (target.region_id, target.group, target.period_start, target.target_value) == (foodvalley.pk, "residential", dt.date(2026, 1, 1), 120)
    page.wait_for_load_state("load")
    page.goto("/")
    nav(page, "Doelen")
    expect(page.get_by_role("heading", name="Minder kinderen in residentiële zorg")).to_be_visible()

    # an episodes file with two errors: refused whole, with the rule codes in the report
    good = synthetic_bsn(701)
    rows_with_errors = (EPISODES_HEADER
                        + f"JR-1,{good},2013-04-02,V,GM0228,{provider.name},RES,2025-01-06,,,01\n"
                        + "JR-2,123456789,2014-08-19,M,GM0228,Jeugdzorg De Vallei,XYZ,2025-02-03,,,01\n")
    nav(page, "Imports")
    page.get_by_role("link", name="Nieuwe import").click()
    expect(page.get_by_role("heading", name="Nieuwe import")).to_be_visible()
    expect(page.locator("#id_kind_0")).to_be_checked()  # episodes
    page.set_input_files("#id_file", files=[{"name": "trajecten.csv", "mimeType": "text/csv", "buffer": rows_with_errors.encode()}])
    page.get_by_role("button", name="Importeren").click()
    expect(alert(page, "Het bestand is geweigerd: er is niets geïmporteerd.")).to_be_visible()
    expect(page.locator("[data-badge]")).to_contain_text("Geweigerd")
    codes = page.locator("table code").all_inner_texts()
    assert {"E102", "E106"} <= set(codes), codes
    expect(page.locator("table")).to_contain_text("het nummer voldoet niet aan de elfproef")
    assert "123456789" not in page.locator("table").inner_text()  # the report never repeats a BSN
    assert Episode.objects.count() == 0

    # the fixed file is imported
    fixed = (EPISODES_HEADER
             + f"JR-1,{good},2013-04-02,V,GM0228,{provider.name},RES,2025-01-06,,,01\n"
             + f"JR-2,{synthetic_bsn(702)},2014-08-19,M,GM0228,{provider.name},PLZ,2025-02-03,,,01\n")
    page.get_by_role("link", name="Nieuwe import").click()
    page.set_input_files("#id_file", files=[{"name": "trajecten-hersteld.csv", "mimeType": "text/csv", "buffer": fixed.encode()}])
    page.get_by_role("button", name="Importeren").click()
    expect(alert(page, "Het bestand is geïmporteerd.")).to_be_visible()
    expect(page.locator('[data-field="created"]')).to_have_text("2")
    expect(page.locator('[data-field="error_count"]')).to_have_text("0")
    expect(page.get_by_role("heading", name="Fouten")).to_have_count(0)
    assert sorted(Episode.objects.values_list("care_form__code", flat=True)) == ["PLZ", "RES"]
    assert list(ImportJob.objects.order_by("pk").values_list("status", flat=True)) == [ImportStatus.REFUSED, ImportStatus.DONE]
    watch.assert_clean()

"""A working day for every role (issue 19), in a real browser at 1366×768: each role logs in, lands on its own start
page and opens every page its menu offers, plus the pages it works on (a child, a case, the RET agenda, the forecast
and its scenario form, the admin index). Every page fails the walk on

- horizontal overflow (the page is wider than the laptop screen),
- a visible number of four or more digits without the Dutch thousands separator ("10195" instead of "10.195"; years,
  codes such as GM0228 or FV-000057 and identifiers shown in <code> are no numbers),
- English words a Dutch user met before (the access log's "rows=", the runs page's "manual", the admin's "AXES"),
- any WCAG 2.1 A/AA violation found by axe-core (tests/vendor/axe.min.js, from the npm registry; not on Django's
  own admin pages, see the accessibility statement),
- any console error, uncaught page error, failed request or answer >= 400 (tests.system.test_journeys.BrowserWatch).

The world is the access matrix's (tests.system.test_access_matrix): a child, a case at the RET, a placement, foster
families, a finished run, a forecast and a scenario in Food Valley and in another region.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.system.test_access_matrix import matrix_users, worlds  # noqa: F401 - fixtures
from tests.system.test_journeys import CHROMIUM, BrowserWatch, browser  # noqa: F401 - browser is a fixture

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="the role walk needs the system Chromium at /usr/bin/chromium, which is missing"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = (Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ENGLISH = re.compile(r"episodes done|rows=|created=|\bmanual\b|\bcommand\b|\bresolved\b|\bAXES\b|\bCASEWORK\b|PERIODIC TASKS|"
                     r"Solar events|TOTP devices|\bstock\b|change_month", re.I)
# a run of 4+ digits that is not part of a code, a date, an amount with separators or a decimal
BARE_NUMBER = re.compile(r"(?<![\w.,/:\-–€\d])[1-9]\d{3,}(?![\w.,/:\-–%])")  # a count never starts with 0 ("0228" is a code)

EXTRA = {  # pages a role works on that its menu does not link directly
    "wijkteam": lambda w: [reverse("children:detail", args=[w["child"].pk]), reverse("casework:case_detail", args=[w["case"].pk])],
    "ret_chair": lambda w: [reverse("casework:ret_agenda"), reverse("casework:ret_detail", args=[w["review"].pk])],
    "project": lambda w: [reverse("forecast:scenario_new"), reverse("reports:cost_table")],
    "admin": lambda w: [reverse("admin:index"), reverse("forecast:page")],
    "fostercare": lambda w: [reverse("fostercare:risk_list")],
}


STANDARD = re.compile(r"\b(?:NEN|ISO|EN)(?:[ -]?EN)?[ -]\d+")  # the name of a standard (NEN 7513, EN 301 549) is no number


def _bare_numbers(text: str) -> list[str]:
    return [n for n in BARE_NUMBER.findall(STANDARD.sub(" ", text)) if not (len(n) == 4 and 1900 <= int(n) <= 2100)]


def _check(page, path: str) -> list[str]:
    problems = []
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width[0] > width[1]:
        problems.append(f"{path}: {width[0] - width[1]} px wider than the screen")
    # identifiers (a child's reference, an AGB code) are shown in <code>: no numbers to read
    text = page.evaluate("(() => { let t = document.body.innerText; for (const c of document.querySelectorAll('code')) "
                         "{ if (c.innerText) t = t.split(c.innerText).join(' '); } return t; })()")
    if numbers := _bare_numbers(text):
        context = [text[max(0, text.find(n) - 25):text.find(n) + len(n) + 10].replace("\n", " ") for n in sorted(set(numbers))[:3]]
        problems.append(f"{path}: numbers without thousands separator {context}")
    if words := ENGLISH.findall(text):
        problems.append(f"{path}: English {sorted(set(words))[:5]}")
    if not path.startswith("/admin/"):
        page.evaluate(AXE)
        violations = page.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
                                   ".map(v => v.id + ' (' + v.nodes.length + '): ' + v.nodes[0].target.join(' '))", WCAG)
        problems += [f"{path}: axe {v}" for v in violations]
    return problems


def _walk(browser, live_server, user, extra: list[str]) -> list[str]:  # noqa: F811 - browser is the fixture's value
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="nl-NL")
    context.set_default_timeout(20_000)
    page = context.new_page()
    watch = BrowserWatch(page, live_server.url)
    problems: list[str] = []
    try:
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state("networkidle")
        problems += _check(page, "/ (start)")
        menu = page.eval_on_selector_all("nav.navbar a.nav-link", "links => links.map(a => a.getAttribute('href'))")
        seen = {"/"}
        for path in [*menu, *extra]:
            if not path or path in seen or not path.startswith("/"):
                continue
            seen.add(path)
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            if response is None or response.status != 200:
                problems.append(f"{path}: HTTP {response.status if response else '?'}")
                continue
            problems += _check(page, path)
        problems += watch.problems
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("role", ["wijkteam", "ret", "ret_chair", "fostercare", "project", "admin"])
def test_a_day_of_each_role_passes_overflow_numbers_language_and_wcag(browser, live_server, worlds, matrix_users, role, settings):  # noqa: F811
    settings.REQUIRE_ADMIN_2FA = False
    user = matrix_users[role]
    extra = EXTRA.get(role, lambda w: [])(worlds["own"])
    problems = _walk(browser, live_server, user, extra)
    assert not problems, f"{role}'s day:\n  " + "\n  ".join(problems)


def test_the_checks_catch_what_they_look_for():
    """The walk's own checks, on text that breaks them and text that does not."""
    assert _bare_numbers("10195 kinderen, 124085 en 2554 dagen") == ["10195", "124085", "2554"]
    assert _bare_numbers("10.195 kinderen in 2026, GM0228 of 0228, FV-000057, 31-10-2026, € 1.234,56, 12,5%, NEN 7513") == []
    assert ENGLISH.findall("episodes done: rows=3") and ENGLISH.findall("run 4 · manual") and not ENGLISH.findall("handmatig gestart")


def test_a_bsn_that_fails_the_11_check_is_refused_in_the_browser_and_stays_typed(browser, live_server, matrix_users, worlds):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill("#id_username", matrix_users["wijkteam"].username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.goto(reverse("children:register"))
        page.fill("#id_bsn", "123456789")  # 11-check fails
        page.fill("#id_birth_date", "2015-03-01")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_timeout(300)
        assert page.url.endswith(reverse("children:register"))  # not sent
        assert page.input_value("#id_bsn") == "123456789"  # what the user typed is still there
        assert "elfproef" in page.evaluate("document.getElementById('id_bsn').validationMessage")
    finally:
        context.close()

"""The access matrix: every URL pattern of the project, walked from the URL resolver (so pages added later are
covered automatically), requested as anonymous and as every role, with object ids of the user's own
municipality and of another region's municipality. Each (pattern, role) has an explicit expected outcome in
EXPECT below; a pattern without a row fails the test with a message saying which row to add.

Adding a page: add a row `"namespace:name": row(...)` to EXPECT. Roles not named in a row get `rest`
(default DENY: 403). For a pattern with ids, name the object kind (a key of the `World` built below, e.g.
"child", "case"); if it is a new kind of object, add it in `build_world` for both worlds.

Rows with method="POST" are for pages that only take POST: their outcomes are those of an empty POST, and a GET
must answer 405 (or the same refusal).

Outcomes (what a GET must answer; a refused GET is also tried as an empty POST, which must be refused too):
    OK     200                         LOGIN  302 to the login page (anonymous)
    DENY   403                         HIDE   404 (the record exists but is outside the user's scope)
    GONE   403 or 404                  POST   405 (the page only takes POST; reached with GET by a permitted user)
    MOVED  302 to a page that is not the login page
Never a 500. Every refusal (403/404) of a logged-in user leaves a "denied" entry in the access log (except the
few pages in UNLOGGED_REFUSALS). No page shown to a role outside the child's municipality contains the child's label.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AccessLogEntry, Role
from placements.bsn import synthetic_bsn
from placements.models import Municipality
from tests.conftest import login, make_user

OK, LOGIN, DENY, HIDE, GONE, POST, MOVED = "OK", "LOGIN", "DENY", "HIDE", "GONE", "POST", "MOVED"
REFUSALS = {LOGIN, DENY, HIDE, GONE}

#: Roles of the matrix. A new accounts.Role needs a user here (test_every_role_is_in_the_matrix says so).
ROLES = ["wijkteam", "outsider", "project", "admin", "ret", "ret_chair", "fostercare"]
D = dt.date
OWN_LABEL, FOREIGN_LABEL = "AB-1001", "ZZ-9009"


# --------------------------------------------------------------------------------------- the expectation table
@dataclass
class Row:
    obj: dict[str, str] = field(default_factory=dict)  # URL kwarg → object kind (a World key)
    expect: dict[str, str | tuple[str, str]] = field(default_factory=dict)  # role → outcome, or (own, foreign)
    rest: str = DENY
    anon: str = LOGIN
    query: str = ""  # query string added to the URL
    optional: bool = False  # the pattern may be absent (e.g. only with DEBUG)
    method: str = "GET"  # "POST" for a page that only takes POST (outcomes are those of an empty POST)

    def outcome(self, role: str, world: str) -> str:
        if role == "anon":
            return self.anon
        value = self.expect.get(role, self.rest)
        if isinstance(value, tuple):
            return value[0] if world == "own" else value[1]
        return value


def row(obj: str | dict | None = None, *, rest: str = DENY, anon: str = LOGIN, query: str = "", optional: bool = False,
        method: str = "GET", **expect) -> Row:
    if isinstance(obj, str):
        obj = {"pk": obj}
    return Row(obj=obj or {}, expect=expect, rest=rest, anon=anon, query=query, optional=optional, method=method)


#: Object outcome for a wijkteam worker of the own municipality: own record shown, another region's hidden.
MINE = (OK, HIDE)
#: Object in scope of nobody of this role: hidden in both worlds.
NONE = (HIDE, HIDE)
W = dict(wijkteam=OK, outsider=OK)  # list pages of the wijkteam (each sees their own municipality's rows)

EXPECT: dict[str, Row] = {
    # public
    "health": row(anon=OK, rest=OK),
    "accessibility": row(anon=OK, rest=OK),
    "login": row(anon=OK, rest=MOVED),  # a logged-in user is sent on to the start page
    "set_language": row(anon=MOVED, rest=MOVED, method="POST"),  # back to the page (or the start page)
    "logout": row(rest=LOGIN, method="POST"),  # logged out, on to the login page
    # accounts
    "accounts:access_log": row(admin=OK),
    "accounts:two_factor_setup": row(admin=OK),
    "accounts:two_factor_verify": row(rest=MOVED),  # nothing to verify without a device: on to the start page
    "accounts:password_change": row(rest=OK),
    "accounts:password_change_done": row(rest=OK),
    # registry (wijkteam only; admin, project, RET, foster care have no child pages)
    "home": row(rest=OK),
    "children:list": row(**W),
    "children:register": row(**W),
    "children:detail": row("child", wijkteam=MINE, outsider=NONE),
    "children:target_group": row("child", wijkteam=MINE, outsider=NONE),
    "children:episode_start": row("child", wijkteam=MINE, outsider=NONE),
    "children:episode_end": row("open_episode", wijkteam=MINE, outsider=NONE),
    # child protection (wijkteam, on the child's page)
    "protection:measure_record": row({"child_pk": "child"}, wijkteam=MINE, outsider=NONE),
    "protection:measure_end": row("measure", wijkteam=MINE, outsider=NONE),
    "crisis:contact_record": row({"child_pk": "child"}, wijkteam=MINE, outsider=NONE),
    # imports (administrators)
    "imports:list": row(admin=OK),
    "imports:upload": row(admin=OK),
    "imports:example_episodes": row(admin=OK),
    "imports:example_declarations": row(admin=OK),
    "imports:codes": row(admin=OK),
    "imports:detail": row("import_job", admin=OK),
    "imports:status": row("import_job", admin=OK),
    "imports:file": row("import_job", admin=OK),  # the matrix's job has not run: it still keeps its upload
    # monitoring
    "monitoring:dashboard": row(wijkteam=OK, outsider=OK, project=OK, admin=OK),
    "monitoring:dashboard_csv": row(query="figure=tiles", wijkteam=OK, outsider=OK, project=OK, admin=OK),
    "monitoring:definitions": row(rest=OK),  # what each figure means and how it is protected: for every role
    "monitoring:runs": row(admin=OK),
    "monitoring:run_start": row(admin=MOVED, method="POST"),
    "monitoring:run_revisions": row(admin=OK),
    "monitoring:run_detail": row("run", admin=OK),
    "monitoring:run_status": row("run", admin=OK),
    "monitoring:run_lock": row("run", admin=MOVED, method="POST"),
    # providers page: project team (its region) and administrators; figures only, no child records
    "providers:list": row(project=OK, admin=OK),
    "providers:detail": row("provider", project=(OK, OK), admin=(OK, OK)),
    # action plan: the project team (its region) and administrators (any region)
    "actionplan:plan": row(project=OK, admin=OK),
    "actionplan:measure_new": row(project=OK, admin=OK),
    "actionplan:measure": row("plan_measure", project=(OK, HIDE), admin=(OK, OK)),
    "actionplan:measure_edit": row("plan_measure", project=(OK, HIDE), admin=(OK, OK)),
    "actionplan:bottleneck_new": row(project=OK, admin=OK),
    "actionplan:bottleneck_edit": row("bottleneck", project=(OK, HIDE), admin=(OK, OK)),
    # forecasts: the project team's region (and its municipalities), administrators any; a job another cannot see is 404
    "forecast:page": row(project=OK, admin=OK),
    "forecast:start": row(project=MOVED, admin=MOVED, method="POST"),
    "forecast:status": row("forecast", project=MINE, admin=OK, rest=HIDE),
    "forecast:download": row("forecast", project=MINE, admin=OK, rest=HIDE),
    "forecast:scenario_new": row(project=OK, admin=OK),
    "forecast:scenario_edit": row("forecast_scenario", project=MINE, admin=OK, rest=HIDE),
    "forecast:scenario_delete": row("forecast_scenario", project=(MOVED, HIDE), admin=MOVED, rest=HIDE, method="POST"),  # unconfirmed: kept
    "targets:list": row(rest=OK),  # targets of the user's own scope, suppressed figures only
    # casework: cases (wijkteam of the municipality; the RET of the region for cases brought to it)
    "casework:case_list": row(**W, ret=OK, ret_chair=OK),
    "casework:case_open": row(**W),
    "casework:case_detail": row("case", wijkteam=MINE, outsider=NONE, ret=MINE, ret_chair=MINE),
    "casework:case_edit": row("case", wijkteam=MINE, outsider=NONE),
    "casework:case_status": row("case", wijkteam=MINE, outsider=NONE),
    "casework:alternative_add": row("case", wijkteam=(MOVED, HIDE), outsider=NONE, method="POST"),
    "casework:ret_create": row("case", wijkteam=MINE, outsider=NONE),
    "casework:ret_agenda": row(ret_chair=OK),
    "casework:ret_detail": row("review", wijkteam=MINE, outsider=NONE, ret=MINE, ret_chair=MINE),
    "casework:ret_edit": row("review", wijkteam=MINE, outsider=NONE, ret=MINE, ret_chair=MINE),
    "casework:ret_action_add": row("review", wijkteam=(MOVED, HIDE), outsider=NONE, ret=(MOVED, HIDE), ret_chair=(MOVED, HIDE),
                                   method="POST"),
    "casework:ret_action_done": row("action", wijkteam=(MOVED, HIDE), outsider=NONE, ret=(MOVED, HIDE), ret_chair=(MOVED, HIDE),
                                    method="POST"),
    "casework:ret_follow_up": row("review", wijkteam=MINE, outsider=NONE, ret=MINE, ret_chair=MINE),
    "casework:checklist_list": row(**W),
    "casework:checklist_create": row({"child_pk": "child"}, wijkteam=MINE, outsider=NONE),
    "casework:checklist_detail": row("checklist", wijkteam=MINE, outsider=NONE),
    "casework:checklist_edit": row("checklist", wijkteam=MINE, outsider=NONE),
    "casework:case_week_list": row(**W),
    "casework:case_week_create": row({"episode_pk": "placement"}, wijkteam=MINE, outsider=NONE),
    "casework:case_week_detail": row("week", wijkteam=MINE, outsider=NONE),
    "casework:lessons": row(wijkteam=OK, outsider=OK, project=OK, admin=OK, ret=OK, ret_chair=OK),
    "casework:follow_ups": row(**W),
    "casework:follow_up_add": row({"episode_pk": "jim"}, wijkteam=MINE, outsider=NONE),
    # foster care: the provider's worker sees its own families; a wijkteam worker the families its children live in
    "fostercare:family_list": row(**W, fostercare=OK),
    "fostercare:family_create": row(fostercare=OK),
    "fostercare:family_detail": row("family", wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:family_edit": row("family", fostercare=MINE),
    "fostercare:family_status": row("family", fostercare=MINE),
    "fostercare:support_add": row("family", wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:match_start": row(**W),
    "fostercare:match_child": row({"child_pk": "child"}, wijkteam=MINE, outsider=NONE),
    "fostercare:risk_create": row({"placement_pk": "foster_placement"}, wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:risk_list": row(**W, fostercare=OK),
    "fostercare:risk_detail": row("risk", wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:risk_follow_up": row("risk", wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:risk_resolve": row("risk", wijkteam=MINE, outsider=NONE, fostercare=MINE),
    "fostercare:recruitment": row(project=OK, admin=OK, fostercare=OK),
    "fostercare:prospect_create": row(fostercare=OK),
    "fostercare:prospect_step": row("prospect", fostercare=MINE),
    # reports, PDFs and exports: the municipality's (wijkteam) or region's (project team) own; administrators all
    "reports:list": row(**W, project=OK, admin=OK),
    "reports:start": row(project=HIDE, admin=HIDE, method="POST"),  # an empty POST names no scope: refused as outside it
    "reports:detail": row("report", wijkteam=MINE, outsider=NONE, project=MINE, admin=OK),
    "reports:status": row("report", wijkteam=MINE, outsider=NONE, project=MINE, admin=OK),
    "reports:download": row("report", wijkteam=MINE, outsider=NONE, project=MINE, admin=OK),
    "reports:html": row("report", wijkteam=MINE, outsider=NONE, project=MINE, admin=OK),
    "reports:cost_table": row(**W, project=OK, admin=OK),
    "reports:exports": row(**W, project=OK, admin=OK),
    "reports:export_dashboard": row(**W, project=OK, admin=OK),
    "reports:export_episodes": row(admin=OK),
    "reports:export_detail": row("export", admin=OK),  # an export job is its maker's (an administrator)
    "reports:export_status": row("export", admin=OK),
    "reports:export_download": row("export", admin=OK),
}

#: Refusals that need no access-log entry: pages that touch no child's or family's record.
UNLOGGED_REFUSALS = {"accounts:two_factor_setup", "accounts:password_change"}

#: Django admin: every pattern under admin/ follows one rule (ModelAdmins add patterns by themselves):
#: anonymous → login, roles without is_staff → the admin's own login page, administrators → anything but an
#: error or the login page. The admin registers no children, episodes or declarations (placements/admin.py).
ADMIN_NAMESPACE = "admin"


# ------------------------------------------------------------------------------------------ the URL resolver
@dataclass
class Pattern:
    key: str  # "namespace:name", or the route for an unnamed pattern
    route: str
    kwargs: list[str]
    name: str | None


def walk(resolver=None, prefix: str = "", namespace: str | None = None, inherited: tuple = ()) -> list[Pattern]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        groups = list(inherited) + _groups(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += walk(entry, prefix + str(entry.pattern), ns, tuple(groups))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            route = prefix + str(entry.pattern)
            found.append(Pattern(key=name or route, route=route, kwargs=groups, name=name))
    return found


def _groups(pattern) -> list[str]:
    return list(pattern.regex.groupindex)


PATTERNS = walk()


# ------------------------------------------------------------------------------------------------- the world
def build_world(ede, other, foodvalley, foster_providers=None):
    """Two sets of records: "own" in Ede (region Food Valley) and "foreign" in a municipality of another region.

    Each set has a child with an open JIM episode, a residential placement with its checklist and Week van de
    Casus review, a threatened-placement case brought to the RET with an action, and returns a dict kind → object.
    """
    from casework import services as cw
    from placements.models import CareForm, Provider
    from placements.services import child_register, episode_start

    forms = {cf.code: cf for cf in CareForm.objects.all()}
    provider = Provider.objects.get_or_create(name="Jeugdzorg De Vallei", defaults={"agb_code": "98000001"})[0]
    items = {k: True for k in cw.CHECKLIST_ITEMS}
    texts = {"alternatives_note": "Alles geprobeerd.", "return_plan": "Terug binnen 9 maanden.", "under12_justification": "Onveilig."}
    worlds = {}
    for key, municipality, label, n in (("own", ede, OWN_LABEL, 1), ("foreign", other, FOREIGN_LABEL, 2)):
        worker = make_user(f"maker-{key}", Role.WIJKTEAM, municipality)
        child, _ = child_register(user=worker, bsn=synthetic_bsn(700 + n), birth_date=D(2012, 5, 17), sex="V", label=label)
        case = cw.case_open(user=worker, child=child, opened_on=D(2024, 1, 5), signaller="school", concerns=["veiligheid"], gi_involved=True)
        review = cw.ret_review_create(user=worker, case=case, review_date=D(2024, 1, 20), question="Alternatief?", invited=["wijkteam"])
        action = cw.ret_action_add(user=worker, review=review, description="Netwerkberaad", owner="wijkteam", due_on=D(2024, 2, 1))
        checklist = cw.checklist_create(user=worker, child=child, care_form=forms["RES"], completed_on=D(2024, 3, 1), **items, **texts)
        placement = episode_start(user=worker, child=child, care_form=forms["RES"], provider=provider, start_date=D(2024, 3, 2),
                                  checklist=checklist)
        week = cw.case_week_review_create(user=worker, child=child, episode=placement, review_date=D(2024, 5, 1), helped="Korte lijnen.",
                                          missing="Gezinshuisplek.", lessons=[("Eerder netwerk betrekken.", ["netwerk"])])
        jim = episode_start(user=worker, child=child, care_form=forms["JIM"], provider=provider, start_date=D(2024, 6, 1))
        open_checklist = cw.checklist_create(user=worker, child=child, care_form=forms["RES"], completed_on=D(2024, 7, 1), **items, **texts)
        from protection.services import measure_record

        measure = measure_record(user=worker, child=child, kind="11", gi=provider, start_date=D(2024, 1, 10))
        worlds[key] = {"child": child, "case": case, "review": review, "action": action, "checklist": open_checklist,
                       "placement": placement, "week": week, "jim": jim, "open_episode": jim, "measure": measure, "provider": provider}
        if foster_providers:
            worlds[key].update(_foster_objects(worker, municipality, foster_providers[key], f"{label}P", 800 + n))
        worlds[key].update(_report_objects(municipality))
        worlds[key].update(_plan_objects(municipality.region))
        worlds[key].update(_forecast_objects(municipality.region))
    shared = _shared_objects()
    for world in worlds.values():
        world.update(shared)
    return worlds, provider


def _plan_objects(region) -> dict:
    """A measure and a bottleneck of the region's action plan."""
    from actionplan import services as plan

    measure = plan.measure_create(user=None, region=region, title="Checklist residentieel", owner="Kernteam", planned_on=D(2024, 6, 30))
    bottleneck = plan.bottleneck_create(user=None, region=region, title="Crises leiden tot plaatsing", raised_on=D(2024, 2, 1))
    return {"plan_measure": measure, "bottleneck": bottleneck}


def _forecast_objects(region) -> dict:
    """A finished forecast of the region on the first run, and a saved scenario of the region."""
    from forecast.models import Forecast, ForecastScenario
    from monitoring.models import SnapshotRun
    from monitoring.runs.services import run_create

    run = SnapshotRun.objects.order_by("id").first() or run_create(today=D(2025, 1, 15))
    result = {"scope": region.name, "months": ["2025-01"], "forms": {}, "costs": {}, "backtest": [], "targets": [], "scenarios": [
        {"name": "Basis: niets verandert", "series": {"stay": {"all": {k: [40.0] for k in (
            "mean", "p10", "p50", "p90", "cost_mean", "cost_p10", "cost_p50", "cost_p90")} | {"years": {}}}}}]}
    forecast = Forecast.objects.create(run=run, region=region, status="done", result=result, progress=100)
    scenario = ForecastScenario.objects.create(region=region, name="Minder residentieel", start=D(2025, 1, 1), group="residential",
                                               entries_pct=-20)
    return {"forecast": forecast, "forecast_scenario": scenario}


def _foster_objects(worker, municipality, provider, label: str, n: int) -> dict:
    """A family of the provider in the municipality with a child of the municipality placed in it, an open risk on
    that placement, and a prospective foster parent of the provider."""
    from fostercare import services as fc
    from placements.services import child_register

    family = fc.family_register(user=worker, provider=provider, reference=f"PG-{n}", municipality=municipality, kind="bestand",
                                places=2, status="goedgekeurd", status_since=D(2023, 1, 2))
    foster_child, _ = child_register(user=worker, bsn=synthetic_bsn(n), birth_date=D(2014, 2, 3), sex="M", label=label)
    placement = fc.match_record(user=worker, child=foster_child, family=family, start_date=D(2024, 2, 1))
    risk = fc.risk_register(user=worker, placement=placement, registered_on=D(2024, 3, 1), severity="hoog", signals=["veiligheid"])
    prospect = fc.prospect_register(user=worker, provider=provider, reference=f"AS-{n}", municipality=municipality, info_on=D(2024, 1, 10))
    return {"family": family, "foster_placement": placement, "risk": risk, "prospect": prospect}


def _report_objects(municipality) -> dict:
    """A finished quarterly report of the municipality (PDF and HTML in private storage)."""
    from django.core.files.base import ContentFile

    from monitoring.models import SnapshotRun
    from monitoring.runs.services import run_create
    from reports.models import GeneratedReport

    run = SnapshotRun.objects.order_by("id").first() or run_create(today=D(2025, 1, 15))
    report = GeneratedReport.objects.create(run=run, region=municipality.region, municipality=municipality, quarter="2024-Q4",
                                            status="done")
    report.file.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    report.html_file.save("r.html", ContentFile(b"<html><body>rapport</body></html>"), save=False)
    report.save()
    return {"report": report}


def _shared_objects() -> dict:
    """Objects without a municipality (administrators' pages): the same in both worlds."""
    from django.core.files.base import ContentFile

    from accounts.models import Role, User
    from monitoring.models import SnapshotRun
    from monitoring.runs.services import run_compute
    from placements.imports.service import create_job
    from reports.models import ExportJob

    job = create_job(kind="episodes", fileobj=ContentFile(b"episode_id\n", name="x.csv"), original_name="x.csv")
    run = run_compute(SnapshotRun.objects.get(pk=SnapshotRun.objects.order_by("id").first().pk))
    export = ExportJob.objects.create(kind="episodes", format="csv", status="done", rows=1,
                                      created_by=User.objects.filter(role=Role.ADMIN, is_superuser=True).order_by("id").first())
    export.file.save("e.csv", ContentFile(b"\xef\xbb\xbfpseudoniem\r\n"), save=True)
    return {"import_job": job, "run": run, "export": export}


@pytest.fixture
def matrix_users(ede, veenendaal, foodvalley, owner, outsider, project_user, admin_user):
    users = {"wijkteam": owner, "outsider": outsider, "project": project_user, "admin": admin_user,
             "ret": make_user("rita", Role.RET, region=foodvalley),
             "ret_chair": make_user("ruud", Role.RET, region=foodvalley, is_ret_chair=True)}
    return users


@pytest.fixture
def worlds(matrix_users, ede, foodvalley, foster_worker, foster_provider, other_foster_provider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    other = Municipality.objects.exclude(region=foodvalley).get(cbs_code="GM0344")  # Utrecht
    worlds, _provider = build_world(ede, other, foodvalley, {"own": foster_provider, "foreign": other_foster_provider})
    matrix_users["fostercare"] = foster_worker
    return worlds


# --------------------------------------------------------------------------------------------------- checks
def _url(pattern: Pattern, world: dict, spec: Row) -> str:
    if pattern.name is None:  # unnamed (the DEBUG media route): fill the regex group by hand
        return "/" + re.sub(r"\(\?P<\w+>[^)]*\)", str(world[spec.obj["path"]]), pattern.route).strip("^$")
    kwargs = {}
    for kwarg in pattern.kwargs:
        kind = spec.obj.get(kwarg)
        assert kind is not None, f"{pattern.key}: the row names no object kind for the URL argument {kwarg!r}"
        value = world[kind]
        kwargs[kwarg] = getattr(value, "pk", value)
    url = reverse(pattern.name, kwargs=kwargs)
    return f"{url}?{spec.query}" if spec.query else url


def _classify(response) -> str:
    status = response.status_code
    if status == 200:
        return OK
    if status in (301, 302):
        location = response["Location"]
        return LOGIN if location.startswith(reverse("login")) else MOVED
    return {403: DENY, 404: HIDE, 405: POST}.get(status, str(status))


def _matches(expected: str, actual: str) -> bool:
    if expected == GONE:
        return actual in (DENY, HIDE)
    return expected == actual


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _label_leak(role: str, world: str, body: str) -> str | None:
    """A child's label is shown only inside its municipality (and to its region's RET for cases brought to it)."""
    label = OWN_LABEL if world == "own" else FOREIGN_LABEL
    may_see = (role == "wijkteam" and world == "own") or (role in ("ret", "ret_chair") and world == "own")
    return label if label in body and not may_see else None


def _users(matrix_users) -> list[tuple[str, object]]:
    return [("anon", None)] + [(role, matrix_users[role]) for role in ROLES if role in matrix_users]


def test_every_pattern_has_an_expectation():
    missing = [p.key for p in PATTERNS if p.key not in EXPECT and not p.key.startswith(f"{ADMIN_NAMESPACE}:")
               and not p.route.startswith("admin/")]
    assert not missing, (
        "These URL patterns have no row in tests/system/test_access_matrix.py EXPECT. Add one per pattern, saying who may "
        "open it (and, for ids, which object kind fills them):\n  " + "\n  ".join(missing))
    present = {p.key for p in PATTERNS}
    stale = [key for key, spec in EXPECT.items() if key not in present and not spec.optional]
    assert not stale, f"EXPECT has rows for patterns that no longer exist (renamed?): {stale}"


def test_every_role_is_in_the_matrix():
    roles = set(Role.values)
    covered = {"wijkteam", "project", "admin", "ret"} | ({Role.FOSTERCARE.value} if hasattr(Role, "FOSTERCARE") else set())
    assert roles <= covered, f"accounts.Role has roles the access matrix does not request as: {roles - covered}"


def test_access_matrix(client, worlds, matrix_users):
    failures: list[str] = []
    checked = 0
    for pattern in PATTERNS:
        spec = EXPECT.get(pattern.key)
        if spec is None:
            continue  # reported by test_every_pattern_has_an_expectation; admin patterns are checked below
        world_keys = ("own", "foreign") if pattern.kwargs and any(
            not isinstance(worlds["own"][k], str) and worlds["own"][k] is not worlds["foreign"][k] for k in spec.obj.values()
        ) else ("own",)
        for world_key in world_keys:
            url = _url(pattern, worlds[world_key], spec)
            for role, user in _users(matrix_users):
                client.logout()
                if user is not None:
                    login(client, user)
                expected = spec.outcome(role, world_key)
                denied_before = AccessLogEntry.objects.filter(result="denied").count()
                if spec.method == "POST":
                    get = client.get(url)
                    if get.status_code != 405 and not _matches(expected, _classify(get)):
                        failures.append(f"{pattern.key} [{world_key}] as {role}: GET {url} of a POST-only page → {get.status_code}")
                    response = client.post(url, {})
                else:
                    response = client.get(url)
                actual = _classify(response)
                checked += 1
                where = f"{pattern.key} [{world_key}] as {role}: {spec.method} {url}"
                if response.status_code >= 500:
                    failures.append(f"{where} → {response.status_code} (server error)")
                elif not _matches(expected, actual):
                    failures.append(f"{where} → {actual} ({response.status_code}), expected {expected}")
                if actual in (DENY, HIDE) and role != "anon" and pattern.key not in UNLOGGED_REFUSALS and \
                        AccessLogEntry.objects.filter(result="denied").count() == denied_before:
                    failures.append(f"{where} → {actual} without a 'denied' entry in the access log")
                if response.status_code == 200 and (leak := _label_leak(role, world_key, _body(response))):
                    failures.append(f"{where} shows the child label {leak!r}")
                if spec.method == "GET" and expected in REFUSALS:
                    post = client.post(url, {})
                    post_outcome = _classify(post)
                    if post.status_code >= 500 or post_outcome not in REFUSALS | {POST}:
                        failures.append(f"{where}: an empty POST was not refused → {post.status_code}")
    assert checked > 300
    assert not failures, f"{len(failures)} of {checked} requests broke the access rules:\n  " + "\n  ".join(failures)


# ------------------------------------------------------------------------------------------------ Django admin
def _admin_url(pattern: Pattern, worlds) -> str | None:
    if pattern.name is None:
        return "/admin/niet-bestaand/"  # the admin's catch-all
    kwargs = {}
    for kwarg in pattern.kwargs:
        if kwarg == "app_label":
            kwargs[kwarg] = "placements"
        elif kwarg in ("object_id", "pk", "id"):
            model = _admin_model(pattern.name) or (get_user_model() if "_user_" in pattern.name else None)
            obj = model._default_manager.order_by("pk").first() if model else None
            kwargs[kwarg] = str(obj.pk) if obj else "999999"
        elif kwarg == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            kwargs[kwarg] = str(ContentType.objects.get_for_model(Municipality).pk)
        else:
            return None
    if "content_type_id" in kwargs:
        kwargs["object_id"] = str(Municipality.objects.order_by("pk").first().pk)
    return reverse(pattern.name, kwargs=kwargs)


def _admin_model(name: str):
    short = name.split(":", 1)[1]
    for model in admin_site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix):
            return model
    return None


ADMIN_PATTERNS = [p for p in PATTERNS if p.route.startswith("admin/")]


def test_admin_patterns_are_walked():
    assert len(ADMIN_PATTERNS) > 100
    assert any(p.key == "admin:accounts_user_changelist" for p in ADMIN_PATTERNS)


def test_django_admin_only_for_administrators(client, worlds, matrix_users):
    failures: list[str] = []
    admin_login = reverse("admin:login")
    for pattern in ADMIN_PATTERNS:
        url = _admin_url(pattern, worlds["own"])
        assert url is not None, f"{pattern.key}: the admin rule does not know how to fill {pattern.kwargs}"
        # The admin's own gate (is_staff) is the same code for every role: two roles without staff status suffice.
        for role, user in [(r, u) for r, u in _users(matrix_users) if r in ("anon", "wijkteam", "ret_chair", "admin")]:
            client.logout()
            if user is not None:
                login(client, user)
            response = client.get(url)
            where = f"{pattern.key} as {role}: GET {url}"
            status = response.status_code
            if status >= 500:
                failures.append(f"{where} → {status}")
                continue
            location = response.get("Location", "")
            if role == "anon":
                ok = status == 302 and location.startswith(reverse("login"))
            elif not user.is_staff:
                ok = (status == 302 and location.startswith(admin_login)) or (pattern.name == "admin:login" and status == 200) \
                    or (pattern.name == "admin:logout" and status in (302, 405))  # POST only; GET goes back to /admin/
            else:
                ok = not (status == 302 and location.startswith(reverse("login")))
                if status == 200 and (leak := _label_leak("admin", "own", _body(response)) or _label_leak("admin", "foreign", _body(response))):
                    failures.append(f"{where} shows the child label {leak!r}")
            if not ok:
                failures.append(f"{where} → {status} {location}")
            if user is not None and not user.is_staff and pattern.name != "admin:logout":
                post = client.post(url, {})
                if not (post.status_code == 302 and post["Location"].startswith(admin_login)) and pattern.name != "admin:login":
                    failures.append(f"{where}: an empty POST by a non-staff user → {post.status_code}")
    assert not failures, "\n  ".join([f"{len(failures)} admin requests broke the rule:", *failures])

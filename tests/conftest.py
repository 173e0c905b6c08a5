"""Shared fixtures: the scope triangle (owner, colleague, outsider) and the other roles."""
from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role, User
from placements.bsn import synthetic_bsn
from placements.models import CareForm, Municipality, Provider, Region

PASSWORD = "Test-wachtwoord-2026!"


def _allow_log_truncate(sender, connection, **kwargs):
    """The test database's flush TRUNCATEs every table, the append-only access log too: only this suite's sessions
    say they may (accounts migration 0006). The application's sessions never do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET foodvalley.allow_log_truncate = 'on'")


def pytest_configure(config):
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_log_truncate, dispatch_uid="allow_log_truncate")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Give every test without a django_db mark one, so that pytest-django orders it before the
    transactional tests (whose flush empties the reference tables loaded by migrations). Tests that pick
    their user fixture with request.getfixturevalue would otherwise count as database-free and run last."""
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs about a second per user; tests do not need it (production keeps the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JOBS_IN_THREAD = False  # a job runs in the request (eager) unless a test asks for the thread


@pytest.fixture(autouse=True)
def _empty_caches():
    """Every test starts with empty in-memory caches: run ids are reused after a database flush, and the dashboard
    cache is keyed on the run id."""
    from django.core.cache import caches

    from monitoring.dashboard import recent

    for cache in caches.all():
        cache.clear()
    recent.clear_all()


def make_user(username: str, role: str, municipality: Municipality | None = None, region: Region | None = None, **extra) -> User:
    user = User(username=username, role=role, municipality=municipality, region=region or (municipality.region if municipality else None), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def ede(db) -> Municipality:
    return Municipality.objects.get(cbs_code="GM0228")


@pytest.fixture
def veenendaal(db) -> Municipality:
    return Municipality.objects.get(cbs_code="GM0345")


@pytest.fixture
def foodvalley(ede) -> Region:
    return ede.region


@pytest.fixture
def owner(ede) -> User:
    """Wijkteam worker of Ede who registers the children in the tests."""
    return make_user("anna", Role.WIJKTEAM, ede)


@pytest.fixture
def colleague(ede) -> User:
    return make_user("bart", Role.WIJKTEAM, ede)


@pytest.fixture
def outsider(veenendaal) -> User:
    """Wijkteam worker of another municipality in the same region."""
    return make_user("carla", Role.WIJKTEAM, veenendaal)


@pytest.fixture
def project_user(foodvalley) -> User:
    return make_user("dirk", Role.PROJECT, region=foodvalley)


@pytest.fixture
def admin_user(db) -> User:
    return make_user("eva", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def provider(db) -> Provider:
    return Provider.objects.create(name="Jeugdzorg De Vallei", agb_code="98000001")


@pytest.fixture
def care_forms(db) -> dict[str, CareForm]:
    return {cf.code: cf for cf in CareForm.objects.all()}


@pytest.fixture
def bsn() -> str:
    return synthetic_bsn(1)


@pytest.fixture
def child(owner, bsn):
    from placements.services import child_register

    child, _ = child_register(user=owner, bsn=bsn, birth_date=dt.date(2012, 5, 17), sex="V", label="AB-1001")
    return child


def login(client, user: User):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- foster care ----------------------------------------------------------------------------------------------
@pytest.fixture
def foster_provider(db) -> Provider:
    return Provider.objects.create(name="Pleegzorg Test", agb_code="98000101")


@pytest.fixture
def other_foster_provider(db) -> Provider:
    return Provider.objects.create(name="Pleegzorg Elders", agb_code="98000102")


@pytest.fixture
def foster_worker(foster_provider, foodvalley) -> User:
    """Foster-care worker of `foster_provider` (role pleegzorg)."""
    return make_user("fenna", Role.FOSTERCARE, region=foodvalley, provider=foster_provider)


@pytest.fixture
def other_foster_worker(other_foster_provider, foodvalley) -> User:
    return make_user("gijs", Role.FOSTERCARE, region=foodvalley, provider=other_foster_provider)


# --- reports and exports ----------------------------------------------------------------------------------------
@pytest.fixture
def figures_run(foodvalley, ede):
    """A finished snapshot run (2024-01 … 2025-12) with hand-set series for Food Valley and Ede, so report and export
    contents are known: residential care 137 (Dec 2024) → 150 (Sep 2025) → 163 (Dec 2025); under-12s in residential
    care 3 in Dec 2025 (small: shown as <5); RET cases 2 + 4 + 3 = 9 in Q4 2025; Ede: 2 children in residential care."""
    from monitoring.models import FigureSeries, RunStatus, SnapshotRun

    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    run = SnapshotRun.objects.create(status=RunStatus.DONE, data_date=dt.date(2025, 12, 31), first_month="2024-01", last_month="2025-12",
                                     progress=100, finished_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))

    def flat(value, **overrides):
        return {m: overrides.get(m, value) for m in months}

    region = foodvalley.name
    rows = [
        ("region", region, "residential", "all", "stock", flat(150, **{"2024-12": 137, "2025-12": 163})),
        ("region", region, "residential", "0-11", "stock", flat(24, **{"2025-12": 3})),
        ("region", region, "RES", "all", "stock", flat(140, **{"2024-12": 127, "2025-12": 153})),
        ("region", region, "JZP", "all", "stock", flat(10)),
        ("region", region, "PLZ", "all", "stock", flat(270)),
        ("region", region, "NPZ", "all", "stock", flat(119)),
        ("region", region, "GZH", "all", "stock", flat(63)),
        ("region", region, "family_based", "all", "stock", flat(452)),
        ("region", region, "stay", "all", "stock", flat(642)),
        ("region", region, "stay", "all", "entries", flat(25)),
        ("region", region, "stay", "all", "exits", flat(27)),
        ("region", region, "stay", "all", "cost", flat(1_500_000.0)),
        ("region", region, "stay", "all", "clients_declared", flat(600)),
        ("region", region, "RES", "all", "cost", flat(1_000_000.0)),
        ("region", region, "RES", "all", "clients_declared", flat(150)),
        ("region", region, "all", "all", "ret_cases", {"2025-10": 2, "2025-11": 4, "2025-12": 3, "2024-11": 1}),
        ("municipality", ede.cbs_code, "residential", "all", "stock", flat(60, **{"2025-12": 2})),
        ("municipality", ede.cbs_code, "RES", "all", "stock", flat(60, **{"2025-12": 2})),
        ("municipality", ede.cbs_code, "stay", "all", "stock", flat(300)),
    ]
    FigureSeries.objects.bulk_create([FigureSeries(run=run, level=level, scope=scope, group=group, band=band, metric=metric, values=values)
                                      for level, scope, group, band, metric, values in rows])
    return run


# --- Log privacy (issue 7): every log record of the whole suite is checked for BSNs, child labels and e-mail
# addresses by a handler on the root logger; any hit fails the session with the offending logger's name.
import logging  # noqa: E402
import re  # noqa: E402

from django.db.models.signals import post_save  # noqa: E402


class LogPrivacyHandler(logging.Handler):
    """Checks each record as it is emitted (nothing is kept but the violations, so it stays cheap)."""

    NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{3}[ .]\d{3}[ .]\d{3}(?![0-9A-Za-z])")
    EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
    WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.labels: set[str] = set()  # labels of the children created in the tests
        self.violations: list[tuple[str, str, str]] = []  # (logger, what, masked excerpt)

    @classmethod
    def is_bsn(cls, text: str) -> bool:
        digits = re.sub(r"\D", "", text)
        return digits != "000000000" and sum(int(d) * w for d, w in zip(digits, cls.WEIGHTS, strict=True)) % 11 == 0

    def findings(self, text: str) -> list[tuple[str, str]]:
        found = [("BSN", m.group()) for m in self.NUMBER.finditer(text) if self.is_bsn(m.group())]
        found += [("e-mailadres", m.group()) for m in self.EMAIL.finditer(text)]
        found += [("kenmerk van een kind", label) for label in self.labels if label in text]
        return found

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is not our concern here
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        for what, value in self.findings(text):
            self.violations.append((record.name, what, text.replace(value, "<" + what.upper() + ">")[:240]))


LOG_PRIVACY = LogPrivacyHandler()


def _remember_label(sender, instance, **kwargs):
    label = getattr(instance, "label", "") or ""
    if len(label) >= 4 and any(ch.isdigit() for ch in label):  # short or digit-free labels would match ordinary words
        LOG_PRIVACY.labels.add(label)


post_save.connect(_remember_label, sender="placements.Child", weak=False, dispatch_uid="log-privacy-labels")


@pytest.fixture(autouse=True)
def _log_privacy_handler():
    """Keeps the handler on the root logger (a test that reconfigures logging would otherwise drop it)."""
    root = logging.getLogger()
    if LOG_PRIVACY not in root.handlers:
        root.addHandler(LOG_PRIVACY)
    yield


def pytest_sessionfinish(session, exitstatus):
    if not LOG_PRIVACY.violations:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"LOG PRIVACY: {len(LOG_PRIVACY.violations)} log record(s) contain personal data (BSN, child label or e-mail):"]
    lines += [f"  logger {name!r}: {what} in: {excerpt}" for name, what, excerpt in LOG_PRIVACY.violations[:50]]
    if reporter is not None:
        reporter.write_sep("!", "log privacy", red=True, bold=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:  # pragma: no cover
        print("\n".join(lines))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

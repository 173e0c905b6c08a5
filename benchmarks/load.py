"""Load benchmark (issue 7): the application under gunicorn on PostgreSQL with the national data set, driven by
concurrent users on loopback for a bounded time. Prints throughput, p50/p95/p99 latency and the error count per
page and scenario. Not a test.

Needs the national data set built by benchmarks/build_national.py and a finished snapshot run on it
(`manage.py compute_figures`); the script creates its own benchmark users and their sessions (no password hashing
in the measured time) and starts and stops gunicorn itself, in production settings behind a pretend TLS proxy
(`X-Forwarded-Proto: https`, as nginx would send it).

A user is a logged-in session that asks for a page, reads it for a think time (uniform between --think-min and
--think-max seconds) and asks for the next one, as long as the scenario lasts. Scenarios:

- dashboard: every user is a project-team member on the dashboard (one in ten an administrator looking at the
  whole country); a third of the requests open the page as it opens (own region or the country, latest month),
  the others change scope (region, one of its municipalities), month (last 24), care-form group and age band at
  random — 1,728 combinations for a project-team member;
- mixed: 60% of the users on the dashboard, 20% wijkteam workers on their child list (pages, label search) and
  20% wijkteam workers opening the case form;
- saturation: the dashboard without think time and with random filters only (every user asks again as soon as
  the answer is in, nearly every page built afresh), which shows the throughput ceiling of the machine.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 4] [--scenarios dashboard,mixed,saturation]
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fv_bench"
HOST, PORT = "127.0.0.1", 8765
BENCH_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "load-benchmark-secret-key-not-for-production-use-0123456789",
    "BSN_HASH_KEY": "load-benchmark-bsn-key",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.update(BENCH_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodvalley.settings")
    import django

    django.setup()


@dataclass
class Persona:
    kind: str  # "dashboard", "children", "case"
    cookie: str
    scopes: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    default_share: float = 0.0  # share of requests for the page as it opens (no filters)


def prepare(users: int, region_name: str, municipality_code: str) -> dict[str, list[Persona]]:
    """Benchmark users and ready sessions: `users` project-team members and `users` wijkteam workers."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role, User
    from core.periods import month_add, month_range
    from monitoring.dashboard import selectors
    from monitoring.runs.selectors import run_latest
    from placements.models import Municipality, Region

    run = run_latest()
    if run is None:
        raise SystemExit("No finished snapshot run: run `manage.py compute_figures` on this database first.")
    region = Region.objects.get(name=region_name)
    municipality = Municipality.objects.get(cbs_code=municipality_code)
    months = month_range(month_add(run.last_month, -23), run.last_month)

    def session_for(user, device=None) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if device is not None:  # an administrator who passed the second factor (django-otp's session key)
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    def user(name: str, role: str, **scope):
        obj, _ = User.objects.get_or_create(username=name, defaults={"role": role, **scope})
        changed = obj.role != role or any(getattr(obj, k) != v for k, v in scope.items())
        if changed:
            obj.role = role
            for k, v in scope.items():
                setattr(obj, k, v)
            obj.save()
        if obj.has_usable_password():
            obj.set_unusable_password()  # sessions are made here; nobody logs in with these accounts
            obj.save()
        return obj

    project = user("bench-project", Role.PROJECT, region=region)
    worker = user("bench-wijkteam", Role.WIJKTEAM, municipality=municipality)
    admin = user("bench-admin", Role.ADMIN)
    device, _ = TOTPDevice.objects.get_or_create(user=admin, name="bench", defaults={"confirmed": True})
    scopes = [s.key for s in selectors.dashboard_scopes(project).scopes]
    # one dashboard user in ten is an administrator looking at the whole country
    dashboard = [Persona("dashboard", session_for(admin, device), [selectors.COUNTRY], months) if i % 10 == 9
                 else Persona("dashboard", session_for(project), scopes, months) for i in range(users)]
    return {
        "dashboard": dashboard,
        "children": [Persona("children", session_for(worker)) for _ in range(users)],
        "case": [Persona("case", session_for(worker)) for _ in range(users)],
    }


GROUPS = ["all", "stay", "residential", "family_based"]
BANDS = ["all", "0-11", "12-17"]
WORDS = ["a", "k", "kind", "01", "7"]


def next_path(persona: Persona, rng: random.Random) -> tuple[str, str]:
    if persona.kind == "dashboard":
        if rng.random() < persona.default_share:
            return "dashboard", "/monitor/"  # the page as it opens: the user's default scope, the latest month
        query = {"scope": rng.choice(persona.scopes), "month": rng.choice(persona.months),
                 "group": rng.choice(GROUPS), "band": rng.choice(BANDS)}
        return "dashboard", "/monitor/?" + urllib.parse.urlencode(query)
    if persona.kind == "children":
        if rng.random() < 0.25:
            return "child list (search)", "/kinderen/?" + urllib.parse.urlencode({"q": rng.choice(WORDS)})
        return "child list", f"/kinderen/?page={rng.randint(1, 20)}"
    return "case form", "/casework/nieuw/"


@dataclass
class Sample:
    page: str
    seconds: float
    ok: bool
    status: int
    started: float


def request(path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1",
                                           "Accept-Language": "nl"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def user_loop(persona: Persona, stop_at: float, think: tuple[float, float], seed: int, out: list[Sample],
              measure_from: float) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, max(think[1], 0.5)))  # users arrive spread out, not in one burst
    while time.monotonic() < stop_at:
        page, path = next_path(persona, rng)
        started = time.monotonic()
        try:
            status, body = request(path, persona.cookie)
            ok = status == 200 and b"<html" in body[:400].lower()
        except Exception:
            status, ok = 0, False
        elapsed = time.monotonic() - started
        if started >= measure_from:
            out.append(Sample(page, elapsed, ok, status, started))
        if think[1] > 0:
            time.sleep(rng.uniform(*think))


def run_scenario(name: str, personas: list[Persona], seconds: float, warmup: float, think: tuple[float, float]) -> list[Sample]:
    samples: list[Sample] = []
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    threads = [threading.Thread(target=user_loop, args=(p, stop_at, think, i * 7919 + len(name), samples, measure_from), daemon=True)
               for i, p in enumerate(personas)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + warmup + 120)
    return samples


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def report(name: str, samples: list[Sample], seconds: float, users: int) -> list[str]:
    lines = []
    by_page = defaultdict(list)
    for s in samples:
        by_page[s.page].append(s)
    for page, rows in sorted(by_page.items()) + [("all pages", samples)]:
        times = [r.seconds * 1000 for r in rows]
        errors = sum(1 for r in rows if not r.ok)
        lines.append(f"| {name} | {users} | {page} | {len(rows)} | {len(rows) / seconds:.1f} | {pct(times, .50):.0f} | "
                     f"{pct(times, .95):.0f} | {pct(times, .99):.0f} | {max(times, default=0):.0f} | {errors} |")
    return lines


def start_gunicorn(database_url: str, workers: int, threads: int, static_root: str) -> subprocess.Popen:
    env = os.environ | BENCH_ENV | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "foodvalley.settings",
                                    "STATIC_ROOT": static_root}
    # production settings serve hashed static files from a manifest: collect them first, as a deployment does
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "foodvalley.wsgi:application", "--bind", f"{HOST}:{PORT}",
           "--workers", str(workers), "--threads", str(threads), "--backlog", "2048", "--timeout", "120",
           "--log-level", "warning", "--no-control-socket"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_until_up(proc)
    except BaseException:
        stop_gunicorn(proc)
        raise
    return proc


def stop_gunicorn(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wait_until_up(proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request("/accounts/login/", "")
            if status in (200, 302):
                return
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--region", default="Food Valley")
    parser.add_argument("--municipality", default="GM0228", help="CBS code of the wijkteam users' municipality (Ede)")
    parser.add_argument("--scenarios", default="dashboard,mixed,saturation")
    args = parser.parse_args()

    setup_django(args.database_url)
    from django.db import connection

    personas = prepare(args.users, args.region, args.municipality)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM placements_child")
        children = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM placements_episode")
        episodes = cursor.fetchone()[0]
    connection.close()
    print(f"data: {children:,} children, {episodes:,} episodes; gunicorn {args.workers} workers x {args.threads} threads; "
          f"{os.cpu_count()} cores")

    static_root = tempfile.mkdtemp(prefix="fv-load-static-")
    proc = start_gunicorn(args.database_url, args.workers, args.threads, static_root)
    lines = ["| scenario | users | page | requests | per s | p50 ms | p95 ms | p99 ms | max ms | errors |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    failed = False
    try:
        for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
            n = args.users
            if name == "dashboard":
                people, think = [replace(p, default_share=1 / 3) for p in personas["dashboard"][:n]], (args.think_min, args.think_max)
            elif name == "mixed":
                k_dash, k_child = round(n * 0.6), round(n * 0.2)
                people = [replace(p, default_share=1 / 3) for p in personas["dashboard"][:k_dash]] + personas["children"][:k_child] + personas["case"][:n - k_dash - k_child]
                think = (args.think_min, args.think_max)
            elif name == "saturation":
                people, think = personas["dashboard"][:n], (0.0, 0.0)
            else:
                raise SystemExit(f"unknown scenario {name}")
            print(f"scenario {name}: {len(people)} users, think {think[0]}-{think[1]} s, {args.warmup:.0f} s warm-up, "
                  f"{args.seconds:.0f} s measured ...", flush=True)
            samples = run_scenario(name, people, args.seconds, args.warmup, think)
            lines += report(name, samples, args.seconds, len(people))
            failed |= any(not s.ok for s in samples)
            statuses = defaultdict(int)
            for s in samples:
                if not s.ok:
                    statuses[s.status] += 1
            if statuses:
                print("  errors by HTTP status (0 = no answer):", dict(statuses), flush=True)
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(static_root, ignore_errors=True)
    print()
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

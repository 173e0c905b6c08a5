"""Benchmark: `manage.py import_declarations` on generated files, time and peak memory per run.

    .venv/bin/python benchmarks/import_declarations.py                       # SQLite, 100,000 lines, 3 runs
    .venv/bin/python benchmarks/import_declarations.py --lines 100000 300000 --runs 3 \\
        --database-url postgres://postgres@127.0.0.1:5432/fv_bench_imports

Every run imports into a fresh database (PostgreSQL: a copy of a migrated template database, created and
dropped here; SQLite: a copy of a migrated file) in a fresh `manage.py` process, so the peak RSS of that
process (os.wait4 → ru_maxrss) is the import's own. After the runs the same file is imported once more
into the last database: the idempotent re-import (0 new, 0 updated, all unchanged).

The file: synthetic valid BSNs (placements.bsn.synthetic_bsn), the seven Food Valley municipalities
written as GM code, bare code or name, several providers and care forms, monthly periods, amounts in
Dutch and English notation, about 3% negative corrections.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from placements.bsn import synthetic_bsn  # noqa: E402 (needs the project on the path; no Django setup)

MUNICIPALITIES = [("GM0203", "Barneveld"), ("GM0228", "Ede"), ("GM0267", "Nijkerk"), ("GM0279", "Scherpenzeel"),
                  ("GM0339", "Renswoude"), ("GM0340", "Rhenen"), ("GM0345", "Veenendaal")]
PROVIDERS = ["Jeugdzorg De Vallei", "Pleegzorg Gelderland", "Zorggroep Veenendaal", "Leger des Heils Jeugd",
             "Karakter", "Pluryn", "Lindenhout", "Entrea Lindenhout", "Jeugdhulp Nijkerk", "Gezinshuis De Linde",
             "'s Heeren Loo", "Youké"]
CARE_FORMS = [("AMB", 900), ("DAG", 2400), ("PLZ", 1600), ("NPZ", 900), ("GZH", 5200), ("RES", 9800), ("DRM", 11500),
              ("CRS", 7400), ("JZP", 16500)]
HEADER = "declaration_id;bsn;geboortedatum;gemeente;aanbieder;zorgvorm;begin_periode;einde_periode;bedrag\n"
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def dutch(amount: float) -> str:
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{'-' if amount < 0 else ''}{groups},{cents}"


def generate(path: Path, lines: int, seed: int = 2026) -> None:
    """Write `lines` declarations, streaming (about one child per 12 lines)."""
    rng = random.Random(seed)
    children = max(1, lines // 12)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for n in range(lines):
            child = rng.randrange(children)
            crng = random.Random(child)  # the child's own stable attributes
            birth_year = 2004 + crng.randrange(18)
            birth = f"{birth_year}-{1 + crng.randrange(12):02d}-{1 + crng.randrange(28):02d}"
            code, name = MUNICIPALITIES[crng.randrange(len(MUNICIPALITIES))]
            municipality = (code, code[2:], name)[n % 3]
            provider = PROVIDERS[crng.randrange(len(PROVIDERS))]
            form, monthly = CARE_FORMS[crng.randrange(len(CARE_FORMS))]
            year, month = 2023 + rng.randrange(3), 1 + rng.randrange(12)
            days = MONTH_DAYS[month - 1] + (1 if month == 2 and year == 2024 else 0)
            start, end = f"{year}-{month:02d}-01", f"{days:02d}-{month:02d}-{year}"
            if f"{year}-{month:02d}-{days:02d}" < birth:
                year = birth_year + 1
                start, end = f"{year}-{month:02d}-01", f"28-{month:02d}-{year}"
            amount = round(monthly * rng.uniform(0.6, 1.2), 2)
            if rng.random() < 0.03:
                amount = -round(amount * rng.uniform(0.05, 1.0), 2)
            text = (dutch(amount), f"€ {dutch(amount)}", f"{amount:.2f}")[n % 3]
            fh.write(f"D{n:08d};{synthetic_bsn(child)};{birth};{municipality};{provider};{form};{start};{end};{text}\n")


class Databases:
    """Fresh databases per run: PostgreSQL templates or copies of a migrated SQLite file."""

    def __init__(self, url: str | None, workdir: Path):
        self.workdir = workdir
        self.url = url
        self.postgres = bool(url and url.startswith(("postgres://", "postgresql://")))
        self.counter = 0
        if self.postgres:
            parsed = urlparse(url)
            self.base = parsed.path.lstrip("/") or "fv_bench_imports"
            self.template = f"{self.base}_template"
            self.created: list[str] = []

    def _pg_url(self, name: str) -> str:
        return urlunparse(urlparse(self.url)._replace(path=f"/{name}"))

    def _admin(self, *statements: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self._pg_url("postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            conn.close()

    def prepare(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}"', f'CREATE DATABASE "{self.template}"')
            migrate(self._pg_url(self.template))
        else:
            self.template_file = self.workdir / "template.sqlite3"
            migrate(f"sqlite:///{self.template_file}")

    def fresh(self) -> str:
        self.counter += 1
        if self.postgres:
            name = f"{self.base}_run{self.counter}"
            self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
            return self._pg_url(name)
        path = self.workdir / f"run{self.counter}.sqlite3"
        shutil.copyfile(self.template_file, path)
        return f"sqlite:///{path}"

    def drop_all(self) -> None:
        if self.postgres:
            self._admin(*[f'DROP DATABASE IF EXISTS "{name}"' for name in [*self.created, self.template]])


def environment(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media), PYTHONHASHSEED="0", LOG_LEVEL="WARNING")
    return env


def migrate(database_url: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True,
                   env=environment(database_url, ROOT / "media"), cwd=ROOT)


def run_import(database_url: str, csv_path: Path, workdir: Path) -> tuple[float, float, float, str]:
    """One `manage.py import_declarations` process: (wall seconds, CPU seconds, peak RSS in MB, stdout)."""
    out_path, err_path = workdir / "out.txt", workdir / "err.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "import_declarations", str(csv_path), "--progress-every", "1000000"],
            stdout=out, stderr=err, env=environment(database_url, workdir / "media"), cwd=ROOT,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    output = out_path.read_text()
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}):\n{output}\n{err_path.read_text()[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="postgres://… (a bench database is created and dropped) or empty for SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fv-bench-imports-"))
    databases = Databases(args.database_url, workdir)
    backend = "PostgreSQL" if databases.postgres else "SQLite"
    print(f"Preparing {backend} template database …", flush=True)
    databases.prepare()
    rows = []
    try:
        small = workdir / "small.csv"
        generate(small, 10)
        seconds, cpu, rss, _ = run_import(databases.fresh(), small, workdir)
        rows.append(("10 (baseline)", 1, seconds, cpu, 10 / seconds, rss, None))
        for lines in args.lines:
            csv_path = workdir / f"declarations_{lines}.csv"
            started = time.perf_counter()
            generate(csv_path, lines)
            size_mb = csv_path.stat().st_size / 1e6
            print(f"Generated {lines:,} lines ({size_mb:.1f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
            timings, cpus, peaks = [], [], []
            for run in range(1, args.runs + 1):
                url = databases.fresh()
                seconds, cpu, rss, output = run_import(url, csv_path, workdir)
                timings.append(seconds)
                cpus.append(cpu)
                peaks.append(rss)
                print(f"  run {run}: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MB — {output.splitlines()[0]}",
                      flush=True)
            again, _again_cpu, again_rss, output = run_import(url, csv_path, workdir)
            if f"0 nieuw, 0 bijgewerkt, {lines} ongewijzigd" not in output.replace(".", ""):
                raise SystemExit(f"re-import was not idempotent: {output}")
            print(f"  re-import: {again:.1f} s, peak RSS {again_rss:.0f} MB — {output.splitlines()[0]}", flush=True)
            median = statistics.median(timings)
            rows.append((f"{lines:,}", args.runs, median, statistics.median(cpus), lines / median, max(peaks), (again, again_rss)))
            if not args.keep:
                csv_path.unlink()
    finally:
        databases.drop_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"import_declarations on {backend} (fresh database and process per run)")
    print(f"{'lines':>14} {'runs':>4} {'median s':>9} {'CPU s':>6} {'lines/s':>9} {'peak RSS MB':>12} {'re-import s':>12} "
          f"{'re-import MB':>13}")
    for label, runs, seconds, cpu, rate, rss, again in rows:
        again_s = f"{again[0]:12.1f} {again[1]:13.0f}" if again else f"{'':>12} {'':>13}"
        print(f"{label:>14} {runs:>4} {seconds:9.1f} {cpu:6.1f} {rate:9,.0f} {rss:12.0f} {again_s}")
    print(f"(load average during the benchmark: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()

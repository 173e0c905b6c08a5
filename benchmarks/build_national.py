#!/usr/bin/env python
"""National-scale demo build on PostgreSQL: N children over all 342 municipalities, with bulk inserts.

Runs `manage.py migrate` and `manage.py demo_region --children N --regions all --reset` in a subprocess
against DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fv_bench, created when missing) and
prints children, episodes, declarations, seconds and the peak resident memory of the build process.
The database is left in place for later benchmarks.

    .venv/bin/python benchmarks/build_national.py --children 100000
    .venv/bin/python benchmarks/build_national.py --children 1000000
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fv_bench"


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"database {name} created", file=sys.stderr)
    conn.close()


def count_rows(url: str) -> dict[str, int]:
    import psycopg2

    conn = psycopg2.connect(url)
    counts = {}
    with conn.cursor() as cur:
        for key, table in (("children", "placements_child"), ("episodes", "placements_episode"), ("declarations", "placements_declaration")):
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[key] = cur.fetchone()[0]
        cur.execute("SELECT count(DISTINCT municipality_id) FROM placements_child")
        counts["municipalities"] = cur.fetchone()[0]
    conn.close()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-declarations", action="store_true")
    args = parser.parse_args()

    env = dict(os.environ, DATABASE_URL=args.database_url)
    python = sys.executable
    ensure_database(args.database_url)
    subprocess.run([python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)

    command = [python, "manage.py", "demo_region", "--children", str(args.children), "--regions", "all", "--reset", "--seed", str(args.seed)]
    if args.no_declarations:
        command.append("--no-declarations")
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux; largest child process
    counts = count_rows(args.database_url)

    print()
    print(f"{'children':>12} {'episodes':>12} {'declarations':>13} {'municipalities':>15} {'seconds':>9} {'peak RSS MB':>12}")
    print(f"{counts['children']:>12,} {counts['episodes']:>12,} {counts['declarations']:>13,} {counts['municipalities']:>15} "
          f"{seconds:>9.1f} {peak_mb:>12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

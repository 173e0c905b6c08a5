"""Prove that a change leaves every figure identical: build the Food Valley demo (region, casework, foster care)
in a throwaway database, compute one snapshot run the way users do (the run task: in-process without a broker),
and write every series of that run to a file in long form, sorted. With --compare, compare the file just written
with an earlier one and print how many series and values were compared and every difference.

    .venv/bin/python benchmarks/figures_identity.py /tmp/before.csv                       # on the old code
    .venv/bin/python benchmarks/figures_identity.py /tmp/after.csv --compare /tmp/before.csv

The demo is deterministic (fixed seeds) up to its last month, which is pinned with --until (default 2026-10)
so that a comparison made on another day builds the same data. Default database: a new SQLite file in a
temporary folder; --database postgres://… uses (and empties) that database instead.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def build_and_export(out: Path, *, database: str | None, until: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.pop("CELERY_BROKER_URL", None)  # the run's tasks run in-process, one part after the other
        env["DATABASE_URL"] = database or f"sqlite:///{tmp}/figures.sqlite3"
        if database:  # a scratch database: its append-only access log may be emptied too (accounts migration 0006)
            manage({**env, "PGOPTIONS": "-c foodvalley.allow_log_truncate=on"}, "flush", "--noinput")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "demo_region", "--reset", "--until", until)
        manage(env, "demo_casework")
        manage(env, "demo_fostercare")
        # the data date of the run: the last day of --until
        y, m = (int(p) for p in until.split("-"))
        today = f"{y + m // 12:04d}-{m % 12 + 1:02d}-15"
        manage(env, "compute_figures", "--today", today)
        raw = Path(tmp) / "raw.csv"
        manage(env, "export_figures", str(raw))
        with open(raw, encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = sorted(reader)
        with open(out, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)


def read(path: Path) -> tuple[list[str], dict[tuple, str]]:
    with open(path, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    value = header.index("value")
    return header, {tuple(r[:value] + r[value + 1:]): r[value] for r in rows}


def compare(new: Path, old: Path) -> int:
    header, after = read(new)
    header_old, before = read(old)
    if header != header_old:
        print(f"columns differ: {header_old} -> {header}")
        return 1
    key_cols = [c for c in header if c not in ("period", "value")]
    idx = [i for i, c in enumerate(c for c in header if c != "value") if c in key_cols]

    def series(keys):
        return {tuple(k[i] for i in idx) for k in keys}

    differences = [(k, before.get(k), after.get(k)) for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    print(f"series compared: {len(series(before) | series(after)):,} (before {len(series(before)):,}, after {len(series(after)):,})")
    print(f"values compared: {len(before.keys() | after.keys()):,}")
    print(f"differences: {len(differences)}")
    for k, a, b in sorted(differences, key=lambda d: d[0])[:50]:
        print(f"  {k}: {a} -> {b}")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, help="an earlier output to compare with")
    parser.add_argument("--database", help="a PostgreSQL URL to use (it is emptied) instead of a new SQLite file")
    parser.add_argument("--until", default="2026-10", help="last month of the demo data (default %(default)s)")
    args = parser.parse_args()
    build_and_export(args.out, database=args.database, until=args.until)
    print(f"written: {args.out}")
    return compare(args.out, args.compare) if args.compare else 0


if __name__ == "__main__":
    sys.exit(main())

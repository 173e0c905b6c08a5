"""The pseudonymised episode export: one row per episode with an export pseudonym and a birth month, never a BSN,
a label, the registry's pseudonym or a birth day. Written as a file by a background job (reports.ExportJob),
row by row: CSV at any size in bounded memory, XLSX (a write-only workbook) up to the sheet's row limit."""
from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterator

from django.conf import settings

from placements.models import Episode

from .figures import CSV_DELIMITER, csv_value, escape

#: An XLSX sheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575


EPISODE_HEADER = ["pseudoniem", "geboortemaand", "geslacht", "gemeente", "zorgvorm", "aanbieder", "begindatum", "einddatum",
                  "reden_beeindiging", "verwijzer", "juridisch_kader"]


def export_pseudonym(pseudonym: str) -> str:
    """A pseudonym for exports only: HMAC of the registry pseudonym with a purpose label. Stable across exports (so
    episodes of one child can be linked), but not the registry's own pseudonym nor its access-log reference."""
    key = settings.BSN_HASH_KEY.encode()
    return hmac.new(key, f"export:{pseudonym}".encode(), hashlib.sha256).hexdigest()[:20]


def episode_rows(*, region=None, municipality=None) -> Iterator[list]:
    """Pseudonymised episodes: export pseudonym, birth month (YYYY-MM), sex, municipality code, care form, provider,
    dates and codes. Never a label, a BSN, the registry pseudonym or a birth day."""
    qs = Episode.objects.all()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    elif region is not None:
        qs = qs.filter(municipality__region=region)
    rows = qs.order_by("child_id", "start_date", "id").values_list(
        "child__pseudonym", "child__birth_date", "child__sex", "municipality__cbs_code", "care_form__code", "provider__name",
        "start_date", "end_date", "end_reason", "referrer", "legal_framework")
    cache: dict[str, str] = {}
    for pseudonym, birth, sex, muni, form, provider, start, end, reason, referrer, legal in rows.iterator(chunk_size=5000):
        alias = cache.get(pseudonym)
        if alias is None:
            alias = cache[pseudonym] = export_pseudonym(pseudonym)
        yield [alias, f"{birth:%Y-%m}", sex, muni, form, provider, start.isoformat(), end.isoformat() if end else "", reason, referrer, legal]


def episode_count(*, region=None, municipality=None) -> int:
    qs = Episode.objects.all()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    elif region is not None:
        qs = qs.filter(municipality__region=region)
    return qs.count()


def write_episodes_csv(rows: Iterator[list], fh, *, progress=None) -> int:
    """CSV for Dutch Excel (BOM, ';'), one row at a time; returns the number of rows. `progress(n)` every 50,000."""
    fh.write("\ufeff")
    writer = csv.writer(fh, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([escape(h) for h in EPISODE_HEADER])
    n = 0
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
        n += 1
        if progress and n % 50_000 == 0:
            progress(n)
    return n


def write_episodes_xlsx(rows: Iterator[list], path, *, about: list[tuple[str, str]], progress=None) -> int:
    """XLSX with a sheet "Over deze export" and the sheet "Trajecten", written row by row (openpyxl write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(ws, value, header=False):
        c = WriteOnlyCell(ws, value=escape(value))
        if isinstance(c.value, str):
            c.data_type = "s"  # text, even when it looks like a formula
        if header:
            c.font = bold
        return c

    info = wb.create_sheet("Over deze export")
    for key, value in about:
        info.append([cell(info, str(key), True), cell(info, str(value))])
    ws = wb.create_sheet("Trajecten")
    ws.append([cell(ws, h, True) for h in EPISODE_HEADER])
    n = 0
    for row in rows:
        if n >= XLSX_MAX_ROWS:
            raise ValueError("more episodes than an XLSX sheet holds")
        ws.append([cell(ws, v) for v in row])
        n += 1
        if progress and n % 50_000 == 0:
            progress(n)
    wb.save(path)
    return n

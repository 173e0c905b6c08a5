"""Exports of figures: the long form of a whole run (export_figures), and the dashboard's figure sets and tables
as CSV and XLSX from a named snapshot run, suppressed, with formula-injection protection.

Formula injection: a text cell that starts with = + - @ or a tab / carriage return gets a leading apostrophe
(monitoring.charts.safe_text, the dashboard CSV's own rule) and, in XLSX, is stored as a text cell (never as a
formula, which openpyxl would otherwise make of a string starting with "="). Numbers stay numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from core.formatting import spreadsheet_number
from monitoring import registry
from monitoring.dashboard.charts import FORMULA_PREFIXES, safe_text
from monitoring.models import SnapshotRun
from monitoring.runs import store
from monitoring.targets import progress as target_progress
from monitoring.targets.selectors import targets_visible
from placements.models import PROVIDER_PREFIX, Provider

HEADER = ["period", "scope", "care_form_group", "provider", "age_band", "metric", "value"]
CSV_DELIMITER = ";"  # as the dashboard CSV: Dutch Excel reads ; with decimal commas
# XLSX sheet names are at most 31 characters: short names per dashboard figure set
SHEET_TITLES = {"stock_forms": "Per zorgvorm", "flows": "Instroom en uitstroom", "levels": "Op- en afschalingen", "ladder": "Ladder",
                "los": "Verblijfsduur", "cost": "Kosten", "municipalities": "Gemeenten"}
FIGURE_HEADER = ["figuur", "periode", "gebied", "reeks", "zorgvormgroep", "leeftijd", "kengetal", "waarde"]


def provider_names() -> dict[str, str]:
    """A figure's provider as the export writes it, per series group (`prov_<id>`): its AGB code, or its name
    when it has none."""
    return {f"{PROVIDER_PREFIX}{pk}": agb or name for pk, name, agb in Provider.objects.values_list("pk", "name", "agb_code")}


def figure_rows(run: SnapshotRun, *, scopes: list[str] | None = None) -> Iterator[list]:
    """Every stored value of the run (unsuppressed), one row per figure, in a stable order. A figure per provider
    has its provider in the `provider` column and group "all"; the column is empty for every other figure."""
    filters = {} if scopes is None else {"scope__in": scopes}
    providers = provider_names()
    for s in store.iter_run_series(run, **filters):
        group, provider = s.group, ""
        if group.startswith(PROVIDER_PREFIX):
            group, provider = "all", providers.get(group, group)
        for period in sorted(s.values):
            value = s.values[period]
            yield [period, s.scope, group, provider, s.band, s.metric, "" if value is None else value]


def write_csv(run: SnapshotRun, fh, *, scopes: list[str] | None = None) -> int:
    writer = csv.writer(fh)
    writer.writerow(HEADER)
    n = 0
    for row in figure_rows(run, scopes=scopes):
        writer.writerow(row)
        n += 1
    return n


# --------------------------------------------------------------------------------------------- sheets
@dataclass
class Sheet:
    """One table of an export: typed values (str, int, float, Decimal, date or None); text is escaped on writing."""

    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


def escape(value):
    """A value safe for a spreadsheet: text starting with a formula character gets a leading apostrophe."""
    if isinstance(value, str):
        return safe_text(value)
    return value


def _cell_value(cell):
    """A dashboard Cell as a typed value: the number, the suppression mark ("≤5" / "x") as text, or nothing (an
    empty cell, not "–") where there is no value."""
    if cell.suppressed:  # "≤5", "x"; a hidden change (shown "–" on the page) is "x" here: hidden, not missing
        return "x" if cell.text == "–" else cell.text
    if cell.value is None:
        return None
    value = cell.value
    return int(value) if float(value).is_integer() else round(float(value), 4)


def dashboard_sheets(dash, *, words: bool = True) -> list[Sheet]:
    """Every figure set and table of a dashboard (already suppressed: build it with exact=False), in long form: groups,
    ages and figures in Dutch words for people; with words=False their codes (stock, residential, 0-11) for programs."""
    scope = dash.scope.label
    group_of, band_of, metric_of = (_group, _band, _metric) if words else (str, str, str)
    sheets = []
    tiles = Sheet("tiles", "Kerncijfers", FIGURE_HEADER)
    for t in dash.tiles:
        for metric, cell in (("stock", t.value), ("stock_per_1000", t.per_1000), ("change_month", t.change_month), ("change_year", t.change_year)):
            tiles.rows.append(["Kerncijfers", dash.month, scope, t.label, group_of(t.group), band_of(t.band), metric_of(metric), _cell_value(cell)])
    sheets.append(tiles)
    for table in dash.figures:
        sheet = Sheet(table.key, SHEET_TITLES.get(table.key, table.title), FIGURE_HEADER)
        if table.key == "municipalities":
            for row in dash.comparison:
                sheet.rows.append([sheet.title, dash.month, row.scope.label, "kinderen in zorg", group_of(dash.group), band_of(dash.band),
                                   metric_of("stock"), _cell_value(row.stock)])
                sheet.rows.append([sheet.title, dash.month, row.scope.label, "per 1.000 jeugdigen", group_of(dash.group), band_of(dash.band),
                                   metric_of("stock_per_1000"), _cell_value(row.per_1000)])
        else:
            for trace in table.traces:
                for p in trace.points:
                    sheet.rows.append([sheet.title, p.x, scope, trace.name, group_of(trace.group), band_of(trace.band), metric_of(trace.metric),
                                       _cell_value(p.cell)])
        sheets.append(sheet)
    casework = Sheet("casework", "Casuswerk en pleegzorg", FIGURE_HEADER)
    for name, section in registry.DASHBOARD_SECTIONS.items():
        for row in section(dash).get("rows", []):
            casework.rows.append([name, row["period"], scope, str(row["label"]), group_of(row.get("group", "all")), band_of(row.get("band", "all")),
                                  metric_of(row["key"].split(":")[0]), _text_value(row["text"])])
    if casework.rows:
        sheets.append(casework)
    return sheets


TILE_METRICS = {"stock_per_1000": "per 1.000 jeugdigen", "change_month": "verandering t.o.v. vorige maand (%)",
                "change_year": "verandering t.o.v. vorig jaar (%)"}
BAND_WORDS = {"all": "alle leeftijden", "0-11": "0-11 jaar", "12-17": "12-17 jaar", "18+": "18 jaar en ouder"}


def _group(group: str) -> str:
    """A care-form group (or an app's group) in words, as the targets page names it."""
    return "alle" if group == "all" else target_progress.group_label(group)


def _band(band: str) -> str:
    return BAND_WORDS.get(band, band)


def _metric(key: str) -> str:
    """A figure's Dutch name (the registry's label), a tile's own measures in words."""
    if key in TILE_METRICS:
        return TILE_METRICS[key]
    metric = registry.get(key)
    return str(metric.label) if metric is not None else key


TARGET_HEADER = ["doel", "gebied", "figuur", "zorgvormgroep", "leeftijd", "doel_tekst", "status", "basis", "werkelijk", "verwacht_nu",
                 "prognose", "stand_per"]


def targets_sheet(*, user, run, scope_key: str) -> Sheet:
    """The targets of one scope (region by name, municipality by CBS code) in a run, suppressed as on the targets
    page for a viewer without case access."""
    sheet = Sheet("targets", "Doelen", TARGET_HEADER)
    for target in targets_visible(user=user):
        if target_progress.scope_key(target)[1] != scope_key:
            continue
        progress = target_progress.target_progress(target, run)
        card = target_progress.card(progress, suppress=True)
        cells = card["cells"]
        sheet.rows.append([target.name, card["scope"], target.metric, card["group"], card["band"], card["goal_text"], progress.status_label,
                           *(_cell_value(cells[k]) for k in ("baseline", "actual", "expected", "forecast")),
                           progress.as_of.isoformat() if progress.as_of else None])
    return sheet


def _text_value(text: str):
    """The casework section's text as a number where it is one ("12" → 12, "45%" stays text)."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return text


# --------------------------------------------------------------------------------------------- writers
def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return spreadsheet_number(value)
    if isinstance(value, Decimal):
        return spreadsheet_number(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape(str(value))


def write_sheets_csv(sheets: Iterable[Sheet], fh, *, delimiter: str = CSV_DELIMITER) -> int:
    """All sheets in one CSV (they share their header when they come from one dashboard); returns data rows."""
    writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
    n = 0
    header_written = None
    for sheet in sheets:
        if sheet.header != header_written:
            writer.writerow([escape(h) for h in sheet.header])
            header_written = sheet.header
        for row in sheet.rows:
            writer.writerow([csv_value(v) for v in row])
            n += 1
    return n


def _xlsx_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in '[]:*?/\\')[:31] or "Blad"
    base, i = clean, 2
    while clean in used:
        clean = f"{base[:28]} {i}"
        i += 1
    used.add(clean)
    return clean


def write_sheets_xlsx(sheets: Iterable[Sheet], *, about: list[tuple[str, str]] | None = None) -> bytes:
    """An XLSX workbook: a sheet "Over deze export" (run, scope, suppression) and one sheet per table.
    Text cells are escaped and stored as text (data type "s"), never as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)

    def cell(ws, value, *, header: bool = False):
        value = escape(value)
        if hasattr(value, "quantize"):  # Decimal: keep cents exact as a number
            value = float(value)
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it looks like a formula
        if header:
            c.font = bold
        return c

    if about:
        ws = wb.create_sheet(_xlsx_title("Over deze export", used))
        for key, value in about:
            ws.append([cell(ws, key, header=True), cell(ws, value)])
    for sheet in sheets:
        ws = wb.create_sheet(_xlsx_title(sheet.title, used))
        ws.append([cell(ws, h, header=True) for h in sheet.header])
        for row in sheet.rows:
            ws.append([cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["TARGET_HEADER", "targets_sheet", "FIGURE_HEADER", "FORMULA_PREFIXES", "Sheet", "dashboard_sheets", "escape",
           "figure_rows", "write_csv", "write_sheets_csv", "write_sheets_xlsx"]

"""Importing child-protection measures from a GI's or the municipality's file (`manage.py import_measures FILE`).

A file is all or nothing, like the episodes import: every line is checked first, and one error stores nothing; the
errors say line, column and what to change, in Dutch, and never repeat a BSN. A line with an id that was imported
before replaces that measure. The child must be known already (registered, or from an episodes import): a measure
file does not create children.

Columns (header names in English or Dutch, any case; `,` or `;`): measure_id / maatregel_id, bsn, municipality /
gemeente, kind / maatregel (CBS 11, 12, 21, 22 or the words), gi / gecertificeerde_instelling (name or AGB code of
a known provider), start_date / ingangsdatum, end_date / einddatum (empty while running).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from placements.bsn import is_valid_bsn, mask_bsns, normalise_bsn, pseudonymise
from placements.imports.parsing import (
    DateError,
    municipality_key,
    municipality_keys,
    normalise_header,
    parse_date,
    provider_key,
    sniff_delimiter,
)
from placements.models import Child, Municipality, Provider

from .models import Measure

COLUMNS = {
    "measure_id": ("measure_id", "maatregel_id", "maatregelid", "id"),
    "bsn": ("bsn", "burgerservicenummer"),
    "municipality": ("municipality", "gemeente", "gemeentecode"),
    "kind": ("kind", "maatregel", "soort", "code"),
    "gi": ("gi", "gecertificeerde_instelling", "gecertificeerdeinstelling", "instelling"),
    "start_date": ("start_date", "ingangsdatum", "begindatum", "startdatum"),
    "end_date": ("end_date", "einddatum"),
}
REQUIRED = ("measure_id", "bsn", "municipality", "kind", "gi", "start_date")
KIND_WORDS = {
    "11": "11", "ots": "11", "ondertoezichtstelling": "11",
    "12": "12", "vots": "12", "voorlopigeots": "12", "voorlopigeondertoezichtstelling": "12",
    "21": "21", "voogdij": "21",
    "22": "22", "vvoogdij": "22", "voorlopigevoogdij": "22",
}
MAX_LINES = 200_000


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _kind(text: str) -> str:
    key = "".join(text.casefold().split()).replace("-", "").replace("_", "")
    if key not in KIND_WORDS:
        raise ValueError
    return KIND_WORDS[key]


def measures_import(*, data: bytes, user=None, today: dt.date | None = None) -> Result:
    """Check every line of a measures file, then store all of it or nothing (see the module docstring)."""
    today = today or timezone.localdate()
    result = Result()
    text = _decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append((1, "", _("Het bestand is leeg.")))
        return result
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(lines[0]))
    header = [normalise_header(h) for h in next(reader)]
    aliases = {alias: column for column, names in COLUMNS.items() for alias in names}
    positions = {aliases[h]: i for i, h in enumerate(header) if h in aliases}
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        result.errors.append((1, ", ".join(missing), _("Verplichte kolom ontbreekt: %(columns)s.") % {"columns": ", ".join(missing)}))
        return result

    munis = {key: pk for pk, code, name in Municipality.objects.values_list("pk", "cbs_code", "name") for key in municipality_keys(code, name)}
    providers = {provider_key(name): pk for pk, name in Provider.objects.values_list("pk", "name")}
    providers.update({agb: pk for pk, agb in Provider.objects.exclude(agb_code="").values_list("pk", "agb_code")})
    rows = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if number > MAX_LINES:
            result.errors.append((number, "", _("Meer dan %(n)s regels: splits het bestand.") % {"n": MAX_LINES}))
            break
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()}

        def error(column: str, message: str, number=number) -> None:
            result.errors.append((number, column, mask_bsns(message)))

        for column in REQUIRED:
            if not values.get(column):
                error(column, _("Dit verplichte veld is leeg."))
        if any(e[0] == number for e in result.errors):
            continue
        if values["measure_id"] in seen:
            error("measure_id", _("Het regel-id komt ook voor op regel %(other)s.") % {"other": seen[values["measure_id"]]})
            continue
        seen[values["measure_id"]] = number
        bsn = normalise_bsn(values["bsn"])
        if not is_valid_bsn(bsn):
            error("bsn", _("Ongeldig BSN: het nummer voldoet niet aan de elfproef."))
            continue
        row = {"source_id": values["measure_id"], "pseudonym": pseudonymise(bsn)}
        try:
            row["kind"] = _kind(values["kind"])
        except ValueError:
            error("kind", _("Onbekende maatregel '%(value)s'; gebruik 11 (OTS), 12 (voorlopige OTS), 21 (voogdij) of 22 (voorlopige voogdij).")
                  % {"value": values["kind"][:40]})
        row["municipality_id"] = munis.get(municipality_key(values["municipality"]))
        if row["municipality_id"] is None:
            error("municipality", _("Onbekende gemeente '%(value)s'.") % {"value": values["municipality"][:40]})
        row["gi_id"] = providers.get(provider_key(values["gi"])) or providers.get(values["gi"])
        if row["gi_id"] is None:
            error("gi", _("Onbekende GI '%(value)s'; voeg de instelling eerst toe als aanbieder (naam of AGB-code).") % {"value": values["gi"][:60]})
        for column in ("start_date", "end_date"):
            if not values.get(column):
                row[column] = None
                continue
            try:
                row[column] = parse_date(values[column])
            except DateError:
                error(column, _("'%(value)s' is geen geldige datum; gebruik JJJJ-MM-DD of DD-MM-JJJJ.") % {"value": values[column][:20]})
                row[column] = None
        if row.get("start_date") and row["start_date"] > today:
            error("start_date", _("De ingangsdatum ligt in de toekomst."))
        if row.get("start_date") and row.get("end_date") and row["end_date"] <= row["start_date"]:
            error("end_date", _("De einddatum ligt niet na de ingangsdatum."))
        rows.append((number, row))
    if result.errors:
        return result

    children = dict(Child.objects.filter(pseudonym__in=[r["pseudonym"] for _n, r in rows]).values_list("pseudonym", "pk"))
    for number, row in rows:
        if row["pseudonym"] not in children:
            result.errors.append((number, "bsn", _("Dit kind is niet bekend. Registreer het kind of importeer eerst zijn trajecten.")))
    if result.errors:
        return result
    with transaction.atomic():
        stored = {m.source_id: m for m in Measure.objects.select_for_update().filter(source_id__in=[r["source_id"] for _n, r in rows])}
        for _number, row in rows:
            values = {"child_id": children[row["pseudonym"]], "kind": row["kind"], "gi_id": row["gi_id"],
                      "municipality_id": row["municipality_id"], "start_date": row["start_date"], "end_date": row["end_date"]}
            before = stored.get(row["source_id"])
            if before is None:
                Measure.objects.create(source_id=row["source_id"], created_by=user, **values)
                result.created += 1
            elif all(getattr(before, k) == v for k, v in values.items()):
                result.unchanged += 1
            else:
                for k, v in values.items():
                    setattr(before, k, v)
                before.save(update_fields=list(values))
                result.updated += 1
        log_access(actor=user, action=AccessAction.IMPORT, object_type="measure_import",
                   detail=f"measures: rows={len(rows)} created={result.created} updated={result.updated} unchanged={result.unchanged}")
    return result

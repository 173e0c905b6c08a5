"""Reading import files: encoding, delimiter, headers, and the value parsers (dates, amounts, codes).

Everything here streams: a file is read line by line and never held in memory whole.

Decisions (documented for administrators in the upload page and the README of the imports):

* Encoding: UTF-8 with or without BOM (and UTF-16 with a BOM, as Excel writes "Unicode text").
  A file that is not valid UTF-8 is read as Windows-1252 (cp1252, the usual Excel export on Dutch
  Windows); only when that fails too (bytes undefined in cp1252) the file is refused (rule F003).
* Delimiter: the header line decides: semicolon, comma or tab, whichever occurs most (comma on a tie).
* Headers: case-insensitive, trimmed, accents and spaces/dashes ignored; English and Dutch names.
* Dates: ``YYYY-MM-DD`` or ``DD-MM-YYYY`` (day and month may have one digit; ``/`` or ``.`` instead
  of ``-`` is accepted in the Dutch order). Years outside 1900–2100 count as impossible dates.
* Amounts: ``.`` or ``,`` as decimal separator, optional ``€``/``EUR``, thousands separators.
  With both separators present the last one is the decimal separator. With one separator occurring
  once, exactly three digits after it make it a thousands separator (``1.234`` = 1234 and
  ``1,234`` = 1234: euro amounts have at most two decimals); one or two digits make it the decimal
  separator. More than two decimals is an error. A leading ``-`` (also after ``€``), a trailing ``-``
  or parentheses make the amount negative.
* End reason: the iJw JZ588 codes (31–36, 38, 39 and 02 = death). CBS codes 01, 03, 04 and 05 (also
  written 1, 3, 4, 5) are unambiguous and mapped to iJw (01→31, 03→32, 04→33, 05→35). "02" is always
  iJw (death); CBS 02 ("voortijdig, in overeenstemming") must be written as 34 or as ``CBS02``; any
  CBS code may carry the prefix ``CBS``. A bare "2" is ambiguous and refused.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

EPISODES = "episodes"
DECLARATIONS = "declarations"

#: Canonical columns per kind, in the documented order.
COLUMNS: dict[str, tuple[str, ...]] = {
    EPISODES: ("episode_id", "bsn", "birth_date", "sex", "municipality", "provider", "care_form",
               "start_date", "end_date", "end_reason", "referrer", "legal_framework", "target_group", "agb"),
    DECLARATIONS: ("declaration_id", "bsn", "birth_date", "municipality", "provider", "care_form",
                   "period_start", "period_end", "amount", "agb", "product_category", "product_code"),
}

#: Columns that must be present in the header (and filled in on every line).
REQUIRED: dict[str, tuple[str, ...]] = {
    EPISODES: ("episode_id", "bsn", "birth_date", "municipality", "provider", "care_form", "start_date"),
    DECLARATIONS: COLUMNS[DECLARATIONS][:-3],  # all but agb and the product (which may stand in for the care form)
}
#: a column that another may stand in for: a declaration file may give the iJw product instead of the care form
#: (mapped with the region's ProductCode table)
STANDS_IN: dict[str, dict[str, str]] = {DECLARATIONS: {"care_form": "product_code"}}

ID_FIELD = {EPISODES: "episode_id", DECLARATIONS: "declaration_id"}

_COMMON_ALIASES = {
    "bsn": ("bsn", "burgerservicenummer"),
    "birth_date": ("birth_date", "birthdate", "date_of_birth", "geboortedatum"),
    "municipality": ("municipality", "gemeente", "gemeentecode"),
    "provider": ("provider", "aanbieder", "zorgaanbieder"),
    "care_form": ("care_form", "zorgvorm"),
    "agb": ("agb", "agb_code", "agbcode", "agb_code_aanbieder"),
}

#: Accepted header names (already normalised by `normalise_header`) per kind → canonical column.
ALIASES: dict[str, dict[str, str]] = {
    EPISODES: {
        **{alias: col for col, names in _COMMON_ALIASES.items() for alias in names},
        **{alias: "episode_id" for alias in ("episode_id", "episodeid", "traject_id", "trajectid")},
        **{alias: "sex" for alias in ("sex", "gender", "geslacht")},
        **{alias: "start_date" for alias in ("start_date", "startdate", "begindatum", "startdatum", "ingangsdatum")},
        **{alias: "end_date" for alias in ("end_date", "enddate", "einddatum")},
        **{alias: "end_reason" for alias in ("end_reason", "reden_beeindiging", "redenbeeindiging", "reden_einde")},
        **{alias: "referrer" for alias in ("referrer", "verwijzer")},
        **{alias: "legal_framework" for alias in ("legal_framework", "legalframework", "juridisch_kader", "juridischkader", "kader")},
        **{alias: "target_group" for alias in ("target_group", "targetgroup", "doelgroep")},
    },
    DECLARATIONS: {
        **{alias: col for col, names in _COMMON_ALIASES.items() for alias in names},
        **{alias: "declaration_id" for alias in ("declaration_id", "declarationid", "declaratie_id", "declaratieid")},
        **{alias: "period_start" for alias in ("period_start", "begin_periode", "periode_begin", "begindatum_periode",
                                                "periode_start", "begindatum", "startdatum")},
        **{alias: "period_end" for alias in ("period_end", "einde_periode", "eind_periode", "periode_einde", "periode_eind",
                                              "einddatum_periode", "einddatum")},
        **{alias: "amount" for alias in ("amount", "bedrag", "bedrag_euro")},
        **{alias: "product_category" for alias in ("product_category", "productcategorie", "product_categorie", "productcategory")},
        **{alias: "product_code" for alias in ("product_code", "productcode")},
    },
}

DELIMITERS = (";", ",", "\t")
READ_CHUNK = 1 << 20
MAX_HEADER_CHARS = 64 * 1024


def normalise_header(name: str) -> str:
    """`  Reden beëindiging ` → `reden_beeindiging` (case, accents, spaces, dashes and dots ignored)."""
    text = unicodedata.normalize("NFKD", (name or "").replace("\ufeff", "")).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[\s\-.]+", "_", text.strip().strip('"').strip().lower())
    return text.strip("_")


def sniff_delimiter(header_line: str) -> str:
    counts = [(header_line.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


# ---------------------------------------------------------------------------------------------
# Encoding and line count (one streaming pass over the bytes)


class EncodingError(ValueError):
    """The file cannot be decoded (not UTF-8/UTF-16 and not Windows-1252)."""


@dataclass
class Prescan:
    encoding: str
    lines: int  # number of physical lines (a last line without newline counts)
    size: int


def prescan(fh: IO[bytes]) -> Prescan:
    """Detect the encoding and count lines, holding no more than one chunk in memory."""
    fh.seek(0)
    head = fh.read(4)
    fh.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = size = 0
    ends_with_newline = True
    valid = True
    while chunk := fh.read(READ_CHUNK):
        size += len(chunk)
        if encoding == "utf-16":
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
                break
            lines += text.count("\n")
            if text:
                ends_with_newline = text.endswith("\n")
            continue
        lines += chunk.count(b"\n")
        ends_with_newline = chunk.endswith(b"\n")
        if valid:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if size and not ends_with_newline:
        lines += 1
    fh.seek(0)
    if not valid:
        if encoding == "utf-16":
            raise EncodingError("utf-16")
        encoding = "cp1252"
    return Prescan(encoding=encoding, lines=lines, size=size)


# ---------------------------------------------------------------------------------------------
# CSV reading


class CsvStructureError(ValueError):
    """The csv module could not read the file (e.g. NUL bytes, unterminated quote at the end)."""


@dataclass
class Header:
    kind: str
    delimiter: str
    names: list[str]  # the header cells as written (trimmed)
    positions: dict[str, int] = field(default_factory=dict)  # canonical column → cell index
    display: dict[str, str] = field(default_factory=dict)  # canonical column → header as written
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # canonical columns given twice
    unknown: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.names)


def parse_header(kind: str, cells: list[str], delimiter: str) -> Header:
    names = [c.replace("\ufeff", "").strip() for c in cells]
    header = Header(kind=kind, delimiter=delimiter, names=names)
    aliases = ALIASES[kind]
    for index, name in enumerate(names):
        column = aliases.get(normalise_header(name))
        if column is None:
            if name:
                header.unknown.append(name)
            continue
        if column in header.positions:
            if column not in header.duplicates:
                header.duplicates.append(column)
            continue
        header.positions[column] = index
        header.display[column] = name[:40]
    stands_in = STANDS_IN.get(kind, {})
    header.missing = [c for c in REQUIRED[kind] if c not in header.positions and stands_in.get(c) not in header.positions]
    return header


@dataclass(slots=True)
class RawRow:
    line: int  # line number in the file (header = 1), the line where the record ends
    cells: dict[str, str]  # canonical column → trimmed text (absent columns are missing from the dict)
    width: int  # number of cells on the line


class CsvFile:
    """A streaming reader of one import file. `open()` may be called more than once (for each pass)."""

    def __init__(self, fh: IO[bytes], kind: str, encoding: str):
        self.fh = fh
        self.kind = kind
        self.encoding = encoding
        self.header: Header | None = None

    def _text(self) -> io.TextIOWrapper:
        self.fh.seek(0)
        raw = io.BufferedReader(_NonClosing(self.fh), buffer_size=READ_CHUNK)
        return io.TextIOWrapper(raw, encoding=self.encoding, newline="", errors="strict")

    def read_header(self) -> Header | None:
        """Read and interpret the first non-empty line. None for an empty file.

        Reads at most MAX_HEADER_CHARS per line, so a file without line breaks is not read into memory whole.
        """
        text = self._text()
        try:
            while line := text.readline(MAX_HEADER_CHARS):
                if len(line) >= MAX_HEADER_CHARS and not line.endswith(("\n", "\r")):
                    raise CsvStructureError(f"kopregel langer dan {MAX_HEADER_CHARS} tekens")
                if line.strip().strip("\ufeff").strip(",;\t").strip():
                    delimiter = sniff_delimiter(line)
                    try:
                        cells = next(csv.reader([line], delimiter=delimiter))
                    except csv.Error as exc:
                        raise CsvStructureError(str(exc)) from None
                    self.header = parse_header(self.kind, cells, delimiter)
                    return self.header
            return None
        finally:
            text.close()

    def rows(self) -> Iterator[RawRow]:
        """Yield the data rows after the header; completely empty lines are skipped."""
        assert self.header is not None
        header = self.header
        positions = list(header.positions.items())
        needed = max(header.positions.values(), default=-1) + 1
        text = self._text()
        reader = csv.reader(text, delimiter=header.delimiter)
        try:
            seen_header = False
            for cells in reader:
                if not seen_header:
                    if any(c.strip() for c in cells):
                        seen_header = True
                    continue
                if not any(c.strip() for c in cells):
                    continue
                width = len(cells)
                if width >= needed:
                    values = {column: cells[index].strip() for column, index in positions}
                else:
                    values = {column: cells[index].strip() for column, index in positions if index < width}
                yield RawRow(reader.line_num, values, width)
        except csv.Error as exc:
            raise CsvStructureError(str(exc)) from None
        finally:
            text.close()


class _NonClosing(io.RawIOBase):
    """Wrap a binary file so that closing the text wrapper leaves the underlying file open."""

    def __init__(self, fh):
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._fh.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


# ---------------------------------------------------------------------------------------------
# Value parsers. Each raises ValueError (or DateError) for a value it does not accept.


class DateError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "format" or "impossible"


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NL_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_date(text: str) -> dt.date:
    """`2024-03-01` or `01-03-2024` (also `1-3-2024`, `01/03/2024`, `01.03.2024`)."""
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NL_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
    else:
        raise DateError("format")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError("impossible")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError("impossible") from None


_AMOUNT_CHARS = re.compile(r"[0-9.,]+")
_PLAIN_AMOUNT = re.compile(r"-?(?:0|[1-9]\d{0,9})(?:[.,]\d{1,2})?")
_CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # Decimal(12, 2)


def parse_amount(text: str) -> Decimal:
    """`€ 1.234,56`, `1,234.56`, `-250,00`, `1234.5`, `(250,00)`, `250,00-` → Decimal with two decimals."""
    if _PLAIN_AMOUNT.fullmatch(text):  # fast path: 1234.56, -250,00, 2500
        return Decimal(text.replace(",", ".")).quantize(_CENTS)
    s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = s.replace("€", "").replace("EUR", "").replace("eur", "")
    if s.startswith("-") or s.startswith("+"):
        negative = negative or s[0] == "-"
        s = s[1:].replace("€", "")
    elif s.endswith("-"):
        negative, s = True, s[:-1]
    if not s or not _AMOUNT_CHARS.fullmatch(s) or not s[0].isdigit():
        raise ValueError("amount")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
        thousands_sep = "," if decimal_sep == "." else "."
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        digits_after = len(s) - s.rfind(sep) - 1
        if s.count(sep) > 1 or digits_after == 3:
            decimal_sep, thousands_sep = None, sep
        else:
            decimal_sep, thousands_sep = sep, None
    else:
        decimal_sep = thousands_sep = None
    if decimal_sep:
        whole, _, fraction = s.rpartition(decimal_sep)
        if not 1 <= len(fraction) <= 2 or not fraction.isdigit():
            raise ValueError("amount")
    else:
        whole, fraction = s, "0"
    if thousands_sep:
        groups = whole.split(thousands_sep)
        if not (1 <= len(groups[0]) <= 3) or (groups[0].startswith("0")) or any(len(g) != 3 for g in groups[1:]):
            raise ValueError("amount")
        whole = "".join(groups)
    if not whole.isdigit():
        raise ValueError("amount")
    try:
        value = Decimal(f"{whole}.{fraction}").quantize(_CENTS)
    except InvalidOperation:
        raise ValueError("amount") from None
    if value > MAX_AMOUNT:
        raise ValueError("amount")
    return -value if negative else value


SEX_VALUES = {
    "m": "M", "man": "M", "mannelijk": "M", "jongen": "M", "male": "M",
    "v": "V", "f": "V", "vrouw": "V", "vrouwelijk": "V", "meisje": "V", "female": "V",
    "o": "O", "x": "O", "u": "O", "onbekend": "O", "anders": "O", "overig": "O", "unknown": "O",
}


def parse_sex(text: str) -> str:
    try:
        return SEX_VALUES[text.casefold()]
    except KeyError:
        raise ValueError("sex") from None


IJW_END_REASONS = ("31", "32", "33", "34", "35", "36", "38", "39", "02")
#: CBS 01–05 → iJw. "02" is deliberately absent: as a bare code it is iJw "death"; write CBS02 or 34.
CBS_TO_IJW = {"01": "31", "02": "34", "03": "32", "04": "33", "05": "35"}
END_REASON_VALUES = {
    **{code: code for code in IJW_END_REASONS},
    **{cbs: ijw for cbs, ijw in CBS_TO_IJW.items() if cbs != "02"},
    **{cbs[1]: ijw for cbs, ijw in CBS_TO_IJW.items() if cbs != "02"},  # 1, 3, 4, 5
    **{f"cbs{cbs}": ijw for cbs, ijw in CBS_TO_IJW.items()},
    **{f"cbs{cbs[1]}": ijw for cbs, ijw in CBS_TO_IJW.items()},
}


def parse_end_reason(text: str) -> str:
    key = re.sub(r"[\s\-_:]", "", text.casefold())
    try:
        return END_REASON_VALUES[key]
    except KeyError:
        raise ValueError("end_reason") from None


REFERRER_CODES = ("01", "02", "03", "04", "05", "06", "07", "08")


def parse_referrer(text: str) -> str:
    code = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
    if code not in REFERRER_CODES:
        raise ValueError("referrer")
    return code


#: The legal framework of an episode by CBS measure code (domain.md: 11 OTS, 12 voorlopige OTS, 21 voogdij,
#: 22 voorlopige voogdij) or by word; empty is voluntary.
LEGAL_FRAMEWORK_VALUES = {
    "": "vrijwillig", "vrijwillig": "vrijwillig", "voluntary": "vrijwillig", "geen": "vrijwillig", "0": "vrijwillig", "00": "vrijwillig",
    "11": "ots", "ots": "ots", "ondertoezichtstelling": "ots",
    "12": "vots", "vots": "vots", "voorlopigeots": "vots", "voorlopigeondertoezichtstelling": "vots",
    "21": "voogdij", "voogdij": "voogdij", "guardianship": "voogdij",
    "22": "vvoogdij", "vvoogdij": "vvoogdij", "voorlopigevoogdij": "vvoogdij",
    "jr": "jr", "jeugdreclassering": "jr", "47": "jr",
    "anders": "anders", "other": "anders",
}


def parse_legal_framework(text: str) -> str:
    key = re.sub(r"[\s\-_.]", "", text.casefold())
    try:
        return LEGAL_FRAMEWORK_VALUES[key]
    except KeyError:
        raise ValueError("legal_framework") from None


def parse_agb(text: str) -> str:
    """An AGB code: 8 digits (spaces and dots ignored; 7 digits are taken as Excel's dropping of a leading zero)."""
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isdigit() or len(digits) not in (7, 8):
        raise ValueError("agb")
    return digits.zfill(8)


def parse_product_category(text: str) -> str:
    """An iJw product category: two digits ("43"; "8" is taken as Excel's "08")."""
    digits = text.strip()
    if not digits.isdigit() or len(digits) not in (1, 2):
        raise ValueError("product_category")
    return digits.zfill(2)


def parse_product_code(text: str) -> str:
    """An iJw product code: five digits or capitals ("43A01"), spaces ignored."""
    code = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[0-9A-Z]{5}", code):
        raise ValueError("product_code")
    return code


def municipality_keys(cbs_code: str, name: str) -> list[str]:
    """Lookup keys of one municipality: `gm0228`, `0228` and the name (casefolded)."""
    return [cbs_code.casefold(), cbs_code[2:], " ".join(name.split()).casefold()]


def municipality_key(text: str) -> str:
    """`GM0228`, `0228`, `228` (Excel drops leading zeros) or the exact name, case-insensitive."""
    text = " ".join(text.split()).casefold()
    if text.isdigit():
        return text.zfill(4) if len(text) <= 4 else text
    return text


def provider_key(text: str) -> str:
    return " ".join(text.split()).casefold()

"""The import rules, each a small unit with a code, the fields it concerns and a Dutch message.

In the manner of England's SSDA903 validators: a rule is defined once (code, fields, message) and
registered in `RULES`; its logic sits next to its definition, and every rule has its own tests
(tests/test_import_rules.py). Four levels:

* file  (F0xx) – the file as a whole: empty, missing/duplicate columns, encoding, CSV structure,
  duplicate line ids;
* field (E1xx) – one cell: required, BSN 11-check, date format, lookups, codes, amounts;
* row   (E2xx) – the parsed values of one line: dates in the future, end before start, …;
* cross (E3xx) – several lines or the stored registry: birth date per child, overlapping episodes.

A BSN never appears in a message: rules on the `bsn` column never echo the cell value.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import mul
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.db import padded_pseudonyms
from placements.bsn import WEIGHTS as BSN_WEIGHTS
from placements.bsn import contains_bsn, mask_bsns, normalise_bsn

from .parsing import (
    COLUMNS,
    DECLARATIONS,
    EPISODES,
    ID_FIELD,
    REQUIRED,
    STANDS_IN,
    DateError,
    municipality_key,
    parse_agb,
    parse_amount,
    parse_date,
    parse_end_reason,
    parse_legal_framework,
    parse_product_category,
    parse_product_code,
    parse_referrer,
    parse_sex,
    provider_key,
)

BOTH = (EPISODES, DECLARATIONS)
MAX_ID_LENGTH = 64
MAX_PROVIDER_LENGTH = 200
MAX_VALUE_IN_MESSAGE = 60


class Issue(NamedTuple):
    code: str
    row: int | None
    field: str
    message: str


@dataclass(frozen=True)
class Rule:
    code: str
    level: str  # "file", "field", "row" or "cross"
    fields: tuple[str, ...]  # the columns the rule concerns ("*" = any column)
    title: Any  # short Dutch description (lazy)
    message: Any  # Dutch message template (lazy), may use %(name)s parameters
    kinds: tuple[str, ...] = BOTH
    check: Callable[[dict, Any], bool] | None = field(default=None, compare=False)

    def issue(self, *, row: int | None = None, field: str | None = None, **params) -> Issue:
        text = str(self.message)
        if params:
            text = text % {k: _shorten(v) if k == "value" else v for k, v in params.items()}
        if field is None:
            field = self.fields[0] if self.fields and self.fields[0] != "*" else ""
        return Issue(self.code, row, field, text[:300])


def _shorten(value) -> str:
    """A cell value fit for a message: shortened, and any number that passes the BSN 11-check masked.

    Rules on the bsn column never echo their cell; this also covers a BSN that ended up in another column
    (a missing delimiter shifts every cell after it).
    """
    value = mask_bsns(str(value))
    return value if len(value) <= MAX_VALUE_IN_MESSAGE else value[: MAX_VALUE_IN_MESSAGE - 1] + "…"


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"duplicate rule code {rule.code}")
    RULES[rule.code] = rule
    return rule


def row_rule(code: str, fields: tuple[str, ...], title, message, *, kinds: tuple[str, ...] = BOTH):
    """Decorator: register a row rule whose check(values, ctx) returns True when the row violates it."""

    def decorator(check: Callable[[dict, Any], bool]) -> Rule:
        return register(Rule(code=code, level="row", fields=fields, title=title, message=message, kinds=kinds, check=check))

    return decorator


def rules_for(kind: str) -> list[Rule]:
    return [rule for rule in RULES.values() if kind in rule.kinds]


# =============================================================================================
# File rules

EMPTY_FILE = register(Rule(
    "F001", "file", ("*",), _("Leeg bestand"),
    _("Het bestand bevat geen gegevens: geen kopregel of geen regels na de kopregel."),
))
MISSING_COLUMN = register(Rule(
    "F002", "file", ("*",), _("Verplichte kolom ontbreekt"),
    _("De verplichte kolom '%(column)s' ontbreekt (ook toegestaan: %(aliases)s)."),
))
UNREADABLE_ENCODING = register(Rule(
    "F003", "file", ("*",), _("Tekenset onleesbaar"),
    _("Het bestand is niet te lezen als UTF-8 of Windows-1252. Sla het op als 'CSV UTF-8'."),
))
DUPLICATE_COLUMN = register(Rule(
    "F004", "file", ("*",), _("Kolom dubbel"),
    _("De kolom '%(column)s' komt meer dan eens voor in de kopregel."),
))
UNREADABLE_CSV = register(Rule(
    "F005", "file", ("*",), _("Geen leesbaar CSV"),
    _("Het bestand is geen leesbaar CSV-bestand (%(detail)s)."),
))
DUPLICATE_ID = register(Rule(
    "F006", "file", ("episode_id", "declaration_id"), _("Regel-id dubbel in het bestand"),
    _("Het regel-id '%(value)s' komt ook voor op regel %(other)s."),
))


# =============================================================================================
# Field rules: the parsers of single cells


WRONG_WIDTH = register(Rule(
    "E100", "field", ("*",), _("Aantal velden klopt niet"),
    _("De regel heeft %(found)s velden; de kopregel heeft er %(expected)s."),
))
REQUIRED_EMPTY = register(Rule(
    "E101", "field", ("*",), _("Verplicht veld leeg"), _("Dit verplichte veld is leeg."),
))
INVALID_BSN = register(Rule(
    "E102", "field", ("bsn",), _("Ongeldig BSN"),
    _("Ongeldig BSN: het nummer voldoet niet aan de elfproef."),
))
INVALID_DATE = register(Rule(
    "E103", "field", ("birth_date", "start_date", "end_date", "period_start", "period_end"), _("Ongeldige datum"),
    _("'%(value)s' is geen geldige datum; gebruik JJJJ-MM-DD of DD-MM-JJJJ."),
))
IMPOSSIBLE_DATE = register(Rule(
    "E104", "field", ("birth_date", "start_date", "end_date", "period_start", "period_end"), _("Onmogelijke datum"),
    _("De datum '%(value)s' bestaat niet of ligt buiten 1900–2100."),
))
UNKNOWN_MUNICIPALITY = register(Rule(
    "E105", "field", ("municipality",), _("Onbekende gemeente"),
    _("Onbekende gemeente '%(value)s'; gebruik de CBS-code (GM0228 of 0228) of de exacte naam."),
))
UNKNOWN_CARE_FORM = register(Rule(
    "E106", "field", ("care_form",), _("Onbekende zorgvorm"),
    _("Onbekende zorgvorm '%(value)s'; gebruik een code uit de taxonomie (%(codes)s)."),
))
INVALID_SEX = register(Rule(
    "E107", "field", ("sex",), _("Ongeldig geslacht"),
    _("Ongeldig geslacht '%(value)s'; gebruik M, V of O."),
    kinds=(EPISODES,),
))
INVALID_END_REASON = register(Rule(
    "E108", "field", ("end_reason",), _("Ongeldige reden beëindiging"),
    _("Ongeldige reden beëindiging '%(value)s'; gebruik een iJw-code (31–36, 38, 39 of 02 = overlijden) "
      "of een CBS-code 01, 03, 04, 05 (CBS 02 als 34 of CBS02)."),
    kinds=(EPISODES,),
))
INVALID_REFERRER = register(Rule(
    "E109", "field", ("referrer",), _("Ongeldige verwijzer"),
    _("Ongeldige verwijzer '%(value)s'; gebruik een code 01–08."),
    kinds=(EPISODES,),
))
INVALID_LEGAL_FRAMEWORK = register(Rule(
    "E114", "field", ("legal_framework",), _("Ongeldig juridisch kader"),
    _("Ongeldig juridisch kader '%(value)s'; gebruik een CBS-code 11 (OTS), 12 (voorlopige OTS), 21 (voogdij), "
      "22 (voorlopige voogdij), of vrijwillig, jeugdreclassering, anders; leeg is vrijwillig."),
    kinds=(EPISODES,),
))
UNKNOWN_TARGET_GROUP = register(Rule(
    "E115", "field", ("target_group",), _("Onbekende doelgroep"),
    _("Onbekende doelgroep '%(value)s'; gebruik een code of naam uit de lijst van de regio (%(codes)s)."),
    kinds=(EPISODES,),
))
INVALID_AGB = register(Rule(
    "E116", "field", ("agb",), _("Ongeldige AGB-code"),
    _("Ongeldige AGB-code '%(value)s'; een AGB-code heeft 8 cijfers (bijvoorbeeld 73010001)."),
))
AGB_CONFLICT = register(Rule(
    "E117", "field", ("agb",), _("AGB-code past niet bij de aanbieder"),
    _("AGB-code '%(value)s' hoort bij een andere aanbieder dan '%(provider)s', of die aanbieder heeft al een andere "
      "AGB-code (%(current)s). Controleer de kolommen aanbieder en agb."),
))
INVALID_PRODUCT = register(Rule(
    "E118", "field", ("product_category", "product_code"), _("Onbekende productcode"),
    _("Productcode '%(value)s' staat niet in de producttabel van de regio op %(date)s (Beheer → Productcodes); vul de "
      "zorgvorm in of voeg de code toe."),
))
INVALID_PRODUCT_FORMAT = register(Rule(
    "E119", "field", ("product_category", "product_code"), _("Ongeldige productcategorie of productcode"),
    _("'%(value)s' is geen iJw-productcategorie (2 cijfers) of -productcode (5 tekens, bijvoorbeeld 43A01)."),
))
INVALID_AMOUNT = register(Rule(
    "E110", "field", ("amount",), _("Ongeldig bedrag"),
    _("Ongeldig bedrag '%(value)s'; bijvoorbeeld 1234,56 of € 1.234,56 of -250,00."),
    kinds=(DECLARATIONS,),
))
TOO_LONG = register(Rule(
    "E111", "field", ("episode_id", "declaration_id", "provider"), _("Waarde te lang"),
    _("De waarde is te lang (hoogstens %(max)s tekens)."),
))
FORMULA_OR_CONTROL = register(Rule(
    "E112", "field", ("episode_id", "declaration_id", "provider"), _("Formule of stuurteken"),
    _("De waarde begint met =, +, - of @ of bevat een stuurteken. Zo'n waarde kan in Excel als formule worden "
      "uitgevoerd en wordt niet ingelezen; haal het teken weg."),
))
BSN_IN_TEXT = register(Rule(
    "E113", "field", ("provider",), _("BSN in een tekstkolom"),
    _("De waarde bevat een nummer dat een BSN kan zijn. Een BSN hoort alleen in de kolom bsn; haal het hier weg. "
      "(Een regel-id met zo'n nummer wordt niet geweigerd, maar onherleidbaar opgeslagen.)"),
))


class Violation(Exception):
    """Raised by a field parser; carries the rule and its message parameters."""

    def __init__(self, rule: Rule, **params):
        super().__init__(rule.code)
        self.rule = rule
        self.params = params


@dataclass
class Lookups:
    """Reference data for one import, loaded once: keys → ids."""

    municipalities: dict[str, int]
    care_forms: dict[str, int]
    providers: dict[str, int]  # provider_key(name) → id
    provider_agb: dict[str, int]  # AGB code → id
    today: dt.date
    agb_of: dict[int, str] = field(default_factory=dict)  # provider id → its AGB code (known ones only)
    provider_names: dict[int, str] = field(default_factory=dict)
    target_groups: dict[str, int] = field(default_factory=dict)  # code or name, casefolded → id
    municipality_region: dict[int, int] = field(default_factory=dict)  # municipality id → region id
    # (region id, product category, product code) → [(valid from, valid to or None, care form id)]
    product_codes: dict[tuple[int, str, str], list] = field(default_factory=dict)

    def product_care_form(self, *, municipality: int, category: str, code: str, day: dt.date) -> int | None:
        """The care form of an iJw product in the municipality's region on `day` (None when the table has none)."""
        for start, end, care_form in self.product_codes.get((self.municipality_region.get(municipality), category, code), ()):
            if start <= day and (end is None or day <= end):
                return care_form
        return None

    @classmethod
    def load(cls, *, today: dt.date | None = None) -> Lookups:
        from django.utils import timezone

        from placements.models import CareForm, Municipality, ProductCode, Provider, TargetGroup

        from .parsing import municipality_keys

        municipalities: dict[str, int] = {}
        municipality_region: dict[int, int] = {}
        for pk, cbs_code, name, region_id in Municipality.objects.values_list("pk", "cbs_code", "name", "region_id"):
            municipality_region[pk] = region_id
            for key in municipality_keys(cbs_code, name):
                municipalities.setdefault(key, pk)
        product_codes: dict[tuple[int, str, str], list] = {}
        for region_id, category, code, care_form, start, end in ProductCode.objects.values_list(
                "region_id", "product_category", "product_code", "care_form_id", "valid_from", "valid_to"):
            product_codes.setdefault((region_id, category, code), []).append((start, end, care_form))
        care_forms = {code.casefold(): pk for pk, code in CareForm.objects.values_list("pk", "code")}
        providers, agb, agb_of, names = {}, {}, {}, {}
        for pk, name, agb_code in Provider.objects.values_list("pk", "name", "agb_code"):
            providers.setdefault(provider_key(name), pk)
            names[pk] = name
            if agb_code:
                agb.setdefault(agb_code.strip(), pk)
                agb_of[pk] = agb_code.strip()
        target_groups = {}
        for pk, code, name in TargetGroup.objects.values_list("pk", "code", "name"):
            target_groups[code.casefold()] = target_groups[" ".join(name.split()).casefold()] = pk
        return cls(municipalities=municipalities, care_forms=care_forms, providers=providers, provider_agb=agb,
                   today=today or timezone.localdate(), target_groups=target_groups, agb_of=agb_of, provider_names=names,
                   municipality_region=municipality_region, product_codes=product_codes)


def _date_parser(text: str) -> dt.date:
    try:
        return parse_date(text)
    except DateError as exc:
        raise Violation(INVALID_DATE if exc.reason == "format" else IMPOSSIBLE_DATE, value=text) from None


class BsnHasher:
    """`placements.bsn.pseudonymise` for a million lines: the keyed HMAC state is prepared once and copied.

    Same result as `pseudonymise` (tested); the common case of nine plain digits skips the normalisation.
    """

    def __init__(self, key: str | None = None):
        secret = (key if key is not None else settings.BSN_HASH_KEY).encode()
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)

    def __call__(self, raw: str) -> str:
        """Returns the pseudonym. The BSN itself is dropped here and never echoed."""
        bsn = raw if len(raw) == 9 and raw.isascii() and raw.isdigit() else normalise_bsn(raw)
        if (len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit() or bsn == "000000000"
                or sum(map(mul, map(int, bsn), BSN_WEIGHTS)) % 11):
            raise Violation(INVALID_BSN)
        digest = self._keyed.copy()
        digest.update(bsn.encode("ascii"))
        return digest.hexdigest()


#: Free text that is stored and later exported: no spreadsheet formula (CSV injection) and no control characters
#: (a NUL byte is refused by PostgreSQL; tabs and line breaks inside a value break exports).
FORMULA_START = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _check_text(text: str) -> None:
    if text.startswith(FORMULA_START) or _CONTROL.search(text):
        raise Violation(FORMULA_OR_CONTROL)


def _may_hold_bsn(text: str) -> bool:
    """`contains_bsn` (the one detector), skipped for the common text with fewer than nine digits."""
    return sum(ch.isdigit() for ch in text) >= 9 and contains_bsn(text)


#: the stored form of a line id that holds a number passing the BSN 11-check
HASHED_ID_PREFIX = "#"


def _id_parser(text: str) -> str:
    """A line id as stored. An id that holds a BSN-like number (also a source system's plain 9-digit line number,
    1 in 11 of which passes the 11-check) is stored as its keyed hash: the same id maps to the same value on every
    import, so re-importing still updates the line, and no BSN is kept in clear."""
    if len(text) > MAX_ID_LENGTH:
        raise Violation(TOO_LONG, max=MAX_ID_LENGTH)
    _check_text(text)
    if _may_hold_bsn(text):
        secret = settings.BSN_HASH_KEY.encode()
        return HASHED_ID_PREFIX + hmac.new(secret, b"line-id:" + text.encode(), hashlib.sha256).hexdigest()[:40]
    return text


def _simple(parser: Callable[[str], Any], rule: Rule) -> Callable[[str], Any]:
    def parse(text: str):
        try:
            return parser(text)
        except ValueError:
            raise Violation(rule, value=text) from None

    return parse


class RowValidator:
    """Parses and checks one row at a time (field and row rules). Cross-row rules are collected apart.

    `validate()` returns the parsed values (column → value; `bsn` becomes the pseudonym) and the issues.
    Unknown providers are remembered in `new_providers` (key → name as first written).
    """

    def __init__(self, kind: str, lookups: Lookups, *, width: int | None = None):
        self.kind = kind
        self.lookups = lookups
        self.width = width
        self.columns = COLUMNS[kind]
        self.required = frozenset(REQUIRED[kind])
        self.new_providers: dict[str, str] = {}
        # AGB codes the file gives: of new providers (key → code) and of known providers without one (id → code)
        self.new_provider_agb: dict[str, str] = {}
        self.provider_agb_updates: dict[int, str] = {}
        # new names that an AGB code showed to be a known provider (key → id): no provider is created for them
        self.agb_aliases: dict[str, int] = {}
        self.failed: set[str] = set()
        self.row_rules = [r for r in rules_for(kind) if r.level == "row"]
        self.parsers: dict[str, Callable[[str], Any]] = {
            ID_FIELD[kind]: _id_parser,
            "bsn": BsnHasher(),
            "birth_date": _date_parser,
            "municipality": self._municipality,
            "provider": self._provider,
            "care_form": self._care_form,
            "start_date": _date_parser,
            "end_date": _date_parser,
            "period_start": _date_parser,
            "period_end": _date_parser,
            "sex": _simple(parse_sex, INVALID_SEX),
            "end_reason": _simple(parse_end_reason, INVALID_END_REASON),
            "referrer": _simple(parse_referrer, INVALID_REFERRER),
            "legal_framework": _simple(parse_legal_framework, INVALID_LEGAL_FRAMEWORK),
            "target_group": self._target_group,
            "amount": _simple(parse_amount, INVALID_AMOUNT),
            "agb": _simple(parse_agb, INVALID_AGB),
            "product_category": _simple(parse_product_category, INVALID_PRODUCT_FORMAT),
            "product_code": _simple(parse_product_code, INVALID_PRODUCT_FORMAT),
        }
        self.stands_in = STANDS_IN.get(kind, {})
        self._plan = [(column, self.parsers[column], column in self.required) for column in self.columns]

    def _municipality(self, text: str) -> int:
        try:
            return self.lookups.municipalities[municipality_key(text)]
        except KeyError:
            raise Violation(UNKNOWN_MUNICIPALITY, value=text) from None

    def _target_group(self, text: str) -> int:
        try:
            return self.lookups.target_groups[" ".join(text.split()).casefold()]
        except KeyError:
            codes = ", ".join(sorted(k.upper() for k in self.lookups.target_groups if " " not in k))
            raise Violation(UNKNOWN_TARGET_GROUP, value=text, codes=codes) from None

    def _care_form(self, text: str) -> int:
        try:
            return self.lookups.care_forms[text.casefold()]
        except KeyError:
            codes = ", ".join(sorted(code.upper() for code in self.lookups.care_forms))
            raise Violation(UNKNOWN_CARE_FORM, value=text, codes=codes) from None

    def _provider(self, text: str) -> int | str:
        """The id of a known provider (by name or AGB code), else the key of a new one (created in pass 2)."""
        if len(text) > MAX_PROVIDER_LENGTH:
            raise Violation(TOO_LONG, max=MAX_PROVIDER_LENGTH)
        # A line break inside a quoted name is whitespace (normalised below); other control characters are refused.
        _check_text(" ".join(text.split()))
        if _may_hold_bsn(text):
            raise Violation(BSN_IN_TEXT)
        key = provider_key(text)
        known = self.lookups.providers.get(key) or self.agb_aliases.get(key)
        if known is None:
            known = self.lookups.provider_agb.get(text)
        if known is not None:
            return known
        self.new_providers.setdefault(key, " ".join(text.split()))
        return key

    def _care_form_of_product(self, line: int, values: dict, category: str | None, code: str, failed: set, issues: list) -> None:
        """The care form of the line's iJw product (E118 when the region's table has none on the period's start;
        nothing when the municipality or the period did not parse: their own issues say so)."""
        municipality, day = values.get("municipality"), values.get("period_start")
        if municipality is None or day is None:
            return
        care_form = self.lookups.product_care_form(municipality=municipality, category=category or code[:2], code=code, day=day)
        if care_form is None:
            failed.add("product_code")
            issues.append(INVALID_PRODUCT.issue(row=line, field="product_code", value=f"{category or code[:2]}/{code}",
                                                date=day.strftime("%d-%m-%Y")))
        else:
            values["care_form"] = care_form

    def _provider_with_agb(self, provider: int | str, agb: str) -> int | str:
        """The provider of a line that gives both a provider and an AGB code: the code identifies a known provider
        (a new spelling of its name is that provider); a known provider without a code gets this one; a new
        provider is created with it. A code that belongs to another provider, or a provider with another code, is
        a conflict (E117)."""
        owner = self.lookups.provider_agb.get(agb) or next((k for k, v in self.provider_agb_updates.items() if v == agb), None)
        if isinstance(provider, int):
            current = self.lookups.agb_of.get(provider) or self.provider_agb_updates.get(provider, "")
            if (owner is not None and owner != provider) or (current and current != agb):
                raise Violation(AGB_CONFLICT, value=agb, provider=self.lookups.provider_names.get(provider, ""), current=current or "-")
            if not current:
                self.provider_agb_updates[provider] = agb
            return provider
        if owner is not None:
            self.agb_aliases[provider] = owner
            self.new_providers.pop(provider, None)
            return owner
        given = self.new_provider_agb.get(provider)
        other = next((k for k, v in self.new_provider_agb.items() if v == agb and k != provider), None)
        if (given and given != agb) or other is not None:
            raise Violation(AGB_CONFLICT, value=agb, provider=self.new_providers.get(provider, provider), current=given or "-")
        self.new_provider_agb[provider] = agb
        return provider

    def validate(self, line: int, cells: dict[str, str], width: int | None = None, *, row_rules: bool = True,
                 ) -> tuple[dict[str, Any], list[Issue]]:
        """Parse every column and run the row rules (`row_rules=False` in the write pass: parsing only)."""
        issues: list[Issue] = []
        values: dict[str, Any] = {}
        self.failed = failed = set()
        if width is not None and self.width is not None and width != self.width:
            issues.append(WRONG_WIDTH.issue(row=line, found=width, expected=self.width))
        for column, parser, required in self._plan:
            text = cells.get(column)
            if not text:
                if required and not cells.get(self.stands_in.get(column, "")):
                    issues.append(REQUIRED_EMPTY.issue(row=line, field=column))
                continue
            try:
                values[column] = parser(text)
            except Violation as exc:
                failed.add(column)
                issues.append(exc.rule.issue(row=line, field=column, **exc.params))
        category, code = values.pop("product_category", None), values.pop("product_code", None)
        if "care_form" not in values and "care_form" not in failed and code is not None:
            self._care_form_of_product(line, values, category, code, failed, issues)
        agb = values.pop("agb", None)
        if agb is not None and values.get("provider") is not None:
            try:
                values["provider"] = self._provider_with_agb(values["provider"], agb)
            except Violation as exc:
                failed.add("agb")
                issues.append(exc.rule.issue(row=line, field="agb", **exc.params))
        if row_rules:
            lookups = self.lookups
            for rule in self.row_rules:
                if rule.check(values, lookups):
                    issues.append(rule.issue(row=line))
        return values, issues


# =============================================================================================
# Row rules: the parsed values of one line (a rule only fires when the values it needs parsed)


@row_rule("E201", ("birth_date",), _("Geboortedatum in de toekomst"), _("De geboortedatum ligt in de toekomst."))
def birth_date_in_future(v: dict, ctx: Lookups) -> bool:
    birth = v.get("birth_date")
    return birth is not None and birth > ctx.today


@row_rule("E202", ("birth_date", "start_date"), _("Geboortedatum na begin traject"),
          _("De geboortedatum ligt na de begindatum van het traject."), kinds=(EPISODES,))
def birth_after_start(v: dict, ctx: Lookups) -> bool:
    birth, start = v.get("birth_date"), v.get("start_date")
    return birth is not None and start is not None and birth > start


@row_rule("E203", ("birth_date", "period_end"), _("Geboortedatum na einde periode"),
          _("De geboortedatum ligt na het einde van de declaratieperiode."), kinds=(DECLARATIONS,))
def birth_after_period(v: dict, ctx: Lookups) -> bool:
    birth, end = v.get("birth_date"), v.get("period_end")
    return birth is not None and end is not None and birth > end


@row_rule("E204", ("start_date",), _("Begindatum in de toekomst"), _("De begindatum ligt in de toekomst."), kinds=(EPISODES,))
def start_in_future(v: dict, ctx: Lookups) -> bool:
    start = v.get("start_date")
    return start is not None and start > ctx.today


@row_rule("E205", ("end_date", "start_date"), _("Einddatum vóór begindatum"), _("De einddatum ligt vóór de begindatum."),
          kinds=(EPISODES,))
def end_before_start(v: dict, ctx: Lookups) -> bool:
    start, end = v.get("start_date"), v.get("end_date")
    return start is not None and end is not None and end < start


@row_rule("E208", ("end_date",), _("Einddatum in de toekomst"),
          _("De einddatum ligt in de toekomst; laat een lopend traject zonder einddatum."), kinds=(EPISODES,))
def end_in_future(v: dict, ctx: Lookups) -> bool:
    end = v.get("end_date")
    return end is not None and end > ctx.today


@row_rule("E206", ("end_reason", "end_date"), _("Reden beëindiging zonder einddatum"),
          _("Er is een reden beëindiging ingevuld maar geen einddatum."), kinds=(EPISODES,))
def end_reason_without_end(v: dict, ctx: Lookups) -> bool:
    return "end_reason" in v and "end_date" not in v


@row_rule("E207", ("period_end", "period_start"), _("Einde periode vóór begin"),
          _("Het einde van de declaratieperiode ligt vóór het begin."), kinds=(DECLARATIONS,))
def period_end_before_start(v: dict, ctx: Lookups) -> bool:
    start, end = v.get("period_start"), v.get("period_end")
    return start is not None and end is not None and end < start


# =============================================================================================
# Cross rules: several lines of the file, or the stored registry

BIRTH_DATE_CONFLICT_FILE = register(Rule(
    "E301", "cross", ("birth_date",), _("Geboortedatum wijkt af binnen het bestand"),
    _("De geboortedatum wijkt af van regel %(other)s met hetzelfde BSN."),
))
BIRTH_DATE_CONFLICT_STORED = register(Rule(
    "E302", "cross", ("birth_date",), _("Geboortedatum wijkt af van de registratie"),
    _("De geboortedatum wijkt af van die van het kind dat met dit BSN al geregistreerd is."),
))
OVERLAP_FILE = register(Rule(
    "E303", "cross", ("start_date", "end_date"), _("Overlappend traject in het bestand"),
    _("Het traject overlapt met het traject op regel %(other)s (zelfde kind, zorgvorm en aanbieder)."),
    kinds=(EPISODES,),
))
OVERLAP_STORED = register(Rule(
    "E304", "cross", ("start_date", "end_date"), _("Overlappend traject in de registratie"),
    _("Het traject overlapt met een traject dat al geregistreerd is (%(other)s; zelfde kind, zorgvorm en aanbieder)."),
    kinds=(EPISODES,),
))

OPEN_END = 2**31 - 1  # ordinal used for an open end date


def child_key(pseudonym: str) -> int:
    """A compact 60-bit key for a pseudonym (collisions are negligible for millions of children)."""
    return int(pseudonym[:15], 16)


class BirthDates:
    """E301 while streaming: the first birth date (and its line) seen per child; later lines must agree.

    One dict entry per child (birth ordinal and line packed in one int), not per line.
    """

    def __init__(self):
        self.first: dict[int, int] = {}

    def check(self, key: int, birth: dt.date, line: int) -> int | None:
        """Returns the first line of this child when `birth` differs from the birth date given there."""
        packed = self.first.setdefault(key, (birth.toordinal() << 32) | line)
        if packed >> 32 != birth.toordinal():
            return packed & 0xFFFFFFFF
        return None


class CrossRowCollector:
    """Compact state for the cross-row rules of pass 1: id hashes (F006), birth dates per child (E301) and,
    for episodes, columns for the overlap check (E303) in the array module (a few dozen bytes per line)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.id_hash = array("q")
        self.id_line = array("i")
        self.births = BirthDates()
        self.key = array("q")
        self.line = array("i")
        self.care_form = array("i")
        self.provider = array("i")
        self.start = array("i")
        self.end = array("i")
        self._providers: dict[int | str, int] = {}

    def add(self, line: int, v: dict[str, Any], failed: Iterable[str] = ()) -> list[Issue]:
        """Record one line (`v` its parsed values, `failed` the columns that did not parse); returns E301 issues."""
        issues = []
        source_id = v.get(ID_FIELD[self.kind])
        if source_id is not None:
            self.id_hash.append(hash(source_id))
            self.id_line.append(line)
        pseudonym = v.get("bsn")
        if pseudonym is None:
            return issues
        key = child_key(pseudonym)
        birth = v.get("birth_date")
        if birth is not None and (first := self.births.check(key, birth, line)) is not None:
            issues.append(BIRTH_DATE_CONFLICT_FILE.issue(row=line, other=first))
        if self.kind != EPISODES:
            return issues
        care_form, provider, start, end = v.get("care_form"), v.get("provider"), v.get("start_date"), v.get("end_date")
        if (care_form is None or provider is None or start is None or "end_date" in failed
                or (end is not None and end < start)):
            return issues
        self.key.append(key)
        self.line.append(line)
        self.care_form.append(care_form)
        self.provider.append(self._providers.setdefault(provider, len(self._providers)))
        self.start.append(start.toordinal())
        self.end.append(end.toordinal() if end is not None else OPEN_END)
        return issues

    def duplicate_id_candidates(self) -> set[int]:
        return duplicate_candidates(_np(self.id_hash, np.int64), _np(self.id_line, np.int32))

    def overlaps(self, *, exclude_lines: Iterable[int] = ()) -> list[tuple[int, int]]:
        if self.kind != EPISODES:
            return []
        lines = _np(self.line, np.int32)
        mask = np.ones(lines.size, dtype=bool)
        exclude = np.fromiter(exclude_lines, dtype=np.int32)
        if exclude.size:
            mask &= ~np.isin(lines, exclude)
        return overlaps_in_file(
            _np(self.key, np.int64)[mask], _np(self.care_form, np.int32)[mask], _np(self.provider, np.int32)[mask],
            _np(self.start, np.int32)[mask], _np(self.end, np.int32)[mask], lines[mask],
        )


def _np(values: array, dtype) -> np.ndarray:
    return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)


def duplicate_candidates(hashes: np.ndarray, lines: np.ndarray) -> set[int]:
    """Lines whose id hash occurs more than once (to be confirmed on the real ids).

    Sorts one copy of the hashes (8 bytes a line), then marks the lines holding a repeated hash.
    """
    if hashes.size < 2:
        return set()
    ordered = np.sort(hashes)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if not repeated.size:
        return set()
    return set(lines[np.isin(hashes, repeated)].tolist())


def duplicate_ids(line_ids: dict[int, str]) -> list[tuple[int, int, str]]:
    """From candidate lines with their real ids: (line, first line with the same id, id) for each repeat."""
    first: dict[str, int] = {}
    result = []
    for line in sorted(line_ids):
        source_id = line_ids[line]
        if source_id in first:
            result.append((line, first[source_id], source_id))
        else:
            first[source_id] = line
    return result


def overlaps_in_file(keys, care_forms, providers, starts, ends, lines) -> list[tuple[int, int]]:
    """(line, other line) for every episode that overlaps an earlier-starting one of the same child, form and provider.

    Intervals are half-open [start, end) with an open end as +∞, the registry's rule (services.overlapping_episodes).
    Sorted by (child, form, provider, start, end), an episode overlaps an earlier one exactly when its start lies
    before the largest end seen so far in its group; the line holding that end is reported as the other line.
    """
    n = keys.size
    if n < 2:
        return []
    order = np.lexsort((lines, ends, starts, providers, care_forms, keys))
    keys, care_forms, providers = keys[order], care_forms[order], providers[order]
    starts, ends, lines = starts[order].astype(np.int64), ends[order].astype(np.int64), lines[order]
    group_start = np.ones(n, dtype=bool)
    group_start[1:] = (keys[1:] != keys[:-1]) | (care_forms[1:] != care_forms[:-1]) | (providers[1:] != providers[:-1])
    group = np.cumsum(group_start) - 1
    combined = (group << 32) | ends  # running maximum of the end within each group
    running = np.maximum.accumulate(combined)
    index = np.arange(n)
    holder = np.maximum.accumulate(np.where(combined == running, index, 0))
    previous_end = np.empty(n, dtype=np.int64)
    previous_end[0] = -1
    previous_end[1:] = running[:-1] & 0xFFFFFFFF
    previous_holder = np.zeros(n, dtype=np.int64)
    previous_holder[1:] = holder[:-1]
    hit = ~group_start & (starts < previous_end)
    return list(zip(lines[hit].tolist(), lines[previous_holder[hit]].tolist(), strict=True))


class StoredBirthDateCheck:
    """E302 in batches: compares birth dates with the children already stored, a few thousand pseudonyms at a time."""

    def __init__(self, batch_size: int = 5000):
        self.batch_size = batch_size
        self.pending: list[tuple[str, dt.date, int]] = []

    def add(self, pseudonym: str, birth: dt.date, line: int) -> list[Issue]:
        self.pending.append((pseudonym, birth, line))
        return self.flush() if len(self.pending) >= self.batch_size else []

    def flush(self) -> list[Issue]:
        from placements.models import Child

        if not self.pending:
            return []
        pseudonyms = padded_pseudonyms({p for p, _, _ in self.pending})
        stored = dict(Child.objects.filter(pseudonym__in=pseudonyms).values_list("pseudonym", "birth_date"))
        issues = [BIRTH_DATE_CONFLICT_STORED.issue(row=line) for pseudonym, birth, line in self.pending
                  if pseudonym in stored and stored[pseudonym] != birth]
        self.pending = []
        return issues


def stored_overlaps(since) -> Iterator[tuple[str, str | None, int, dt.date]]:
    """Episodes written at or after `since` that overlap another episode of the same child, form and provider.

    One self-join over the episode table; yields (source_id of the written episode, source_id of the other,
    pk of the other, start of the other). Pairs of two written episodes are reported once.
    """
    from placements.models import Episode

    table = connection.ops.quote_name(Episode._meta.db_table)
    marker = connection.ops.adapt_datetimefield_value(since)
    sql = f"""
        SELECT w.source_id, o.source_id, o.id, o.start_date
        FROM {table} w
        JOIN {table} o
          ON o.child_id = w.child_id AND o.care_form_id = w.care_form_id AND o.provider_id = w.provider_id AND o.id <> w.id
        WHERE w.updated_at >= %s
          AND (w.end_date IS NULL OR o.start_date < w.end_date)
          AND (o.end_date IS NULL OR o.end_date > w.start_date)
          AND NOT (o.updated_at >= %s AND o.id < w.id)
        ORDER BY w.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [marker, marker])
        while batch := cursor.fetchmany(2000):
            for written, other, other_pk, other_start in batch:
                if isinstance(other_start, str):  # SQLite returns raw text from a raw query
                    other_start = dt.date.fromisoformat(other_start)
                yield written, other, other_pk, other_start


def describe_stored_episode(source_id: str | None, start: dt.date) -> str:
    if source_id:
        return str(_("regel-id %(id)s") % {"id": source_id})
    return str(_("handmatig geregistreerd, begonnen op %(date)s") % {"date": date_format(start, "d-m-Y")})

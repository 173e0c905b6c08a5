"""Display helpers for templates: Dutch dates, numbers and amounts (core.formatting), ages, small-number
suppression (core.suppression), names of access-log object types."""
from __future__ import annotations

import datetime as dt
import re

from django import template
from django.utils import timezone

from core import formatting, periods, publication

register = template.Library()


@register.simple_tag
def submit_once():
    """The hidden one-time token of a form that creates or consumes something (core.submissions)."""
    from django.utils.html import format_html

    from core.submissions import FIELD, new_token

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


@register.filter
def nl_date(value) -> str:
    """A date as d-m-Y ("17-05-2012"); empty for None."""
    return formatting.date(value)


@register.filter
def euro(value) -> str:
    """An amount: "€ 1.234,56", negative as "€ -12,00"."""
    return formatting.euro(value)


@register.filter
def euro_whole(value) -> str:
    """An amount in whole euros: "€ 1.235"."""
    return formatting.euro(value, cents=False)


@register.filter
def nl_int(value) -> str:
    """A count with grouped thousands: "1.234"."""
    return "" if value in (None, "") else formatting.number(value)


@register.filter
def nl_number(value, decimals=1) -> str:
    """A number with `decimals` decimals: "2,5"."""
    return "" if value in (None, "") else formatting.number(value, int(decimals))


@register.filter
def pct(share, decimals=0) -> str:
    """A share (0.125) as a percentage: "13%"."""
    return "" if share in (None, "") else formatting.percent(share, int(decimals))


def age_on(birth_date: dt.date, day: dt.date | None = None) -> int:
    """Age in full years on `day` (today by default)."""
    return periods.age_on(birth_date, day or timezone.localdate())


@register.filter
def age(birth_date) -> int | str:
    return age_on(birth_date) if birth_date else ""


def suppress_count(value: int, k: int | None = None) -> str:
    """A count of children as published (core.publication): "≤5" or rounded up to a multiple of 5."""
    return publication.count_text(int(value or 0), k=k)


@register.filter
def suppress(value) -> str:
    return suppress_count(value)


def _object_types() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "child": _("kind"),
        "episode": _("traject"),
        "declaration": _("declaratie"),
        "import": _("import"),
        "import_job": _("import"),
        "export": _("export"),
        "access_log": _("toegangslog"),
        "case": _("casus"),
        "threat_case": _("casus dreigende uithuisplaatsing"),
        "bottleneck": _("knelpunt"),
        "case_week_review": _("Week van de Casus"),
        "checklist": _("checklist plaatsing residentieel"),
        "cost_table": _("kostentabel"),
        "crisis_contact": _("crisiscontact"),
        "episode_export": _("export trajecten"),
        "family": _("pleeggezin"),
        "foster_family": _("pleeggezin"),
        "foster_placement": _("pleegzorgplaatsing"),
        "figures": _("cijfers"),
        "forecast": _("prognose"),
        "forecast_scenario": _("prognosescenario"),
        "import_file": _("importbestand"),
        "lesson": _("les"),
        "measure": _("maatregel"),
        "measure_import": _("import maatregelen"),
        "placement_risk": _("risicomelding pleegzorg"),
        "prospect": _("aspirant-pleegouder"),
        "providers": _("aanbieders"),
        "report": _("rapportage"),
        "report_status": _("status rapportage"),
        "ret_review": _("RET-bespreking"),
        "snapshot_run": _("rekenrun"),
        "run_status": _("status rekenrun"),
        "import_status": _("status import"),
        "export_status": _("status export"),
        "forecast_status": _("status prognose"),
    }


#: The access log's details are stored as written (an audit trail is never rewritten; older entries are English):
#: shown to the privacy officer with these phrases in Dutch, longest first, whole words only.
DETAIL_PHRASES = {
    "job status refused (unknown or outside the user's scope)": "status van een taak geweigerd (onbekend of buiten bereik)",
    "registration refused: too many children known elsewhere this hour": "registratie geweigerd: dit uur te veel kinderen die elders bekend zijn",
    "uploaded file of import": "geüpload bestand van import", "bsn in web address refused": "BSN in het webadres geweigerd",
    "not among the candidates": "niet bij de kandidaten", "residential placements and checklists": "residentiële plaatsingen en checklists",
    "outside the region": "buiten de regio", "outside scope": "buiten bereik", "started on run": "gestart op run",
    "start page": "startpagina", "child page": "kindpagina", "child picker": "kindkiezer", "case list": "casuslijst",
    "risk list": "risicolijst", "family list": "gezinnenlijst", "recruitment funnel": "wervingstrechter",
    "open prospects": "open aspiranten", "open risks": "open risico's", "region-wide": "regiobreed",
    "pseudonymised episodes": "gepseudonimiseerde trajecten", "target group": "doelgroep", "no scope": "geen gebied",
    "refused": "geweigerd", "role": "rol", "rows": "regels", "created": "aangemaakt", "changed": "gewijzigd",
    "ended": "beëindigd", "deleted": "verwijderd", "saved": "opgeslagen", "locked": "vastgezet", "downloaded": "gedownload",
    "registered": "geregistreerd", "suppressed": "afgeschermd", "unsuppressed": "niet afgeschermd", "results": "resultaten",
    "search": "zoeken", "newest": "nieuwste", "shown": "getoond", "children": "kinderen", "episodes": "trajecten",
    "episode": "traject", "families": "gezinnen", "family": "gezin", "measure": "maatregel", "bottleneck": "knelpunt",
    "forecast": "prognose", "lessons": "lessen", "overview": "overzicht", "page": "pagina", "list": "lijst",
    "empty": "leeg", "update": "voortgang", "status": "status", "stay": "verblijf", "all": "alle", "exact": "exact",
    "detail": "detail", "dashboard": "dashboard", "providers": "aanbieders", "scope": "gebied", "without": "zonder",
    "crisis contact": "crisiscontact", "checklist": "checklist", "scenario": "scenario", "risk": "risicomelding",
    "done": "klaar", "resolved": "afgesloten", "failed": "mislukt", "errors": "fouten", "updated": "gewijzigd",
    "unchanged": "ongewijzigd", "new_providers": "nieuwe_aanbieders", "on placement": "bij plaatsing", "matched with": "gekoppeld aan",
    "linked to": "gekoppeld aan", "prospect": "aspirant", "stage": "fase", "dropped at": "afgehaakt in", "support": "ondersteuning",
    "recent": "recent", "started": "gestart",
}
_DETAIL_RE = None


@register.filter
def access_detail(value: str) -> str:
    """An access-log detail with its English phrases in Dutch (see DETAIL_PHRASES); the rest as stored."""
    global _DETAIL_RE  # noqa: PLW0603 - compiled once
    if _DETAIL_RE is None:
        phrases = sorted(DETAIL_PHRASES, key=len, reverse=True)
        _DETAIL_RE = re.compile(r"(?<![\w])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w])", re.I)
    text = _DETAIL_RE.sub(lambda m: DETAIL_PHRASES.get(m.group(1).lower(), m.group(1)), value or "")
    # a count before its noun ("10201 kinderen") in Dutch format; ids ("run 1234") stay as they are
    return _COUNT_RE.sub(lambda m: formatting.number(int(m.group(1))) + m.group(2), text)


_COUNT_RE = re.compile(r"(?<![\w.])(\d{4,})( (?:kinderen|trajecten|regels|resultaten|gezinnen|aspiranten|declaraties|"
                                     r"nieuw|gewijzigd|ongewijzigd|fouten)\b)")


@register.filter
def object_type_label(value: str) -> str:
    """Dutch name of an access-log object type; unknown types are shown as stored."""
    return _object_types().get(value, value)


@register.filter
def period(value: str) -> str:
    """A period key as a Dutch reader reads it: "2026-Q3" → "K3 2026", "2026-10" → "okt 2026"."""
    return periods.period_label(value) if value else ""

"""The data-quality card of a provider: one rule per unit (code, title, message, fields, a query), in the manner of
England's SSDA903 validators. Each rule counts the provider's records in the scope's municipalities that break it on
the data date, and names a few by their line id (never a child).

- Q01 late registration: episodes that started in the 12 months up to the data date and were registered more than
  30 days after their start (the record's creation against its start date);
- Q02 overlapping episodes: two episodes of the same child, care form and provider that overlap (counted per episode);
- Q03 declarations without an episode: declarations of the provider for a child with no episode at the provider that
  runs in the declared period;
- Q04 no declarations for three months: episodes running through the last three whole months before the data date
  without a declaration of the provider for that child in them (only care forms that are declared at all);
- Q05 end without reason: ended episodes without an end reason.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.periods import month_end
from placements.models import Declaration, Episode

EXAMPLES = 5


@dataclass(frozen=True)
class QualityRule:
    code: str
    title: str
    message: str
    fields: tuple[str, ...]
    records: Callable[..., QuerySet]  # (provider_id=, municipality_ids=, data_date=) -> the records that break it


@dataclass(frozen=True)
class QualityResult:
    rule: QualityRule
    count: int
    examples: list[str]


def _episodes(provider_id: int, municipality_ids: list[int] | None, data_date: dt.date) -> QuerySet:
    qs = Episode.objects.filter(provider_id=provider_id, start_date__lte=data_date)
    return qs if municipality_ids is None else qs.filter(municipality_id__in=municipality_ids)


def _late(*, provider_id, municipality_ids, data_date) -> QuerySet:
    since = data_date - dt.timedelta(days=365)
    eps = _episodes(provider_id, municipality_ids, data_date).filter(start_date__gt=since)
    # created_at is a moment; 31 days after the start date's midnight is "more than 30 days" in any time zone
    return eps.filter(created_at__date__gt=F("start_date") + dt.timedelta(days=30))


def _overlapping(*, provider_id, municipality_ids, data_date) -> QuerySet:
    other = Episode.objects.filter(child_id=OuterRef("child_id"), care_form_id=OuterRef("care_form_id"), provider_id=provider_id,
                                   start_date__lte=data_date).exclude(pk=OuterRef("pk"))
    # [s1, e1) and [s2, e2) overlap when s2 < e1 and s1 < e2 (an open end is infinite)
    other = other.filter(Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("start_date")))
    eps = _episodes(provider_id, municipality_ids, data_date)
    return eps.filter(Exists(other.filter(start_date__lt=OuterRef("end_date")))) | eps.filter(end_date__isnull=True).filter(Exists(other))


def _declarations_without_episode(*, provider_id, municipality_ids, data_date) -> QuerySet:
    running = Episode.objects.filter(child_id=OuterRef("child_id"), provider_id=provider_id, start_date__lte=OuterRef("period_end")).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("period_start")))
    decs = Declaration.objects.filter(provider_id=provider_id, period_start__lte=data_date)
    if municipality_ids is not None:
        decs = decs.filter(municipality_id__in=municipality_ids)
    return decs.filter(~Exists(running))


def _window(data_date: dt.date) -> tuple[dt.date, dt.date]:
    """The last three whole months on or before the data date."""
    last = data_date if data_date == month_end(data_date.year, data_date.month) else data_date.replace(day=1) - dt.timedelta(days=1)
    first = (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, last


def _undeclared(*, provider_id, municipality_ids, data_date) -> QuerySet:
    first, last = _window(data_date)
    declared_form = Declaration.objects.filter(care_form_id=OuterRef("care_form_id"))
    declared = Declaration.objects.filter(child_id=OuterRef("child_id"), provider_id=provider_id, period_start__gte=first, period_start__lte=last)
    eps = _episodes(provider_id, municipality_ids, data_date).filter(start_date__lte=first).filter(Q(end_date__isnull=True) | Q(end_date__gt=last))
    return eps.filter(Exists(declared_form)).filter(~Exists(declared))


def _no_reason(*, provider_id, municipality_ids, data_date) -> QuerySet:
    return _episodes(provider_id, municipality_ids, data_date).filter(end_date__isnull=False, end_date__lte=data_date, end_reason="")


RULES = (
    QualityRule("Q01", _("Laat geregistreerd"), _("Trajecten van de afgelopen 12 maanden die meer dan 30 dagen na hun begindatum zijn vastgelegd."),
                ("start_date", "created_at"), _late),
    QualityRule("Q02", _("Overlappende trajecten"), _("Trajecten van hetzelfde kind, dezelfde zorgvorm en deze aanbieder die elkaar overlappen."),
                ("child", "care_form", "start_date", "end_date"), _overlapping),
    QualityRule("Q03", _("Declaraties zonder traject"), _("Declaraties van de aanbieder voor een kind zonder traject bij de aanbieder in de gedeclareerde periode."),
                ("child", "period_start", "period_end"), _declarations_without_episode),
    QualityRule("Q04", _("Drie maanden geen declaratie"), _("Lopende trajecten zonder declaratie van de aanbieder voor dat kind in de laatste drie hele maanden (alleen zorgvormen die gedeclareerd worden)."),
                ("child", "start_date", "end_date"), _undeclared),
    QualityRule("Q05", _("Einddatum zonder reden"), _("Beëindigde trajecten zonder reden van beëindiging."), ("end_date", "end_reason"), _no_reason),
)


def _name(record) -> str:
    if record.source_id:
        return record.source_id
    return f"{_('traject')} {record.pk}"


def provider_quality(*, provider_id: int, municipality_ids: list[int] | None, data_date: dt.date) -> list[QualityResult]:
    """Every rule's count and a few examples for one provider (two queries per rule)."""
    out = []
    for rule in RULES:
        records = rule.records(provider_id=provider_id, municipality_ids=municipality_ids, data_date=data_date)
        count = records.count()
        examples = [_name(r) for r in records.only("pk", "source_id").order_by("pk")[:EXAMPLES]] if count else []
        out.append(QualityResult(rule, count, examples))
    return out

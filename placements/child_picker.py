"""Choosing a child in a form at national scale (issue 7): never a list of every child of a municipality.

A form that needs a child either knows it already (opened from the child's page or with ``?kind=<id>``): then it
offers that one child as a fixed choice; or it offers a search (label fragment or short reference, GET) and shows at
most ``PICK_LIMIT`` children of the user's scope, newest first. Validation is against the whole scope (one query by
primary key), so a child outside the scope is refused whatever id is posted. A BSN-shaped query is never searched in
a web address (see placements.views.child_list): the view refuses it with the same message.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.audit import log_access
from accounts.models import AccessAction, AccessResult

from .models import Child
from .selectors import QUERY_BSN, QUERY_INVALID_BSN, classify_query

#: The most children a picker ever renders (a test may lower it).
PICK_LIMIT = 20
QUERY_MAX = 60
_MAX_PK = 2**63 - 1
_REFERENCE = re.compile(r"^[0-9a-hjkmnp-tv-z]{4,10}$")  # a prefix of a child reference (models.REFERENCE_ALPHABET)

BSN_IN_ADDRESS = _("Zoek op BSN via het zoekveld. Een BSN in een webadres komt in de browsergeschiedenis "
                   "en in logbestanden terecht; er is niet gezocht.")


def child_choice_label(child: Child) -> str:
    return f"{child.label or _('(geen kenmerk)')} · {child.reference} · {child.birth_date:%Y}"


def parse_pk(value) -> int | None:
    """A positive primary key from a query parameter, or None (never an error, never an out-of-range query)."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    pk = int(value)
    return pk if 0 < pk <= _MAX_PK else None


def clean_query(raw) -> str:
    """The search text without control characters, at most QUERY_MAX characters."""
    text = "".join(ch for ch in str(raw or "") if unicodedata.category(ch) != "Cc")
    return text.strip()[:QUERY_MAX]


def is_bsn_query(raw) -> bool:
    return classify_query(clean_query(raw)) in (QUERY_BSN, QUERY_INVALID_BSN)


@dataclass
class ChildPick:
    child: Child | None = None  # the known child (in scope)
    query: str = ""  # the label/reference search, shown back (never a BSN)
    results: list[Child] = field(default_factory=list)  # at most `limit` children, newest first
    more: bool = False  # more children matched than are shown
    unknown: bool = False  # an id was given that is not in the scope


def search(scope: QuerySet[Child], query: str, limit: int | None = None) -> tuple[list[Child], bool]:
    """At most `limit` children of `scope` whose label contains `query` or whose reference starts with it,
    newest first (all of the scope's newest when the query is empty). One query."""
    limit = PICK_LIMIT if limit is None else limit
    qs = scope
    if query:
        match = Q(label__icontains=query)
        if _REFERENCE.match(query.lower()):
            match |= Q(reference__startswith=query.lower())
        qs = qs.filter(match)
    rows = list(qs.order_by("-created_at", "-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def pick(scope: QuerySet[Child], *, child_id=None, query="", limit: int | None = None) -> ChildPick:
    """The known child when `child_id` is in scope; otherwise the search results for `query`.
    The caller refuses a BSN-shaped query before calling this (it would be treated as no search here)."""
    pk = parse_pk(child_id)
    if pk is not None:
        child = scope.filter(pk=pk).first()
        if child is not None:
            return ChildPick(child=child)
    query = clean_query(query)
    if classify_query(query) in (QUERY_BSN, QUERY_INVALID_BSN):
        query = ""
    results, more = search(scope, query, limit)
    return ChildPick(query=query, results=results, more=more, unknown=pk is not None)


class ChildChoiceField(forms.ModelChoiceField):
    """Validates against the whole scope (``queryset``, one query by pk) but renders only the children given to
    :meth:`offer`: the known child as a one-option select, or the search results as radio buttons."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Child.objects.none())
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return child_choice_label(obj)

    def offer(self, scope: QuerySet[Child], picked: ChildPick) -> None:
        self.queryset = scope  # validation (the setter also fills the widget's choices lazily: replaced below)
        if picked.child is not None:
            self.widget = forms.Select(attrs={"class": "form-select"})
            self.widget.choices = [(picked.child.pk, child_choice_label(picked.child))]
            self.initial = picked.child.pk
        else:
            self.widget = forms.RadioSelect()
            self.widget.choices = [(c.pk, child_choice_label(c)) for c in picked.results]
        self.widget.is_required = self.required


def refuse_bsn_query(request, *, where: str):
    """A BSN-shaped search in a web address: not searched, logged as refused, back to the form without it."""
    from django.contrib import messages
    from django.shortcuts import redirect

    log_access(request=request, action=AccessAction.SEARCH, object_type="child", result=AccessResult.DENIED,
               detail=f"child picker {where}: bsn in web address refused")
    messages.warning(request, BSN_IN_ADDRESS)
    return redirect(request.path)


def log_pick(request, picked: ChildPick, *, where: str) -> None:
    """One access-log entry when the picker showed children (labels) to the user; no query text, no labels."""
    if picked.child is not None:
        return
    log_access(request=request, action=AccessAction.SEARCH, object_type="child",
               detail=f"child picker {where}: {'search' if picked.query else 'newest'}, {len(picked.results)} shown")

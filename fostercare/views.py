"""Foster-care pages. Thin: role gate, scoped read through fostercare.selectors (404 + "denied" log entry outside
the scope), write through fostercare.services, and an access-log entry for every read and change."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.access import access_required, refuse
from accounts.audit import log_access, log_access_many
from accounts.models import AccessAction, AccessResult
from core import publication
from placements import child_picker
from placements.forms import add_service_errors
from placements.selectors import child_ref_for_audit

from . import selectors, services
from .forms import (
    FamilyForm,
    FamilyStatusForm,
    MatchChildForm,
    MatchSearchForm,
    ProspectForm,
    ProspectStepForm,
    RiskFollowUpForm,
    RiskForm,
    RiskResolveForm,
    SupportForm,
)
from .models import OPEN_STATUSES, FamilyKind, FamilyStatus, RiskOutcome, Stage

MATCH_LIMIT = 25
FAMILY_FIELDS = ("reference", "kind", "municipality", "places", "age_min", "age_max", "siblings_together", "note")


def _post(request):
    return request.POST if request.method == "POST" else None


records_required = access_required(selectors.can_see_records, object_type="foster_family", area="foster-care")
provider_required = access_required(roles.is_fostercare, object_type="foster_family", area="foster-care")
wijkteam_required = access_required(roles.is_wijkteam, object_type="foster_placement", area="foster-care")
funnel_required = access_required(selectors.can_see_funnel, object_type="prospect", area="foster-care")


def _deny(request, *, ref: str, object_type: str):
    return refuse(request, status=404, object_type=object_type, object_ref=ref, detail="outside scope")


def _read(request, object_type: str, ref: str, detail: str) -> None:
    log_access(request=request, action=AccessAction.READ, object_type=object_type, object_ref=ref, detail=detail)


# ------------------------------------------------------------------------------------------- start page
def home_fostercare(request):
    """The start page of a foster-care worker (registered in fostercare.apps as the role's start page)."""
    user = request.user
    if not roles.is_fostercare(user):
        return render(request, "home/fostercare.html", {"has_scope": False})
    overview = selectors.overview(user=user)
    month, rows = selectors.monthly_risk_list(user=user)
    open_rows = [r for r in rows if r.open_on_last][:10]
    if open_rows:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="placement_risk",
                        object_refs=sorted({r.risk.placement.episode.child.reference for r in open_rows}), detail="start page, open risks")
    log_access(request=request, action=AccessAction.SEARCH, object_type="foster_family", detail="start page overview")
    return render(request, "home/fostercare.html", {"has_scope": True, "overview": overview, "open_rows": open_rows, "month": month})


# ------------------------------------------------------------------------------------------- families
@records_required
def family_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("soort", "")
    status = status if status in (*FamilyStatus.values, "alle") else ""
    kind = kind if kind in FamilyKind.values else ""
    page = Paginator(selectors.family_list(user=request.user, status=status, kind=kind), 30).get_page(request.GET.get("page"))
    families = list(page.object_list)
    today = timezone.localdate()
    rows = []
    for f in families:
        placed, free = selectors.occupancy(f, today)
        rows.append((f, placed, free if f.status in OPEN_STATUSES else None))
    log_access(request=request, action=AccessAction.SEARCH, object_type="foster_family",
               detail=f"family list {status or 'all'} {kind or 'all'}, {page.paginator.count} families")
    query = urlencode({k: v for k, v in (("status", status), ("soort", kind)) if v})
    return render(request, "fostercare/family_list.html", {
        "rows": rows, "page": page, "status": status, "kind": kind, "statuses": FamilyStatus.choices, "kinds": FamilyKind.choices,
        "page_query": query + "&" if query else "", "is_provider": roles.is_fostercare(request.user),
    })


@provider_required
@require_http_methods(["GET", "POST"])
def family_create(request):
    form = FamilyForm(_post(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            family = services.family_register(
                user=request.user, request=request, provider=request.user.provider, reference=data["reference"],
                municipality=data["municipality"], kind=data["kind"], places=data["places"], age_min=data["age_min"],
                age_max=data["age_max"], siblings_together=data["siblings_together"], status=data["status"],
                status_since=data["status_since"], note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het gezin is geregistreerd."))
            return redirect("fostercare:family_detail", pk=family.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Pleeggezin of gezinshuis registreren"), "submit": _("Gezin registreren"), "icon": "bi-house-heart",
        "cancel": reverse("fostercare:family_list"),
        "intro": _("Leg de capaciteit en status vast. Namen en adressen horen hier niet: gebruik de eigen referentie van de aanbieder."),
    })


def _family_or_deny(request, pk):
    family = selectors.family_get(user=request.user, pk=pk)
    if family is None:
        return None, _deny(request, ref=f"family {pk}", object_type="foster_family")
    return family, None


@records_required
def family_detail(request, pk: int):
    family, denied = _family_or_deny(request, pk)
    if denied:
        return denied
    placements = selectors.placements_of_family(user=request.user, family=family)
    _read(request, "foster_family", services.family_ref(family), f"family {family.pk}, {len(placements)} placements shown")
    if placements:
        log_access_many(request=request, action=AccessAction.READ, object_type="foster_placement",
                        object_refs=sorted({p.episode.child.reference for p in placements}), detail=f"family {family.pk}")
    placed, free = selectors.occupancy(family)
    provider = roles.is_fostercare(request.user)
    today = timezone.localdate()
    return render(request, "fostercare/family_detail.html", {
        "family": family, "placements": placements, "placed": placed, "free": free, "is_provider": provider,
        "supports": list(family.supports.select_related("risk")) if provider else [],
        "history": list(family.status_changes.all()) if provider else [],
        "wijkteam_view": roles.is_wijkteam(request.user),
        "today": today,
    })


@provider_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk: int):
    family, denied = _family_or_deny(request, pk)
    if denied:
        return denied
    form = FamilyForm(_post(request), user=request.user, edit=True, initial={f: getattr(family, f) for f in FAMILY_FIELDS})
    if request.method == "GET":
        _read(request, "foster_family", services.family_ref(family), f"family {family.pk} edit form")
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(user=request.user, request=request, family=family, **{f: form.cleaned_data[f] for f in FAMILY_FIELDS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het gezin is bijgewerkt."))
            return redirect("fostercare:family_detail", pk=family.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Gezin bewerken"), "submit": _("Opslaan"), "family": family, "icon": "bi-pencil",
        "cancel": reverse("fostercare:family_detail", args=[family.pk]),
    })


@provider_required
@require_http_methods(["GET", "POST"])
def family_status(request, pk: int):
    family, denied = _family_or_deny(request, pk)
    if denied:
        return denied
    form = FamilyStatusForm(_post(request), family=family)
    if request.method == "GET":
        _read(request, "foster_family", services.family_ref(family), f"family {family.pk} status form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.family_set_status(user=request.user, request=request, family=family, status=data["status"], on=data["on"],
                                       reason=data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De status is gewijzigd in ‘%(s)s’.") % {"s": family.get_status_display()})
            return redirect("fostercare:family_detail", pk=family.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Status van het gezin"), "submit": _("Status wijzigen"), "family": family, "icon": "bi-signpost-split",
        "intro": _("Huidige status: %(s)s sinds %(d)s.") % {"s": family.get_status_display(), "d": family.status_since.strftime("%d-%m-%Y")},
        "cancel": reverse("fostercare:family_detail", args=[family.pk]),
    })


@records_required
@require_http_methods(["GET", "POST"])
def support_add(request, pk: int):
    family, denied = _family_or_deny(request, pk)
    if denied:
        return denied
    risks = selectors.risk_scope(user=request.user).filter(placement__family=family).select_related("placement__episode__child")
    initial = {}
    if request.GET.get("risico", "").isascii() and request.GET.get("risico", "").isdigit():
        initial["risk"] = request.GET["risico"]
    form = SupportForm(_post(request), risks=risks, initial=initial)
    if request.method == "GET":
        _read(request, "foster_family", services.family_ref(family), f"family {family.pk} support form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support = services.support_add(user=request.user, request=request, family=family, kind=data["kind"], start_date=data["start_date"],
                                           end_date=data["end_date"], note=data["note"], risk=data.get("risk"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De ondersteuning is vastgelegd."))
            if support.risk_id:
                return redirect("fostercare:risk_detail", pk=support.risk_id)
            return redirect("fostercare:family_detail", pk=family.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Ondersteuning van het gezin"), "submit": _("Vastleggen"), "family": family, "icon": "bi-life-preserver",
        "cancel": reverse("fostercare:family_detail", args=[family.pk]),
    })


# ------------------------------------------------------------------------------------------- matching
@wijkteam_required
@require_http_methods(["GET", "POST"])
def match_start(request):
    """The child is searched (at most PICK_LIMIT shown, never all children) or given with ``?child=<id>``."""
    if request.method == "GET" and child_picker.is_bsn_query(request.GET.get("q")):
        return child_picker.refuse_bsn_query(request, where="match")
    children = selectors.match_children(user=request.user)
    data = _post(request) or (request.GET if request.GET.get("child") else None)
    picked = child_picker.pick(children, child_id=data.get("child") if data else None, query=request.GET.get("q", ""))
    form = MatchChildForm(data, children=children, picked=picked)
    if form.is_bound and form.is_valid():
        return redirect("fostercare:match_child", child_pk=form.cleaned_data["child"].pk)
    child_picker.log_pick(request, picked, where="match")
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Kind koppelen aan een pleeggezin"), "submit": _("Zoek passende gezinnen"), "icon": "bi-link-45deg",
        "intro": _("Kies het kind dat een pleeggezin of gezinshuis nodig heeft. U ziet daarna de gezinnen met een passende vrije plaats."),
        "cancel": reverse("fostercare:family_list"), "method": "get", "picked": picked, "pick_limit": child_picker.PICK_LIMIT,
    })


def _deny_log(request, child, family) -> None:
    log_access(request=request, action=AccessAction.CREATE, object_type="foster_placement", object_ref=child.reference,
               result=AccessResult.DENIED, detail=f"match with family {family.pk} refused: not among the candidates")


@wijkteam_required
@require_http_methods(["GET", "POST"])
def match_child(request, child_pk: int):
    child = selectors.match_child_get(user=request.user, pk=child_pk)
    if child is None:
        return _deny(request, ref=child_ref_for_audit(pk=child_pk), object_type="foster_placement")
    search = MatchSearchForm(request.GET if "start_date" in request.GET else None)
    if search.is_bound and search.is_valid():
        params = search.cleaned_data
    else:
        params = {"start_date": timezone.localdate(), "siblings": 1, "prefer_network": True, "family_ref": ""}
    error = ""
    if request.method == "POST":
        family = selectors.family_for_match(user=request.user, pk=int(request.POST.get("family", "0") or 0))
        try:
            start = dt.date.fromisoformat(request.POST.get("start_date", ""))
            siblings = max(1, int(request.POST.get("siblings", "1")))
        except ValueError:
            start, siblings = None, 1
        if family is None or start is None:
            error = _("Kies een gezin en een geldige datum.")
        elif family.pk not in {c.family.pk for c in selectors.match_candidates(user=request.user, child=child, on=start, siblings=siblings)}:
            # every choice the page offers is checked against the same selector on submit (a direct POST cannot pick
            # a family the list leaves out, such as another child's network family)
            error = _("Dit gezin staat niet (meer) in de lijst van passende gezinnen voor dit kind op die datum.")
            _deny_log(request, child, family)
        else:
            try:
                placement = services.match_record(user=request.user, request=request, child=child, family=family, start_date=start,
                                                  siblings=siblings)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Het kind is gekoppeld aan gezin %(f)s; het traject %(form)s is gestart.") % {
                    "f": family.reference, "form": placement.episode.care_form.name})
                return redirect("fostercare:family_detail", pk=family.pk)
    candidates = selectors.match_candidates(user=request.user, child=child, on=params["start_date"], siblings=params["siblings"],
                                            prefer_network=params["prefer_network"])
    if params["family_ref"]:
        candidates = [c for c in candidates if params["family_ref"].strip().casefold() in c.family.reference.casefold()]
    _read(request, "foster_placement", child.reference, f"match search, {len(candidates)} families")
    open_foster = list(selectors.open_foster_episodes(child=child).select_related("care_form", "provider"))
    return render(request, "fostercare/match.html", {
        "child": child, "search": search if search.is_bound else MatchSearchForm(), "params": params, "candidates": candidates[:MATCH_LIMIT],
        "more": max(0, len(candidates) - MATCH_LIMIT), "total": len(candidates),
        "error": error, "age": selectors.child_age(child, params["start_date"]), "open_foster": open_foster,
    })


# ------------------------------------------------------------------------------------------- risks
@records_required
def risk_list(request):
    month, rows = selectors.monthly_risk_list(user=request.user, month=request.GET.get("maand", ""))
    if rows:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="placement_risk",
                        object_refs=sorted({r.risk.placement.episode.child.reference for r in rows}), detail=f"risk list {month}")
    else:
        log_access(request=request, action=AccessAction.SEARCH, object_type="placement_risk", detail=f"risk list {month}, empty")
    return render(request, "fostercare/risk_list.html", {
        "month": month, "rows": rows, "open_count": sum(r.open_on_last for r in rows), "wijkteam_view": roles.is_wijkteam(request.user),
        "max_month": timezone.localdate().strftime("%Y-%m"),
    })


@records_required
@require_http_methods(["GET", "POST"])
def risk_create(request, placement_pk: int):
    placement = selectors.placement_get(user=request.user, pk=placement_pk)
    if placement is None:
        return _deny(request, ref=selectors.placement_ref_for_audit(pk=placement_pk), object_type="placement_risk")
    child = placement.episode.child
    form = RiskForm(_post(request))
    if request.method == "GET":
        _read(request, "foster_placement", child.reference, f"placement {placement.pk} risk form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            risk = services.risk_register(user=request.user, request=request, placement=placement, registered_on=data["registered_on"],
                                          severity=data["severity"], signals=data["signals"], signals_text=data["signals_text"],
                                          support_deployed=data["support_deployed"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De risicomelding is vastgelegd."))
            return redirect("fostercare:risk_detail", pk=risk.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Plaatsing in gevaar melden"), "submit": _("Risico melden"), "icon": "bi-exclamation-triangle",
        "placement": placement, "child_ref": _child_ref(request.user, child),
        "cancel": reverse("fostercare:family_detail", args=[placement.family_id]) if selectors.family_get(user=request.user, pk=placement.family_id) else reverse("fostercare:risk_list"),
    })


def _child_ref(user, child) -> str:
    label = child.label if selectors.show_label(user=user, child=child) and child.label else ""
    return f"{label} · {child.reference}" if label else child.reference


def _risk_or_deny(request, pk):
    risk = selectors.risk_get(user=request.user, pk=pk)
    if risk is None:
        return None, _deny(request, ref=selectors.risk_ref_for_audit(pk=pk), object_type="placement_risk")
    return risk, None


@records_required
def risk_detail(request, pk: int):
    risk, denied = _risk_or_deny(request, pk)
    if denied:
        return denied
    child = risk.placement.episode.child
    _read(request, "placement_risk", child.reference, f"risk {risk.pk}")
    today = timezone.localdate()
    end = risk.resolved_on or today
    return render(request, "fostercare/risk_detail.html", {
        "risk": risk, "placement": risk.placement, "child": child, "child_ref": _child_ref(request.user, child),
        "follow_ups": list(risk.follow_ups.all()), "supports": list(risk.supports.all()), "days": (end - risk.registered_on).days,
        "family_visible": selectors.family_get(user=request.user, pk=risk.placement.family_id) is not None,
        "age": selectors.child_age(child), "stable": RiskOutcome.STABLE,
    })


@records_required
@require_http_methods(["GET", "POST"])
def risk_follow_up(request, pk: int):
    risk, denied = _risk_or_deny(request, pk)
    if denied:
        return denied
    child = risk.placement.episode.child
    if not risk.is_open:
        messages.info(request, _("Deze risicomelding is afgesloten."))
        return redirect("fostercare:risk_detail", pk=risk.pk)
    form = RiskFollowUpForm(_post(request), initial={"severity": risk.severity})
    if request.method == "GET":
        _read(request, "placement_risk", child.reference, f"risk {risk.pk} follow-up form")
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_follow_up_add(user=request.user, request=request, risk=risk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De follow-up is vastgelegd."))
            return redirect("fostercare:risk_detail", pk=risk.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Follow-up risicomelding"), "submit": _("Vastleggen"), "icon": "bi-arrow-repeat", "risk": risk,
        "child_ref": _child_ref(request.user, child), "cancel": reverse("fostercare:risk_detail", args=[risk.pk]),
    })


@records_required
@require_http_methods(["GET", "POST"])
def risk_resolve(request, pk: int):
    risk, denied = _risk_or_deny(request, pk)
    if denied:
        return denied
    child = risk.placement.episode.child
    if not risk.is_open:
        messages.info(request, _("Deze risicomelding is al afgesloten."))
        return redirect("fostercare:risk_detail", pk=risk.pk)
    form = RiskResolveForm(_post(request))
    if request.method == "GET":
        _read(request, "placement_risk", child.reference, f"risk {risk.pk} resolve form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.risk_resolve(user=request.user, request=request, risk=risk, resolved_on=data["resolved_on"], outcome=data["outcome"],
                                  reason=data["reason"], destination=data["destination"], note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if risk.outcome == RiskOutcome.STABLE:
                messages.success(request, _("De risicomelding is afgesloten: de plaatsing is stabiel."))
            else:
                messages.warning(request, _("De risicomelding is afgesloten en de plaatsing is beëindigd op %(d)s.") % {
                    "d": risk.resolved_on.strftime("%d-%m-%Y")})
                if risk.destination in ("residentieel", "gesloten"):
                    messages.info(request, _("Start de residentiële of gesloten plaatsing in het dossier van het kind; daarvoor is eerst de checklist plaatsing residentieel nodig."))
            return redirect("fostercare:risk_detail", pk=risk.pk)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Risicomelding afsluiten"), "submit": _("Afsluiten"), "icon": "bi-flag", "risk": risk,
        "confirm": _("De risicomelding afsluiten? Bij “beëindigd” stopt de pleegzorgplaatsing op de gekozen datum en telt zij als "
                     "breakdown (behalve bij een geplande overgang). Dit kan niet ongedaan worden gemaakt."),
        "child_ref": _child_ref(request.user, child), "cancel": reverse("fostercare:risk_detail", args=[risk.pk]),
        "intro": _("Stabiel: de plaatsing gaat door. Beëindigd: de plaatsing stopt op deze datum; het pleegzorgtraject wordt dan beëindigd "
                   "(een breakdown, behalve bij een geplande overgang)."),
    })


# ------------------------------------------------------------------------------------------- recruitment
def _year_bounds(request) -> tuple[int, dt.date, dt.date]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("jaar", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    return year, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)


@funnel_required
def recruitment(request):
    year, first, last = _year_bounds(request)
    funnel = selectors.funnel(user=request.user, first=first, last=last)
    prospects = []
    if roles.is_fostercare(request.user):
        prospects = list(selectors.prospect_scope(user=request.user).exclude(stage__in=(Stage.APPROVED, Stage.DROPPED))
                         .select_related("municipality").order_by("info_on", "id"))
    log_access(request=request, action=AccessAction.READ, object_type="prospect", detail=f"recruitment funnel {year}, {len(prospects)} open prospects")
    return render(request, "fostercare/recruitment.html", {
        "funnel": funnel, "year": year, "years": list(range(timezone.localdate().year, 2016, -1)), "prospects": prospects,
        # families stopping, per reason: exact for the provider's own worker, published (core.publication) for the region
        "leaving": [(label, publication.count_text(n, exact=roles.is_fostercare(request.user)))
                    for label, n in selectors.families_leaving(user=request.user, first=first, last=last)],
        "is_provider": roles.is_fostercare(request.user),
    })


@provider_required
@require_http_methods(["GET", "POST"])
def prospect_create(request):
    form = ProspectForm(_post(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.prospect_register(user=request.user, request=request, provider=request.user.provider, reference=data["reference"],
                                       municipality=data["municipality"], info_on=data["info_on"], kind=data["kind"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De aspirant-pleegouder is geregistreerd."))
            return redirect("fostercare:recruitment")
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Aspirant-pleegouder registreren"), "submit": _("Registreren"), "icon": "bi-person-plus",
        "cancel": reverse("fostercare:recruitment"),
    })


@provider_required
@require_http_methods(["GET", "POST"])
def prospect_step(request, pk: int):
    prospect = selectors.prospect_get(user=request.user, pk=pk)
    if prospect is None:
        return _deny(request, ref=f"prospect {pk}", object_type="prospect")
    nxt = services.next_stage(prospect)
    if nxt is None:
        messages.info(request, _("Deze aspirant is al goedgekeurd of afgehaakt."))
        return redirect("fostercare:recruitment")
    form = ProspectStepForm(_post(request), approving=nxt == Stage.APPROVED)
    if request.method == "GET":
        _read(request, "prospect", f"prospect {prospect.pk}", "step form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "drop":
                services.prospect_drop(user=request.user, request=request, prospect=prospect, on=data["on"], reason=data["reason"])
            else:
                extra = {k: data[k] for k in ("places", "age_min", "age_max", "siblings_together") if data.get(k) is not None}
                services.prospect_advance(user=request.user, request=request, prospect=prospect, on=data["on"], **extra)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De aspirant staat nu in fase ‘%(s)s’.") % {"s": prospect.get_stage_display()})
            if prospect.family_id:
                return redirect("fostercare:family_detail", pk=prospect.family_id)
            return redirect("fostercare:recruitment")
    labels = dict(Stage.choices)
    return render(request, "fostercare/form.html", {
        "form": form, "title": _("Aspirant %(r)s: volgende stap") % {"r": prospect.reference}, "submit": _("Opslaan"), "icon": "bi-signpost",
        "intro": _("Nu: %(now)s. Volgende fase: %(next)s. Bij goedkeuring wordt het gezin geregistreerd als ‘goedgekeurd’.") % {
            "now": labels[prospect.stage], "next": labels[nxt]},
        "cancel": reverse("fostercare:recruitment"),
    })

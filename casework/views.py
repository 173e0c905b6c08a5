"""Casework pages. Thin: role gate, scoped read through casework.selectors (404 + "denied" log entry outside
the scope), write through casework.services, and an access-log entry for every read and change of a case."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from accounts.access import access_required, refuse
from accounts.audit import log_access, log_access_many
from accounts.models import AccessAction, AccessResult
from core.periods import age_on
from placements import child_picker
from placements.forms import add_service_errors
from placements.selectors import child_ref_for_audit, episode_ref_for_audit
from placements.timeline import legend, render_timeline

from . import selectors, services
from .forms import (
    AlternativeForm,
    CaseForm,
    CaseWeekReviewForm,
    ChecklistForm,
    RetActionForm,
    RetFollowUpForm,
    RetReviewForm,
    TrajectoryFollowUpForm,
    TransitionForm,
)
from .models import CaseStatus
from .services import CHECKLIST_ITEMS, CHECKLIST_TEXTS, parse_tags


def _post(request):
    return request.POST if request.method == "POST" else None


cases_required = access_required(selectors.can_see_cases, object_type="threat_case", area="casework")
wijkteam_required = access_required(roles.is_wijkteam, object_type="threat_case", area="casework")
chair_required = access_required(roles.is_ret_chair, object_type="ret_review", area="casework")
lessons_required = access_required(selectors.can_see_lessons, object_type="case_week_review", area="casework")


def _deny(request, *, ref: str, object_type: str):
    return refuse(request, status=404, object_type=object_type, object_ref=ref, detail="outside scope")


def _log_read(request, object_type: str, child, detail: str) -> None:
    log_access(request=request, action=AccessAction.READ, object_type=object_type, object_ref=child.reference, detail=detail)


# ------------------------------------------------------------------------------------------- cases
@cases_required
def case_list(request):
    status = request.GET.get("status", "")
    page = Paginator(selectors.case_list(user=request.user, status=status), 25).get_page(request.GET.get("page"))
    cases = list(page.object_list)
    if cases:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="threat_case",
                        object_refs=[c.child.reference for c in cases], detail=f"case list {status or 'all'}")
    return render(request, "casework/case_list.html", {
        "cases": cases, "page": page, "status": status, "statuses": CaseStatus.choices,
        "status_query": urlencode({"status": status}) + "&" if status else "",
        "is_ret": roles.is_ret(request.user), "is_chair": roles.is_ret_chair(request.user),
    })


@wijkteam_required
@require_http_methods(["GET", "POST"])
def case_open(request):
    """The child is known (``?kind=<id>``, or the one posted) and offered alone, or searched: never all children."""
    if request.method == "GET" and child_picker.is_bsn_query(request.GET.get("q")):
        return child_picker.refuse_bsn_query(request, where="case form")
    children = selectors.children_for_case(user=request.user)
    child_id = request.POST.get("child") if request.method == "POST" else None
    picked = child_picker.pick(children, child_id=child_id or request.GET.get("kind"), query=request.GET.get("q", ""))
    child_picker.log_pick(request, picked, where="case form")
    form = CaseForm(_post(request), children=children, picked=picked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                user=request.user, request=request, child=data["child"], opened_on=data["opened_on"], signaller=data["signaller"],
                concerns=data["concerns"], concerns_text=data["concerns_text"], child_view=data["child_view"],
                parents_view=data["parents_view"], gi_involved=data["gi_involved"], plan=data["plan"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De casus is geopend."))
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Signaal dreigende uithuisplaatsing"), "submit": _("Casus openen"),
        "cancel": "casework:case_list", "icon": "bi-exclamation-diamond", "picked": picked, "pick_limit": child_picker.PICK_LIMIT,
        "intro": _("Leg vast wat er speelt, wie het signaal gaf en hoe kind en ouders het zien. Overwogen alternatieven "
                   "voegt u daarna toe op de pagina van de casus."),
    })


def _case_or_deny(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        return None, _deny(request, ref=selectors.case_ref_for_audit(pk=pk), object_type="threat_case")
    return case, None


@cases_required
def case_detail(request, pk: int):
    case, denied = _case_or_deny(request, pk)
    if denied:
        return denied
    _log_read(request, "threat_case", case.child, f"case {case.pk}")
    wijkteam = roles.is_wijkteam(request.user)
    return render(request, "casework/case_detail.html", {
        "case": case,
        "reviews": list(case.ret_reviews.all()),
        "alternatives": list(case.alternatives.all()),
        "can_edit": wijkteam and not case.is_closed,
        "wijkteam": wijkteam,
        "alt_form": AlternativeForm(),
        "transition_form": TransitionForm(case=case) if wijkteam and not case.is_closed else None,
        "steps": [(st, CaseStatus(st).label, d) for st, d in (
            (CaseStatus.OPEN, case.opened_on), (CaseStatus.IN_REVIEW, case.in_review_on),
            (CaseStatus.PLAN_RUNNING, case.plan_running_on), (CaseStatus.CLOSED, case.closed_on))],
    })


@wijkteam_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case, denied = _case_or_deny(request, pk)
    if denied:
        return denied
    if case.is_closed:
        messages.info(request, _("Een gesloten casus kan niet meer worden gewijzigd."))
        return redirect("casework:case_detail", pk=case.pk)
    initial = {f: getattr(case, f) for f in services.CASE_FIELDS}
    form = CaseForm(_post(request), edit=True, initial=initial)
    if request.method == "GET":
        _log_read(request, "threat_case", case.child, f"case {case.pk} edit form")
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(user=request.user, request=request, case=case,
                                 **{f: form.cleaned_data[f] for f in services.CASE_FIELDS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De casus is bijgewerkt."))
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Casus bewerken"), "submit": _("Opslaan"), "case": case, "icon": "bi-pencil",
    })


@wijkteam_required
@require_POST
def alternative_add(request, pk: int):
    case, denied = _case_or_deny(request, pk)
    if denied:
        return denied
    form = AlternativeForm(request.POST)
    if form.is_valid():
        try:
            services.alternative_add(user=request.user, request=request, case=case, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Het alternatief is toegevoegd."))
    else:
        messages.error(request, _("Kies een alternatief en een besluit."))
    return redirect("casework:case_detail", pk=case.pk)


@wijkteam_required
@require_http_methods(["GET", "POST"])
def case_status(request, pk: int):
    case, denied = _case_or_deny(request, pk)
    if denied:
        return denied
    form = TransitionForm(_post(request), case=case)
    if request.method == "GET":
        _log_read(request, "threat_case", case.child, f"case {case.pk} status form")
    if request.method == "POST":
        # An invalid target status is refused by the service with a Dutch message, not by the choice list.
        form.fields["to"].choices = CaseStatus.choices
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_transition(user=request.user, request=request, case=case, to=data["to"], on=data["on"],
                                         outcome=data["outcome"], outcome_note=data["outcome_note"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("De status is gewijzigd in ‘%(s)s’.") % {"s": case.get_status_display()})
                return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Status wijzigen"), "submit": _("Status wijzigen"), "case": case, "icon": "bi-signpost-split",
        "intro": _("Huidige status: %(s)s.") % {"s": case.get_status_display()},
    }, status=200)


# ------------------------------------------------------------------------------------------- RET
@wijkteam_required
@require_http_methods(["GET", "POST"])
def ret_create(request, pk: int):
    case, denied = _case_or_deny(request, pk)
    if denied:
        return denied
    if case.is_closed:
        messages.info(request, _("Een gesloten casus kan niet meer naar het RET."))
        return redirect("casework:case_detail", pk=case.pk)
    form = RetReviewForm(_post(request), case=case, initial={"invited": ["wijkteam", "parents"]})
    if request.method == "GET":
        _log_read(request, "threat_case", case.child, f"case {case.pk} RET form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.ret_review_create(
                user=request.user, request=request, case=case, review_date=data["review_date"], question=data["question"],
                invited=data["invited"], attended=data["attended"], advice=data["advice"], follow_up_on=data["follow_up_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De casus is ingebracht bij het RET."))
            return redirect("casework:ret_detail", pk=review.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Inbrengen bij het RET"), "submit": _("Inbrengen"), "case": case, "icon": "bi-people",
        "gi_not_invited": form.gi_not_invited and form.is_bound,
    })


def _review_or_deny(request, pk):
    review = selectors.review_get(user=request.user, pk=pk)
    if review is None:
        return None, _deny(request, ref=selectors.review_ref_for_audit(pk=pk), object_type="ret_review")
    return review, None


@cases_required
def ret_detail(request, pk: int):
    review, denied = _review_or_deny(request, pk)
    if denied:
        return denied
    _log_read(request, "ret_review", review.case.child, f"review {review.pk}")
    return render(request, "casework/ret_detail.html", {
        "review": review, "case": review.case, "actions": list(review.actions.all()), "follow_ups": list(review.follow_ups.all()),
        "action_form": RetActionForm(initial={"due_on": review.review_date}), "today": timezone.localdate(),
    })


@cases_required
@require_http_methods(["GET", "POST"])
def ret_edit(request, pk: int):
    review, denied = _review_or_deny(request, pk)
    if denied:
        return denied
    initial = {"question": review.question, "invited": review.invited, "attended": review.attended, "advice": review.advice,
               "follow_up_on": review.follow_up_on}
    form = RetReviewForm(_post(request), case=review.case, edit=True, initial=initial)
    if request.method == "GET":
        _log_read(request, "ret_review", review.case.child, f"review {review.pk} edit form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ret_review_update(user=request.user, request=request, review=review, invited=data["invited"],
                                       attended=data["attended"], advice=data["advice"], follow_up_on=data["follow_up_on"],
                                       question=data["question"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De bespreking is bijgewerkt."))
            return redirect("casework:ret_detail", pk=review.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("RET-bespreking: aanwezigen en advies"), "submit": _("Opslaan"), "case": review.case,
        "icon": "bi-chat-square-text", "gi_not_invited": form.gi_not_invited,
    })


@cases_required
@require_POST
def ret_action_add(request, pk: int):
    review, denied = _review_or_deny(request, pk)
    if denied:
        return denied
    form = RetActionForm(request.POST)
    if form.is_valid():
        try:
            services.ret_action_add(user=request.user, request=request, review=review, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("De actie is toegevoegd."))
    else:
        messages.error(request, _("Vul de actie, de eigenaar en de uiterste datum in."))
    return redirect("casework:ret_detail", pk=review.pk)


@cases_required
@require_POST
def ret_action_done(request, pk: int):
    action = selectors.action_get(user=request.user, pk=pk)
    if action is None:
        return _deny(request, ref=f"action {pk}", object_type="ret_review")
    services.ret_action_done(user=request.user, request=request, action=action)
    messages.success(request, _("De actie is afgerond."))
    return redirect("casework:ret_detail", pk=action.review_id)


@cases_required
@require_http_methods(["GET", "POST"])
def ret_follow_up(request, pk: int):
    review, denied = _review_or_deny(request, pk)
    if denied:
        return denied
    form = RetFollowUpForm(_post(request))
    if request.method == "GET":
        _log_read(request, "ret_review", review.case.child, f"review {review.pk} follow-up form")
    if request.method == "POST" and form.is_valid():
        try:
            services.ret_follow_up_add(user=request.user, request=request, review=review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De follow-up is vastgelegd."))
            return redirect("casework:ret_detail", pk=review.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Follow-up van het RET-advies"), "submit": _("Vastleggen"), "case": review.case,
        "icon": "bi-arrow-repeat",
        "intro": _("Geplande follow-up: %(d)s. Wordt het advies nog gevolgd en wat is er gebeurd?") % {
            "d": review.follow_up_on.strftime("%d-%m-%Y")},
    })


def home_ret(request):
    """The start page of an RET member or chair: the region's agenda (upcoming and recent reviews, open actions,
    overdue follow-ups). Without a region: the default start page's message."""
    if not request.user.region_id:
        from placements.views import home_wijkteam

        return home_wijkteam(request)
    return _agenda(request, start=True)


@chair_required
def ret_agenda(request):
    return _agenda(request)


def _agenda(request, *, start: bool = False):
    agenda = selectors.ret_agenda(user=request.user)
    refs = {r.case.child.reference for r in agenda.upcoming + agenda.recent + agenda.overdue_follow_ups}
    refs |= {a.review.case.child.reference for a in agenda.open_actions}
    if refs:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="ret_review", object_refs=sorted(refs),
                        detail="RET agenda")
    return render(request, "casework/ret_agenda.html", {"agenda": agenda, "today": timezone.localdate(), "start": start})


# ------------------------------------------------------------------------------------------- checklists
@wijkteam_required
def checklist_list(request):
    placements = list(selectors.residential_placements(user=request.user)[:200])
    open_lists = list(selectors.checklist_scope(user=request.user).filter(episode__isnull=True).select_related("child", "care_form"))
    refs = {e.child.reference for e in placements} | {c.child.reference for c in open_lists}
    if refs:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="checklist", object_refs=sorted(refs),
                        detail="residential placements and checklists")
    return render(request, "casework/checklist_list.html", {"placements": placements, "open_lists": open_lists})


def _checklist_data(cleaned: dict) -> dict:
    return {k: cleaned.get(k, "") if k in CHECKLIST_TEXTS else bool(cleaned.get(k)) for k in (*CHECKLIST_ITEMS, *CHECKLIST_TEXTS)}


@wijkteam_required
@require_http_methods(["GET", "POST"])
def checklist_create(request, child_pk: int):
    child = selectors.child_get(user=request.user, pk=child_pk)
    if child is None:
        return _deny(request, ref=child_ref_for_audit(pk=child_pk), object_type="checklist")
    under12 = age_on(child.birth_date, timezone.localdate()) < 12
    form = ChecklistForm(_post(request), child=child, under12=under12)
    if request.method == "GET":
        _log_read(request, "checklist", child, "checklist form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checklist = services.checklist_create(user=request.user, request=request, child=child, care_form=data["care_form"],
                                                  completed_on=data["completed_on"], **_checklist_data(data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De checklist is ingevuld. U kunt nu de plaatsing starten."))
            return redirect("casework:checklist_detail", pk=checklist.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Checklist plaatsing residentieel"), "submit": _("Checklist opslaan"), "child": child,
        "icon": "bi-list-check",
        "intro": _("Loop elk onderdeel door vóórdat de plaatsing start. Na de start kan de checklist niet meer worden gewijzigd."),
    })


def _checklist_or_deny(request, pk):
    checklist = selectors.checklist_get(user=request.user, pk=pk)
    if checklist is None:
        return None, _deny(request, ref=selectors.checklist_ref_for_audit(pk=pk), object_type="checklist")
    return checklist, None


@wijkteam_required
def checklist_detail(request, pk: int):
    checklist, denied = _checklist_or_deny(request, pk)
    if denied:
        return denied
    _log_read(request, "checklist", checklist.child, f"checklist {checklist.pk}")
    items = [(ChecklistForm._meta.model._meta.get_field(f).verbose_name, getattr(checklist, f)) for f in CHECKLIST_ITEMS]
    return render(request, "casework/checklist_detail.html", {"checklist": checklist, "items": items, "child": checklist.child})


@wijkteam_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk: int):
    checklist, denied = _checklist_or_deny(request, pk)
    if denied:
        return denied
    if checklist.is_locked:
        log_access(request=request, action=AccessAction.CHANGE, object_type="checklist", object_ref=checklist.child.reference,
                   result=AccessResult.DENIED, detail=f"checklist {checklist.pk} locked")
        messages.error(request, _("De plaatsing is gestart: deze checklist kan niet meer worden gewijzigd."))
        return redirect("casework:checklist_detail", pk=checklist.pk)
    under12 = age_on(checklist.child.birth_date, timezone.localdate()) < 12
    form = ChecklistForm(_post(request), instance=checklist, child=checklist.child, under12=under12)
    if request.method == "GET":
        _log_read(request, "checklist", checklist.child, f"checklist {checklist.pk} edit form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.checklist_update(user=request.user, request=request, checklist=checklist, care_form=data["care_form"],
                                      completed_on=data["completed_on"], **_checklist_data(data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De checklist is bijgewerkt."))
            return redirect("casework:checklist_detail", pk=checklist.pk)
    return render(request, "casework/form.html", {
        "form": form, "title": _("Checklist bewerken"), "submit": _("Opslaan"), "child": checklist.child, "icon": "bi-list-check",
    })


# ------------------------------------------------------------------------------------------- Week van de Casus
@wijkteam_required
def case_week_list(request):
    candidates = selectors.case_week_candidates(user=request.user)
    reviews = list(selectors.case_week_scope(user=request.user).select_related("child", "episode__care_form")[:200])
    refs = {e.child.reference for e in candidates} | {r.child.reference for r in reviews}
    if refs:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="case_week_review", object_refs=sorted(refs),
                        detail="Week van de Casus list")
    return render(request, "casework/case_week_list.html", {"candidates": candidates, "reviews": reviews})


@wijkteam_required
@require_http_methods(["GET", "POST"])
def case_week_create(request, episode_pk: int):
    episode = selectors.case_week_episode_get(user=request.user, pk=episode_pk)
    if episode is None:
        return _deny(request, ref=episode_ref_for_audit(pk=episode_pk), object_type="case_week_review")
    child = episode.child
    form = CaseWeekReviewForm(_post(request))
    if request.method == "GET":
        _log_read(request, "case_week_review", child, f"review form episode {episode.pk}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lessons = [(data[f"lesson_{i}"], parse_tags(data[f"tags_{i}"])) for i in (1, 2, 3)]
        try:
            review = services.case_week_review_create(
                user=request.user, request=request, child=child, episode=episode, review_date=data["review_date"],
                helped=data["helped"], missing=data["missing"], alternative_routes=data["alternative_routes"],
                gi_involved=data["gi_involved"], gi_invited=data["gi_invited"], lessons=lessons,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De bespreking is vastgelegd."))
            return redirect("casework:case_week_detail", pk=review.pk)
    episodes = list(child.episodes.select_related("care_form", "provider", "municipality").order_by("start_date", "id"))
    return render(request, "casework/case_week_form.html", {
        "form": form, "child": child, "episode": episode, "timeline": render_timeline(episodes, today=timezone.localdate()),
        "legend": legend(),
    })


@wijkteam_required
def case_week_detail(request, pk: int):
    review = selectors.case_week_get(user=request.user, pk=pk)
    if review is None:
        return _deny(request, ref=selectors.case_week_ref_for_audit(pk=pk), object_type="case_week_review")
    _log_read(request, "case_week_review", review.child, f"review {review.pk}")
    episodes = list(review.child.episodes.select_related("care_form", "provider", "municipality").order_by("start_date", "id"))
    return render(request, "casework/case_week_detail.html", {
        "review": review, "child": review.child, "timeline": render_timeline(episodes, today=timezone.localdate()),
        "legend": legend(),
    })


@lessons_required
def lessons(request):
    tag = request.GET.get("tag", "").strip()[:40]
    rows = selectors.lessons_region_wide(user=request.user, tag=tag)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    log_access(request=request, action=AccessAction.READ, object_type="lesson", detail=f"lessons region-wide, {len(rows)} rows")
    return render(request, "casework/lessons.html", {
        "rows": page.object_list, "page": page, "tag": tag, "tags": selectors.lesson_tags(user=request.user),
        "tag_query": urlencode({"tag": tag}) + "&" if tag else "",
    })


# ------------------------------------------------------------------------------------------- JIM / systemic
@wijkteam_required
def follow_ups(request):
    overdue_only = request.GET.get("achterstallig") == "1"
    rows = selectors.trajectory_rows(user=request.user, overdue_only=overdue_only)
    if rows:
        log_access_many(request=request, action=AccessAction.SEARCH, object_type="episode",
                        object_refs=sorted({r.episode.child.reference for r in rows}), detail="JIM/systemic follow-ups")
    return render(request, "casework/follow_ups.html", {
        "rows": rows, "overdue_only": overdue_only, "overdue_count": sum(r.overdue for r in rows),
    })


@wijkteam_required
@require_http_methods(["GET", "POST"])
def follow_up_add(request, episode_pk: int):
    episode = selectors.trajectory_episode_get(user=request.user, pk=episode_pk)
    if episode is None:
        return _deny(request, ref=episode_ref_for_audit(pk=episode_pk), object_type="episode")
    form = TrajectoryFollowUpForm(_post(request))
    if request.method == "GET":
        _log_read(request, "episode", episode.child, f"episode {episode.pk} follow-up form")
    if request.method == "POST" and form.is_valid():
        try:
            services.trajectory_follow_up_add(user=request.user, request=request, episode=episode, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De follow-up is vastgelegd."))
            return redirect("casework:follow_ups")
    return render(request, "casework/form.html", {
        "form": form, "title": _("Follow-up %(form)s") % {"form": episode.care_form.name}, "submit": _("Vastleggen"),
        "child": episode.child, "icon": "bi-arrow-repeat", "cancel": "casework:follow_ups",
        "history": list(episode.trajectory_follow_ups.all()),
    })

"""Pages of the registry: the start page per role, the child list and detail, and the episode forms.

Views are thin: they check the role, read through the selectors (which apply the user's scope),
write through the services, and log every access to a child (never a BSN or a label).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.access import access_required, refuse
from accounts.audit import log_access
from accounts.models import AccessAction, AccessResult
from core import publication

from . import child_picker, selectors, services
from .child_panels import child_panels
from .episode_rules import episode_start_prerequisite
from .forms import ChildRegisterForm, ChildSearchForm, EpisodeEndForm, EpisodeStartForm, TargetGroupForm, add_service_errors
from .timeline import legend, render_timeline

PAGE_SIZE = 25


def _post(request):
    """The posted data for a bound form (also when a POST is empty), None on GET."""
    return request.POST if request.method == "POST" else None


def case_access_required(action: str):
    """Only wijkteam workers of a municipality reach child pages; anyone else gets 403 and a "denied" log entry."""
    return access_required(roles.is_wijkteam, object_type="child", area="case", action=action,
                           message=_("Met uw rol heeft u geen toegang tot dossiers van kinderen. De poging is vastgelegd in het toegangslog."))


def _deny_object(request, *, pk, action: str, object_type: str = "child", ref: str | None = None):
    """Log a refused access to a record outside the user's scope and answer 404 (its existence is not revealed)."""
    return refuse(request, status=404, action=action, object_type=object_type,
                  object_ref=ref if ref is not None else selectors.child_ref_for_audit(pk=pk), detail="outside scope")


# --- start page -------------------------------------------------------------------------------


def home_admin(request):
    return render(request, "home/admin.html", {"counts": selectors.admin_counts(), "imports": selectors.import_jobs_recent()})


def home_wijkteam(request):
    user = request.user
    context = {"has_scope": selectors.can_see_children(user=user), "today": timezone.localdate()}
    if context["has_scope"]:
        context["summary"] = selectors.municipality_summary(user=user)
        context["recent"] = recent = selectors.child_list_page(user=user, per_page=8).object_list
        if recent:
            log_access(request=request, action=AccessAction.SEARCH, object_type="child",
                       detail=f"start page, {len(recent)} recent children")
        context["search_form"] = ChildSearchForm()
    return render(request, "home/wijkteam.html", context)


def home_project(request):
    user = request.user
    rows = [
        {
            "municipality": row.municipality,
            "stay": publication.count_text(row.stay),
            "family_based": publication.count_text(row.family_based),
            "residential": publication.count_text(row.residential),
        }
        for row in selectors.region_stock_now(user=user)
    ]
    region = user.region or (user.municipality.region if user.municipality_id else None)
    return render(request, "home/project.html", {
        "rows": rows, "region": region, "today": timezone.localdate(), "suppression_k": settings.SUPPRESSION_K,
        "publication_note": publication.explanation(),
    })


# --- children ---------------------------------------------------------------------------------


@case_access_required(AccessAction.SEARCH)
@require_http_methods(["GET", "POST"])
def child_list(request):
    """List and search. A BSN query is hashed and matched; it is never echoed, put in a URL or logged."""
    raw = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    kind = selectors.classify_query(raw)
    if request.method == "GET" and kind in (selectors.QUERY_BSN, selectors.QUERY_INVALID_BSN):
        # A BSN in a web address lands in the browser history and server logs, and every link on the page that
        # repeats the address (the language switch) would send it back: no search, ask for the search field.
        log_access(request=request, action=AccessAction.SEARCH, object_type="child", result=AccessResult.DENIED,
                   detail="bsn in web address refused")
        messages.warning(request, child_picker.BSN_IN_ADDRESS)
        return redirect("children:list")
    if request.method == "POST" and kind in (selectors.QUERY_LABEL, selectors.QUERY_NONE):
        # Label searches become a bookmarkable, paginable GET; BSN searches stay in the POST body.
        target = reverse("children:list")
        return redirect(f"{target}?{urlencode({'q': raw.strip()})}" if kind == selectors.QUERY_LABEL else target)

    page = selectors.child_list_page(user=request.user, query=raw, number=request.GET.get("page"), per_page=PAGE_SIZE)
    log_access(request=request, action=AccessAction.SEARCH, object_type="child",
               detail=f"{kind} search, {page.paginator.count} results" if kind != selectors.QUERY_NONE
               else f"list, {page.paginator.count} children, page {page.number}")

    label_query = raw.strip() if kind == selectors.QUERY_LABEL else ""
    form = ChildSearchForm(initial={"q": label_query})
    return render(request, "placements/child_list.html", {
        "page": page,
        "form": form,
        "kind": kind,
        "label_query": label_query,
        "page_query": urlencode({"q": label_query}) + "&" if label_query else "",
        "today": timezone.localdate(),
    })


@case_access_required(AccessAction.CREATE)
@require_http_methods(["GET", "POST"])
def child_register(request):
    form = ChildRegisterForm(_post(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if selectors.elsewhere_answers_recent(user=request.user) >= settings.REGISTRATION_ELSEWHERE_LIMIT:
            # someone trying BSNs to learn which children youth care knows elsewhere: no more answers this hour
            log_access(request=request, action=AccessAction.SEARCH, object_type="child", result=AccessResult.DENIED,
                       detail="registration refused: too many children known elsewhere this hour")
            form.add_error(None, _("U heeft dit uur al vaker een kind ingevoerd dat bij een andere gemeente bekend is. "
                                   "Probeer het over een uur opnieuw of neem contact op met de beheerder."))
            return render(request, "placements/child_form.html", {"form": form})
        try:
            child, created = services.child_register(
                user=request.user, request=request, bsn=data["bsn"], birth_date=data["birth_date"],
                sex=data["sex"], label=data["label"], target_group=data["target_group"],
            )
        except ValidationError as error:
            if any(e.code == services.KNOWN_ELSEWHERE for e in error.error_dict.get("bsn", [])):
                # logged here, after the service's transaction was rolled back (the answer itself is information)
                log_access(request=request, action=AccessAction.SEARCH, object_type="child", result=AccessResult.DENIED,
                           detail=selectors.ELSEWHERE_DETAIL)
            add_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("Het kind is geregistreerd."))
            else:
                messages.info(request, _("Dit kind was al geregistreerd in uw gemeente; u ziet het bestaande dossier."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "placements/child_form.html", {"form": form})


@case_access_required(AccessAction.READ)
def child_detail(request, pk: int):
    child = selectors.child_get(user=request.user, pk=pk)
    if child is None:
        return _deny_object(request, pk=pk, action=AccessAction.READ)
    episodes = list(selectors.episode_list_for_child(child=child))
    today = timezone.localdate()
    log_access(request=request, action=AccessAction.READ, object_type="child", object_ref=child.reference,
               detail=f"detail, {len(episodes)} episodes")
    return render(request, "placements/child_detail.html", {
        "child": child,
        "episodes": episodes,
        "panels": child_panels(child=child),
        "timeline": render_timeline(episodes, today=today),
        "legend": legend(),
        "today": today,
    })


@case_access_required(AccessAction.CHANGE)
@require_http_methods(["GET", "POST"])
def child_target_group(request, pk: int):
    child = selectors.child_get(user=request.user, pk=pk)
    if child is None:
        return _deny_object(request, pk=pk, action=AccessAction.CHANGE)
    form = TargetGroupForm(_post(request), initial={"target_group": child.target_group_id})
    if request.method == "POST" and form.is_valid():
        services.child_set_target_group(user=request.user, request=request, child=child, target_group=form.cleaned_data["target_group"])
        messages.success(request, _("De doelgroep is vastgelegd."))
        return redirect("children:detail", pk=child.pk)
    return render(request, "placements/target_group_form.html", {"form": form, "child": child, "title": _("Doelgroep"),
                                                                 "submit": _("Opslaan")})


# --- episodes ---------------------------------------------------------------------------------


@case_access_required(AccessAction.CREATE)
@require_http_methods(["GET", "POST"])
def episode_start(request, pk: int):
    child = selectors.child_get(user=request.user, pk=pk)
    if child is None:
        return _deny_object(request, pk=pk, action=AccessAction.CREATE)
    checklist = episode_start_prerequisite(child=child)  # a completed checklist not used yet (needed for rung 5-6)
    form = EpisodeStartForm(_post(request), child=child, user=request.user)
    if checklist is not None and getattr(checklist, "care_form_id", None) and request.method == "GET":
        form.fields["care_form"].initial = checklist.care_form_id  # "Plaatsing starten" from the checklist: its care form
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_start(
                user=request.user, request=request, child=child, care_form=data["care_form"], provider=data["provider"],
                start_date=data["start_date"], referrer=data["referrer"], legal_framework=data["legal_framework"],
                municipality=data["municipality"], checklist=checklist if data["care_form"].is_residential else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het traject is gestart."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "placements/episode_start.html", {"form": form, "child": child, "checklist": checklist})


@case_access_required(AccessAction.CHANGE)
@require_http_methods(["GET", "POST"])
def episode_end(request, pk: int):
    episode = selectors.episode_get(user=request.user, pk=pk)
    if episode is None:
        return _deny_object(request, pk=pk, action=AccessAction.CHANGE, object_type="episode",
                     ref=selectors.episode_ref_for_audit(pk=pk))
    child = episode.child
    if not episode.is_open:
        messages.info(request, _("Dit traject is al beëindigd."))
        return redirect("children:detail", pk=child.pk)
    form = EpisodeEndForm(_post(request), initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_end(user=request.user, request=request, episode=episode,
                                 end_date=form.cleaned_data["end_date"], end_reason=form.cleaned_data["end_reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het traject is beëindigd."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "placements/episode_end.html", {"form": form, "episode": episode, "child": child})

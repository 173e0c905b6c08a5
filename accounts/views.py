"""Account pages: the access log for administrators (login and logout are Django's own views)."""
from __future__ import annotations

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .access import refuse
from .models import AccessAction, AccessLogEntry, AccessResult

PAGE_SIZE = 50


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccessLogFilter(django_filters.FilterSet):
    actor_username = django_filters.CharFilter(label=_("Gebruiker"), lookup_expr="icontains")
    object_ref = django_filters.CharFilter(label=_("Object"), lookup_expr="istartswith")
    action = django_filters.ChoiceFilter(label=_("Actie"), choices=AccessAction.choices, empty_label=_("Alle"))
    result = django_filters.ChoiceFilter(label=_("Resultaat"), choices=AccessResult.choices, empty_label=_("Alle"))
    date_from = django_filters.DateFilter(label=_("Vanaf"), field_name="timestamp", lookup_expr="date__gte", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("Tot en met"), field_name="timestamp", lookup_expr="date__lte", widget=DateInput())

    class Meta:
        model = AccessLogEntry
        fields = ["actor_username", "object_ref", "action", "result", "date_from", "date_to"]

    @property
    def form(self):
        form = super().form
        if not hasattr(form, "helper"):
            helper = FormHelper()
            helper.form_tag = False
            helper.disable_csrf = True
            helper.layout = Layout(Row(
                Column("actor_username", css_class="col-md-2"), Column("object_ref", css_class="col-md-2"),
                Column("action", css_class="col-md-2"), Column("result", css_class="col-md-2"),
                Column("date_from", css_class="col-md-2"), Column("date_to", css_class="col-md-2"),
            ))
            form.helper = helper
        return form


def access_log(request):
    """The access log, newest first, searchable by actor, object, action, result and period (administrators only)."""
    if not request.user.is_admin_role:
        return refuse(request, object_type="access_log", action=AccessAction.READ,
                      message=_("Het toegangslog is alleen voor beheerders. De poging is vastgelegd."))
    filterset = AccessLogFilter(request.GET or None, queryset=AccessLogEntry.objects.all())
    queryset = filterset.qs if filterset.is_bound else AccessLogEntry.objects.all()
    page = Paginator(queryset.order_by("-timestamp", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"filter": filterset, "page": page})

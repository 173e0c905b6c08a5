"""The foster-care section of the dashboard: the foster-care figures of the dashboard's run and scope for the
year of the chosen month (flows summed from January up to that month, stocks at that month, shares and ratios
of the latest finished year). Small numbers of children are suppressed unless the viewer sees exact figures."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from monitoring.dashboard import sections
from monitoring.dashboard.sections import Tile

register = template.Library()

#: The engine's breakdowns and foster_breakdown_12m are read from the family-based group (foster care and family
#: homes), the foster-care figures from group "all" or a recruitment stage.
SECTION = (
    "breakdowns_prevented",
    Tile("breakdowns", "family_based", label=_("Breakdowns (trajecten)")),
    "foster_breakdowns_registered",
    "foster_escalations",
    "foster_at_risk",
    "foster_at_risk_days",
    "foster_children",
    "foster_families_active",
    "foster_free_places",
    "foster_families_leaving",
    Tile("recruitment", "informatieavond", label=_("Aspiranten op informatieavond")),
    Tile("recruitment", "goedgekeurd", label=_("Nieuwe pleegouders goedgekeurd")),
    Tile("foster_breakdown_12m", "family_based"),
    "prospects_per_match",
)


@register.simple_tag
def fostercare_figures(dash) -> dict:
    return sections.section_rows(dash, SECTION)

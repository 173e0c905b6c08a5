"""The targets page: every active target the user may read, with its progress in the latest run."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import publication
from monitoring import registry
from monitoring.runs.selectors import run_latest

from . import progress as service
from .selectors import sees_unsuppressed, targets_visible


@require_GET
def target_list(request):
    user = request.user
    run = run_latest()
    cards = []
    for target in targets_visible(user=user):
        progress = service.target_progress(target, run)
        cards.append(service.card(progress, suppress=not sees_unsuppressed(user, target)))
    sections = [
        ("running", [c for c in cards if c["progress"].has_numbers and not c["progress"].finished]),
        ("finished", [c for c in cards if c["progress"].has_numbers and c["progress"].finished]),
        ("other", [c for c in cards if not c["progress"].has_numbers]),
    ]
    return render(request, "monitoring/targets.html", {
        "run": run,
        "cards": cards,
        "sections": [(key, items) for key, items in sections if items],
        "summary": service.summary(cards),
        "suppression_k": settings.SUPPRESSION_K,
        "publication_note": publication.explanation(),
        "at_risk_pct": round(100 * service.AT_RISK_SHARE),
        "metrics_not_measured": [m for m in registry.REGISTRY.values() if not m.available],
    })

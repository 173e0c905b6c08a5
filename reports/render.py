"""The report as HTML (templates/reports/report.html) and as PDF (WeasyPrint: HTML + CSS, no browser, no network).

The PDF is rendered from the very HTML that the HTML view shows. WeasyPrint may fetch nothing from outside:
the logo is a data URI, charts are inline SVG, fonts are the system's DejaVu (fonts-dejavu-core)."""
from __future__ import annotations

import logging
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from .content import Report, nl_date

# WeasyPrint warns about CSS it does not support; the report does not depend on any of it.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_html(report: Report) -> str:
    run = report.run
    scope = "" if report.scope.level == "region" else f" · {report.scope.label}"  # the region is the report's name already
    footer = f"{report.region_name}{scope} · {report.quarter_label} · rekenrun {run.pk}"
    footer = re.sub(r'["\\<>]', "", footer)
    return render_to_string("reports/report.html", {
        "r": report,
        "footer_text": mark_safe(footer),  # noqa: S308 - quotes, backslashes and angle brackets removed above
        "data_date": nl_date(run.data_date),
        "locked_at": nl_date(run.locked_at) if run.locked and run.locked_at else "",
        "generated_at": f"{nl_date(report.generated_at)} {timezone.localtime(report.generated_at):%H:%M}",
    })


def url_fetcher():
    """No network and no local files: only data: URIs (the logo) may be loaded."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages)."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=url_fetcher()).render()
    return document.write_pdf(), len(document.pages)

"""Example reference data of Food Valley for issue 17: reporting categories in the way of Gooi en Vechtstreek's
progress report (seed 003: "Pleegzorg" is foster and network foster care, "Gezinshuizen" a category of its own only
from 2021 — "daarvoor binnen 24 uren"), and a small versioned product table mapping iJw products to care forms
(illustrative codes, not the national list). Idempotent: what exists is left alone."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from placements.models import CareForm, CategoryMapping, ProductCode, Region, ReportingCategory
from placements.reference import FOODVALLEY

D = dt.date
SINCE = D(2015, 1, 1)

# (code, name, order, [(care form, valid from)])
CATEGORIES = (
    ("24-uursverblijf", "24 uren verblijf", 1, [("RES", SINCE), ("GZH", SINCE)]),
    ("gezinshuizen", "Gezinshuizen", 2, [("GZH", D(2021, 1, 1))]),
    ("driemilieu", "Driemilieuvoorziening", 3, [("DRM", SINCE)]),
    ("beschermd-wonen", "Beschermd wonen", 4, [("BW18", SINCE)]),
    ("gesloten", "Gesloten jeugdhulp", 5, [("JZP", SINCE)]),
    ("kortdurend", "Kortdurend verblijf", 6, [("LOG", SINCE), ("CRS", SINCE)]),
    ("pleegzorg", "Pleegzorg", 7, [("PLZ", SINCE), ("NPZ", SINCE)]),
)

# (category, code, care form, valid from, valid to)
PRODUCTS = (
    ("43", "43A01", "RES", SINCE, D(2020, 12, 31)),
    ("43", "43A01", "RES", D(2021, 1, 1), None),  # a new version of the table: same code, new period
    ("43", "43A02", "GZH", SINCE, None),
    ("43", "43A05", "DRM", SINCE, None),
    ("44", "44A01", "PLZ", SINCE, None),
    ("44", "44A02", "NPZ", SINCE, None),
    ("45", "45A01", "JZP", SINCE, None),
    ("46", "46A01", "LOG", SINCE, None),
)


@transaction.atomic
def build_demo_categories(*, region_name: str = FOODVALLEY) -> dict[str, int]:
    region = Region.objects.get(name=region_name)
    forms = {cf.code: cf for cf in CareForm.objects.all()}
    counts = {"categorieën": 0, "indelingen": 0, "productcodes": 0}
    for code, name, order, mappings in CATEGORIES:
        category, created = ReportingCategory.objects.get_or_create(region=region, code=code, defaults={"name": name, "order": order})
        counts["categorieën"] += created
        for form, since in mappings:
            if form in forms:
                counts["indelingen"] += CategoryMapping.objects.get_or_create(category=category, care_form=forms[form], valid_from=since)[1]
    for category, code, form, start, end in PRODUCTS:
        if form in forms:
            counts["productcodes"] += ProductCode.objects.get_or_create(
                region=region, product_category=category, product_code=code, valid_from=start,
                defaults={"care_form": forms[form], "valid_to": end})[1]
    return counts

"""core.db: COPY text that round-trips any value, and padded IN lists."""
from __future__ import annotations

import pytest
from django.db import connection

from core import db
from placements.bsn import pseudonymise, synthetic_bsn


def test_in_lists_are_padded_to_few_distinct_lengths_with_values_that_never_match():
    real = [pseudonymise(synthetic_bsn(n)) for n in range(3)]
    padded = db.padded_pseudonyms(real)
    assert len(padded) == db.IN_BUCKET and len(set(padded)) == db.IN_BUCKET
    assert padded[:3] == real and not any(p.startswith("~") for p in real)
    assert len(db.padded_pseudonyms([f"{n:064x}" for n in range(501)])) == 2 * db.IN_BUCKET
    ids = db.padded_ids([5, 7])
    assert ids[:2] == [5, 7] and len(set(ids)) == db.IN_BUCKET and min(ids[2:]) < 0


def test_copy_text_escapes_what_would_break_a_row():
    assert db.copy_line(["a\tb", "x\ty", None, 3, "r\nn\\"]) == "a\\tb\tx\\ty\t\\N\t3\tr\\nn\\\\\n"


@pytest.mark.django_db
def test_copy_in_round_trips_tabs_newlines_and_backslashes():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from placements.models import Provider

    names = ["tab\there", "line\nbreak", "back\\slash\\N", "cr\rhere"]
    db.copy_in(Provider._meta.db_table, ["name", "agb_code", "created_by_import"], db.copy_text([(n, "", False) for n in names]))
    assert sorted(Provider.objects.filter(name__in=names).values_list("name", flat=True)) == sorted(names)

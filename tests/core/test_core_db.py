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


@pytest.mark.django_db
def test_a_background_copy_writes_every_chunk_in_the_transaction_and_hands_on_a_failure():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from django.db import transaction

    from placements.models import Provider

    columns = ["name", "agb_code", "created_by_import"]
    with db.BackgroundCopy(Provider._meta.db_table, columns) as copy:
        for chunk in range(3):  # the caller goes on while the thread copies (at most one chunk waits)
            copy.put(db.copy_text([(f"bg-{chunk}-{i}", "", False) for i in range(100)]))
    assert Provider.objects.filter(name__startswith="bg-").count() == 300
    # a chunk PostgreSQL refuses (a boolean column given "maybe") fails the caller, and the transaction rolls back
    with pytest.raises(Exception, match="boolean"), transaction.atomic():
        with db.BackgroundCopy(Provider._meta.db_table, columns) as copy:
            copy.put(db.copy_text([("bad-1", "", "maybe")]))
    assert not Provider.objects.filter(name="bad-1").exists()
    # leaving with the caller's own failure discards what still waits and keeps that failure
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with db.BackgroundCopy(Provider._meta.db_table, columns) as copy:
            copy.put(db.copy_text([("lost-1", "", False)]))
            1 / 0  # noqa: B018
    assert not Provider.objects.filter(name="lost-1").exists()

"""A child's reference is random: nothing about it leads back to the BSN (issue 15: the old reference, the first 10
characters of the pseudonym, was brute-forced back into its BSN in 10 seconds with the development key)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import AccessLogEntry
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import REFERENCE_ALPHABET
from placements.services import child_register

REFERENCE = re.compile(rf"[{REFERENCE_ALPHABET}]{{10}}")


def test_it_gives_a_registered_child_a_reference_that_is_no_part_of_its_pseudonym(owner, bsn):
    child, _ = child_register(user=owner, bsn=bsn, birth_date=dt.date(2012, 5, 17), sex="V")
    assert REFERENCE.fullmatch(child.reference)
    assert child.reference not in child.pseudonym
    # what the brute force did: hash every candidate BSN and compare its first characters with the reference
    candidates = [synthetic_bsn(n) for n in range(1, 200)] + [bsn]
    assert child.reference not in {pseudonymise(candidate)[:10] for candidate in candidates}


def test_it_draws_a_new_reference_for_the_same_bsn(owner, bsn):
    first, _ = child_register(user=owner, bsn=bsn, birth_date=dt.date(2012, 5, 17), sex="V")
    reference = first.reference
    first.delete()
    again, _ = child_register(user=owner, bsn=bsn, birth_date=dt.date(2012, 5, 17), sex="V")
    assert again.reference != reference


def test_it_refuses_two_children_with_one_reference(owner):
    from django.db import IntegrityError

    a, _ = child_register(user=owner, bsn=synthetic_bsn(1), birth_date=dt.date(2012, 5, 17), sex="V")
    b, _ = child_register(user=owner, bsn=synthetic_bsn(2), birth_date=dt.date(2013, 5, 17), sex="M")
    b.reference = a.reference
    with pytest.raises(IntegrityError):
        b.save()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # other tests need the reference data after the flush
def test_it_replaces_old_references_in_the_children_and_the_access_log(ede):
    """The migration: every child draws a random reference, and the log's entries naming a child by its old
    reference (the first 10 characters of its pseudonym) name it by the new one; other entries stay as they were."""
    executor = MigrationExecutor(connection)
    before, after = [("placements", "0007_import_file_private")], [("placements", "0008_child_reference")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldChild, OldLog = old.get_model("placements", "Child"), old.get_model("accounts", "AccessLogEntry")
    pseudonyms = [pseudonymise(synthetic_bsn(n)) for n in (1, 2, 3)]
    for n, pseudonym in enumerate(pseudonyms):
        OldChild.objects.create(pseudonym=pseudonym, birth_date=dt.date(2012, 1, 1 + n), municipality_id=ede.pk)
    OldLog.objects.create(action="read", object_type="child", object_ref=pseudonyms[0][:10], detail="child page")
    OldLog.objects.create(action="read", object_type="child", object_ref=pseudonyms[0][:10], detail="again")
    OldLog.objects.create(action="change", object_type="episode", object_ref=pseudonyms[2][:10])
    OldLog.objects.create(action="read", object_type="family", object_ref="family 12")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    try:
        _check_migrated(pseudonyms, executor.loader.project_state(after).apps)
    finally:  # going back to 0007 also unapplied what depends on placements (other apps): bring every app back
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_migrated(pseudonyms: list[str], apps) -> None:
    """Checked with the models as they were right after 0008 (later migrations add columns the data lacks yet)."""
    children = dict(apps.get_model("placements", "Child").objects.values_list("pseudonym", "reference"))
    assert len(set(children.values())) == 3 and all(REFERENCE.fullmatch(r) for r in children.values())
    assert all(children[p] != p[:10] for p in pseudonyms)
    refs = list(AccessLogEntry.objects.order_by("pk").values_list("object_ref", flat=True))
    assert refs == [children[pseudonyms[0]], children[pseudonyms[0]], children[pseudonyms[2]], "family 12"]
    # the database refuses changes to the log again afterwards
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_accesslogentry SET detail = 'changed'")

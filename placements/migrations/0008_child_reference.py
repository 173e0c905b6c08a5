"""Children get a random reference instead of the first 10 characters of their pseudonym (issue 15).

The old reference was a truncated HMAC of the BSN: with a weak key it was turned back into a BSN by brute force. Each
existing child draws a random reference, and the access log's entries that name a child by its old reference are
rewritten to the new one, so that no truncated hash stays behind in the log and a child's history stays whole. The
log is append-only (accounts 0003): only this migration lifts its UPDATE trigger, inside its own transaction."""
import secrets

from django.db import migrations, models

import placements.models

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
BATCH = 5000


def _draw(taken: set[str]) -> str:
    while True:
        ref = "".join(secrets.choice(ALPHABET) for _ in range(10))
        if ref not in taken:
            taken.add(ref)
            return ref


def assign_references(apps, schema_editor):
    Child = apps.get_model("placements", "Child")
    connection = schema_editor.connection
    taken: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE child_ref_map (old_ref varchar(10) PRIMARY KEY, new_ref varchar(10) NOT NULL)")
        last = 0
        while True:
            rows = list(Child.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "pseudonym")[:BATCH])
            if not rows:
                break
            last = rows[-1][0]
            children = [Child(pk=pk, reference=_draw(taken)) for pk, _ in rows]
            Child.objects.bulk_update(children, ["reference"])
            # two children may share the first 10 characters of their pseudonym: the log cannot tell them apart,
            # so such an old reference maps to one of them (the first)
            mapping = {}
            for (_pk, pseudonym), child in zip(rows, children):
                mapping.setdefault(pseudonym[:10], child.reference)
            cursor.execute("SELECT old_ref FROM child_ref_map WHERE old_ref IN (%s)" % ",".join(["%s"] * len(mapping)), list(mapping))
            for (seen,) in cursor.fetchall():
                mapping.pop(seen, None)
            if mapping:
                cursor.executemany("INSERT INTO child_ref_map (old_ref, new_ref) VALUES (%s, %s)", list(mapping.items()))
        _rewrite_log(cursor, connection.vendor)
        cursor.execute("DROP TABLE child_ref_map")


def _rewrite_log(cursor, vendor: str) -> None:
    update = ("UPDATE accounts_accesslogentry SET object_ref = "
              "(SELECT new_ref FROM child_ref_map WHERE old_ref = accounts_accesslogentry.object_ref) "
              "WHERE object_ref IN (SELECT old_ref FROM child_ref_map)")
    if vendor == "postgresql":
        cursor.execute("ALTER TABLE accounts_accesslogentry DISABLE TRIGGER accounts_accesslog_no_change")
        cursor.execute(update)
        cursor.execute("ALTER TABLE accounts_accesslogentry ENABLE TRIGGER accounts_accesslog_no_change")
    elif vendor == "sqlite":
        cursor.execute("DROP TRIGGER IF EXISTS accounts_accesslog_no_update")
        cursor.execute(update)
        cursor.execute("CREATE TRIGGER accounts_accesslog_no_update BEFORE UPDATE ON accounts_accesslogentry "
                       "BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;")
    else:
        cursor.execute(update)


class Migration(migrations.Migration):

    dependencies = [
        ("placements", "0007_import_file_private"),
        ("accounts", "0007_staff_is_admin"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="reference",
            field=models.CharField(max_length=10, null=True, editable=False, verbose_name="referentie"),
        ),
        migrations.RunPython(assign_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="child",
            name="reference",
            field=models.CharField(default=placements.models.new_child_reference, editable=False, max_length=10, unique=True,
                                   verbose_name="referentie"),
        ),
    ]

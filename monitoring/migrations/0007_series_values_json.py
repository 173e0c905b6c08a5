"""A run's series values as `json` with lz4 TOAST compression on PostgreSQL (see core.db.TextJSONField): on the
national data set the series of the episodes part are written in 3.9 s instead of 8-10 s."""

from django.db import migrations

import core.db


def compress_with_lz4(apps, schema_editor):
    """lz4 where the server was built with it (PostgreSQL 14 and later, as Debian's and the official image are);
    elsewhere the column keeps the default compression (pglz), which is only slower."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone():
            cursor.execute('ALTER TABLE monitoring_figureseries ALTER COLUMN "values" SET COMPRESSION lz4')


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0006_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="figureseries",
            name="values",
            field=core.db.TextJSONField(default=dict),
        ),
        migrations.RunPython(compress_with_lz4, migrations.RunPython.noop),
    ]

"""PostgreSQL: TRUNCATE of the access log is refused too (the row triggers of 0003 do not fire on TRUNCATE).

Only a session that has set `foodvalley.allow_log_truncate = on` may truncate it: the test suite's database flush
does (tests/conftest.py); the application never does."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_accesslog_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('foodvalley.allow_log_truncate', true), '') <> 'on' THEN
        RAISE EXCEPTION 'access log is append-only';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_accesslog_no_truncate
    BEFORE TRUNCATE ON accounts_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_accesslog_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_accesslog_no_truncate ON accounts_accesslogentry;
DROP FUNCTION IF EXISTS accounts_accesslog_no_truncate();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_fostercare_role")]
    operations = [migrations.RunPython(create, drop)]

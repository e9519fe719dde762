"""On PostgreSQL, the timeline and the access log are append-only: a trigger refuses every
UPDATE and DELETE of their rows (TRUNCATE, a table-level operation for a whole reset, is not a
row change and stays possible for the database owner). SQLite relies on verify_audit."""

from django.db import migrations

TABLES = ("cases_timelineevent", "cases_caseaccesslog")

CREATE = """
CREATE OR REPLACE FUNCTION jiefen_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the case record is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jiefen_append_only()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS jiefen_append_only()")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_timeline_chain")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

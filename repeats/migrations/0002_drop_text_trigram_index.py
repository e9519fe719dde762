from django.db import migrations

# The GIN trigram index of 0001 was never chosen by the planner: the (area, created_at) index
# narrows a town's window far more cheaply, and the similar-text search now compares the
# newest cases of that window (repeats.proposals.CANDIDATES). Unused, it only slowed every
# insert and update of a case's title or description. pg_trgm stays: similarity() is its.
TEXT_INDEX = (
    "CREATE INDEX IF NOT EXISTS repeats_case_text_trgm ON cases_case "
    "USING gin ((title || ' ' || description) gin_trgm_ops)"
)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS repeats_case_text_trgm")


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TEXT_INDEX)


class Migration(migrations.Migration):
    dependencies = [("repeats", "0001_repeat_rule_and_merges")]

    operations = [migrations.RunPython(drop_index, restore_index)]

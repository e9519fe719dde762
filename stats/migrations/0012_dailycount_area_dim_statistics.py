"""PostgreSQL: statistics of the (area, dimension) pairs of the roll-up rows.

A province's and a city's monthly unit rows are most of the table, so the planner, taking
area and dimension as independent, expected a quarter of a million rows for "the
province's daily totals" (about 1,100) and scanned the whole table: the dashboard took 3 s
at 10M cases. With the pairs' own most-common-values list it expects what is there and
reads the (area, dimension, day) index. The large target keeps every area's pairs in it.
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS stats_dailycount_area_dim (mcv, dependencies) "
    "ON area_id, dim FROM stats_dailycount",
    "ALTER STATISTICS stats_dailycount_area_dim SET STATISTICS 3000",
    "ANALYZE stats_dailycount",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS stats_dailycount_area_dim")


class Migration(migrations.Migration):
    dependencies = [("stats", "0011_petition_marks")]

    operations = [migrations.RunPython(create, drop)]

from django.db import migrations


def load(apps, schema_editor):
    from cases.data.categories import load_code_tables

    load_code_tables(apps.get_model("cases", "Category"), apps.get_model("cases", "MojCategory"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def load(apps, schema_editor):
    from documents.seed import load_templates

    load_templates(apps.get_model("documents", "DocumentTemplate"), apps.get_model("documents", "Block"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def seed(apps, schema_editor):
    from risk.defaults import create_plans, create_tags

    create_plans(apps.get_model("risk", "RiskPlan"))
    create_tags(apps.get_model("risk", "RiskTag"))


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

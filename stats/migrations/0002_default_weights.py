from decimal import Decimal

from django.db import migrations

WEIGHTS = {
    "resolution_rate": 30,
    "closure_rate": 20,
    "on_time_rate": 20,
    "first_time_rate": 10,
    "satisfaction_rate": 20,
    "evaluation_rate": 0,
    "overdue": 1,
    "missed_report": 2,
}
STARS = [(5, 95, 10), (4, 90, 5), (3, 80, 1), (2, 60, 1), (1, 0, 1)]


def seed(apps, schema_editor):
    Weight = apps.get_model("stats", "AssessmentWeight")
    Star = apps.get_model("stats", "StarLevel")
    for key, w in WEIGHTS.items():
        Weight.objects.get_or_create(indicator=key, defaults={"weight": Decimal(w)})
    for stars, score, cases in STARS:
        Star.objects.get_or_create(
            stars=stars, defaults={"min_score": Decimal(score), "min_cases": cases}
        )


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

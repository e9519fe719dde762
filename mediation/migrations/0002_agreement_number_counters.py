"""Agreement numbers (人调字第N号) are drawn from a counter per unit and year (cases'
CaseCodeSequence, key "agreement:<unit id>:<year>") instead of Max()+1; start each counter at
the last number already issued, so the next agreement continues the register.

The key is written out here (as mediation.services.agreement_register makes it) because a
migration must not depend on today's code.
"""

from django.db import migrations
from django.db.models import Max


def seed_counters(apps, schema_editor):
    Agreement = apps.get_model("mediation", "Agreement")
    Counter = apps.get_model("cases", "CaseCodeSequence")
    registers = Agreement.objects.values("unit_id", "year").annotate(last=Max("sequence"))
    for row in registers.order_by():
        counter, created = Counter.objects.get_or_create(
            prefix=f"agreement:{row['unit_id']}:{row['year']}", defaults={"last": row["last"]}
        )
        if not created and counter.last < row["last"]:
            counter.last = row["last"]
            counter.save(update_fields=["last"])


def drop_counters(apps, schema_editor):
    # Max()+1 numbering needs no counters; the case-code prefixes never start with a letter.
    apps.get_model("cases", "CaseCodeSequence").objects.filter(
        prefix__startswith="agreement:"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_event_escalated_at"),
        ("mediation", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed_counters, drop_counters)]

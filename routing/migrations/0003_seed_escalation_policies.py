"""Ship the two escalation policies the seeds describe; regions assign them to areas in the admin.

Levels are written as numbers (areas.Level: COUNTY=3, TOWN=4, VILLAGE=5, GRID=6) because a
migration must not depend on today's code.
"""

from decimal import Decimal

from django.db import migrations

# Quotations are verbatim from the seeds (traditional characters and ASCII punctuation kept).
WUSHAN_WARNING = "網格3日內無法化解的糾紛,轉辦至村(社區);村(社區)24小時內無法解決的,迅速上報鎮(街道)。"

POLICIES = [
    {
        "name": "巫山时限制",
        "description": (
            "巫山县（种子 003）：按时限逐级上报。网格 3 日 → 村（社区）24 小时 → "
            "镇（街道）10 日内办结反馈。"
            "跨区域、跨部门的重大复杂事项实行“镇街吹哨、部门报到”，"
            "被吹哨的职能部门须在 24 小时内响应（原文：“明確職能部門24小時響應時限要求”）。"
        ),
        "steps": [
            (6, Decimal(3), "calendar_days", None, WUSHAN_WARNING),
            (5, Decimal(24), "hours", None, WUSHAN_WARNING),
            (
                4,
                Decimal(10),
                "calendar_days",
                None,
                "鎮(街道)對村(居)上報事項原則上10日內辦結反饋。",
            ),
        ],
    },
    {
        "name": "柳州321工作法",
        "description": (
            "柳州市（种子 000）：按调解次数逐级上移——村（社区）三次、镇（街道）两次、"
            "城区一次，在城区实现“闭环化解”（城区之上不再上移）。"
        ),
        "steps": [
            (
                level,
                None,
                "",
                attempts,
                "按“村(社区)三次、镇(街道)两次、城区一次”的“321”矛盾纠纷化解工作法,"
                "柳南区充分用好每一次矛盾纠纷化解机会,力求矛盾纠纷在城区实现“闭环化解”。",
            )
            for level, attempts in [(5, 3), (4, 2), (3, 1)]
        ],
    },
]


def create_policies(apps, schema_editor):
    Policy = apps.get_model("routing", "EscalationPolicy")
    Step = apps.get_model("routing", "EscalationStep")
    for spec in POLICIES:
        policy, created = Policy.objects.get_or_create(
            name=spec["name"], defaults={"description": spec["description"]}
        )
        if not created:
            continue  # an administrator's edits win
        for order, (level, limit, unit, attempts, note) in enumerate(spec["steps"], start=1):
            Step.objects.create(
                policy=policy,
                level=level,
                order=order,
                time_limit=limit,
                time_unit=unit,
                max_attempts=attempts,
                note=note,
            )


def delete_policies(apps, schema_editor):
    Policy = apps.get_model("routing", "EscalationPolicy")
    Policy.objects.filter(name__in=[p["name"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_escalation_policies")]

    operations = [migrations.RunPython(create_policies, delete_policies)]

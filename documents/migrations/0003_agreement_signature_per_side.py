from django.db import migrations

# The texts as they were when this migration was written (documents.seed may change later).
OLD = "当事人（签名、盖章或按指印）\n人民调解员（签名）\n记录人（签名）\n人民调解委员会（印章）"
NEW = (
    "申请人（签名、盖章或按指印）\n被申请人（签名、盖章或按指印）\n"
    "人民调解员（签名）\n记录人（签名）\n人民调解委员会（印章）"
)


def per_side(apps, schema_editor):
    """The shipped 调解协议书 gets one signature line per party side; a block an administrator
    has already edited is left alone."""
    Block = apps.get_model("documents", "Block")
    Block.objects.filter(template__slug="agreement", kind="signatures", text=OLD).update(text=NEW)


def back(apps, schema_editor):
    Block = apps.get_model("documents", "Block")
    Block.objects.filter(template__slug="agreement", kind="signatures", text=NEW).update(text=OLD)


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_seed_templates")]

    operations = [migrations.RunPython(per_side, back)]

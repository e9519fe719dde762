"""The default 12345 mapping (documented in the README, "12345 work orders"): field names in
the pinyin initials many city platforms use, the four request types by their Chinese names,
退单 within 24 hours after the order came in."""

from django.db import migrations

DEFAULT = {
    "code": "default",
    "name": "12345热线（默认映射）",
    "is_default": True,
    "order_no_field": "gdbh",  # 工单编号
    "request_type_field": "sqlx",  # 诉求类型
    "caller_name_field": "ldrxm",  # 来电人姓名
    "caller_phone_field": "lxdh",  # 联系电话
    "content_field": "sqnr",  # 诉求内容
    "address_field": "sfdz",  # 事发地址
    "area_code_field": "xzqh",  # 行政区划代码
    "due_at_field": "blsx",  # 办理时限
    "type_values": {"咨询": "consult", "投诉": "complaint", "建议": "suggestion", "求助": "help"},
    "outbound": {
        "signed": {"order_no": "gdbh", "at": "qssj", "unit": "cbdw"},
        "returned": {"order_no": "gdbh", "at": "tdsj", "reason": "tdyy"},
        "progress": {"order_no": "gdbh", "at": "hfsj", "text": "jzqk", "unit": "cbdw"},
        "finished": {"order_no": "gdbh", "at": "bjsj", "reply": "bjnr", "unit": "cbdw"},
        "visited": {"order_no": "gdbh", "at": "hfsj", "satisfaction": "myd", "result": "hfjg"},
    },
    "return_window_hours": 24,
}


def create_default(apps, schema_editor):
    Mapping = apps.get_model("hotline", "HotlineMapping")
    if not Mapping.objects.filter(code=DEFAULT["code"]).exists():
        Mapping.objects.create(**DEFAULT)


def remove_default(apps, schema_editor):
    apps.get_model("hotline", "HotlineMapping").objects.filter(code=DEFAULT["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(create_default, remove_default)]

"""12345 work orders in the demo county: the cases that came in by the hotline carry their
orders (in the default mapping's field names), with the messages their timeline sent back
(签收, 办结, 回访 — replayed through the same receivers as live events); the merged repeat's
order follows its main case; and a 咨询 answered directly beside a 建议 still waiting. The
platform's URL is a webhook subscriber of the hotline topics, paused (an example address),
added last so that nothing is sent while seeding."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import F

from cases.models import Case, Channel
from hotline import receivers, services
from hotline.apps import TOPICS
from hotline.models import HotlineMapping, HotlineOrder, RequestType
from webhooks.models import Subscriber, SubscriberStatus

from .county import Demo

H = datetime.timedelta(hours=1)
MAX_ORDERS = 8
DIRECT = [
    # (request type, what the caller asks, the clerk's reply or "" for an order still waiting)
    ("咨询", "请问邻里纠纷申请人民调解要收费吗？需要带什么材料？", "人民调解不收费。请携带身份证和相关证据材料到村（社区）调委会或镇综治中心申请。"),
    ("建议", "建议在镇综治中心增设周末调解窗口，方便上班族。", ""),
]  # fmt: skip


def _payload(mapping: HotlineMapping, values: dict) -> dict:
    return {mapping.field(k): v for k, v in values.items() if v}


def build_hotline(demo: Demo, now: datetime.datetime) -> list[HotlineOrder]:
    mapping = HotlineMapping.objects.get(is_default=True)
    cases = (
        Case.objects.filter(pk__in=[c.pk for c in demo.cases], channel=Channel.HOTLINE)
        .select_related("area", "first_unit")
        .prefetch_related("parties")
        # The merged repeat report first (its order follows its main case), then the oldest.
        .order_by(F("duplicate_of").asc(nulls_last=True), "created_at", "pk")[:MAX_ORDERS]
    )
    orders = []
    for i, case in enumerate(cases):
        caller = case.parties.all()[0]
        kind = RequestType.COMPLAINT if i % 3 else RequestType.HELP
        values = {
            "order_no": f"GD{services.stamp(case.created_at)[:10].replace('-', '')}{i + 1:05d}",
            "request_type": "投诉" if kind == RequestType.COMPLAINT else "求助",
            "caller_name": caller.name,
            "caller_phone": caller.phone,
            "content": case.description,
            "address": case.address,
            "area_code": case.area.code,
            "due_at": services.stamp(case.created_at + 5 * 24 * H),
        }
        order = HotlineOrder.objects.create(
            mapping=mapping,
            order_no=values["order_no"],
            request_type=kind,
            caller_name=caller.name,
            caller_phone=caller.phone,
            content=case.description,
            address=case.address,
            area=case.area,
            unit=case.first_unit,
            due_at=case.created_at + 5 * 24 * H,
            payload=_payload(mapping, values),
            case=case,
            received_at=case.created_at,
        )
        # What the case's timeline has sent back so far, at the times it happened.
        for event in case.timeline.order_by("at", "pk"):
            receivers.on_event(None, event)
        orders.append(order)
    clerk = demo.users["county_clerk"]
    village = demo.villages[0]
    for j, (kind, content, reply) in enumerate(DIRECT):
        when = now - (len(DIRECT) - j) * 3 * H
        values = {
            "order_no": f"GD{services.stamp(when)[:10].replace('-', '')}9{j + 1:04d}",
            "request_type": kind,
            "caller_name": "赵先生" if j else "孙女士",
            "caller_phone": f"1390731{j:04d}",
            "content": content,
            "area_code": village.code,
            "due_at": services.stamp(when + 3 * 24 * H),
        }
        order, _new = services.receive_order(clerk, mapping, _payload(mapping, values), when)
        if reply:
            services.answer_order(order, clerk, reply, when + H)
        orders.append(order)
    Subscriber.objects.create(
        name="12345政务服务便民热线平台（示例）",
        url="https://12345.example.org/jiefen/orders/callback",
        topics=[code for code, _label in TOPICS],
        owner=get_user_model().objects.get(username="admin"),
        status=SubscriberStatus.PAUSED,
        paused_at=now,
        created_at=now - 30 * 24 * H,
    )
    return orders

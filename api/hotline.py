"""12345 work orders in: POST /hotline/orders takes one order in the platform's own field names
(its HotlineMapping: `?mapping=<code>`, the default mapping otherwise) and registers a case
with channel 12345 (投诉, 求助) or keeps the order for a clerk to answer directly (咨询, 建议).
The same intake checks and permission rules as POST /cases; an order number already received
from the platform returns the first order (200) and writes nothing. The messages back
(签收, 退单, 阶段回复, 办结, 回访) go out through the webhooks (topics hotline.*)."""

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, Field, Path, Query, Router, Schema

from cases.models import Channel
from hotline import services
from hotline.models import HotlineOrder
from jiefen import clock
from jiefen.errors import NotFound, ServiceError

from .cases import ERRORS
from .schemas import Text
from .scopes import check_intake_scope

router = Router(tags=["hotline"])

EXAMPLE = {
    "gdbh": "GD20261123000123",
    "sqlx": "投诉",
    "ldrxm": "王女士",
    "lxdh": "13800138000",
    "sqnr": "小区楼下烧烤店油烟扰民，多次协商无果。",
    "sfdz": "星沙街道东升路18号",
    "xzqh": "430121100201",
    "blsx": "2026-11-30 18:00:00",
}

ORDER_BODY = Body(..., examples=[EXAMPLE])


class MappingQuery(Schema):
    mapping: Text(40, description="The platform's mapping code; blank: the default mapping.") = ""


class OrderOut(Schema):
    order_no: str
    mapping: str
    request_type: str = Field(description="consult, complaint, suggestion or help.")
    state: str = Field(description="received, signed, returned, answered, finished or visited.")
    received_at: datetime.datetime
    due_at: datetime.datetime | None
    unit: str = Field(description="The receiving unit (the handling unit once it is a case).")
    case_code: str | None = Field(description="null: answered directly, without a case.")
    case_url: str | None


def _out(request: HttpRequest, order: HotlineOrder) -> dict[str, Any]:
    case = order.case
    return {
        "order_no": order.order_no,
        "mapping": order.mapping.code,
        "request_type": order.request_type,
        "state": order.state,
        "received_at": order.received_at,
        "due_at": order.due_at,
        "unit": services.handling_unit(order),
        "case_code": case.code if case else None,
        "case_url": (
            request.build_absolute_uri(reverse("api:case_detail", args=[case.code]))
            if case
            else None
        ),
    }


@router.post(
    "/hotline/orders",
    response={200: OrderOut, 201: OrderOut, **ERRORS},
    url_name="hotline_orders",
    summary="Take in a 12345 work order",
)
def receive_order(
    request: HttpRequest,
    query: Query[MappingQuery],
    payload: dict[str, Any] = ORDER_BODY,
):
    """One work order as the platform sends it, in the field names of its mapping (the
    default mapping's are in the example). 201: taken in; 200: this order number was
    received before, the first order is returned and nothing is written. A bad field is a
    422 problem naming it (the platform's field name); nothing is written then."""
    mapping = services.mapping_named(query.mapping)
    # A connected system's key: its channels and areas (a user's token: its user's rules).
    check_intake_scope(
        request,
        Channel.HOTLINE,
        str(payload.get(mapping.area_code_field) or ""),
        area_field=mapping.area_code_field,
    )
    order, created = services.receive_order(request.auth, mapping, payload, clock.now())
    order = HotlineOrder.objects.select_related("mapping", "case", "unit").get(pk=order.pk)
    data = OrderOut(**_out(request, order)).model_dump(mode="json")
    return JsonResponse(
        data, status=201 if created else 200, json_dumps_params={"ensure_ascii": False}
    )


OrderNo = Path(..., max_length=60, pattern=r"^[^/\x00]+$")


def _visible(request: HttpRequest, mapping_code: str, order_no: str) -> HotlineOrder:
    mapping = services.mapping_named(mapping_code)
    order = (
        services.orders_visible_to(request.auth)
        .select_related("mapping", "case__duplicate_of__owner_unit", "case__owner_unit", "unit")
        .filter(mapping=mapping, order_no=order_no)
        .first()
    )
    if order is None:
        raise NotFound(_("No work order with this number is visible to you."))
    return order


class MessageOut(Schema):
    kind: str = Field(description="signed, returned, progress, finished or visited.")
    sent_at: datetime.datetime
    data: dict[str, Any] = Field(description="The body, in the platform's field names.")


class OrderDetail(OrderOut):
    reply: str
    return_reason: str
    messages: list[MessageOut]


def _detail(request: HttpRequest, order: HotlineOrder) -> dict[str, Any]:
    return {
        **_out(request, order),
        "reply": order.reply,
        "return_reason": order.return_reason,
        "messages": [
            {"kind": m.kind, "sent_at": m.sent_at, "data": m.data}
            for m in order.messages.order_by("sent_at", "pk")
        ],
    }


@router.get(
    "/hotline/orders/{order_no}",
    response={200: OrderDetail, **ERRORS},
    url_name="hotline_order",
    summary="One 12345 work order and the messages sent back",
)
def order_detail(request: HttpRequest, query: Query[MappingQuery], order_no: str = OrderNo):
    """An order of the user's cases or units; any other is 404, the same as none."""
    return _detail(request, _visible(request, query.mapping, order_no))


class ActIn(Schema):
    text: Text(
        services.MAX_TEXT,
        description="退单: the reason; 阶段回复: the progress; "
        "answer: the reply. Not used by sign.",
    ) = ""


ACTS = {
    "sign": lambda order, user, text, now: services.sign_order(order, user, now),
    "return": services.return_order,
    "progress": services.progress_order,
    "answer": services.answer_order,
}
Act = Path(..., pattern=r"^(sign|return|progress|answer)$")


@router.post(
    "/hotline/orders/{order_no}/{act}",
    response={200: OrderDetail, **ERRORS},
    url_name="hotline_order_act",
    summary="签收, 退单, 阶段回复 or answer a 12345 work order",
)
def order_act(
    request: HttpRequest,
    payload: ActIn,
    query: Query[MappingQuery],
    order_no: str = OrderNo,
    act: str = Act,
):
    """The clerk's acts, as on the order page and the case page's 12345 panel: `sign`
    (签收), `return` (退单, within the mapping's window, with the reason), `progress`
    (阶段回复) and `answer` (a 咨询 or 建议 answered directly, 办结). Each sends its message
    to the platform."""
    order = _visible(request, query.mapping, order_no)
    try:
        ACTS[act](order, request.auth, payload.text, clock.now())
    except ServiceError as exc:
        # The services name the text after the act (reason, reply); here it is `text`.
        exc.field_errors = {
            ("text" if k in ("reason", "reply") else k): v for k, v in exc.field_errors.items()
        }
        raise
    return _detail(request, _visible(request, query.mapping, order_no))

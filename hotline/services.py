"""12345 work orders both ways: take an order in, answer it back.

Inbound (receive_order): the platform's fields are read through its HotlineMapping; 投诉 and
求助 register a case with channel 12345 through the ordinary intake (check_intake +
register_checked_case), 咨询 and 建议 are kept as orders a clerk answers directly
(answer_order). An order number comes in once per platform: a resend returns the first order.

Outbound: each message (签收, 退单, 阶段回复, 办结, 回访) is written as a HotlineMessage in the
platform's field names and published to the webhook subscribers of its topic
(hotline.<message>), in the transaction of the act that caused it. 签收, 办结 and 回访 follow
the case's timeline (receivers.py): accepting the case signs for its order, its outcome
finishes it with the outcome note as the reply, a follow-up visit reports the visit. A clerk
may also sign for, return (退单, within the mapping's window) or give a progress reply on the
order page or the case page's 12345 panel.
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from areas.models import Area
from areas.selectors import memberships_of
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import Case, Channel
from cases.selectors import cases_visible_to
from cases.services import (
    CaseInput,
    PartyInput,
    acting_membership,
    append_event,
    check_intake,
    perform_transition,
    register_checked_case,
)
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, Status
from jiefen.errors import ServiceError
from jiefen.localtime import LOCAL_TZ, aware
from webhooks import services as webhooks

from .models import (
    CASE_TYPES,
    REQUIRED_INBOUND,
    HotlineMapping,
    HotlineMessage,
    HotlineOrder,
    MessageKind,
    OrderState,
    RequestType,
)

TOPIC_PREFIX = "hotline."
MAX_TEXT = 2000
# How the platforms write a satisfaction (the visit's rating is stored as our code).
SATISFACTION_TEXT = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
ANONYMOUS_CALLER = "12345来电人"
# Orders a clerk still acts on (签收, 退单, 阶段回复, answer).
OPEN_STATES = (OrderState.RECEIVED, OrderState.SIGNED)


def topic(kind: str) -> str:
    return TOPIC_PREFIX + kind


def stamp(at: datetime.datetime) -> str:
    """A time as the platforms write it: local, to the second."""
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- mappings


def default_mapping() -> HotlineMapping:
    mapping = HotlineMapping.objects.filter(is_default=True).first()
    if mapping is None:
        raise InvalidInput(
            _("No default 12345 mapping is configured."),
            {"mapping": _("Name the mapping.")},
        )
    return mapping


def mapping_named(code: str | None) -> HotlineMapping:
    if not code:
        return default_mapping()
    mapping = HotlineMapping.objects.filter(code=code).first()
    if mapping is None:
        raise InvalidInput(
            _("Unknown 12345 mapping."), {"mapping": _("No mapping with this code.")}
        )
    return mapping


# ---------------------------------------------------------------- outbound


def publish(kind: str, case: Case | None, data: dict, now: datetime.datetime) -> int:
    """Hand a message to the webhook subscribers of hotline.<kind>, inside this transaction
    (delivered after the commit, signed, retried, in order per case)."""
    return webhooks.publish(topic(kind), case, data, now)


def send(
    order: HotlineOrder, kind: str, values: dict[str, Any], now: datetime.datetime, actor=None
) -> HotlineMessage:
    """Write and publish one outbound message in the platform's field names."""
    names = (order.mapping.outbound or {}).get(kind) or {}
    values = {"order_no": order.order_no, "at": stamp(now), **values}
    data = {names[key]: value for key, value in values.items() if names.get(key)}
    case = order.case
    if case is not None and case.duplicate_of_id:
        case = case.duplicate_of  # a merged repeat answers with its main case
    deliveries = publish(kind, case, data, now)
    return HotlineMessage.objects.create(
        order=order, kind=kind, data=data, sent_at=now, deliveries=deliveries, actor=actor
    )


# ---------------------------------------------------------------- inbound


def _text(payload: dict, name: str, errors: dict[str, str], limit: int) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[name] = _("Send this field as text.")
        return ""
    value = str(value).strip()
    if "\x00" in value:
        errors[name] = _("This field contains a NUL character.")
        return ""
    if len(value) > limit:
        errors[name] = _("At most %(n)d characters.") % {"n": limit}
        return ""
    return value


def _due_at(raw: str, name: str, errors: dict[str, str]) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = _("Send a date and time, e.g. 2026-11-25 18:00:00.")
        return None
    return aware(parsed)


def _remap(exc: ServiceError, fields: dict[str, str]) -> ServiceError:
    """The intake's field errors under the platform's field names."""
    exc.field_errors = {fields.get(k, k): v for k, v in exc.field_errors.items()}
    return exc


def _resent(actor, order: HotlineOrder) -> HotlineOrder:
    """The order a resend names — to an account that may see it; another account learns
    nothing of it but that the number is taken."""
    if actor is not None and not orders_visible_to(actor).filter(pk=order.pk).exists():
        raise IllegalTransition(
            _("This order number was received before from another account."),
            {order.mapping.order_no_field: _("Order number already taken.")},
        )
    return order


def receive_order(
    actor, mapping: HotlineMapping, payload: Any, now: datetime.datetime
) -> tuple[HotlineOrder, bool]:
    """Take in one work order; (the order, whether it is new). A resend of an order number
    already received returns that order and writes nothing."""
    if not isinstance(payload, dict):
        raise InvalidInput(
            _("Send the work order as a JSON object."), {"__all__": _("Not an object.")}
        )
    f = mapping.field
    errors: dict[str, str] = {}
    order_no = _text(payload, f("order_no"), errors, 60)
    if not order_no and f("order_no") not in errors:
        errors[f("order_no")] = _("The order number is required.")
    if order_no:
        found = HotlineOrder.objects.filter(mapping=mapping, order_no=order_no).first()
        if found is not None:
            return _resent(actor, found), False
    values = {
        "request_type": _text(payload, f("request_type"), errors, 20),
        "caller_name": _text(payload, f("caller_name"), errors, 60),
        "caller_phone": _text(payload, f("caller_phone"), errors, 30),
        "content": _text(payload, f("content"), errors, MAX_TEXT),
        "address": _text(payload, f("address"), errors, 200),
        "area_code": _text(payload, f("area_code"), errors, 20),
        "due_at": _text(payload, f("due_at"), errors, 40),
    }
    for key in REQUIRED_INBOUND:
        if key != "order_no" and not values[key] and f(key) not in errors:
            errors[f(key)] = _("This field is required.")
    kind = ""
    if values["request_type"]:
        kind = (mapping.type_values or {}).get(values["request_type"], "")
        if kind not in RequestType.values:
            errors[f("request_type")] = _("Unknown request type: %(value)s.") % {
                "value": values["request_type"]
            }
    area = None
    if values["area_code"]:
        area = Area.objects.filter(code=values["area_code"]).first()
        if area is None:
            errors[f("area_code")] = _("Unknown area code.")
    due_at = _due_at(values["due_at"], f("due_at"), errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)

    label = RequestType(kind).label
    content = values["content"]
    title = f"12345{label}：{content}"
    if len(title) > 60:
        title = title[:59] + "…"
    data = CaseInput(
        title=title,
        description=content,
        area_code=area.code,
        channel=Channel.HOTLINE,
        address=values["address"],
        external_ref=f"12345:{order_no}",
        parties=[
            PartyInput(
                name=values["caller_name"] or ANONYMOUS_CALLER,
                phone=values["caller_phone"],
            )
        ],
    )
    fields = {
        "title": f("content"),
        "description": f("content"),
        "area_code": f("area_code"),
        "address": f("address"),
        "external_ref": f("order_no"),
        "parties": f("caller_name"),
        "parties[0].name": f("caller_name"),
        "parties[0].phone": f("caller_phone"),
    }
    try:
        # The same checks as any intake (and the same rule: the actor's own area), also for
        # the orders answered without a case.
        checked = check_intake(actor, data, now)
    except ServiceError as exc:
        raise _remap(exc, fields) from None
    with transaction.atomic():
        # One platform's orders come in one after another: a resend racing the first waits
        # here, then finds it.
        HotlineMapping.objects.select_for_update().filter(pk=mapping.pk).values_list("pk").first()
        found = HotlineOrder.objects.filter(mapping=mapping, order_no=order_no).first()
        if found is not None:
            return _resent(actor, found), False
        case = None
        if kind in CASE_TYPES:
            case = register_checked_case(
                checked,
                now,
                event_data={"hotline_order": order_no, "request_type": kind},
            )
        order = HotlineOrder.objects.create(
            mapping=mapping,
            order_no=order_no,
            request_type=kind,
            caller_name=values["caller_name"],
            caller_phone=values["caller_phone"],
            content=content,
            address=values["address"],
            area=area,
            unit=case.owner_unit if case else checked.owner,
            due_at=due_at,
            payload=payload,
            case=case,
            received_at=now,
            received_by=actor,
        )
    return order, True


# ---------------------------------------------------------------- the clerk's acts


def orders_visible_to(user):
    """The orders of the cases the user sees, and the orders without a case of the user's units."""
    qs = HotlineOrder.objects.all()
    if user.is_superuser:
        return qs
    units = memberships_of(user).values("unit")
    return qs.filter(
        Q(case__in=cases_visible_to(user).values("pk")) | Q(case__isnull=True, unit__in=units)
    )


def _locked(order: HotlineOrder) -> HotlineOrder:
    return (
        HotlineOrder.objects.select_for_update(of=("self",))
        .select_related("mapping", "case", "case__duplicate_of", "unit")
        .get(pk=order.pk)
    )


def _membership(actor, order: HotlineOrder, roles):
    """Through which membership `actor` acts on the order: the case's rules for an order with
    a case, a center role in the receiving unit for one without."""
    if order.case is not None:
        membership = acting_membership(actor, order.case, roles)
    else:
        mine = memberships_of(actor)
        membership = (
            mine.first()
            if actor.is_superuser
            else mine.filter(unit=order.unit, role__in=CENTER_ROLES).first()
        )
    if membership is None:
        raise NotAllowed(_("You are not allowed to act on this work order."))
    return membership


def may_act(actor, order: HotlineOrder, roles) -> bool:
    try:
        _membership(actor, order, roles)
    except NotAllowed:
        return False
    return True


def _check_open(order: HotlineOrder) -> None:
    if order.state not in OPEN_STATES:
        raise IllegalTransition(
            _("This work order is “%(state)s”: nothing more to do here.")
            % {"state": OrderState(order.state).label}
        )
    if order.case is not None and order.case.duplicate_of_id:
        raise IllegalTransition(
            _("This order's case is merged into %(code)s: the order follows that case.")
            % {"code": order.case.duplicate_of.code}
        )


def handling_unit(order: HotlineOrder) -> str:
    case = order.case
    if case is not None:
        main = case.duplicate_of if case.duplicate_of_id else case
        return main.owner_unit.name
    return order.unit.name


def mark_signed(order: HotlineOrder, now, actor=None) -> HotlineMessage:
    order.state, order.signed_at = OrderState.SIGNED, now
    order.save(update_fields=["state", "signed_at"])
    return send(order, MessageKind.SIGNED, {"unit": handling_unit(order)}, now, actor)


def sign_order(order: HotlineOrder, actor, now: datetime.datetime) -> HotlineOrder:
    """签收 by hand: the center tells the platform it has taken the order (accepting its case
    does the same by itself)."""
    with transaction.atomic():
        order = _locked(order)
        membership = _membership(actor, order, CENTER_ROLES)
        _check_open(order)
        if order.state != OrderState.RECEIVED:
            raise IllegalTransition(_("This work order is signed for already."))
        mark_signed(order, now, actor)
        if order.case is not None:
            append_event(
                order.case,
                "hotline_signed",
                now,
                actor=actor,
                actor_unit=membership.unit,
                data={"order": order.order_no, "unit": handling_unit(order)},
            )
    return order


def return_deadline(order: HotlineOrder) -> datetime.datetime:
    return order.received_at + datetime.timedelta(hours=order.mapping.return_window_hours)


def check_return_window(order: HotlineOrder, now: datetime.datetime) -> None:
    until = return_deadline(order)
    if now > until:
        raise IllegalTransition(
            _(
                "A work order can only be returned within %(hours)d hours after it came in "
                "(until %(until)s); this one must be handled."
            )
            % {"hours": order.mapping.return_window_hours, "until": stamp(until)[:16]},
            {"reason": _("The return window has passed.")},
        )


def mark_returned(order: HotlineOrder, reason: str, now, actor=None) -> HotlineMessage:
    order.state, order.returned_at, order.return_reason = OrderState.RETURNED, now, reason
    order.save(update_fields=["state", "returned_at", "return_reason"])
    return send(order, MessageKind.RETURNED, {"reason": reason}, now, actor)


def _required(text: str, name: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(message, {name: _("This field is required.")})
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": MAX_TEXT},
            {name: _("At most %(n)d characters.") % {"n": MAX_TEXT}},
        )
    return text


def return_order(order: HotlineOrder, actor, reason: str, now: datetime.datetime) -> HotlineOrder:
    """退单: give the order back to the platform with a reason, within the mapping's window
    after it came in. An order's case not yet accepted is declined with the same reason
    (the `reject` transition; receivers.on_reject sends the 退单)."""
    reason = _required(reason, "reason", _("Give the reason for returning the order."))
    with transaction.atomic():
        order = _locked(order)
        membership = _membership(actor, order, CENTER_ROLES)
        _check_open(order)
        check_return_window(order, now)
        if order.case is None:
            mark_returned(order, reason, now, actor)
            return order
        if order.case.status != Status.REGISTERED:
            raise IllegalTransition(
                _("The case of this order is accepted already: it is handled, not returned."),
                {"reason": _("The case is accepted.")},
            )
        del membership  # perform_transition checks the actor again, under the case's lock
        perform_transition(order.case, "reject", actor, now, note=reason)
    order.refresh_from_db()
    return order


def progress_order(order: HotlineOrder, actor, text: str, now: datetime.datetime) -> HotlineOrder:
    """阶段回复: tell the platform how the handling goes."""
    text = _required(text, "text", _("Write the progress reply."))
    with transaction.atomic():
        order = _locked(order)
        membership = _membership(actor, order, HANDLING_ROLES)
        _check_open(order)
        send(order, MessageKind.PROGRESS, {"text": text, "unit": handling_unit(order)}, now, actor)
        if order.case is not None:
            append_event(
                order.case,
                "hotline_progress",
                now,
                actor=actor,
                actor_unit=membership.unit,
                note=text,
                data={"order": order.order_no},
            )
    return order


def answer_order(order: HotlineOrder, actor, reply: str, now: datetime.datetime) -> HotlineOrder:
    """Answer a 咨询 or 建议 directly: the order is done and the platform gets 办结 with the reply."""
    reply = _required(reply, "reply", _("Write the reply to the caller."))
    with transaction.atomic():
        order = _locked(order)
        _membership(actor, order, CENTER_ROLES)
        if order.case is not None:
            raise IllegalTransition(
                _("This order is handled as a case: it is finished when the case is."),
                {"reply": _("Handled as a case.")},
            )
        _check_open(order)
        order.state, order.reply, order.finished_at, order.answered_by = (
            OrderState.ANSWERED,
            reply,
            now,
            actor,
        )
        order.save(update_fields=["state", "reply", "finished_at", "answered_by"])
        send(order, MessageKind.FINISHED, {"reply": reply, "unit": order.unit.name}, now, actor)
    return order

"""The case's timeline answers the platform: events read by kind string (cases.signals), so
hotline imports nothing of the apps that append them (followup's `visit_recorded`, repeats'
`merged_into`).

- accept → 签收 with the handling unit;
- an outcome (化解, 稳控, 转其他渠道, 终止, 私事指引…) → 办结 with the outcome note as the reply;
- a reopening → the order is in handling again (a later outcome finishes it once more);
- a follow-up visit → 回访 with the party's satisfaction and the findings;
- the case merged as a repeat into a case already accepted → 签收 with that case's unit.

A repeat order's case is merged into a main case and has no events of its own any more: the
events of the main case answer for the repeat's orders too.
"""

from django.db.models import Q

from cases.registry import Outcome, kinds_with_outcome

from .models import HotlineOrder, MessageKind, OrderState
from .services import (
    SATISFACTION_TEXT,
    check_return_window,
    handling_unit,
    mark_returned,
    mark_signed,
    send,
)

DONE = (OrderState.RETURNED, OrderState.ANSWERED)
WATCHED = {"accept", "visit_recorded", "merged_into"}


def _orders(case_id: int):
    return (
        HotlineOrder.objects.select_for_update(of=("self",))
        .filter(Q(case_id=case_id) | Q(case__duplicate_of_id=case_id))
        .select_related("mapping", "case__duplicate_of__owner_unit", "case__owner_unit", "unit")
        .order_by("pk")
    )


def on_event(sender, event, **kwargs) -> None:
    kind = event.kind
    finishing = kinds_with_outcome(Outcome.MEDIATED, Outcome.NOT_MEDIATED) - {"reject"}
    reopening = kinds_with_outcome(Outcome.REOPENED)
    if kind not in WATCHED and kind not in finishing and kind not in reopening:
        return
    orders = list(_orders(event.case_id))
    if not orders:
        return
    now, actor = event.at, event.actor
    for order in orders:
        if order.state in DONE:
            continue
        if kind == "accept" or kind == "merged_into":
            main = order.case.duplicate_of if order.case.duplicate_of_id else order.case
            if order.state == OrderState.RECEIVED and main.status != "registered":
                mark_signed(order, now, actor)
        elif kind in finishing:
            if order.state in (OrderState.RECEIVED, OrderState.SIGNED):
                reply = event.note or order.case.outcome_note
                order.state, order.reply, order.finished_at = OrderState.FINISHED, reply, now
                order.save(update_fields=["state", "reply", "finished_at"])
                send(
                    order,
                    MessageKind.FINISHED,
                    {"reply": reply, "unit": handling_unit(order)},
                    now,
                    actor,
                )
        elif kind in reopening:
            if order.state in (OrderState.FINISHED, OrderState.VISITED):
                order.state = OrderState.SIGNED
                order.save(update_fields=["state"])
        elif kind == "visit_recorded":
            if order.state in (OrderState.FINISHED, OrderState.VISITED):
                data = event.data or {}
                satisfaction = SATISFACTION_TEXT.get(data.get("satisfaction", ""), "")
                order.state, order.visited_at = OrderState.VISITED, now
                order.save(update_fields=["state", "visited_at"])
                send(
                    order,
                    MessageKind.VISITED,
                    {"satisfaction": satisfaction, "result": event.note},
                    now,
                    actor,
                )


def on_events(sender, events, **kwargs) -> None:
    for event in events:
        on_event(sender, event)


def on_reject(case, actor, actor_unit, now, note, params) -> dict:
    """Declining a 12345 case returns its order (退单) with the same reason — only within
    the mapping's window (otherwise the decline is refused and nothing is written)."""
    order = (
        HotlineOrder.objects.select_for_update(of=("self",))
        .filter(case=case)
        .select_related("mapping", "case", "unit")
        .first()
    )
    if order is None or order.state in DONE:
        return {}
    check_return_window(order, now)
    mark_returned(order, note, now, actor)
    return {"hotline_returned": order.order_no}

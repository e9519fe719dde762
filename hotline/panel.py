"""The 12345 panel of the case page: the order the case came from, the messages sent back,
and the clerk's 签收 / 退单 / 阶段回复."""

from cases.models import Case
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, Status
from jiefen import clock

from .forms import AnswerForm, ProgressForm, ReturnForm, SignForm
from .models import HotlineOrder, OrderState
from .services import OPEN_STATES, may_act, return_deadline


def order_actions(user, order: HotlineOrder, bound: dict | None = None) -> dict:
    """The forms the user may use on this order now (bound ones handed back after an error)."""
    bound = bound or {}
    case = order.case
    if order.state not in OPEN_STATES or (case is not None and case.duplicate_of_id):
        return {}
    center = may_act(user, order, CENTER_ROLES)
    handling = may_act(user, order, HANDLING_ROLES)
    now = clock.now()
    forms = {}
    if center and order.state == OrderState.RECEIVED:
        forms["sign"] = bound.get("sign") or SignForm()
    returnable = case is None or case.status == Status.REGISTERED
    if center and returnable and now <= return_deadline(order):
        forms["return"] = bound.get("return") or ReturnForm()
    if center and case is None:
        forms["answer"] = bound.get("answer") or AnswerForm()
    if handling:
        forms["progress"] = bound.get("progress") or ProgressForm()
    return forms


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    order = (
        HotlineOrder.objects.filter(case=case)
        .select_related("mapping", "unit", "case__duplicate_of")
        .first()
    )
    if order is None:
        return {"hidden": True}
    return {
        "case": case,
        "order": order,
        "hotline_messages": list(order.messages.select_related("actor", "order__mapping")),
        "return_until": return_deadline(order),
        "forms": order_actions(user, order, bound),
    }

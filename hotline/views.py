"""The clerk's 12345 pages: the center's work orders, one order (answered without a case),
and the acts on an order (签收, 退单, 阶段回复, answering) — from the case page's panel for an
order that became a case, from the order page otherwise."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.pages import run_case_panel_action
from jiefen import clock
from jiefen.pagination import page_of
from jiefen.panels import run_panel_action

from . import services
from .forms import FORMS
from .models import RequestType
from .panel import order_actions
from .services import OPEN_STATES, orders_visible_to, return_deadline

BOUND_KEY = "hotline_forms"
DONE = {
    "sign": _("The order is signed for; the hotline is told."),
    "return": _("The order is returned to the hotline."),
    "progress": _("The progress reply is sent to the hotline."),
    "answer": _("The reply is sent to the hotline; the order is done."),
}


@login_required
def order_list(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in ("todo", "all") else "todo"
    qs = orders_visible_to(request.user).select_related("case", "unit", "mapping")
    if tab == "todo":
        qs = qs.filter(state__in=OPEN_STATES, case__duplicate_of__isnull=True).order_by(
            F("due_at").asc(nulls_last=True), "received_at"
        )
    page = page_of(request, qs, 25)
    now = clock.now()
    rows = [
        {
            "order": o,
            "late": bool(o.due_at and o.due_at < now and o.state in OPEN_STATES),
            "return_until": return_deadline(o)
            if o.state in OPEN_STATES and now <= return_deadline(o)
            else None,
        }
        for o in page
    ]
    return render(request, "hotline/list.html", {"page": page, "rows": rows, "tab": tab})


def _visible_order(user, pk):
    return get_object_or_404(
        orders_visible_to(user).select_related("case", "unit", "mapping", "area"), pk=pk
    )


def _order_page(request, order, bound=None):
    return render(
        request,
        "hotline/order.html",
        {
            "order": order,
            "hotline_messages": list(order.messages.select_related("actor", "order__mapping")),
            "forms": order_actions(request.user, order, bound),
            "return_until": return_deadline(order),
            "makes_case": order.request_type in (RequestType.COMPLAINT, RequestType.HELP),
        },
    )


@login_required
def order_detail(request, pk):
    order = _visible_order(request.user, pk)
    if order.case is not None:
        return redirect("cases:detail", order.case.code)
    return _order_page(request, order)


@login_required
@require_POST
def act(request, pk, act):
    if act not in FORMS:
        raise Http404
    order = _visible_order(request.user, pk)
    form = FORMS[act](request.POST)
    now = clock.now()
    calls = {
        "sign": lambda d: services.sign_order(order, request.user, now),
        "return": lambda d: services.return_order(order, request.user, d["reason"], now),
        "progress": lambda d: services.progress_order(order, request.user, d["text"], now),
        "answer": lambda d: services.answer_order(order, request.user, d["reply"], now),
    }
    if order.case is not None:
        return run_case_panel_action(
            request, order.case, form, calls[act], str(DONE[act]), BOUND_KEY
        )
    return run_panel_action(
        request,
        form,
        calls[act],
        success=str(DONE[act]),
        next_url=reverse("hotline:order", args=[order.pk]),
        show_again=lambda bound: _order_page(request, order, bound),
    )

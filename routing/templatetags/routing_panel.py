from django import template

from routing.panel import panel_context

register = template.Library()


@register.inclusion_tag("routing/_panel.html", takes_context=True)
def routing_panel(context, case):
    """The 吹哨报到 and 督办 panel; bound forms come back through `routing_forms`."""
    request = context["request"]
    panel = panel_context(request.user, case, context.get("routing_forms"))
    panel["csrf_token"] = context.get("csrf_token")
    return panel

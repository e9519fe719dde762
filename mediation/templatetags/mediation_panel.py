from django import template

from mediation.panel import panel_context

register = template.Library()


@register.inclusion_tag("mediation/_panel_body.html", takes_context=True)
def mediation_panel(context, case):
    """The mediation panel of a case; a failed form comes back through `bound`."""
    panel = panel_context(context["request"].user, case, context.get("bound"))
    panel["csrf_token"] = context.get("csrf_token")
    panel["request"] = context["request"]
    return panel

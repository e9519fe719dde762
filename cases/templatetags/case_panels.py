from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cases.registry import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context, case, slot: str):
    """The sections other apps registered for this slot of the case page, in order."""
    # Rendered without the request, so the page's context processors (the bell's unread
    # count…) run once per page, not once per panel; each panel's context carries what it needs.
    request = context["request"]
    html = []
    for panel in panels(slot):
        bound = context.get(panel.bound_key) if panel.bound_key else None
        panel_context = panel.context(request.user, case, bound)
        panel_context.update(request=request, csrf_token=context.get("csrf_token"))
        html.append(render_to_string(panel.template, panel_context))
    return mark_safe("".join(html))

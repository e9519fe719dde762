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
    html = [
        render_to_string(panel.template, panel.context(context, case)) for panel in panels(slot)
    ]
    return mark_safe("".join(html))

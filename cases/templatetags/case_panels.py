from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cases.registry import list_extensions, panels

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


@register.simple_tag
def case_list_headers():
    """The column headers other apps added to the case tables."""
    return mark_safe(
        "".join(
            render_to_string("cases/_extension_header.html", {"label": e.label})
            for e in list_extensions()
        )
    )


@register.simple_tag
def case_list_cells(case):
    """One case's cells of the columns other apps added to the case tables."""
    return mark_safe(
        "".join(
            render_to_string(e.cell_template, {"case": case, "label": e.label})
            for e in list_extensions()
        )
    )


@register.simple_tag
def case_list_width(base: int) -> int:
    return base + len(list_extensions())

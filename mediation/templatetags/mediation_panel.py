from django import template

from mediation.panel import template_context

register = template.Library()


@register.inclusion_tag("mediation/_panel_body.html", takes_context=True)
def mediation_panel(context, case):
    """The mediation panel of a case, on its own page (htmx partials)."""
    return template_context(context, case)

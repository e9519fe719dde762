from django import template

from petitions.models import Stage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    return Stage(value).label if value in Stage.values else ""

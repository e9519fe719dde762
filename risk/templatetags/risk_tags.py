from django import template
from django.utils.html import format_html

from risk.models import Grade

register = template.Library()


@register.simple_tag
def risk_badge(grade):
    """A coloured badge for a risk grade; nothing for 无 (or a list without the column)."""
    if not grade or grade == Grade.NONE or grade not in Grade.values:
        return ""
    return format_html(
        '<span class="risk risk-{}" data-risk="{}">{}</span>', grade, grade, Grade(grade).label
    )


@register.filter
def uses_risk(user) -> bool:
    """Whether the key-person pages are for this user (center staff and leaders)."""
    from risk.keypersons import may_use_files

    return may_use_files(user)


@register.simple_tag
def risk_grade_of(case):
    risk = getattr(case, "risk", None)
    return risk_badge(risk.grade if risk else "")

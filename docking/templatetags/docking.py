"""{% load docking %}: whether the docking pages are for the user (the nav link)."""

from django import template

from docking.selectors import can_use_docking

register = template.Library()


@register.filter
def uses_docking(user) -> bool:
    return can_use_docking(user)

"""Writes of the 访诉分离 catalogue (administrators only; the pages check, so does this)."""

from django.db import transaction

from areas.selectors import is_administrator
from cases.errors import NotAllowed

from .models import ChannelGuide


def save_guide(actor, form) -> ChannelGuide:
    """Save a catalogue entry from its validated ModelForm."""
    if not is_administrator(actor):
        raise NotAllowed("")
    with transaction.atomic():
        return form.save()

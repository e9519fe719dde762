"""Signals `cases` sends so that the apps above it can follow a case without being imported."""

from django.dispatch import Signal

# Sent by services.append_event inside the writing transaction, with `event` (the new
# TimelineEvent): a receiver's writes commit or roll back with the change itself.
timeline_event_appended = Signal()

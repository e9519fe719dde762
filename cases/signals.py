"""Signals `cases` sends so that the apps above it can follow a case without being imported."""

from django.dispatch import Signal

# Sent by services.append_event inside the writing transaction, with `event` (the new
# TimelineEvent): a receiver's writes commit or roll back with the change itself.
timeline_event_appended = Signal()

# Sent by services.append_events (bulk work: the sweep's batches) instead of one
# timeline_event_appended per event, with `events` (the new TimelineEvents, in order): a
# follower handles them together, inside the same transaction.
timeline_events_appended = Signal()

# Sent by services.register_case inside its transaction, once the case, its parties and its
# first clocks are written, with `case`, `parties` (the Party rows, in memory) and `actor`:
# apps above `cases` judge a new case (the risk grade's rules) without a query of their own.
case_registered = Signal()

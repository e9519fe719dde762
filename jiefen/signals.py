"""Signals every app may send or follow (the lowest floor)."""

from django.dispatch import Signal

# Sent by the demo (demo.seed) inside its transaction once the demo county is built, with
# `now` and `county` (the county Area): an app the demo cannot import (a sibling on its floor,
# such as `api`) adds its own demo data here.
demo_seeded = Signal()

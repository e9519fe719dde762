"""Signals of the area tree, for apps that keep data derived from it."""

from django.dispatch import Signal

# Sent after an area moved under another parent and its subtree's paths were rewritten,
# inside the same transaction. Arguments: area (with its new path), old_path.
area_moved = Signal()

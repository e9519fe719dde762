"""The built-in topics: a case's timeline events, published as they are appended.

webhooks follows cases.signals (like stats): each event kind below is one topic. Kinds of the
apps above (e.g. repeats' merge) are named by their kind string; nothing of theirs is imported.
"""

from django.utils.translation import gettext_lazy as _

from .registry import register_topic
from .services import is_wanted, publish

BUILTIN = {
    "case.registered": _("Case registered"),
    "case.accepted": _("Case accepted"),
    "case.routed": _("Case routed"),
    "case.escalated": _("Case escalated"),
    "case.resolved": _("Case resolved"),
    "case.closed": _("Case closed"),
    "case.merged": _("Case merged into another as a repeat (并单)"),
}

# Event kind -> topic. A case's first event (its registration, whatever the channel calls
# it) is case.registered; see topic_of.
KIND_TOPICS = {
    "accept": "case.accepted",
    "route": "case.routed",
    "escalated": "case.escalated",  # the sweep's escalation (a system transition)
    "rebound_escalated": "case.escalated",
    "resolve": "case.resolved",
    "settle_at_grid": "case.resolved",
    "stabilise": "case.resolved",
    "transfer": "case.closed",
    "terminate": "case.closed",
    "reject": "case.closed",
    "guide": "case.closed",
    "archive": "case.closed",
    "merged_into": "case.merged",  # repeats: this case merged into its main case
}


def register_builtin_topics() -> None:
    for code, label in BUILTIN.items():
        register_topic(code, label)


def topic_of(event) -> str | None:
    if not event.from_status and event.to_status == "registered":
        return "case.registered"
    return KIND_TOPICS.get(event.kind)


def publish_events(events) -> int:
    """Publish the events that are topics (inside the transaction that appended them)."""
    written = 0
    for event in events:
        topic = topic_of(event)
        if topic is None or not is_wanted(topic):  # no query when nobody wants it
            continue
        data = {
            "event": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "unit": event.actor_unit.name if event.actor_unit_id else None,
        }
        if event.kind == "merged_into":
            data["main_case"] = (event.data or {}).get("main")
        written += publish(topic, event.case, data, event.at)
    return written

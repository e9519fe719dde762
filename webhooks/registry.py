"""The topics a subscriber may choose: apps register theirs from AppConfig.ready()."""

_TOPICS: dict[str, object] = {}


def register_topic(code: str, label) -> None:
    """Declare a topic (e.g. "case.registered") with its label (gettext_lazy)."""
    _TOPICS[code] = label


def topics() -> dict[str, str]:
    """code -> label, in the order registered (the subscriber form's checkboxes)."""
    return {code: str(label) for code, label in _TOPICS.items()}

"""A case's state in plain words, for the people it is about (not the staff's vocabulary)."""

from django.utils.translation import gettext_lazy as _

from cases.workflow import Status

PLAIN_STATUS = {
    Status.REGISTERED: _("Registered, waiting to be accepted"),
    Status.ACCEPTED: _("Accepted; the center is deciding who handles it"),
    Status.ROUTED: _("Passed to the unit that will handle it"),
    Status.IN_HANDLING: _("Being mediated and handled"),
    Status.RESOLVED: _("Settled"),
    Status.STABILISED: _("Under control, still being followed"),
    Status.TRANSFERRED: _("Guided to another channel (court, arbitration, petition…)"),
    Status.TERMINATED: _("Handling ended"),
    Status.FOLLOWED_UP: _("Settled, follow-up visit made"),
    Status.ARCHIVED: _("Finished and filed"),
}

PLAIN_STEP = {"escalated": _("Passed to the center one level up")}

# The timeline events whose note is written for the parties: the decisions about their
# dispute (why it was not accepted, where to turn, how it ended). Other notes are the
# staff's working notes and are never shown outside.
PARTY_NOTE_KINDS = frozenset({"reject", "guide", "resolve", "stabilise", "transfer", "terminate"})


def plain_status(status: str):
    return PLAIN_STATUS.get(status, status)


def plain_step(kind: str, to_status: str):
    return PLAIN_STEP.get(kind) or plain_status(to_status)


# What a citizen picks as "what kind of problem", in plain words, and the GB/T 31000 major
# category it files the case under (the center refines it when accepting).
PLAIN_CATEGORIES = [
    ("family", _("Family: marriage, support of parents or children, inheritance"), "01"),
    ("neighbours", _("Neighbours: water, drains, passage, light, noise"), "02"),
    ("property", _("Houses, things, compensation for damage"), "04"),
    ("contract", _("Money owed, loans, contracts"), "06"),
    ("work", _("Wages and work"), "07"),
    ("land", _("Land, forest, water rights"), "09"),
    ("building", _("Building, demolition, land requisition"), "11"),
    ("other", _("Something else"), "99"),
]
PLAIN_CATEGORY_CODES = {key: code for key, _label, code in PLAIN_CATEGORIES}

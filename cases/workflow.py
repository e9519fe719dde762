"""The case state machine: statuses, and the one table of legal transitions.

The code (services.perform_transition) and the docs (README) both read TRANSITIONS.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Level, Role


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACCEPTED = "accepted", _("accepted")
    ROUTED = "routed", _("routed")
    IN_HANDLING = "in_handling", _("in handling")
    RESOLVED = "resolved", _("resolved")
    STABILISED = "stabilised", _("stabilised")
    TRANSFERRED = "transferred", _("sent to another channel")
    TERMINATED = "terminated", _("terminated")
    FOLLOWED_UP = "followed_up", _("followed up")
    ARCHIVED = "archived", _("archived")


OPEN_STATUSES = {Status.REGISTERED, Status.ACCEPTED, Status.ROUTED, Status.IN_HANDLING}
OUTCOME_STATUSES = {Status.RESOLVED, Status.STABILISED, Status.TRANSFERRED, Status.TERMINATED}


class TransferChannel(models.TextChoices):
    LITIGATION = "litigation", _("litigation")
    ARBITRATION = "arbitration", _("arbitration")
    PETITION = "petition", _("petition (xinfang)")
    ADMINISTRATIVE = "administrative", _("administrative handling")


CENTER_ROLES = frozenset({Role.CLERK, Role.LEADER})
HANDLING_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.MEDIATOR, Role.HANDLER})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    note_required: bool = False
    # A system transition is made by the sweep (services.perform_system_transition), never
    # offered to a user; its event may carry another name than the transition.
    system: bool = False
    event_kind: str = ""
    # Sources from which the case keeps its status instead of reaching `target`.
    keeps_status: frozenset[str] = frozenset()
    # Only offered to a case at this handling level (None: at any level).
    level: int | None = None

    @property
    def event(self) -> str:
        return self.event_kind or self.name

    def target_from(self, status: str) -> str:
        return status if status in self.keeps_status else self.target


def _t(name, label, sources, target, roles, note_required=False) -> Transition:
    return Transition(name, label, frozenset(sources), target, frozenset(roles), note_required)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("accept", _("Accept"), {S.REGISTERED}, S.ACCEPTED, CENTER_ROLES),
        _t("reject", _("Decline to accept"), {S.REGISTERED}, S.TERMINATED, CENTER_ROLES, True),
        _t("route", _("Route"), {S.ACCEPTED}, S.ROUTED, CENTER_ROLES),
        # 网格息事 (就地化解, "小事不出村"): the grid worker settles a simple dispute of their
        # grid on the spot, before the center has taken it up; it is accepted and resolved
        # at grid level in one step, with the parties' agreement.
        Transition(
            "settle_at_grid",
            _("Settled on the spot at the grid"),
            frozenset({S.REGISTERED}),
            S.RESOLVED,
            frozenset({Role.GRID_WORKER}),
            note_required=True,
            level=Level.GRID,
        ),
        # 私事: closed with guidance to the service or channel the residents can use.
        _t(
            "guide",
            _("Close as private matter with guidance"),
            {S.ACCEPTED},
            S.TERMINATED,
            CENTER_ROLES,
            True,
        ),
        _t("return", _("Return to dispatcher"), {S.ROUTED}, S.ACCEPTED, HANDLING_ROLES, True),
        _t("start", _("Take over and start handling"), {S.ROUTED}, S.IN_HANDLING, HANDLING_ROLES),
        _t(
            "resolve",
            _("Resolved"),
            {S.IN_HANDLING, S.STABILISED},
            S.RESOLVED,
            HANDLING_ROLES,
            True,
        ),
        _t("stabilise", _("Stabilised"), {S.IN_HANDLING}, S.STABILISED, HANDLING_ROLES, True),
        _t(
            "transfer",
            _("Send to another channel"),
            {S.IN_HANDLING, S.STABILISED},
            S.TRANSFERRED,
            HANDLING_ROLES,
            True,
        ),
        _t(
            "terminate",
            _("Terminate"),
            {S.IN_HANDLING, S.STABILISED},
            S.TERMINATED,
            HANDLING_ROLES,
            True,
        ),
        # 回访 done: the followup app moves a closed case here once its region's visits are
        # made (followup.services.record_visit); a visit is never recorded as a status change
        # of its own, so it cannot share the closing's minute. Old `follow_up` events (a user's
        # action until issue 15) read as before.
        Transition(
            "follow_up",
            _("Follow-up visits made"),
            frozenset(OUTCOME_STATUSES),
            S.FOLLOWED_UP,
            frozenset(),
            system=True,
        ),
        _t(
            "archive",
            _("Archive"),
            {S.FOLLOWED_UP, S.TRANSFERRED, S.TERMINATED},
            S.ARCHIVED,
            CENTER_ROLES,
        ),
        _t(
            "reopen",
            _("Reopen"),
            {S.RESOLVED, S.STABILISED, S.FOLLOWED_UP},
            S.IN_HANDLING,
            CENTER_ROLES | {Role.MEDIATOR, Role.HANDLER},
            True,
        ),
        # A party rated the outcome 不满意 and the region's setting says reopen (the portal
        # app's evaluations): handled again by the same unit.
        Transition(
            "reopen_by_party",
            _("Reopened: a party is not satisfied"),
            frozenset({S.RESOLVED, S.STABILISED, S.FOLLOWED_UP}),
            S.IN_HANDLING,
            frozenset(),
            system=True,
            event_kind="party_reopened",
        ),
        # A follow-up visit found the dispute has flared up again (反弹): handled again by the
        # same unit, or moved up to the next level's center (the region's follow-up setting).
        Transition(
            "reopen_on_rebound",
            _("Reopened: the follow-up visit found a rebound"),
            frozenset({*OUTCOME_STATUSES, S.FOLLOWED_UP}),
            S.IN_HANDLING,
            frozenset(),
            system=True,
            event_kind="rebound_reopened",
        ),
        Transition(
            "escalate_on_rebound",
            _("Escalated: the follow-up visit found a rebound"),
            frozenset({*OUTCOME_STATUSES, S.FOLLOWED_UP}),
            S.ACCEPTED,
            frozenset(),
            system=True,
            event_kind="rebound_escalated",
        ),
        # The level's time or attempts ran out: the case moves to the center of the next
        # level up, which decides anew who handles it; a case not yet accepted stays so.
        Transition(
            "escalate",
            _("Escalated"),
            frozenset(OPEN_STATUSES),
            S.ACCEPTED,
            frozenset(),
            system=True,
            event_kind="escalated",
            keeps_status=frozenset({S.REGISTERED}),
        ),
    ]
}


def transitions_from(status: str) -> list[Transition]:
    """The transitions a user may make from `status` (system transitions are the sweep's)."""
    return [t for t in TRANSITIONS.values() if status in t.sources and not t.system]

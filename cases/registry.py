"""How the apps above `cases` extend a case without `cases` importing them.

Each app fills these registries from its AppConfig.ready():
- event kinds: every timeline event kind with its label and, for the kinds that decide how
  a dispute ended, its outcome (statistics and court docking read outcomes from here);
- case-page panels: the sections other apps add to the case page (吹哨报到, mediation…);
- the route proposer: 三事分流 proposes a unit when a case is routed (the `routing` app);
- batch actions: what a clerk can do to many selected cases at once from the work queue and
  the case list (受理 here in `cases`, 分流 by `routing`, assigning a mediator by `mediation`).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What an event says about how the dispute ended (a later reopen takes it back)."""

    MEDIATED = "mediated", _("mediated")  # 化解 or 稳控
    NOT_MEDIATED = "not_mediated", _("not mediated")  # sent elsewhere, ended, declined
    REOPENED = "reopened", _("reopened")


class Satisfaction(models.TextChoices):
    """A party's rating: their own (the portal's evaluation link, counted in 满意率) or
    given at the follow-up visit (回访, entered by staff and kept as such)."""

    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


# 满意 and 基本满意 both count as satisfied in the 满意率.
SATISFIED = (Satisfaction.SATISFIED.value, Satisfaction.BASIC.value)

# The timeline event of a party's own rating (data: {"satisfaction": …}); the statistics
# count these, not the ratings staff enter at a follow-up visit.
PARTY_RATED = "party_rated"


@dataclass(frozen=True)
class EventKind:
    name: str
    label: Any  # a lazy translation
    outcome: str = ""


_EVENT_KINDS: dict[str, EventKind] = {}


def register_event_kind(name: str, label, outcome: str = "") -> None:
    """Declare a timeline event kind; an app registers each kind it appends, once."""
    known = _EVENT_KINDS.get(name)
    if known and known != EventKind(name, label, outcome):
        raise ValueError(f"event kind {name!r} is registered twice, differently")
    _EVENT_KINDS[name] = EventKind(name, label, outcome)
    kinds_with_outcome.cache_clear()


def event_kind(name: str) -> EventKind | None:
    return _EVENT_KINDS.get(name)


def event_label(name: str):
    kind = _EVENT_KINDS.get(name)
    return kind.label if kind else name


@functools.cache  # read per event when statistics are rebuilt; cleared on registration
def kinds_with_outcome(*outcomes: str) -> frozenset[str]:
    """The event kinds that decide one of these outcomes (all outcomes when none is named)."""
    return frozenset(
        k.name
        for k in _EVENT_KINDS.values()
        if k.outcome and (not outcomes or k.outcome in outcomes)
    )


@dataclass(frozen=True)
class CasePanel:
    """A section another app adds to the case page.

    `context(user, case, bound)` returns the panel template's context; `bound` is what the
    app's views passed back under `bound_key` in the page's context (the forms that failed,
    by prefix), or None. The page adds the request and the CSRF token.
    `slot` is "main" (the wide column) or "side".
    """

    name: str
    template: str
    context: Callable[[Any, Any, dict | None], dict]
    slot: str = "main"
    order: int = 100
    bound_key: str = ""


_PANELS: dict[str, CasePanel] = {}


def register_panel(panel: CasePanel) -> None:
    _PANELS[panel.name] = panel


def panels(slot: str) -> list[CasePanel]:
    return sorted((p for p in _PANELS.values() if p.slot == slot), key=lambda p: (p.order, p.name))


@dataclass(frozen=True)
class RouteProposal:
    """三事分流's proposal for a case: the unit, the triage class, the subject-matter unit."""

    unit: Any = None
    triage_class: str = ""
    subject_unit: Any = None
    rule: Any = None
    guidance: str = ""


_proposer: list[Callable[[Any], RouteProposal]] = []


def set_route_proposer(propose: Callable[[Any], RouteProposal]) -> None:
    _proposer[:] = [propose]


def propose_route(case) -> RouteProposal:
    """The configured proposal for routing `case`; no proposal when no app provides one."""
    return _proposer[0](case) if _proposer else RouteProposal()


@dataclass(frozen=True)
class BatchAction:
    """An act done to many cases at once (cases.bulk.run_batch), each case through the act's
    own service, with its checks, locks and timeline event.

    `allowed(user)`: whether the queue and the list offer it to the user.
    `form(user, cases, data)`: the options form (a Django form, bound when `data` is given)
    asked once for the whole batch; `cases` are those selected (the choices may depend on them).
    `run(case, user, now, options)`: act on one case with the form's cleaned data; refuse it
    by raising a ServiceError (nothing of that case is written, the others go on).
    `detail(case)`: an optional line shown beside each selected case before the act
    (三事分流's proposal), in a column headed `detail_label`.
    """

    name: str
    label: Any  # a lazy translation
    allowed: Callable[[Any], bool]
    form: Callable[[Any, list, Any], Any]
    run: Callable[[Any, Any, Any, dict], object]
    detail: Callable[[Any], Any] | None = None
    detail_label: Any = ""
    order: int = 100


_BATCH_ACTIONS: dict[str, BatchAction] = {}


def register_batch_action(action: BatchAction) -> None:
    _BATCH_ACTIONS[action.name] = action


def batch_actions(user) -> list[BatchAction]:
    """The batch actions offered to `user`, in their order."""
    found = (a for a in _BATCH_ACTIONS.values() if a.allowed(user))
    return sorted(found, key=lambda a: (a.order, a.name))


def batch_action(name: str) -> BatchAction | None:
    return _BATCH_ACTIONS.get(name)


@dataclass(frozen=True)
class ListExtension:
    """A column, a filter and a queue priority another app adds to the case lists.

    `annotate(qs)` adds what the column shows and the queues order by; `cell_template`
    renders one cell with `case` in its context; `choices()` are the filter's options and
    `apply_filter(qs, value)` narrows a list to one of them (the GET parameter is `name`);
    `rank`, when set, is an annotation the work queues order by, highest first, before
    anything else (the risk grade: a red case first in every queue).
    """

    name: str
    label: Any
    annotate: Callable[[Any], Any]
    cell_template: str
    choices: Callable[[], list[tuple[str, Any]]]
    apply_filter: Callable[[Any, str], Any]
    rank: str = ""
    order: int = 100


_LIST_EXTENSIONS: dict[str, ListExtension] = {}


def register_list_extension(extension: ListExtension) -> None:
    _LIST_EXTENSIONS[extension.name] = extension


def list_extensions() -> list[ListExtension]:
    return sorted(_LIST_EXTENSIONS.values(), key=lambda e: (e.order, e.name))


def annotate_lists(qs):
    """The case list's queryset with every extension's annotations."""
    for extension in list_extensions():
        qs = extension.annotate(qs)
    return qs


def queue_ranks() -> list[str]:
    """Ordering keys that come before everything else in a work queue (highest first)."""
    return [f"-{e.rank}" for e in list_extensions() if e.rank]


def apply_list_filters(qs, values: dict[str, str]):
    """Narrow `qs` by the extensions' filters given in `values` (name → chosen value)."""
    for extension in list_extensions():
        value = (values or {}).get(extension.name) or ""
        if value and value in {v for v, _label in extension.choices()}:
            qs = extension.apply_filter(qs, value)
    return qs


@dataclass(frozen=True)
class TransitionExtension:
    """What another app adds to one transition: fields of its form, and a step of its write.

    `fields(case)` returns form fields by name (added to the action's form on the case page;
    the API passes the same names as parameters). `apply(case, actor, actor_unit, now, note,
    params)` runs inside the transition's transaction once the case has moved; it may refuse
    with a ServiceError (nothing is written then) and returns details for the event's data.
    """

    transition: str
    name: str
    apply: Callable[..., dict | None]
    fields: Callable[[Any], dict[str, Any]] = lambda case: {}


_TRANSITION_EXTENSIONS: dict[str, dict[str, TransitionExtension]] = {}


def register_transition_extension(extension: TransitionExtension) -> None:
    _TRANSITION_EXTENSIONS.setdefault(extension.transition, {})[extension.name] = extension


def transition_extensions(transition: str) -> list[TransitionExtension]:
    return list(_TRANSITION_EXTENSIONS.get(transition, {}).values())


@dataclass(frozen=True)
class IntakeExtension:
    """What another app adds to intake: fields of the staff intake form, and a step of its write.

    `fields(user)` returns form fields by name, shown under `label` and added to the staff intake form (none when the
    user may not fill them); the API passes the same names, and register_case finds the values
    in `CaseInput.extensions`. `check(params)` returns field errors, reported with intake's
    own (nothing is written then). `prepare(checked)` reads what the write will need once the
    intake is valid (a `cases.services.CheckedIntake`), before the write transaction — on
    SQLite the database's one write lock, which should hold inserts, not reads. `apply(case,
    parties, actor, actor_unit, now, params, prepared)` runs inside register_case's transaction
    once the case, its parties and its first event are written, with what `prepare` returned;
    it may refuse with a ServiceError (nothing is registered then).
    """

    name: str
    label: Any  # the heading of its fields on the intake form
    apply: Callable[..., object]
    fields: Callable[[Any], dict[str, Any]] = lambda user: {}
    check: Callable[[dict], dict[str, str]] = lambda params: {}
    prepare: Callable[[Any], object] = lambda checked: None


_INTAKE_EXTENSIONS: dict[str, IntakeExtension] = {}


def register_intake_extension(extension: IntakeExtension) -> None:
    _INTAKE_EXTENSIONS[extension.name] = extension


def intake_extensions() -> list[IntakeExtension]:
    return list(_INTAKE_EXTENSIONS.values())


# Other ways a user reads a case, besides the area scope, the linked units and having reported
# it: reader(user) returns a Q over cases, or None (a 专班 member reads the cases of their
# task force while assigned — that member, not the member's whole unit).
_CASE_READERS: dict[str, Callable[[Any], Any]] = {}


def register_case_reader(name: str, reader: Callable[[Any], Any]) -> None:
    _CASE_READERS[name] = reader


def case_readers() -> list[Callable[[Any], Any]]:
    return list(_CASE_READERS.values())

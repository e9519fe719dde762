"""Every write to a case: validate, check permission, write, append the timeline event —
in one transaction. Views, the API, commands and the sweep all call these functions."""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from areas.models import Area, Membership, Role, Unit
from areas.selectors import area_subtree_q, center_for_area, memberships_of, scope_of
from clocks import deadlines, levels, policies
from clocks.calendar import working_time_between
from clocks.models import Clock, Complexity
from jiefen.identity import gender_from_id, validate_credit_code, validate_id_number, validate_phone
from jiefen.localtime import LOCAL_TZ  # noqa: F401  (other apps read it from here too)

from . import audit
from .attachments import accepted, upload_kind
from .data.ethnicities import ETHNIC_NAMES
from .errors import IllegalTransition, InvalidInput, NotAllowed
from .models import (
    Attachment,
    Case,
    CaseAccessLog,
    CaseCodeSequence,
    CasePause,
    CaseUnit,
    CaseUnitRelation,
    Category,
    Channel,
    MissingMaterial,
    Party,
    PartyKind,
    PartyRole,
    PauseReason,
    ResumedHow,
    Scale,
    TimelineEvent,
    TriageClass,
)
from .registry import intake_extensions, propose_route, transition_extensions
from .signals import case_registered, timeline_event_appended, timeline_events_appended
from .workflow import (
    CENTER_ROLES,
    HANDLING_ROLES,
    TRANSITIONS,
    Status,
    TransferChannel,
    Transition,
    transitions_from,
)

OCCUPATION_MAX = Party._meta.get_field("occupation").max_length
# How much one intake may carry (the web form, the API and the imports alike): a case with
# thousands of parties is an error or an attack, and its page would weigh megabytes.
MAX_PARTIES = 50
MAX_MISSING_MATERIALS = 30
MAX_PEOPLE_INVOLVED = 1_000_000
# Leaving these statuses stops the level's escalation clock.
TERMINAL_FOR_LEVEL = {
    Status.RESOLVED,
    Status.TRANSFERRED,
    Status.TERMINATED,
    Status.FOLLOWED_UP,
    Status.ARCHIVED,
}
REGISTER_ROLES = {
    Role.GRID_WORKER,
    Role.CLERK,
    Role.LEADER,
    Role.COURT_LIAISON,
    Role.HANDLER,
    Role.MEDIATOR,
}


@dataclass
class PartyInput:
    name: str
    role: str = PartyRole.APPLICANT
    kind: str = PartyKind.PERSON
    id_number: str = ""
    credit_code: str = ""
    gender: str = ""
    ethnicity: str = ""  # GB 3304 code (cases/data/ethnicities.py)
    occupation: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class CaseInput:
    """What intake needs, from any channel (form, API, import)."""

    title: str
    description: str
    area_code: str
    channel: str
    category_code: str = ""
    scale: str = Scale.INDIVIDUAL
    people_involved: int = 1
    amount_involved: Any = None
    occurred_at: datetime.datetime | None = None
    address: str = ""
    location: str = ""  # "latitude,longitude" from the phone (normalise_location)
    external_ref: str = ""
    parties: list[PartyInput] = field(default_factory=list)
    missing_materials: list[str] = field(default_factory=list)
    # Values of the fields other apps add to intake (cases.registry.IntakeExtension), by name.
    extensions: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- idempotency of a resend

IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idempotency_ref(prefix: str, key: str) -> str:
    """The external_ref under which a write sent with an idempotency key is kept ("intake:<key>"
    for the staff intake form, "portal:<key>" for a citizen's report): a resend of the same
    draft finds it there. A malformed key is no key."""
    key = clean_idempotency_key(key)
    return f"{prefix}:{key}" if key else ""


def clean_idempotency_key(key: str) -> str:
    """A draft's idempotency key as sent (8 to 64 letters, digits, - and _), or ""."""
    key = (key or "").strip()
    return key if IDEMPOTENCY_KEY_RE.match(key) else ""


def case_sent_before(actor, ref: str) -> Case | None:
    """The case an earlier send of this draft registered, if any. Call inside the registering
    transaction: it locks the actor's row, so two sends of one offline draft at once register
    one case (the second waits, then finds the first's)."""
    if not ref:
        return None
    get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    return Case.objects.filter(reporter=actor, external_ref=ref).first()


# ---------------------------------------------------------------- helpers


def normalise_location(value: str) -> str:
    """ "lat,lng" from a phone's geolocation, rounded to ~1 m; anything else is dropped."""
    try:
        lat, lng = (float(v) for v in (value or "").split(","))
    except ValueError:
        return ""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return ""
    return f"{lat:.5f},{lng:.5f}"


def append_event(
    case: Case,
    kind: str,
    now: datetime.datetime,
    *,
    actor=None,
    actor_unit: Unit | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
    first: bool = False,
) -> TimelineEvent:
    """Append an event to the case's timeline. `first`: the case was created in this
    transaction and has no event yet (register_case), so there is nothing to lock or chain to."""
    # The chain (cases.audit): lock the case so its events are appended one after another (the
    # services hold this lock already; a no-op then), and link to its last event.
    if first:
        prev_hash = ""
    else:
        if connection.vendor != "sqlite":  # SQLite writers are serialised by IMMEDIATE anyway
            Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
        prev_hash = audit.last_hash(case.pk)
    data = json.loads(json.dumps(data or {}))  # the form it is read back in
    event = TimelineEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        actor_unit=actor_unit,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        prev_hash=prev_hash,
        hash=audit.event_hash(
            prev_hash,
            case_id=case.pk,
            at=now,
            actor_id=actor.pk if actor else None,
            actor_unit_id=actor_unit.pk if actor_unit else None,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data,
        ),
    )
    # Every change of a case passes here: followers (the statistics) update in this transaction.
    timeline_event_appended.send(sender=TimelineEvent, event=event)
    return event


def append_events(entries: list[dict], now: datetime.datetime) -> list[TimelineEvent]:
    """append_event for many cases at once (the sweep's batches): each entry is a dict of
    append_event's arguments with `case`. One query finds each case's last hash, one INSERT
    writes every event with its link in its case's chain (cases.audit), and
    `timeline_events_appended` tells the followers once for all of them. The caller holds
    the cases' locks (the sweep locks a batch's cases first)."""
    if not entries:
        return []
    case_ids = sorted({e["case"].pk for e in entries})
    prev = audit.last_hashes(case_ids)
    events = []
    for entry in entries:
        case, actor, unit = entry["case"], entry.get("actor"), entry.get("actor_unit")
        fields = {
            "kind": entry["kind"],
            "from_status": entry.get("from_status", ""),
            "to_status": entry.get("to_status", ""),
            "note": entry.get("note", ""),
            "data": json.loads(json.dumps(entry.get("data") or {})),
        }
        prev_hash = prev.get(case.pk, "")
        digest = audit.event_hash(
            prev_hash,
            case_id=case.pk,
            at=now,
            actor_id=actor.pk if actor else None,
            actor_unit_id=unit.pk if unit else None,
            **fields,
        )
        prev[case.pk] = digest
        events.append(
            TimelineEvent(
                case=case,
                at=now,
                actor=actor,
                actor_unit=unit,
                prev_hash=prev_hash,
                hash=digest,
                **fields,
            )
        )
    # In list order, so that pks follow each case's chain (verify reads by case and pk).
    TimelineEvent.objects.bulk_create(events)
    timeline_events_appended.send(sender=TimelineEvent, events=events)
    return events


def link_unit(case: Case, unit: Unit, relation: str, now: datetime.datetime) -> None:
    """Link a unit to the case; a link that exists already keeps its `since`."""
    # One INSERT … ON CONFLICT DO NOTHING (unique case, unit, relation), safe when racing.
    CaseUnit.objects.bulk_create(
        [CaseUnit(case=case, unit=unit, relation=relation, since=now)], ignore_conflicts=True
    )


def next_number(key: str) -> int:
    """The next number of the register `key` (a case-code prefix, a committee's agreements of a
    year…): numbers only grow, so none is issued twice, not even after a record is removed.

    Call it inside the transaction that uses the number: the counter's row stays locked until
    that commits, so concurrent callers queue instead of colliding.
    """
    # One upsert creates or counts on and takes the row lock, so concurrent callers queue
    # instead of colliding (RETURNING: SQLite 3.35+, PostgreSQL).
    qn = connection.ops.quote_name
    table, last = qn(CaseCodeSequence._meta.db_table), qn("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({qn('prefix')}, {last}) VALUES (%s, 1) "
            f"ON CONFLICT ({qn('prefix')}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {last}",
            [key],
        )
        (number,) = cursor.fetchone()
    return number


def next_case_code(area: Area, now: datetime.datetime) -> str:
    """一事一码: area code + local date + a sequence that only grows, so a code is never reused."""
    prefix = f"{area.code12}-{now.astimezone(LOCAL_TZ):%Y%m%d}"
    return f"{prefix}-{next_number(prefix):04d}"


def _check_length(model, attr: str, value: str, key: str, errors: dict[str, str]) -> None:
    """A text longer than its column holds is refused here, not by the database."""
    limit = model._meta.get_field(attr).max_length
    if len(value) > limit:
        errors[key] = _("At most %(n)d characters.") % {"n": limit}


def _validate_parties(parties: list[PartyInput], errors: dict[str, str]) -> list[Party]:
    if len(parties) > MAX_PARTIES:
        errors["parties"] = _("A case may have at most %(n)d parties.") % {"n": MAX_PARTIES}
        return []
    out = []
    for i, p in enumerate(parties):
        key = f"parties[{i}]"
        name = (p.name or "").strip()
        if not name:
            errors[f"{key}.name"] = _("Enter the party's name.")
        if p.role not in PartyRole.values:
            errors[f"{key}.role"] = _("Unknown party role.")
        if p.kind not in PartyKind.values:
            errors[f"{key}.kind"] = _("Unknown party kind.")
        party = Party(
            name=name,
            role=p.role,
            kind=p.kind,
            address=(p.address or "").strip(),
            gender=p.gender or "",
            ethnicity=(p.ethnicity or "").strip(),
            occupation=(p.occupation or "").strip(),
        )
        if party.ethnicity and party.ethnicity not in ETHNIC_NAMES:
            errors[f"{key}.ethnicity"] = _("Unknown ethnic group code (GB 3304).")
        if len(party.occupation) > OCCUPATION_MAX:
            errors[f"{key}.occupation"] = _(
                "Keep the occupation short (at most %(max)d characters)."
            ) % {"max": OCCUPATION_MAX}
        for attr in ("name", "address"):
            _check_length(Party, attr, getattr(party, attr), f"{key}.{attr}", errors)
        for attr, validator in (
            ("id_number", validate_id_number),
            ("phone", validate_phone),
            ("credit_code", validate_credit_code),
        ):
            raw = (getattr(p, attr) or "").strip()
            if raw:
                try:
                    setattr(party, attr, validator(raw))
                except ValidationError as e:
                    errors[f"{key}.{attr}"] = e.messages[0]
        if party.id_number and not party.gender:
            party.gender = gender_from_id(party.id_number)
        out.append(party)
    return out


def _registering_membership(actor, area: Area) -> Membership:
    if actor.is_superuser:
        m = memberships_of(actor).first()
        if m:
            return m
    for m in memberships_of(actor):
        if m.role in REGISTER_ROLES and area.is_within(m.scope_area):
            return m
    raise NotAllowed(
        _("You may only register cases in your own area."),
        {"area_code": _("This area is outside your responsibility.")},
    )


# ---------------------------------------------------------------- intake


@dataclass
class CheckedIntake:
    """An intake that passed every check, with what its registration reads (the area, the
    category, the registering membership, the owner, the escalation policy), all looked up
    before the write transaction: on SQLite that transaction holds the database's one write
    lock, so it should hold the inserts only."""

    actor: Any
    data: CaseInput
    title: str
    description: str
    area: Area
    category: Category | None
    people: int
    amount: Decimal | None
    materials: list[str]
    parties: list[Party]
    membership: Membership | None
    unit: Unit
    owner: Unit
    level: int
    policy: Any  # clocks.models.EscalationPolicy | None
    step: Any  # its step at `level` (None: no level clock)
    # What each intake extension read before the write (IntakeExtension.prepare), by name.
    prepared: dict = field(default_factory=dict)


def check_intake(actor, data: CaseInput, now: datetime.datetime, *, owner: Unit | None = None):
    """Validate an intake and look up what registering it needs; nothing is written.

    Raises InvalidInput (the fields to correct) or NotAllowed (an area outside the actor's
    responsibility). See register_case for `actor` and `owner`.
    """
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    description = (data.description or "").strip()
    if not title:
        errors["title"] = _("Enter a short title of the dispute.")
    elif len(title) > 100:
        errors["title"] = _("The title may have at most 100 characters.")
    if not description:
        errors["description"] = _("Describe the dispute.")
    area = Area.objects.filter(code=(data.area_code or "").strip()).first()
    if area is None:
        errors["area_code"] = _("Unknown area code.")
    if data.channel not in Channel.values:
        errors["channel"] = _("Unknown intake channel.")
    if data.scale not in Scale.values:
        errors["scale"] = _("Scale must be 01, 02 or 03.")
    category = None
    if data.category_code:
        category = Category.objects.filter(code=data.category_code, is_active=True).first()
        if category is None:
            errors["category_code"] = _("Unknown dispute category.")
    try:
        people = int(data.people_involved)
        if not 1 <= people <= MAX_PEOPLE_INVOLVED:
            raise ValueError
    except (TypeError, ValueError):
        errors["people_involved"] = _(
            "The number of people involved must be between 1 and %(n)d."
        ) % {"n": MAX_PEOPLE_INVOLVED}
        people = 1
    amount = None
    if data.amount_involved not in (None, ""):
        try:
            amount = Decimal(str(data.amount_involved))
            if amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            errors["amount_involved"] = _("Enter the amount in yuan, e.g. 12000.50.")
    if data.occurred_at and data.occurred_at > now:
        errors["occurred_at"] = _("The dispute cannot have occurred in the future.")
    _check_length(Case, "address", (data.address or "").strip(), "address", errors)
    _check_length(Case, "external_ref", (data.external_ref or "").strip(), "external_ref", errors)
    materials = [n.strip() for n in data.missing_materials if n and n.strip()]
    if len(materials) > MAX_MISSING_MATERIALS:
        errors["missing_materials"] = _("List at most %(n)d missing materials.") % {
            "n": MAX_MISSING_MATERIALS
        }
    for i, name in enumerate(materials):
        _check_length(MissingMaterial, "name", name, f"missing_materials[{i}]", errors)
    parties = _validate_parties(data.parties, errors)
    if not parties:
        errors.setdefault("parties", _("Add at least one party."))
    for extension in intake_extensions():
        errors.update(extension.check(data.extensions) or {})
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)

    if actor is None:
        # A party's own report (the citizen portal): no staff member registered it; the
        # caller names the center that receives it.
        if owner is None:
            raise ValueError("a case registered without an actor needs its owner")
        membership, unit = None, owner
    else:
        membership = _registering_membership(actor, area)
        unit = membership.unit
    if owner is None:
        owner = unit if unit.is_territorial else (center_for_area(unit.area) or unit)
    level = _starting_level(membership, area, owner)
    policy = policies.policy_for_area(area)
    checked = CheckedIntake(
        actor=actor,
        data=data,
        title=title,
        description=description,
        area=area,
        category=category,
        people=people,
        amount=amount,
        materials=materials,
        parties=parties,
        membership=membership,
        unit=unit,
        owner=owner,
        level=level,
        policy=policy,
        step=policies.step_for(policy, level) if policy else None,
    )
    for extension in intake_extensions():
        checked.prepared[extension.name] = extension.prepare(checked)
    return checked


def register_case(
    actor,
    data: CaseInput,
    now: datetime.datetime,
    *,
    owner: Unit | None = None,
    event_kind: str = "registered",
    event_note: str = "",
    event_data: dict | None = None,
) -> Case:
    """Register a new case with its parties and missing materials; open its accept-by clock.

    `actor` is None for a party's own report: then `owner` (the receiving center) is required.

    首接负责制: the registering unit (or, when it is not a territorial unit, the governance
    center of its area) owns the case until it explicitly hands it on. A caller that knows
    better names the `owner` (a court referral goes to the center of the dispute's area) and
    may describe the registration in its own event (kind, note, data), the case's first.
    """
    checked = check_intake(actor, data, now, owner=owner)
    return register_checked_case(
        checked, now, event_kind=event_kind, event_note=event_note, event_data=event_data
    )


def register_checked_case(
    checked: CheckedIntake,
    now: datetime.datetime,
    *,
    event_kind: str = "registered",
    event_note: str = "",
    event_data: dict | None = None,
) -> Case:
    """Write a checked intake (check_intake): the inserts only, in one transaction."""
    data, actor, area, owner, unit = (
        checked.data,
        checked.actor,
        checked.area,
        checked.owner,
        checked.unit,
    )
    parties = checked.parties
    with transaction.atomic():
        case = Case.objects.create(
            code=next_case_code(area, now),
            title=checked.title,
            description=checked.description,
            category=checked.category,
            scale=data.scale,
            people_involved=checked.people,
            amount_involved=checked.amount,
            occurred_at=data.occurred_at,
            area=area,
            address=(data.address or "").strip(),
            location=normalise_location(data.location),
            channel=data.channel,
            external_ref=(data.external_ref or "").strip(),
            status=Status.REGISTERED,
            level=checked.level,
            owner_unit=owner,
            first_unit=owner,
            reporter=actor,
            created_at=now,
            updated_at=now,
        )
        for p in parties:
            p.case = case
        Party.objects.bulk_create(parties)
        if checked.materials:
            MissingMaterial.objects.bulk_create(
                [MissingMaterial(case=case, name=n) for n in checked.materials]
            )
        links = [(owner, CaseUnitRelation.FIRST), (owner, CaseUnitRelation.OWNER)]
        if unit != owner:
            links.append((unit, CaseUnitRelation.ASSISTING))
        CaseUnit.objects.bulk_create(
            [CaseUnit(case=case, unit=u, relation=r, since=now) for u, r in links]
        )
        append_event(
            case,
            event_kind,
            now,
            actor=actor,
            actor_unit=unit,
            to_status=Status.REGISTERED,
            note=event_note,
            data={
                "channel": data.channel,
                "owner_unit": owner.name,
                "missing_materials": [m for m in data.missing_materials if m],
                **(event_data or {}),
            },
            first=True,
        )
        deadlines.open_deadline(case, Clock.ACCEPT, owner, now, policy=checked.policy)
        levels.enter_level(case, now, policy=checked.policy, step=checked.step)
        case_registered.send(sender=Case, case=case, parties=parties, actor=actor, now=now)
        for extension in intake_extensions():  # other apps' part of the registration
            extension.apply(
                case,
                parties,
                actor,
                checked.membership.unit if checked.membership else None,
                now,
                data.extensions,
                checked.prepared.get(extension.name),
            )
    return case


def _starting_level(membership: Membership | None, area: Area, owner: Unit) -> int:
    """A grid worker's report starts at the grid (网格内化解 first); others at the owner's level."""
    if (
        membership is not None
        and membership.role == Role.GRID_WORKER
        and membership.area_id
        and area.is_within(membership.area)
    ):
        return membership.area.level
    return owner.area.level


# ---------------------------------------------------------------- transitions


def acting_membership(actor, case: Case, roles) -> Membership | None:
    """The membership through which `actor` may act on `case` with one of `roles`.

    The handling unit acts; so does an upper-level center over a lower unit's case
    (supervision). A unit the case was escalated away from keeps read access only.
    """
    owner_area = case.owner_unit.area
    for m in memberships_of(actor):
        if m.role not in roles and not actor.is_superuser:
            continue
        if m.unit_id == case.owner_unit_id:
            return m
        if m.unit.is_territorial and owner_area.is_within(m.scope_area):
            return m
        if m.role == Role.GRID_WORKER and case.area.is_within(m.scope_area):
            return m
    if actor.is_superuser:
        return memberships_of(actor).first()
    return None


def allowed_transitions(actor, case: Case) -> list[Transition]:
    if case.duplicate_of_id:  # a merged repeat moves with its main case (并单)
        return []
    return [
        t
        for t in transitions_from(case.status)
        if (t.level is None or t.level == case.level) and acting_membership(actor, case, t.roles)
    ]


def perform_transition(
    case: Case, name: str, actor, now: datetime.datetime, *, note: str = "", **params
) -> Case:
    """Move a case along the transition `name` as `actor`, or raise and change nothing."""
    transition = TRANSITIONS.get(name)
    if transition is None or transition.system:
        raise IllegalTransition(
            _("Unknown action “%(name)s”.") % {"name": name}, {"action": _("Unknown action.")}
        )
    return _move(case, transition, actor, now, note, params)


def perform_system_transition(
    case: Case, name: str, now: datetime.datetime, *, note: str = "", actor=None, **params
) -> Case:
    """Move a case along a system transition (the sweep's escalation, a follow-up visit's
    consequence): no permission is checked here; the event names the unit the case leaves
    and `actor`, the user whose own checked act caused the move (None for the sweep)."""
    transition = TRANSITIONS[name]
    if not transition.system:
        raise ValueError(f"{name!r} is a user's transition: use perform_transition")
    return _move(case, transition, actor, now, note, params)


def _move(
    case: Case, transition: Transition, actor, now: datetime.datetime, note: str, params: dict
) -> Case:
    """Lock, check, write, event: the one place that writes a case's status."""
    name = transition.name
    note = (note or "").strip()
    with transaction.atomic():
        # of=("self",): lock the case row only; PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer joins (category, dispatcher_unit).
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area", "category", "dispatcher_unit")
            .get(pk=case.pk)
        )
        if case.duplicate_of_id:
            raise IllegalTransition(
                _("This case is merged into another case as a repeat; undo the merge first."),
                {"action": _("Not possible for a merged repeat.")},
            )
        if case.status not in transition.sources or (
            transition.level is not None and case.level != transition.level
        ):
            raise IllegalTransition(
                _("A case that is “%(status)s” cannot be moved by “%(action)s”.")
                % {"status": Status(case.status).label, "action": transition.label},
                {"action": _("Not possible in the current status.")},
            )
        if transition.system:
            membership, actor_unit = None, case.owner_unit
        else:
            membership = acting_membership(actor, case, transition.roles)
            if membership is None:
                raise NotAllowed(_("You are not allowed to do this on this case."))
            actor_unit = membership.unit
        if transition.note_required and not note:
            raise InvalidInput(
                _("Please give a reason or a note."), {"note": _("This action needs a note.")}
            )
        before = {"status": case.status, "owner_unit": case.owner_unit.name, "level": case.level}
        extra = _APPLY[name](case, actor, membership, now, note, params)
        from_status = case.status
        case.status = transition.target_from(from_status)
        case.updated_at = now
        case.save()
        # A hand-over moved the level clocks itself; closing and reopening move them here.
        is_closed = case.status in TERMINAL_FOR_LEVEL
        if is_closed:
            levels.leave_level(case, now)
        elif from_status in TERMINAL_FOR_LEVEL:
            levels.enter_level(case, now)
        extra = dict(extra or {})
        for extension in transition_extensions(name):  # other apps' part of this act
            extra.update(extension.apply(case, actor, actor_unit, now, note, params) or {})
        after = {"status": case.status, "owner_unit": case.owner_unit.name, "level": case.level}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        append_event(
            case,
            transition.event,
            now,
            actor=actor,
            actor_unit=actor_unit,
            from_status=from_status,
            to_status=case.status,
            note=note,
            data={"changes": changes, **extra},
        )
    return case


def _apply_accept(case, actor, membership, now, note, params):
    category_code = params.get("category_code")
    if category_code:
        category = Category.objects.filter(code=category_code, is_active=True).first()
        if category is None:
            raise InvalidInput(
                _("Unknown dispute category."), {"category_code": _("Unknown dispute category.")}
            )
        case.category = category
    if case.category_id is None:
        raise InvalidInput(
            _("Choose the dispute category before accepting."),
            {"category_code": _("A category is required to accept.")},
        )
    complexity = _complexity_param(params)
    if complexity:
        case.complexity = complexity
    case.accepted_at = now
    move_level(case, case.owner_unit.area.level, now)  # a grid report is now the center's
    deadlines.close_deadlines(case, [Clock.ACCEPT], now)
    # The resolve limit is the one of the case's complexity (clocks.EscalationPolicy).
    deadlines.open_deadline(case, Clock.RESOLVE, case.owner_unit, now)
    return {"category": case.category.code, **({"complexity": complexity} if complexity else {})}


def _complexity_param(params) -> str:
    """简单 / 一般 / 疑难 given with acceptance or routing ("" when not given)."""
    value = (params.get("complexity") or "").strip()
    if value and value not in Complexity.values:
        raise InvalidInput(
            _("Choose simple, ordinary or complex."),
            {"complexity": _("Choose simple, ordinary or complex.")},
        )
    return value


def _unit_param(params, key="unit_id") -> Unit:
    raw = params.get(key)
    unit = None
    if raw not in (None, ""):
        try:
            unit = Unit.objects.select_related("area").filter(pk=int(raw), is_active=True).first()
        except (TypeError, ValueError):
            unit = None
    if unit is None:
        raise InvalidInput(
            _("Choose the unit that will handle the case."), {key: _("Unknown or inactive unit.")}
        )
    return unit


def routable_units(case: Case, actor):
    """Units a case can be dispatched to: those of the case's area and its ancestors
    (county departments, the court…) and those below the dispatching center."""
    scope = scope_of(actor)
    qs = Unit.objects.filter(is_active=True).select_related("area")
    if scope.is_superuser:
        return qs
    return qs.filter(
        area_subtree_q(scope.area_paths, "area__") | Q(area_id__in=case.area.ancestor_ids)
    )


def hand_over_case(
    case: Case, unit: Unit, now: datetime.datetime, level: int | None = None
) -> None:
    """The one way a case changes hands (route, return, escalation, referral delivery).

    Called on the locked case inside its transaction, before the caller saves it and
    appends the event (whose before/after shows the owner and level). The new unit owns
    the case at its own level (or `level`); the former owner keeps read access (首接负责制
    is handed on explicitly); the owner's clocks follow the case; a change of level closes
    the old level's escalation clock and opens the new one's.
    """
    if unit.pk != case.owner_unit_id:
        CaseUnit.objects.filter(case=case, relation=CaseUnitRelation.OWNER).update(
            relation=CaseUnitRelation.FORMER
        )
        CaseUnit.objects.filter(case=case, unit=unit, relation=CaseUnitRelation.FORMER).delete()
        link_unit(case, case.owner_unit, CaseUnitRelation.FORMER, now)
        link_unit(case, unit, CaseUnitRelation.OWNER, now)
    case.owner_unit = unit
    deadlines.transfer_deadlines(case, unit)
    move_level(case, unit.area.level if level is None else level, now)


def move_level(case: Case, level: int, now: datetime.datetime) -> None:
    """Put the case at `level`: the old level's escalation clock is met, the new one starts."""
    if level == case.level:
        return
    case.level = level
    levels.leave_level(case, now)
    levels.enter_level(case, now)


def _apply_route(case, actor, membership, now, note, params):
    unit = _unit_param(params)
    if not routable_units(case, actor).filter(pk=unit.pk).exists():
        raise InvalidInput(
            _("This unit cannot receive cases of this area."),
            {"unit_id": _("Outside the case's area.")},
        )
    proposal = propose_route(case)
    triage_class = params.get("triage_class") or proposal.triage_class or TriageClass.MINOR
    if triage_class not in (TriageClass.MAJOR, TriageClass.MINOR):
        raise InvalidInput(
            _("Private matters are closed with guidance, not routed."),
            {"triage_class": _("Choose major or minor matter.")},
        )
    override_reason = (params.get("override_reason") or "").strip()
    overridden = proposal.unit is not None and proposal.unit.pk != unit.pk
    if overridden and not override_reason:
        raise InvalidInput(
            _("You chose another unit than the proposed one; give the reason."),
            {"override_reason": _("Needed when the proposal is not followed.")},
        )
    subject = proposal.subject_unit
    if params.get("subject_unit_id"):
        subject = _unit_param(params, "subject_unit_id")
    complexity = _complexity_param(params)
    if complexity and complexity != case.complexity:
        case.complexity = complexity
        deadlines.reset_resolve_limit(case, now)
    case.triage_class = triage_class
    case.subject_unit = subject
    case.dispatcher_unit = membership.unit
    hand_over_case(case, unit, now)
    if subject and subject.pk != unit.pk:
        link_unit(case, subject, CaseUnitRelation.ASSISTING, now)
    return {
        "unit": unit.name,
        "triage_class": triage_class,
        "subject_unit": subject.name if subject else "",
        "proposed_unit": proposal.unit.name if proposal.unit else "",
        "rule": proposal.rule.name if proposal.rule else "",
        "override_reason": override_reason if overridden else "",
        **({"complexity": complexity} if complexity else {}),
    }


def _apply_guide(case, actor, membership, now, note, params):
    case.triage_class = TriageClass.PRIVATE
    _apply_close(case, actor, membership, now, note, params)


def _apply_return(case, actor, membership, now, note, params):
    back_to = case.dispatcher_unit or case.first_unit
    hand_over_case(case, back_to, now)
    return {"returned_to": back_to.name}


def _apply_close(case, actor, membership, now, note, params):
    case.outcome_note = note
    case.closed_at = now
    _end_pause(case, actor, now, ResumedHow.CLOSED)  # closing ends a pause
    deadlines.close_deadlines(case, deadlines.CASE_BOUND_CLOCKS, now)


def _apply_settle_at_grid(case, actor, membership, now, note, params):
    """网格息事: accepted and resolved at the grid in one step; the parties' agreement (what
    they agreed, and whether it was oral) goes on the record."""
    agreement = (params.get("agreement") or "").strip()
    if not agreement:
        raise InvalidInput(
            _("Write down what the parties agreed."),
            {"agreement": _("Write down what the parties agreed.")},
        )
    case.accepted_at = case.accepted_at or now
    _apply_close(case, actor, membership, now, note, params)
    return {
        "agreement": agreement,
        "agreement_form": "oral" if params.get("oral_agreement") else "written",
    }


def _apply_transfer(case, actor, membership, now, note, params):
    channel = params.get("channel", "")
    if channel not in TransferChannel.values:
        raise InvalidInput(
            _("Choose where the case is sent."),
            {"channel": _("Choose litigation, arbitration, petition or administrative handling.")},
        )
    case.transfer_channel = channel
    _apply_close(case, actor, membership, now, note, params)
    return {"channel": channel}


def _apply_stabilise(case, actor, membership, now, note, params):
    case.outcome_note = note


def _apply_reopen(case, actor, membership, now, note, params):
    case.closed_at = None
    case.transfer_channel = ""
    # A stabilised case is still on its clock; a closed one starts a new one.
    if not deadlines.open_deadlines(case).filter(clock=Clock.RESOLVE).exists():
        deadlines.open_deadline(case, Clock.RESOLVE, case.owner_unit, now)


def _apply_escalate_on_rebound(case, actor, membership, now, note, params):
    """The upper level's center takes the rebounded case up anew (the caller names it)."""
    target_unit, target_level = params["unit"], params["level"]
    case.closed_at = None
    case.transfer_channel = ""
    case.dispatcher_unit = None
    if case.status != Status.STABILISED:
        # A closed case has no level clock: _move opens the new level's once it reopens.
        case.level = target_level
    hand_over_case(case, target_unit, now, level=target_level)
    deadlines.close_deadlines(case, [Clock.RESOLVE], now)
    deadlines.open_deadline(case, Clock.RESOLVE, target_unit, now)
    return {"unit": target_unit.name}


def _apply_escalate(case, actor, membership, now, note, params):
    """The sweep names the next level's center; the lower unit keeps read access."""
    target_unit, target_level = params["unit"], params["level"]
    if case.status in (Status.ROUTED, Status.IN_HANDLING):
        case.dispatcher_unit = None  # the upper center decides anew who handles it
    hand_over_case(case, target_unit, now, level=target_level)
    return {"reason": params["reason"]}


def _noop(case, actor, membership, now, note, params):
    return None


_APPLY = {
    "accept": _apply_accept,
    "reject": _apply_close,
    "route": _apply_route,
    "guide": _apply_guide,
    "return": _apply_return,
    "start": _noop,
    "resolve": _apply_close,
    "stabilise": _apply_stabilise,
    "transfer": _apply_transfer,
    "terminate": _apply_close,
    "follow_up": _noop,
    "archive": _noop,
    "reopen": _apply_reopen,
    "reopen_by_party": _apply_reopen,
    "reopen_on_rebound": _apply_reopen,
    "escalate_on_rebound": _apply_escalate_on_rebound,
    "settle_at_grid": _apply_settle_at_grid,
    "escalate": _apply_escalate,
}
assert set(_APPLY) == set(TRANSITIONS), "every transition needs its apply function"


# ---------------------------------------------------------------- other writes


def _refuse_file(message: str):
    raise InvalidInput(message, {"file": message})


def add_attachment(
    case: Case, actor, uploaded_file, now: datetime.datetime, *, resumes_pause: bool = False
) -> Attachment:
    """Store a file with a case; with `resumes_pause`, it is the material the paused case
    was waiting for, and its clocks run again (in the same transaction). Refused (InvalidInput on "file") when it is larger than
    settings.ATTACHMENT_MAX_BYTES, would take the case's files past
    settings.CASE_ATTACHMENTS_MAX_BYTES, or its bytes are not a kind settings.ATTACHMENT_TYPES
    accepts (whatever its name or the browser claim)."""
    if acting_membership(actor, case, REGISTER_ROLES | {Role.CLERK}) is None:
        raise NotAllowed(_("You are not allowed to do this on this case."))
    name = uploaded_file.name[:200]
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded_file.size > limit:
        _refuse_file(
            _("“%(name)s” is larger than %(size)s, the limit for one file.")
            % {"name": name, "size": filesizeformat(limit)}
        )
    # What the bytes are, not what the browser claimed: the page and the viewer decide by it
    # whether to show the file.
    kind = upload_kind(uploaded_file)
    if not accepted(kind):
        _refuse_file(
            _(
                "“%(name)s” is not a kind of file a case accepts. Accepted: photos (JPEG, PNG, "
                "GIF, WebP, HEIF), PDF, Word and Excel files, MP3 recordings and MP4 videos."
            )
            % {"name": name}
        )
    with transaction.atomic():
        # The case's row is the lock: two uploads at once cannot both pass the total.
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()
        total = case.attachments.aggregate(s=Sum("size"))["s"] or 0
        limit = settings.CASE_ATTACHMENTS_MAX_BYTES
        if total + uploaded_file.size > limit:
            _refuse_file(
                _("“%(name)s” would take this case's files past %(size)s; %(left)s are left.")
                % {
                    "name": name,
                    "size": filesizeformat(limit),
                    "left": filesizeformat(max(0, limit - total)),
                }
            )
        att = Attachment(
            case=case,
            name=name,
            content_type=kind,
            size=uploaded_file.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        att.file.save(uploaded_file.name, uploaded_file, save=False)
        att.save()
        append_event(case, "attachment_added", now, actor=actor, note=att.name)
        if resumes_pause:
            _resume_with_event(case, actor, now, ResumedHow.MATERIAL, att.name)
    return att


def provide_material(case: Case, material_id: int, actor, now: datetime.datetime) -> None:
    """容缺受理: a missing material has been handed in."""
    if acting_membership(actor, case, REGISTER_ROLES) is None:
        raise NotAllowed(_("You are not allowed to do this on this case."))
    with transaction.atomic():
        m = (
            MissingMaterial.objects.select_for_update()
            .filter(case=case, pk=material_id, provided_at__isnull=True)
            .first()
        )
        if m is None:
            raise InvalidInput(_("This material is not missing."))
        m.provided_at = now
        m.save(update_fields=["provided_at"])
        append_event(case, "material_provided", now, actor=actor, note=m.name)
        # 容缺补齐: the last missing material handed in ends a pause that waited for them.
        pause = CasePause.objects.filter(
            case=case, resumed_at__isnull=True, reason=PauseReason.MATERIALS
        ).first()
        if pause and not case.missing_materials.filter(provided_at__isnull=True).exists():
            _resume_with_event(case, actor, now, ResumedHow.MATERIAL, m.name)


# ---------------------------------------------------------------- complexity and pauses

PAUSE_ROLES = HANDLING_ROLES
COMPLEXITY_ROLES = CENTER_ROLES


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .get(pk=case.pk)
    )


def change_complexity(
    case: Case, actor, complexity: str, reason: str, now: datetime.datetime
) -> Case:
    """简单 / 一般 / 疑难 changed after acceptance, with a reason: the open resolve clock gets the
    new complexity's limit from when it started (plus the time it was paused)."""
    reason = (reason or "").strip()
    errors = {}
    if complexity not in Complexity.values:
        errors["complexity"] = _("Choose simple, ordinary or complex.")
    if not reason:
        errors["reason"] = _("Give the reason for the change.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), errors)
    with transaction.atomic():
        case = _locked(case)
        membership = acting_membership(actor, case, COMPLEXITY_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if case.accepted_at is None or case.closed_at is not None:
            raise IllegalTransition(
                _("Only an accepted case that is not closed can change its complexity."),
                {"complexity": _("Not possible in the current status.")},
            )
        if complexity == case.complexity:
            raise InvalidInput(
                _("The case is already of this complexity."),
                {"complexity": _("The case is already of this complexity.")},
            )
        before = case.complexity
        case.complexity = complexity
        case.updated_at = now
        case.save(update_fields=["complexity", "updated_at"])
        clock = deadlines.reset_resolve_limit(case, now)
        append_event(
            case,
            "complexity_changed",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=reason,
            data={
                "complexity_before": before,
                "complexity": complexity,
                "due_at": clock.due_at.isoformat() if clock else "",
            },
        )
    return case


def open_pause(case: Case) -> CasePause | None:
    return CasePause.objects.filter(case=case, resumed_at__isnull=True).first()


def pause_case(case: Case, actor, reason: str, note: str, now: datetime.datetime) -> CasePause:
    """Stop the case's clocks while it waits for something outside the handler's hands (a
    party's 容缺 materials, an appraisal, a court): only with a reason from the list and a
    note of what is awaited; the pause goes on the record."""
    note = (note or "").strip()
    errors = {}
    if reason not in PauseReason.values:
        errors["reason"] = _("Choose why the clock stops.")
    if not note:
        errors["note"] = _("Write down what the case is waiting for.")
    if errors:
        raise InvalidInput(_("A clock stops only with a reason."), errors)
    with transaction.atomic():
        case = _locked(case)
        membership = acting_membership(actor, case, PAUSE_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if open_pause(case) is not None:
            raise IllegalTransition(
                _("The case's clocks are paused already."),
                {"reason": _("The case's clocks are paused already.")},
            )
        if case.closed_at is not None or not deadlines.pause_deadlines(case, now):
            raise IllegalTransition(
                _(
                    "This case has no running time limit to pause (not accepted yet, closed, "
                    "or its limit is already exceeded)."
                ),
                {"reason": _("No running time limit.")},
            )
        pause = CasePause.objects.create(
            case=case, reason=reason, note=note, paused_at=now, paused_by=actor
        )
        append_event(
            case,
            "clock_paused",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=note,
            data={"pause_reason": reason},
        )
    return pause


def resume_case(case: Case, actor, now: datetime.datetime, note: str = "") -> CasePause:
    """Start the paused clocks again by hand; each due time moves by the paused working time."""
    with transaction.atomic():
        case = _locked(case)
        membership = acting_membership(actor, case, PAUSE_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        pause = _resume_with_event(case, actor, now, ResumedHow.HAND, (note or "").strip())
        if pause is None:
            raise IllegalTransition(
                _("The case's clocks are not paused."),
                {"action": _("The case's clocks are not paused.")},
            )
    return pause


def _end_pause(case: Case, actor, now: datetime.datetime, how: str) -> CasePause | None:
    """Inside the caller's transaction: end the open pause and move the clocks' due times."""
    pause = open_pause(case)
    if pause is None:
        return None
    deadlines.resume_deadlines(case, now)
    pause.resumed_at = now
    pause.resumed_by = actor
    pause.resumed_how = how
    pause.working_time = working_time_between(pause.paused_at, now)
    pause.save(update_fields=["resumed_at", "resumed_by", "resumed_how", "working_time"])
    return pause


def _resume_with_event(
    case: Case, actor, now: datetime.datetime, how: str, note: str
) -> CasePause | None:
    pause = _end_pause(case, actor, now, how)
    if pause is not None:
        membership = acting_membership(actor, case, PAUSE_ROLES | REGISTER_ROLES)
        append_event(
            case,
            "clock_resumed",
            now,
            actor=actor,
            actor_unit=membership.unit if membership else None,
            note=note,
            data={
                "resumed_how": how,
                "paused_hours": round(pause.working_time.total_seconds() / 3600, 2),
            },
        )
    return pause


def record_admin_change(case: Case, user, note: str, changes: list, now: datetime.datetime) -> None:
    """A correction made in the Django admin (a party, the case's own fields) goes on the
    timeline like every other change; called inside the admin's saving transaction."""
    if not changes:
        return
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
        append_event(case, "admin_edited", now, actor=user, note=note, data={"changes": changes})


# Roles whose work needs a party's full ID number and phone (PIPL: everyone else sees masks).
FULL_RECORD_ROLES = (
    Role.CLERK,
    Role.MEDIATOR,
    Role.HANDLER,
    Role.LEADER,
    Role.COURT_LIAISON,
    Role.ADMIN,
)


def sees_full_records(user) -> bool:
    """Whether the user's role needs the parties' full ID numbers and phones (PIPL)."""
    return scope_of(user).has_role(*FULL_RECORD_ROLES)


def open_case_record(
    case: Case, user, channel: str, ip: str | None, now: datetime.datetime
) -> bool:
    """Whether `user` sees the parties' full ID numbers and phones; such a read is logged."""
    full = sees_full_records(user)
    if full and case.parties.filter(~Q(id_number="") | ~Q(phone="")).exists():
        record_full_read(case, user, channel, ip, now)
    return full


def record_full_read(
    case: Case, user, channel: str, ip: str | None, now: datetime.datetime
) -> None:
    CaseAccessLog.objects.create(case=case, user=user, at=now, channel=channel, ip=ip or None)


def record_full_export(
    case_ids, user, ip: str | None, now: datetime.datetime, channel: str = "export"
) -> int:
    """An export with full ID numbers and phones is a full read of each of its cases that
    has any: one access record per such case, as if each had been opened. Returns how many."""
    with_pii = (
        Party.objects.filter(case_id__in=case_ids)
        .filter(~Q(id_number="") | ~Q(phone=""))
        .values_list("case_id", flat=True)
        .distinct()
    )
    logs = [
        CaseAccessLog(case_id=pk, user=user, at=now, channel=channel, ip=ip or None)
        for pk in set(with_pii)
    ]
    CaseAccessLog.objects.bulk_create(logs)
    return len(logs)

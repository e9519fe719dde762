"""一人一档: key persons' files, their cases, check-in visits and the visit clock.

A file is visible within the user's area scope, like a case: the area's center and the
centers above it; a sibling village sees nothing. Its cases are those the user may see.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from areas.models import Area, Membership
from areas.selectors import area_subtree_q, scope_of
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, Party
from cases.selectors import cases_visible_to
from cases.services import FULL_RECORD_ROLES, append_event
from cases.workflow import CENTER_ROLES
from jiefen.identity import validate_id_number, validate_phone
from notifications.models import Kind
from notifications.services import notify

from .models import (
    KeyPerson,
    KeyPersonAccessLog,
    KeyPersonCase,
    KeyPersonChange,
    LinkSource,
    RiskTag,
    Visit,
)


def persons_visible_to(user) -> QuerySet[KeyPerson]:
    scope = scope_of(user)
    if not getattr(user, "is_authenticated", False):
        return KeyPerson.objects.none()
    if scope.is_superuser:
        return KeyPerson.objects.all()
    return KeyPerson.objects.filter(area_subtree_q(scope.area_paths, "area__"))


def visible_person_or_404(user, pk) -> KeyPerson:
    person = persons_visible_to(user).select_related("area", "responsible").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def cases_of(person: KeyPerson, user) -> QuerySet[Case]:
    """The person's cases that this user may see."""
    return cases_visible_to(user).filter(key_person_links__person=person)


def _may_keep_files(user, area: Area) -> bool:
    scope = scope_of(user)
    return scope.has_role(*CENTER_ROLES) and scope.covers_area(area)


@dataclass
class PersonInput:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    area_code: str = ""
    responsible_id: int | None = None
    tag_ids: list[int] = field(default_factory=list)
    visit_days: int | None = None
    note: str = ""


def _matching_parties(person: KeyPerson) -> QuerySet[Party]:
    if person.id_number:
        return Party.objects.filter(id_number=person.id_number)
    return Party.objects.filter(name=person.name, phone=person.phone)


def create_person(actor, data: PersonInput, now: datetime.datetime) -> KeyPerson:
    """Open a file; the cases the person already is a party of are linked to it."""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Enter the name.")
    id_number = phone = ""
    if data.id_number:
        try:
            id_number = validate_id_number(data.id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages[0]
    if data.phone:
        try:
            phone = validate_phone(data.phone)
        except ValidationError as e:
            errors["phone"] = e.messages[0]
    if not data.id_number and not data.phone:
        errors["id_number"] = _("Give the ID number, or the phone where there is none.")
    area = Area.objects.filter(code=(data.area_code or "").strip()).first()
    if area is None or not _may_keep_files(actor, area):
        errors["area_code"] = _("Choose an area of your own.")
    responsible = None
    if data.responsible_id:
        m = (
            Membership.objects.filter(user_id=data.responsible_id, user__is_active=True)
            .select_related("user", "unit__area")
            .first()
        )
        if m is not None and area is not None and scope_of(actor).covers_area(m.unit.area):
            responsible = m.user
    if responsible is None:
        errors["responsible_id"] = _("Choose the person responsible for control.")
    if data.visit_days is not None and data.visit_days < 1:
        errors["visit_days"] = _("At least 1 day.")
    if id_number and KeyPerson.objects.filter(id_number=id_number).exists():
        errors["id_number"] = _("There is already a file for this ID number.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        person = KeyPerson.objects.create(
            name=name,
            id_number=id_number,
            phone=phone,
            area=area,
            responsible=responsible,
            visit_days=data.visit_days,
            visit_due_at=now + datetime.timedelta(days=data.visit_days)
            if data.visit_days
            else None,
            note=(data.note or "").strip(),
            created_at=now,
        )
        person.tags.set(RiskTag.objects.filter(pk__in=data.tag_ids, is_active=True))
        case_ids = set(_matching_parties(person).values_list("case_id", flat=True))
        KeyPersonCase.objects.bulk_create(
            [
                KeyPersonCase(
                    person=person, case_id=c, source=LinkSource.AUTO, linked_at=now, linked_by=actor
                )
                for c in sorted(case_ids)
            ],
            ignore_conflicts=True,
        )
    return person


def _responsible(actor, user_id) -> object | None:
    """An active staff member within the actor's scope, or None."""
    if not user_id:
        return None
    m = (
        Membership.objects.filter(user_id=user_id, user__is_active=True)
        .select_related("user", "unit__area")
        .first()
    )
    return m.user if m is not None and scope_of(actor).covers_area(m.unit.area) else None


def _user_name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def update_person(actor, person: KeyPerson, data: PersonInput, now: datetime.datetime):
    """Change a file's responsible person (稳控), tags, visit interval and note; the change is
    kept in the file's history. Returns the change, or None when nothing changed."""
    if not _may_keep_files(actor, person.area):
        raise NotAllowed(_("You are not allowed to do this."))
    errors: dict[str, str] = {}
    responsible = _responsible(actor, data.responsible_id)
    if responsible is None:
        errors["responsible_id"] = _("Choose the person responsible for control.")
    if data.visit_days is not None and data.visit_days < 1:
        errors["visit_days"] = _("At least 1 day.")
    tags = list(RiskTag.objects.filter(pk__in=data.tag_ids, is_active=True))
    if len(tags) != len(set(data.tag_ids)):
        errors["tag_ids"] = _("Choose among the active risk tags.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    note = (data.note or "").strip()
    with transaction.atomic():
        person = (
            KeyPerson.objects.select_for_update().select_related("responsible").get(pk=person.pk)
        )
        before_tags = sorted(t.name for t in person.tags.all())
        after_tags = sorted(t.name for t in tags)
        changes: dict[str, list] = {}
        if responsible.pk != person.responsible_id:
            changes[str(_("responsible for control (稳控)"))] = [
                _user_name(person.responsible),
                _user_name(responsible),
            ]
        if before_tags != after_tags:
            changes[str(_("risk tags"))] = ["、".join(before_tags), "、".join(after_tags)]
        if data.visit_days != person.visit_days:
            changes[str(_("visit every (days)"))] = [person.visit_days, data.visit_days]
        if note != person.note:
            changes[str(_("note"))] = [person.note, note]
        if not changes:
            return None
        if data.visit_days != person.visit_days:
            # The next visit falls due the new interval after the last one (or the opening).
            last = person.visits.order_by("-at").values_list("at", flat=True).first()
            base = last or person.created_at
            person.visit_due_at = (
                base + datetime.timedelta(days=data.visit_days) if data.visit_days else None
            )
            person.visit_overdue_at = None
        person.responsible, person.visit_days, person.note = responsible, data.visit_days, note
        person.save()
        person.tags.set(tags)
        return KeyPersonChange.objects.create(person=person, at=now, by=actor, changes=changes)


def link_case(actor, person: KeyPerson, code: str, now: datetime.datetime) -> KeyPersonCase:
    """A clerk links a case to a file by hand; both must be within the clerk's scope."""
    if not _may_keep_files(actor, person.area):
        raise NotAllowed(_("You are not allowed to do this."))
    case = cases_visible_to(actor).filter(code=(code or "").strip()).first()
    if case is None:
        raise InvalidInput(
            _("No case with this code is visible to you."), {"code": _("Unknown case code.")}
        )
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
        link, created = KeyPersonCase.objects.get_or_create(
            person=person,
            case=case,
            defaults={"source": LinkSource.MANUAL, "linked_at": now, "linked_by": actor},
        )
        if not created:
            raise InvalidInput(
                _("This case is already in the file."), {"code": _("Already linked.")}
            )
        append_event(case, "key_person_linked", now, actor=actor, note=person.name)
    return link


def record_visit(actor, person: KeyPerson, note: str, now: datetime.datetime) -> Visit:
    """A check-in visit: the next one falls due after the file's interval."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            _("Please correct the marked fields."), {"note": _("Describe the visit.")}
        )
    if not (actor.pk == person.responsible_id or _may_keep_files(actor, person.area)):
        raise NotAllowed(_("You are not allowed to do this."))
    with transaction.atomic():
        person = KeyPerson.objects.select_for_update().get(pk=person.pk)
        late = bool(person.visit_due_at and now > person.visit_due_at)
        visit = Visit.objects.create(person=person, at=now, by=actor, note=note, late=late)
        if person.visit_days:
            person.visit_due_at = now + datetime.timedelta(days=person.visit_days)
        person.visit_overdue_at = None
        person.save(update_fields=["visit_due_at", "visit_overdue_at"])
    return visit


def sweep_visits(now: datetime.datetime) -> int:
    """Mark each passed visit once (a conditional UPDATE claims it), count it as missed and
    tell the responsible person. Run by the sweep (clocks.registry.on_sweep)."""
    due = Q(visit_overdue_at__isnull=True, visit_due_at__isnull=False, visit_due_at__lte=now)
    marked = 0
    for pk in list(KeyPerson.objects.filter(due).order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = KeyPerson.objects.filter(due, pk=pk).update(
                visit_overdue_at=now, missed_visits=F("missed_visits") + 1
            )
            if not claimed:
                continue
            person = KeyPerson.objects.select_related("responsible").get(pk=pk)
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Check-in visit missed: %(name)s") % {"name": person.name}
            notify(
                [person.responsible],
                kind=Kind.OVERDUE,
                title=title,
                key=f"visit:{pk}:{person.visit_due_at.isoformat()}",
                now=now,
                url=reverse("risk:person", args=[pk]),
            )
            marked += 1
    return marked


def open_file(
    person: KeyPerson, user, channel: str, ip: str | None, now: datetime.datetime
) -> bool:
    """Whether the user sees the full ID number and phone; such a read is logged."""
    full = scope_of(user).has_role(*FULL_RECORD_ROLES)
    if full and (person.id_number or person.phone):
        KeyPersonAccessLog.objects.create(person=person, user=user, at=now, channel=channel, ip=ip)
    return full


def may_use_files(user) -> bool:
    scope = scope_of(user)
    return bool(scope.is_superuser or (scope.area_paths and scope.has_role(*CENTER_ROLES)))

"""民情日志 and 问题清单: a grid worker's visit log and the grid's running list of problems
that are not yet disputes. A grid worker keeps those of their own grids; a village or town
center reads those of its area's grids."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cases.attachments import IMAGE_TYPES, sniff_file
from cases.models import Case, Channel
from cases.services import CaseInput, PartyInput, normalise_location, register_case
from jiefen.errors import IllegalTransition, InvalidInput, NotAllowed

from .daily import overview_grids, reporting_grids, require_case_role
from .models import ItemKind, Problem, ProblemStatus, VisitLog

MAX_PHOTO = 10 * 1024 * 1024


def _own_grid(user, grid_id: int):
    for grid in reporting_grids(user):
        if grid.pk == grid_id:
            return grid
    raise NotAllowed(_("You do not report for this grid."))


def readable_grids(user) -> list:
    """The grids whose log the user reads: their own (grid worker) or their area's (center)."""
    own = reporting_grids(user)
    return own or list(overview_grids(user))


def add_visit(
    user, grid_id: int, place: str, found: str, now: datetime.datetime, *, photo=None, location=""
) -> VisitLog:
    grid = _own_grid(user, grid_id)
    errors = {}
    if not (place or "").strip():
        errors["place"] = _("Name the household or place.")
    if not (found or "").strip():
        errors["found"] = _("Say what you found.")
    if photo is not None and (sniff_file(photo) not in IMAGE_TYPES or photo.size > MAX_PHOTO):
        errors["photo"] = _("Only photos of at most 10 MB each.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    entry = VisitLog(
        grid=grid,
        author=user,
        at=now,
        place=place.strip()[:120],
        found=found.strip(),
        location=normalise_location(location),
    )
    with transaction.atomic():
        if photo is not None:
            entry.photo.save(photo.name, photo, save=False)
        entry.save()
    return entry


def add_problem(user, grid_id: int, kind: str, text: str, now: datetime.datetime) -> Problem:
    grid = _own_grid(user, grid_id)
    errors = {}
    if kind not in ItemKind.values:
        errors["kind"] = _("Choose what kind of thing it is.")
    if not (text or "").strip():
        errors["text"] = _("Say what you found.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    return Problem.objects.create(
        grid=grid, author=user, created_at=now, kind=kind, text=text.strip()
    )


def _open_problem(user, problem_id: int) -> Problem:
    problem = Problem.objects.select_for_update().filter(pk=problem_id).first()
    if problem is None:
        raise NotAllowed(_("You do not report for this grid."))
    _own_grid(user, problem.grid_id)
    if problem.status != ProblemStatus.OPEN:
        raise IllegalTransition(_("This problem is no longer open."))
    return problem


def close_problem(user, problem_id: int, note: str, now: datetime.datetime) -> Problem:
    if not (note or "").strip():
        raise InvalidInput(
            _("Say how it was dealt with."), {"note": _("Say how it was dealt with.")}
        )
    with transaction.atomic():
        problem = _open_problem(user, problem_id)
        problem.status, problem.closed_at, problem.closing_note = (
            ProblemStatus.CLOSED,
            now,
            note.strip(),
        )
        problem.save(update_fields=["status", "closed_at", "closing_note"])
    return problem


def problem_to_case(
    user, problem_id: int, party_name: str, party_phone: str, now: datetime.datetime
) -> Case:
    if not (party_name or "").strip():
        raise InvalidInput(
            _("A case needs a party: enter the person concerned."),
            {"party_name": _("Enter the person concerned.")},
        )
    require_case_role(user)
    with transaction.atomic():
        problem = _open_problem(user, problem_id)
        case = register_case(
            user,
            CaseInput(
                title=problem.text[:40],
                description=problem.text,
                area_code=problem.grid.code,
                channel=Channel.GRID_APP,
                parties=[PartyInput(name=party_name.strip(), phone=(party_phone or "").strip())],
            ),
            now,
        )
        problem.status, problem.closed_at, problem.case = ProblemStatus.CASE, now, case
        problem.save(update_fields=["status", "closed_at", "case"])
    return case

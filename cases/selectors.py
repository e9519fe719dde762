"""Reads of cases that depend on who asks. `cases_visible_to` is the one permission query:
lists, detail pages, exports and the API all start from it."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from areas.models import Role
from areas.selectors import area_subtree_q, scope_of
from clocks.models import Clock, Deadline, DeadlineState
from jiefen.localtime import days

from .errors import CaseNotFound
from .models import Case, CaseUnit, Party
from .registry import annotate_lists, apply_list_filters, case_readers, queue_ranks
from .workflow import OPEN_STATUSES


def visible_q(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    linked = CaseUnit.objects.filter(case=OuterRef("pk"), unit_id__in=scope.unit_ids)
    q = (
        area_subtree_q(scope.area_paths, "area__")
        | Q(owner_unit_id__in=scope.unit_ids)
        | Q(Exists(linked))
        | Q(reporter_id=user.pk)
    )
    for reader in case_readers():  # the apps' own grants (a task-force member's cases)
        extra = reader(user)
        if extra is not None:
            q |= extra
    return q


def cases_visible_to(user) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(visible_q(user))


def with_overdue(qs: QuerySet[Case], now: datetime.datetime) -> QuerySet[Case]:
    # Overdue from the moment a clock passes, or once the sweep marked it (at its own `now`).
    overdue = Deadline.objects.filter(case=OuterRef("pk"), state=DeadlineState.OPEN).filter(
        Q(due_at__lt=now) | Q(overdue_at__isnull=False)
    )
    return qs.annotate(is_overdue=Exists(overdue))


def get_visible_case(user, code: str) -> Case:
    """The case with this code if the user may see it; otherwise CaseNotFound (never 403)."""
    case = (
        cases_visible_to(user)
        .select_related("area", "category", "owner_unit", "first_unit", "reporter")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise CaseNotFound(code)
    return case


def visible_case_or_404(user, code: str) -> Case:
    """get_visible_case for pages: a case outside the user's scope is a plain 404."""
    try:
        return get_visible_case(user, code)
    except CaseNotFound:
        raise Http404 from None


def work_queue(user, which: str, now: datetime.datetime) -> QuerySet[Case]:
    """Cases to act on: open cases my units own ("mine": or that I reported) and any case
    on which one of my units owes an open deadline (a summons to report, a 督办 to answer,
    a judicial confirmation to file; for a grid worker, a follow-up visit due in their
    grid); the apps' ranks first (a red risk grade), then
    overdue, then oldest first."""
    scope = scope_of(user)
    owned = Q(owner_unit_id__in=scope.unit_ids)
    if which == "mine":
        owned |= Q(reporter_id=user.pk)
    owed = Deadline.objects.filter(
        case=OuterRef("pk"), state=DeadlineState.OPEN, unit_id__in=scope.unit_ids
    )
    wanted = (owned & Q(status__in=OPEN_STATUSES)) | Q(Exists(owed))
    if which == "mine" and scope.has_role(Role.GRID_WORKER):
        # 回访 is the grid worker's walk too: the due follow-up visits of the cases they see.
        visits = Deadline.objects.filter(
            case=OuterRef("pk"), state=DeadlineState.OPEN, clock=Clock.VISIT
        )
        wanted |= Q(Exists(visits))
    # A repeat merged into its main case (并单) is handled there; it leaves the queues.
    qs = cases_visible_to(user).filter(wanted, duplicate_of__isnull=True)
    return (
        annotate_lists(with_overdue(qs, now))
        .select_related("area", "category", "owner_unit")
        .order_by(*queue_ranks(), "-is_overdue", "created_at")
    )


def filter_cases(
    qs: QuerySet[Case],
    *,
    status: str = "",
    category: str = "",
    area=None,
    channel: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
    extra: dict[str, str] | None = None,
) -> QuerySet[Case]:
    """The list filters, shared by the case list page, exports and the API; `extra` are
    the filters other apps registered (cases.registry.ListExtension), by name."""
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code__startswith=category)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if channel:
        qs = qs.filter(channel=channel)
    if date_from or date_to:
        qs = qs.filter(**days("created_at", date_from or None, date_to or None))
    if extra:
        qs = apply_list_filters(qs, extra)
    q = (q or "").strip()
    if q:
        by_party = Party.objects.filter(case=OuterRef("pk"), name__icontains=q)
        qs = qs.filter(
            Q(code__istartswith=q)
            | Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(Exists(by_party))
        )
    return qs


def possible_duplicates(
    user, id_numbers: list[str], phones: list[str], exclude_pk: int | None = None
) -> QuerySet[Case]:
    """Open cases the user can see that share a party's ID number or phone."""
    id_numbers = [i for i in id_numbers if i]
    phones = [p for p in phones if p]
    if not id_numbers and not phones:
        return Case.objects.none()
    match = Party.objects.filter(case=OuterRef("pk")).filter(
        Q(id_number__in=id_numbers) | Q(phone__in=phones)
    )
    qs = cases_visible_to(user).filter(Exists(match), status__in=OPEN_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-created_at")

"""Likely repeats of a case (并单 proposals): cases that share a party's ID number or phone,
the respondent, the place and category within the window, or whose text is similar.

Text similarity is trigram similarity (the share of three-character pieces two texts have
in common, as PostgreSQL's pg_trgm computes it), over title and description, among the
cases of the same town (or of the case's own area above town level) registered within the
window: a repeat report is about the same place. On PostgreSQL the `%` operator finds them
through a GIN trigram index (migration 0001), which the planner combines with the
(area, registered at) index, so the cost follows the similar cases of the town, not the
table. Elsewhere (SQLite) the same measure is computed in Python over that town's cases of
the window, newest first, at most CANDIDATES of them.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Level
from cases.models import Case, Party, PartyRole
from cases.selectors import cases_visible_to
from cases.workflow import OPEN_STATUSES, Status

from .models import RepeatRule

# A repeat is merged into a case that is still being handled (or watched, 稳控).
TARGET_STATUSES = frozenset({*OPEN_STATUSES, Status.STABILISED})
# The most cases compared by text: the newest of the town's window. It bounds the cost of a
# proposal in a crowded town (at a million cases, 100 towns: 25 ms instead of 150 ms on
# PostgreSQL) and both databases compare the same cases.
CANDIDATES = 500
# The most text matches returned.
TEXT_MATCHES = 20
# The compared text: title and description.
TEXT_SQL = "(title || ' ' || description)"
# PostgreSQL's search (parameters: text, area ids, start, end, the case's id, CANDIDATES,
# threshold, TEXT_MATCHES).
SIMILAR_SQL = (
    "SELECT id, s FROM (SELECT id, similarity(txt, %s) AS s FROM ("
    f"SELECT id, {TEXT_SQL} AS txt FROM cases_case "
    "WHERE area_id = ANY(%s) AND created_at BETWEEN %s AND %s AND id <> %s "
    "AND duplicate_of_id IS NULL ORDER BY created_at DESC LIMIT %s) AS newest"
    ") AS scored WHERE s >= %s ORDER BY s DESC LIMIT %s"
)

REASONS = {
    "party": _("same party (ID number or phone)"),
    "respondent": _("same respondent"),
    "place": _("same place and category"),
    "text": _("similar description"),
}


@dataclass
class Proposal:
    case: Case
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0

    @property
    def reason_labels(self) -> list:
        return [REASONS[r] for r in self.reasons]


_WORD = re.compile(r"\w+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    out: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def similarity(a: str, b: str) -> float:
    """Shared trigrams ÷ all trigrams of the two texts (pg_trgm's similarity())."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def case_text(case: Case) -> str:
    return f"{case.title} {case.description}"


def _place(case: Case):
    """Where similar text is looked for: the case's town, or its own area above town level."""
    town = case.area.ancestor_at_level(Level.TOWN) if case.area.level >= Level.TOWN else None
    return town or case.area


def _similar_by_index(case: Case, start, end, threshold: float) -> dict[int, float]:
    """PostgreSQL: pg_trgm's similarity() over the newest cases of the town and window, which
    the (area, created_at) index finds without reading the rest of the table."""
    areas = list(
        Area.objects.filter(path__startswith=_place(case).path).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            SIMILAR_SQL,
            [case_text(case), areas, start, end, case.pk, CANDIDATES, threshold, TEXT_MATCHES],
        )
        return {pk: float(s) for pk, s in cursor.fetchall()}


def _similar_in_python(case: Case, start, end, threshold: float) -> dict[int, float]:
    """Elsewhere: the cases of the same town within the window, compared in Python."""
    rows = (
        Case.objects.filter(
            area__path__startswith=_place(case).path,
            created_at__range=(start, end),
            duplicate_of__isnull=True,
        )
        .exclude(pk=case.pk)
        .order_by("-created_at")
        .values_list("pk", "title", "description")[:CANDIDATES]
    )
    text = case_text(case)
    found = {pk: similarity(text, f"{title} {description}") for pk, title, description in rows}
    return {pk: s for pk, s in found.items() if s >= threshold}


def similar_cases(case: Case, start, end, threshold: float) -> dict[int, float]:
    """Case id → text similarity, for the cases of the window at least `threshold` similar."""
    if connection.vendor == "postgresql":
        return _similar_by_index(case, start, end, threshold)
    return _similar_in_python(case, start, end, threshold)


def propose_repeats(user, case: Case, now: datetime.datetime) -> list[Proposal]:
    """The cases `case` is likely a repeat of, that `user` can see and may merge it into,
    most likely first; empty for a case merged already or with repeats of its own."""
    if Case.objects.filter(
        Q(pk=case.pk, duplicate_of__isnull=False) | Q(duplicate_of=case)
    ).exists():
        return []
    rule = RepeatRule.current()
    window = datetime.timedelta(days=rule.window_days)
    start, end = case.created_at - window, max(now, case.created_at + window)
    found: dict[int, Proposal] = {}
    reasons: dict[int, list[str]] = {}

    def note(ids, reason: str) -> None:
        for pk in ids:
            if pk != case.pk and reason not in reasons.setdefault(pk, []):
                reasons[pk].append(reason)

    parties = list(case.parties.all())
    ids = {p.id_number for p in parties if p.id_number}
    phones = {p.phone for p in parties if p.phone}
    if ids or phones:
        note(
            Party.objects.filter(Q(id_number__in=ids) | Q(phone__in=phones)).values_list(
                "case_id", flat=True
            )[:200],
            "party",
        )
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    if respondents:
        match = Q()
        for p in respondents:
            match |= Q(name=p.name)
            if p.credit_code:
                match |= Q(credit_code=p.credit_code)
            if p.id_number:
                match |= Q(id_number=p.id_number)
        note(
            Party.objects.filter(
                match, role=PartyRole.RESPONDENT, case__created_at__range=(start, end)
            ).values_list("case_id", flat=True)[:200],
            "respondent",
        )
    if case.category_id:
        note(
            Case.objects.filter(
                area_id=case.area_id, category_id=case.category_id, created_at__range=(start, end)
            ).values_list("pk", flat=True)[:200],
            "place",
        )
    scores = similar_cases(case, start, end, float(Decimal(rule.min_similarity)))
    note(scores, "text")
    if not reasons:
        return []
    targets = (
        cases_visible_to(user)
        .filter(pk__in=list(reasons), duplicate_of__isnull=True, status__in=TARGET_STATUSES)
        .select_related("area", "category", "owner_unit")
    )
    for target in targets:
        found[target.pk] = Proposal(target, reasons[target.pk], scores.get(target.pk, 0.0))
    ranked = sorted(
        found.values(),
        key=lambda p: (len(p.reasons), p.similarity, p.case.created_at),
        reverse=True,
    )
    return ranked[: rule.max_proposals]

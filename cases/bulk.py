"""Work on many cases at once: the cases a user selected in the queue or the list, and one
batch action (cases.registry.BatchAction) done to each of them through its own service.

Each case is acted on in its own transaction, by the same service as on the case page (its
permission check, row lock and timeline event): a case that is refused is left exactly as it
was and the others go on. Codes that name no case the user may see are never acted on; they
are reported as not found, whether the case does not exist or lies outside the user's scope.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.errors import ServiceError

from .models import Case
from .registry import BatchAction
from .selectors import cases_visible_to

# At most this many cases in one batch (codes beyond are ignored): well above the largest
# page (100), so a page's selection is never cut, and a request that still answers in seconds.
MAX_BATCH = 400


@dataclass
class CaseResult:
    """What became of one selected case: done, or refused and why."""

    code: str
    case: Case | None  # None: no case of this code in the user's scope
    done: bool
    reason: str = ""


def clean_codes(codes) -> list[str]:
    """The selected codes once each, in the order given, at most MAX_BATCH."""
    seen: dict[str, None] = {}
    for code in codes:
        code = (code or "").strip()
        if code and len(code) <= 40:
            seen.setdefault(code, None)
    return list(seen)[:MAX_BATCH]


def selected_cases(user, codes) -> tuple[list[Case], list[str]]:
    """The selected cases the user may see, in the order selected, and the codes that are not."""
    codes = clean_codes(codes)
    found = {
        c.code: c
        for c in cases_visible_to(user)
        .filter(code__in=codes)
        .select_related("area", "category", "owner_unit")
    }
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def run_batch(
    user, action: BatchAction, codes, options: dict, now: datetime.datetime
) -> list[CaseResult]:
    """Do `action` to every selected case the user may see, each on its own; say per case
    whether it was done or why not. Nothing is done to a code outside the user's scope."""
    cases, unknown = selected_cases(user, codes)
    results: dict[str, CaseResult] = {}
    for case in cases:
        try:
            # A savepoint per case: a run that calls several services keeps all or none.
            with transaction.atomic():
                action.run(case, user, now, options)
        except ServiceError as e:
            results[case.code] = CaseResult(case.code, case, False, e.message)
        else:
            results[case.code] = CaseResult(case.code, case, True)
    for code in unknown:
        results[code] = CaseResult(code, None, False, _("No such case among those you can see."))
    # The cases as they are now (new status, new handling unit), in the order selected.
    fresh = Case.objects.select_related("owner_unit").in_bulk([c.pk for c in cases])
    for r in results.values():
        if r.case is not None:
            r.case = fresh[r.case.pk]
    return [results[c] for c in clean_codes(codes) if c in results]

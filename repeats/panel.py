"""The 可能重复 (likely repeats) panel of the case page: proposals with a merge action, the
case this one is merged into, or the repeats merged into it, each with an undo action."""

from cases.models import Case
from cases.services import acting_membership
from jiefen import clock

from .forms import MergeForm, UnmergeForm
from .models import Merge
from .proposals import propose_repeats
from .services import MERGE_ROLES


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    may_act = acting_membership(user, case, MERGE_ROLES) is not None
    if case.duplicate_of_id:
        merge = (
            Merge.objects.filter(repeat=case, unmerged_at__isnull=True)
            .select_related("main", "merged_by")
            .first()
        )
        return {
            "case": case,
            "merge": merge,
            "unmerge_form": bound.get("unmerge") or (UnmergeForm() if may_act else None),
        }
    merges = list(
        Merge.objects.filter(main=case, unmerged_at__isnull=True).select_related(
            "repeat", "merged_by"
        )
    )
    if merges:
        return {
            "case": case,
            "repeats": merges,
            "unmerge_form": UnmergeForm() if may_act else None,
        }
    proposals = propose_repeats(user, case, clock.now())
    form = bound.get("merge")
    return {
        "case": case,
        "proposals": proposals,
        "merge_form": form or (MergeForm() if may_act else None),
        "may_merge": may_act,
        "show": bool(proposals) or may_act,
    }

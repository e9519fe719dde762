"""Merging a repeat report into its main case (并单) and undoing it, each in one transaction:
lock both cases, check, write, a timeline event on each."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cases.errors import CaseNotFound, IllegalTransition, InvalidInput, NotAllowed
from cases.models import Attachment, Case, Party
from cases.selectors import get_visible_case
from cases.services import acting_membership, append_event
from cases.workflow import CENTER_ROLES, OPEN_STATUSES
from clocks.models import Deadline, DeadlineState

from .models import Merge
from .proposals import TARGET_STATUSES

# Who merges and unmerges: the center's clerks and leaders (前台综合受理).
MERGE_ROLES = CENTER_ROLES
REASON_MAX = 2000


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason."), {"reason": _("Say why (e.g. the same dispute reported again).")}
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("Please correct the marked fields."),
            {"reason": _("At most %(n)d characters.") % {"n": REASON_MAX}},
        )
    return reason


def _lock(*pks: int) -> dict[int, Case]:
    """Both cases locked, in primary-key order so that two merges never deadlock."""
    rows = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {c.pk: c for c in rows}


def main_case(user, code: str) -> Case:
    """The case to merge into, by its code, if the user can see it."""
    code = (code or "").strip()
    try:
        return get_visible_case(user, code)
    except CaseNotFound:
        raise CaseNotFound(
            _("No case %(code)s in your responsibility.") % {"code": code},
            {"main": _("No such case in your responsibility.")},
        ) from None


def _same_party(a: Party, b: Party) -> bool:
    if a.id_number and a.id_number == b.id_number:
        return True
    if a.credit_code and a.credit_code == b.credit_code:
        return True
    return a.name == b.name and a.phone == b.phone and a.role == b.role


def merge_case(repeat: Case, main: Case, actor, reason: str, now: datetime.datetime) -> Merge:
    """Merge `repeat` into `main`: the repeat keeps its code and answers with the main case,
    whose parties and materials it joins; the repeat's clocks stop; the statistics count
    the dispute once, with the repeat shown separately (重复率)."""
    reason = _reason(reason)
    if repeat.pk == main.pk:
        raise InvalidInput(
            _("A case cannot be merged into itself."),
            {"main": _("Choose another case than this one.")},
        )
    with transaction.atomic():
        locked = _lock(repeat.pk, main.pk)
        repeat, main = locked[repeat.pk], locked[main.pk]
        repeat_m = acting_membership(actor, repeat, MERGE_ROLES)
        if repeat_m is None or acting_membership(actor, main, MERGE_ROLES) is None:
            raise NotAllowed(
                _("You may only merge cases that your center handles."),
                {"main": _("This case is outside your responsibility.")},
            )
        if repeat.duplicate_of_id:
            raise IllegalTransition(
                _("This case is merged into another case already; undo that merge first."),
                {"main": _("Already merged elsewhere.")},
            )
        if main.duplicate_of_id:
            raise IllegalTransition(
                _("Case %(code)s is itself merged into another case: merge into that one.")
                % {"code": main.code},
                {"main": _("Merged into another case; no chains of merges.")},
            )
        if Case.objects.filter(duplicate_of=repeat).exists():
            raise IllegalTransition(
                _("Repeats are merged into this case: it cannot become a repeat itself."),
                {"main": _("No chains of merges.")},
            )
        if repeat.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("Only a case still open can be merged as a repeat."),
                {"main": _("This case is closed.")},
            )
        if main.status not in TARGET_STATUSES:
            raise IllegalTransition(
                _("A repeat can only be merged into a case that is still being handled."),
                {"main": _("That case is closed.")},
            )
        have = list(main.parties.all())
        copies = [
            Party(
                case=main,
                **{
                    f.attname: getattr(p, f.attname)
                    for f in Party._meta.concrete_fields
                    if f.attname not in ("id", "case_id")
                },
            )
            for p in repeat.parties.all()
            if not any(_same_party(p, h) for h in have)
        ]
        for party in copies:
            party.save()
        attachment_copies = []
        for a in repeat.attachments.all():
            copy = Attachment(
                case=main,
                file=a.file.name,
                name=a.name,
                content_type=a.content_type,
                size=a.size,
                uploaded_by_id=a.uploaded_by_id,
                uploaded_at=a.uploaded_at,
            )
            copy.save()
            attachment_copies.append(copy)
        stopped = list(
            Deadline.objects.filter(case=repeat, state=DeadlineState.OPEN).values_list(
                "pk", flat=True
            )
        )
        Deadline.objects.filter(pk__in=stopped).update(state=DeadlineState.CANCELLED, closed_at=now)
        merge = Merge.objects.create(
            repeat=repeat,
            main=main,
            reason=reason,
            merged_by=actor,
            merged_at=now,
            party_ids=[p.pk for p in copies],
            attachment_ids=[a.pk for a in attachment_copies],
            deadline_ids=stopped,
        )
        Case.objects.filter(pk=repeat.pk).update(duplicate_of=main, updated_at=now)
        Case.objects.filter(pk=main.pk).update(updated_at=now)
        repeat.duplicate_of, repeat.updated_at, main.updated_at = main, now, now
        append_event(
            repeat,
            "merged_into",
            now,
            actor=actor,
            actor_unit=repeat_m.unit,
            note=reason,
            data={"main": main.code},
        )
        append_event(
            main,
            "repeat_merged",
            now,
            actor=actor,
            actor_unit=repeat_m.unit,
            note=reason,
            data={
                "repeat": repeat.code,
                "channel": repeat.channel,
                "parties": [p.name for p in copies],
                "attachments": [a.name for a in attachment_copies],
            },
        )
    return merge


def standing_merge(repeat: Case) -> Merge | None:
    return Merge.objects.filter(repeat=repeat, unmerged_at__isnull=True).first()


def unmerge_case(repeat: Case, actor, reason: str, now: datetime.datetime) -> Merge:
    """Undo the merge of `repeat`: it is a case of its own again, exactly as before (its
    clocks run on), and the main case loses what the merge gave it."""
    reason = _reason(reason)
    with transaction.atomic():
        merge = (
            Merge.objects.select_for_update()
            .filter(repeat_id=repeat.pk, unmerged_at__isnull=True)
            .first()
        )
        if merge is None:
            raise IllegalTransition(
                _("This case is not merged into another case."),
                {"reason": _("Nothing to undo.")},
            )
        locked = _lock(merge.repeat_id, merge.main_id)
        repeat, main = locked[merge.repeat_id], locked[merge.main_id]
        membership = acting_membership(actor, main, MERGE_ROLES) or acting_membership(
            actor, repeat, MERGE_ROLES
        )
        if membership is None:
            raise NotAllowed(_("You may only undo merges of cases that your center handles."))
        removed_parties = list(
            Party.objects.filter(pk__in=merge.party_ids, case=main).values_list("name", flat=True)
        )
        Party.objects.filter(pk__in=merge.party_ids, case=main).delete()
        Attachment.objects.filter(pk__in=merge.attachment_ids, case=main).delete()
        Deadline.objects.filter(
            pk__in=merge.deadline_ids, case=repeat, state=DeadlineState.CANCELLED
        ).update(state=DeadlineState.OPEN, closed_at=None, met=None)
        Case.objects.filter(pk=repeat.pk).update(duplicate_of=None, updated_at=now)
        Case.objects.filter(pk=main.pk).update(updated_at=now)
        repeat.duplicate_of, repeat.updated_at = None, now
        merge.unmerged_at, merge.unmerged_by, merge.unmerge_reason = now, actor, reason
        merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])
        append_event(
            repeat,
            "unmerged",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=reason,
            data={"main": main.code},
        )
        append_event(
            main,
            "repeat_unmerged",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=reason,
            data={"repeat": repeat.code, "parties": removed_parties},
        )
    return merge

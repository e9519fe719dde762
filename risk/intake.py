"""The risk grade at intake (cases.registry.IntakeExtension).

Inside register_case's transaction the rules propose a grade and the parties' key-person
files are linked (services.judge_new_case), on the rules and party facts read just before
that transaction (`prepare`). A clerk may instead give the grade on the intake
form (红/橙/黄/无) with a reason: it overrides the rules' proposal and is written as a grade
set by staff, in the same transaction.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.selectors import scope_of

from .models import Grade
from .services import GRADE_ROLES, REASON_MAX, IntakeFacts, judge_new_case, read_intake_facts

GRADE_FIELD, REASON_FIELD = "risk_grade", "risk_reason"


def fields(user) -> dict:
    """The grade and its reason, for the staff who may set a grade."""
    scope = scope_of(user)
    if not (scope.is_superuser or scope.has_role(*GRADE_ROLES)):
        return {}
    return {
        GRADE_FIELD: forms.ChoiceField(
            label=gettext_lazy("risk grade"),
            required=False,
            choices=[("", gettext_lazy("as the rules propose")), *reversed(Grade.choices)],
        ),
        REASON_FIELD: forms.CharField(
            label=gettext_lazy("reason for the grade"),
            required=False,
            max_length=REASON_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
    }


def _values(params: dict) -> tuple[str, str]:
    return (params.get(GRADE_FIELD) or "").strip(), (params.get(REASON_FIELD) or "").strip()


def check(params: dict) -> dict[str, str]:
    grade, reason = _values(params or {})
    errors: dict[str, str] = {}
    if grade and grade not in Grade.values:
        errors[GRADE_FIELD] = _("Choose red, orange, yellow or no risk.")
    if grade and not reason:
        errors[REASON_FIELD] = _("Give the reason for the grade.")
    elif len(reason) > REASON_MAX:
        errors[REASON_FIELD] = _("At most 500 characters.")
    elif reason and not grade:
        errors[GRADE_FIELD] = _("Choose the grade this reason is for, or leave the reason empty.")
    return errors


def prepare(checked) -> IntakeFacts:
    """Before the write transaction: the rules and the parties' earlier cases and files."""
    return read_intake_facts(checked.parties)


def apply(case, parties, actor, actor_unit, now, params, prepared: IntakeFacts) -> None:
    grade, reason = _values(params or {})
    judge_new_case(
        case,
        parties,
        now,
        actor=actor,
        actor_unit=actor_unit,
        grade=grade,
        reason=reason,
        facts=prepared,
    )

"""The rules that propose a new case's risk grade at intake.

`judge_new_case` runs inside register_case's transaction (risk.intake, an IntakeExtension) on
two things read before that transaction (IntakeExtension.prepare): the active rules, and — in
one UNION query — the earlier cases that share a party's ID number or phone and the key-person
files of the parties' ID numbers. A case no rule grades writes nothing more; one that is
graded gets its grade row and timeline event.
"""

from decimal import Decimal

from django.db.models import Q, Value

from cases.models import Party

from .models import RANK, Grade, KeyPerson, RiskRule, RuleKind

SCALE_RANK = {"01": 1, "02": 2, "03": 3}


def party_facts(parties) -> tuple[int, list[int]]:
    """(the number of earlier cases sharing a party's ID number or phone, the key-person
    files of the parties' ID numbers), read in one query before the new case is written."""
    ids = sorted({p.id_number for p in parties if p.id_number})
    phones = sorted({p.phone for p in parties if p.phone})
    if not ids and not phones:
        return 0, []
    earlier = (
        Party.objects.filter(Q(id_number__in=ids) | Q(phone__in=phones))
        .annotate(tag=Value("c"))
        .order_by()
        .values_list("tag", "case_id")
    )
    files = (
        KeyPerson.objects.filter(id_number__in=ids)
        .annotate(tag=Value("k"))
        .order_by()
        .values_list("tag", "pk")
    )
    rows = list(earlier.union(files)) if ids else list(earlier)
    return len({pk for tag, pk in rows if tag == "c"}), sorted(
        {pk for tag, pk in rows if tag == "k"}
    )


def matches(rule: RiskRule, case, earlier_cases: int, key_persons: list[int]) -> bool:
    if rule.area_id and not case.area.path.startswith(rule.area.path):
        return False
    t = rule.threshold
    text = f"{case.title}\n{case.description}"
    match rule.kind:
        case RuleKind.SCALE:
            return t is not None and SCALE_RANK.get(case.scale, 0) >= int(t)
        case RuleKind.PEOPLE:
            return t is not None and case.people_involved >= t
        case RuleKind.AMOUNT:
            return (
                t is not None
                and case.amount_involved is not None
                and (Decimal(case.amount_involved) >= t)
            )
        case RuleKind.THREAT | RuleKind.CRIMINAL:
            return any(w in text for w in rule.word_list())
        case RuleKind.REPEAT:
            return earlier_cases >= (t if t is not None else 1)
        case RuleKind.KEY_PERSON:
            return bool(key_persons)
        case RuleKind.CATEGORY:
            code = case.category.code if case.category_id else ""
            return bool(rule.category_code) and code.startswith(rule.category_code)
    return False


def propose(
    case, rules: list[RiskRule], earlier_cases: int, key_persons: list[int]
) -> tuple[str, list[str]]:
    """The highest grade the matching rules propose, and the names of the rules giving it."""
    grade, names = Grade.NONE, []
    for rule in rules:
        if not matches(rule, case, earlier_cases, key_persons):
            continue
        if RANK[rule.grade] > RANK[grade]:
            grade, names = rule.grade, [rule.name]
        elif rule.grade == grade:
            names.append(rule.name)
    return grade, names

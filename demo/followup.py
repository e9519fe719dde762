"""回访 and 履行 in the demo: visits on the history's followed-up cases, and from today the
county's follow-up setting, with visits due, one overdue, a second visit owed by an orange
case, a case back in handling after a visit found the dispute flared up again, and mediated
agreements whose performance (履行) is due: one in a few days, one overdue for the
mediator to record, one found not performed and pointed to 司法确认."""

import datetime
import random
from decimal import Decimal

from cases.models import Case
from cases.services import perform_transition
from cases.workflow import Status
from followup.models import FollowUpSetting, Rebound, VisiteeKind, VisitMethod
from followup.services import VisitInput, record_performance, record_visit
from jiefen.localtime import LOCAL_TZ
from mediation.models import Agreement, Mediator
from mediation.services import (
    AgreementInput,
    SessionRecord,
    assign_mediators,
    record_session,
    schedule_session,
)
from risk.models import CaseRisk
from risk.services import set_grade

from .county import Demo
from .scenarios import FOLLOW_UP_NOTES, SATISFACTION

D = datetime.timedelta(days=1)
NEIGHBOUR_NOTES = [
    "走访周边邻居，反映双方近期相处正常，未再发生争吵。",
    "走访村民小组长，了解到双方已按协议履行，关系缓和。",
]


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def visit_party(case: Case, actor, at: datetime.datetime, rng: random.Random, **kw):
    """A home visit to the case's first party at `at`, recorded then."""
    party = case.parties.order_by("pk").first()
    return record_visit(
        case,
        actor,
        at,
        VisitInput(
            visited_at=at,
            visitee_kind=VisiteeKind.PARTY,
            method=kw.get("method", rng.choice([VisitMethod.HOME, VisitMethod.PHONE])),
            findings=kw.get("findings", rng.choice(FOLLOW_UP_NOTES)),
            rebound=kw.get("rebound", Rebound.NONE),
            party_id=party.pk,
            satisfaction=kw.get("satisfaction", _weighted(rng, SATISFACTION)),
        ),
    )


def _visit_neighbour(case: Case, actor, at: datetime.datetime, rng: random.Random):
    return record_visit(
        case,
        actor,
        at,
        VisitInput(
            visited_at=at,
            visitee_kind=VisiteeKind.NEIGHBOUR,
            visitee_name="邻居"
            + rng.choice("王李张刘陈杨赵黄")
            + rng.choice(["大姐", "大爷", "师傅"]),
            method=VisitMethod.HOME,
            findings=rng.choice(NEIGHBOUR_NOTES),
            rebound=Rebound.NONE,
        ),
    )


def _handler(demo: Demo, case: Case):
    return demo.staff[case.owner_unit_id]


def _candidates(demo: Demo) -> list[Case]:
    """Cases in handling that no other part of the demo uses (no mediator, no grade above
    yellow, no 包案), oldest activity first."""
    graded = CaseRisk.objects.filter(grade__in=["orange", "red"]).values("case_id")
    return list(
        Case.objects.filter(area__path__startswith=demo.county.path, status=Status.IN_HANDLING)
        .exclude(pk__in=graded)
        .filter(mediator_assignments__isnull=True, assignments__isnull=True)
        .order_by("updated_at", "pk")
    )


def build_followup(demo: Demo, now: datetime.datetime) -> None:
    rng = random.Random("followup")
    FollowUpSetting.objects.get_or_create(
        area=demo.county,
        defaults={
            "first_within_days": 7,
            "second_from_grade": "orange",
            "second_within_days": 30,
            "earliest_after_hours": 24,
        },
    )
    cases = [c for c in _candidates(demo) if c.updated_at < now - 12 * D]
    # The named grid worker's grid first: their queue shows a visit due on first login.
    grid_user = demo.users.get("grid")
    cases.sort(key=lambda c: demo.grid_workers.get(c.area_id) != grid_user)
    # In order of what the demo most needs to show, as far as the caseload has cases for.
    for build, case in zip((_due, _rebound, _orange, _overdue, _neighbours), cases, strict=False):
        build(demo, case, now, rng)
    build_performance(demo, now)


def _close(demo: Demo, case: Case, at: datetime.datetime) -> Case:
    return perform_transition(
        case, "resolve", _handler(demo, case), at, note="经调解，双方达成和解，矛盾化解。"
    )


def _due(demo, case, now, rng):
    """A visit due in a few days (in a grid: the grid worker's walk)."""
    _close(demo, case, now - 3 * D)


def _overdue(demo, case, now, rng):
    """A visit overdue: the sweep finds it missed."""
    _close(demo, case, now - 10 * D)


def _orange(demo, case, now, rng):
    """An orange case: the first visit made, the second owed within 30 days."""
    set_grade(case, demo.staff[case.owner_unit_id], "orange", "双方多次发生肢体冲突", now - 12 * D)
    case = _close(demo, case, now - 9 * D)
    visit_party(case, _handler(demo, case), now - 6 * D, rng)


def _neighbours(demo, case, now, rng):
    """走一家访三家: the party and two neighbours; the case is followed up."""
    case = _close(demo, case, now - 6 * D)
    worker = _handler(demo, case)
    visit_party(case, worker, now - 4 * D, rng)
    _visit_neighbour(case, worker, now - 4 * D, rng)
    _visit_neighbour(case, worker, now - 4 * D, rng)


def _rebound(demo, case, now, rng):
    """A visit finds the dispute flared up again: the case is back in handling."""
    case = _close(demo, case, now - 8 * D)
    visit_party(
        case,
        _handler(demo, case),
        now - 2 * D,
        rng,
        rebound=Rebound.REBOUNDED,
        findings="回访发现双方因排水问题再次发生争吵，矛盾有反弹。",
        satisfaction="unsatisfied",
    )


# ---------------------------------------------------------------- 履行 (performance)

PERFORMANCE_TERMS = [  # terms, how, days to perform, 协议涉及金额 (yuan)
    ("被申请人于协议签订后十五日内一次性支付申请人修缮费用人民币三千元。", "银行转账", 15, "3000"),
    (
        "双方共同出资修复排水沟，各承担一半费用，于协议签订后十日内完工。",
        "共同出资、自行施工",
        10,
        "1800",
    ),
    ("被申请人于协议签订后十五日内返还申请人借款人民币五千元。", "现金支付", 15, "5000"),
]


def build_performance(demo: Demo, now: datetime.datetime) -> None:
    """Three committee mediations that ended in a written agreement with a performance date:
    due in a few days (its clock runs), overdue (the mediator's queue shows it), and one
    the mediator found not performed, pointed to 司法确认 (counted in the statistics)."""
    staffed = Mediator.objects.filter(unit__isnull=False, user__isnull=False)
    committees = {m.unit_id: m for m in staffed.order_by("pk")}
    cases = [
        c
        for c in _candidates(demo)
        if c.owner_unit_id in committees and c.updated_at < now - 20 * D
    ]
    ages = (12, 16, 20)  # days since the session: due in 3 days, 6 days overdue, not performed
    for (content, method, within, amount), age, case in zip(
        PERFORMANCE_TERMS, ages, cases, strict=False
    ):
        mediator = committees[case.owner_unit_id]
        held = now - age * D
        assign_mediators(case, mediator.user, held - 2 * D, [mediator.pk])
        session = schedule_session(
            case, mediator.user, held - 2 * D, starts_at=held, place="村人民调解室"
        )
        record_session(
            session,
            mediator.user,
            held + 2 * datetime.timedelta(hours=1),
            SessionRecord(result="agreement", facts="双方当面陈述，调解员释法说理，双方互谅互让。"),
            AgreementInput(
                form="written",
                facts="双方因相邻关系发生纠纷，经人民调解委员会调解，自愿达成如下协议。",
                content=content,
                performance_method=method,
                performance_due=(held + within * D).astimezone(LOCAL_TZ).date(),
                amount=Decimal(amount),
            ),
        )
        if age == 20:
            agreement = Agreement.objects.get(case=case)
            record_performance(
                agreement,
                mediator.user,
                now - 2 * D,
                "not_performed",
                note="被申请人至今未支付约定款项。",
                remedy="confirmation",
            )

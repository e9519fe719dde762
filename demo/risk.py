"""The demo county's risk work: 巫山's 红橙黄 response plans, the grade rules, a few graded
open cases of the first town, and key persons' files in its first village — one of them
with a check-in visit already missed — so the feature is there on the first run."""

import datetime

from areas.models import Level, UnitKind
from cases.models import Case, Party
from cases.workflow import OPEN_STATUSES
from jiefen.localtime import LOCAL_TZ
from risk import assignments, keypersons, meetings, services
from risk.assignments import AssignmentInput, MeasureInput
from risk.defaults import create_plans, create_rules, create_tags
from risk.keypersons import PersonInput
from risk.models import Grade, MeetingKind, MeetingSchedule, RiskPlan, RiskRule, RiskTag

from .county import Demo

H = datetime.timedelta(hours=1)
GRADES = [
    (Grade.RED, "当事人扬言报复，情绪激动，存在民转刑风险"),
    (Grade.ORANGE, "涉及多户村民，有聚集上访苗头"),
    (Grade.ORANGE, "双方多次冲突，需专人跟进"),
    (Grade.YELLOW, "网格员已介入，情绪基本稳定"),
    (Grade.YELLOW, "反复来访，需持续关注"),
]
PERSONS = [
    # (tags, visit every N days, the file was opened N days ago)
    (["扬言报复"], 7, 2),
    (["缠访闹访", "多次信访"], 14, 20),  # its visit fell due six days ago
    (["涉众"], 30, 5),
]


def build_risk(demo: Demo, now: datetime.datetime) -> None:
    create_plans(RiskPlan)
    create_tags(RiskTag)
    create_rules(RiskRule)
    town, village = demo.towns[0], demo.villages[0]
    clerk = demo.users["town_clerk"]
    # The statuses as they are now: the mediation and daily-report demo moved some cases on
    # after demo.cases was built.
    status = dict(
        Case.objects.filter(pk__in=[c.pk for c in demo.cases]).values_list("pk", "status")
    )
    open_cases = [
        c
        for c in demo.cases
        if status[c.pk] in OPEN_STATUSES
        and c.area.path.startswith(town.path)
        and c.owner_unit.area.path.startswith(town.path)
    ]
    graded = []
    for case, (grade, reason) in zip(open_cases, GRADES, strict=False):
        if services.grade_of(case) != grade:
            services.set_grade(case, clerk, grade, reason, now - 2 * H)
        graded.append(case)
    if graded:  # the red case: the town's leader in charge, with a plan (一案一策)
        today = now.astimezone(LOCAL_TZ).date()
        assignments.assign(
            clerk,
            graded[0],
            AssignmentInput(
                leader_id=demo.users["leader"].pk,
                report_days=3,
                measures=[
                    MeasureInput("当面稳控，落实在位在控", "村综治中心", today),
                    MeasureInput(
                        "组织双方调解", "镇人民调解委员会", today + datetime.timedelta(days=3)
                    ),
                    MeasureInput(
                        "制定化解方案报县综治中心", "镇综治中心", today + datetime.timedelta(days=7)
                    ),
                ],
            ),
            now - H,
        )

    village_clerk = demo.users["village_clerk"]
    people = (
        Party.objects.filter(case__area__path__startswith=village.path)
        .exclude(id_number="")
        .order_by("case__created_at", "pk")
    )
    seen: set[str] = set()
    tags = {t.name: t.pk for t in RiskTag.objects.all()}
    for party in people:
        if len(seen) == len(PERSONS):
            break
        if party.id_number in seen:
            continue
        tag_names, every, opened = PERSONS[len(seen)]
        seen.add(party.id_number)
        keypersons.create_person(
            clerk,
            PersonInput(
                name=party.name,
                id_number=party.id_number,
                phone=party.phone,
                area_code=village.code,
                responsible_id=village_clerk.pk,
                tag_ids=[tags[t] for t in tag_names],
                visit_days=every,
                note="在位在控，定期走访",
            ),
            now - datetime.timedelta(days=opened),
        )
    keypersons.sweep_visits(now)
    build_meetings(demo, now)


def build_meetings(demo: Demo, now: datetime.datetime) -> None:
    """东辽's rhythm: every town and the county hold 研判 on Wednesdays and Fridays; the
    first town's last regular meeting is on record."""
    centers = [
        demo.centers[a.pk]
        for a in [demo.county, *demo.towns]
        if a.level in (Level.COUNTY, Level.TOWN) and demo.centers[a.pk].kind == UnitKind.CENTER
    ]
    MeetingSchedule.objects.bulk_create(
        [MeetingSchedule(center=c, name="每周三、周五研判", weekdays="3,5") for c in centers]
    )
    town = demo.centers[demo.towns[0].pk]
    local = now.astimezone(LOCAL_TZ)
    day = local.date() - datetime.timedelta(days=1)
    while day.isoweekday() not in (3, 5):
        day -= datetime.timedelta(days=1)
    held = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LOCAL_TZ)
    meetings.open_meeting(demo.users["town_clerk"], town, day, MeetingKind.SCHEDULED, held)

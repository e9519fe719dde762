"""The demo county's petitions (信访事项) at every stage of the 信访工作条例's procedure, the
访诉分离 catalogue, and the town leader's reception days — one held, with its outcome on the
case, and one coming, with a case booked — so the feature is there on the first run.

The caseload's own cases of the 信访 channel became petitions when registered; those already
closed get their written reply on the day they closed, as their handlers would have."""

import datetime
import random

from cases.models import Case, Channel
from cases.services import CaseInput, PartyInput, register_case
from jiefen.errors import ServiceError
from jiefen.localtime import LOCAL_TZ
from petitions import services
from petitions.models import ChannelGuide, Decision, OpinionKind, Petition, Stage

from .county import Demo
from .people import id_number, person_name, phone

GUIDES = [
    (
        "已经或者依法应当通过诉讼解决的民事纠纷",
        "litigation",
        "青山县人民法院（诉讼服务中心）",
        "携带身份证明和证据材料到县法院诉讼服务中心立案，可先申请诉前调解；生活困难的可申请"
        "法律援助和缓交诉讼费。",
    ),
    (
        "已经进入诉讼程序或者已有生效裁判的案件（涉诉）",
        "litigation",
        "作出裁判的人民法院",
        "对裁判不服的，依法上诉或者申请再审；对执行有异议的，向执行法院提出执行异议。"
        "不再作为信访事项受理。",
    ),
    (
        "劳动争议（工资、社保、解除劳动合同）",
        "arbitration",
        "青山县劳动人事争议仲裁委员会",
        "自知道权利受侵害之日起一年内申请劳动仲裁；拖欠工资可同时向县人社局劳动保障监察投诉。",
    ),
    (
        "对行政机关具体行政行为不服",
        "reconsideration",
        "青山县人民政府行政复议机构",
        "自知道该行政行为之日起六十日内申请行政复议，或者依法向人民法院提起行政诉讼。",
    ),
    (
        "涉及公安、检察机关执法办案的问题（涉法）",
        "political_legal",
        "青山县委政法委（转公安局、检察院）",
        "到县委政法委涉法涉诉信访接待窗口反映，按管辖转有关政法机关依法处理。",
    ),
    (
        "检举控告党员干部、公职人员违纪违法",
        "discipline",
        "青山县纪委监委信访室",
        "向县纪委监委信访室书面检举控告，或通过12388举报平台反映。",
    ),
]

# (title, description, days ago registered, what happened since)
PETITIONS = [
    (
        "反映村道硬化占地补偿未到位",
        "信访人称村道硬化占用其承包地0.8亩，补偿款至今未兑现。",
        2,
        "new",
    ),
    (
        "反映小区物业长期不作为",
        "信访人代表12户业主反映物业公司长期不清运垃圾、电梯故障不修。",
        20,
        "handling",
    ),
    (
        "反映宅基地确权争议",
        "信访人与邻居对宅基地界址各执一词，多次协调未果，要求重新勘测确权。",
        62,
        "extended",
    ),
    ("反映低保资格被取消", "信访人称家庭困难，2025年低保资格被取消，要求恢复。", 45, "replied"),
    ("反映征地补偿标准过低", "信访人对征地补偿标准不服，要求按新标准补偿。", 90, "review"),
    (
        "反映判决执行不到位",
        "信访人称民事判决已生效一年，对方仍未履行，要求督促执行。",
        6,
        "redirected",
    ),
    ("反映工地拖欠工资", "信访人称在某工地务工三个月，工资被拖欠，要求支付。", 12, "forwarded"),
    (
        "反映山林权属纠纷处理不公",
        "信访人对镇政府山林权属纠纷处理意见不服，逐级请求复查、复核。",
        170,
        "closed",
    ),
    (
        "反映集体经济收益分配不公",
        "信访人称其户籍在村，未参与集体经济收益分配，要求补发。",
        100,
        "reviewed",
    ),
    ("反映危房改造补助未落实", "信访人称2025年申报危房改造，补助至今未发放。", 120, "recheck"),
]
# Days ago of each later step: (replied, 复查 asked, 复查 answered, 复核 asked, 复核 answered).
LATER = {
    "replied": (10,),
    "review": (35, 15),
    "reviewed": (60, 40, 20),
    "recheck": (90, 70, 50, 25),
    "closed": (140, 120, 110, 95, 70),
}
FACTS = "经调查核实，信访人反映的情况基本属实，相关部门已到现场勘查并听取双方意见。"
TEXT = "依据有关规定，对信访人的合理诉求予以支持，责成有关单位于三十日内落实。"
UPHOLD = "经复查，原处理意见认定事实清楚，适用依据正确，予以维持。"


def build_petitions(demo: Demo, now: datetime.datetime) -> None:
    ChannelGuide.objects.bulk_create(
        ChannelGuide(name=n, kind=k, competent=c, how=h, order=i * 10)
        for i, (n, k, c, h) in enumerate(GUIDES, start=1)
    )
    _reply_closed_caseload(demo)
    clerk, leader = demo.users["town_clerk"], demo.users["leader"]
    county_clerk = demo.users["county_clerk"]
    village = demo.villages[0]
    local = now.astimezone(LOCAL_TZ)

    def at(days_ago: float, hour: int = 10) -> datetime.datetime:
        day = local.date() - datetime.timedelta(days=int(days_ago))
        t = datetime.datetime.combine(day, datetime.time(hour), tzinfo=LOCAL_TZ)
        return min(t, now - datetime.timedelta(minutes=30))

    cases = {}
    for i, (title, description, ago, what) in enumerate(PETITIONS):
        name = person_name(demo_rng(i))
        case = register_case(
            clerk,
            CaseInput(
                title=title,
                description=description,
                area_code=village.code,
                channel=Channel.PETITION,
                category_code="0701" if "工资" in title else "0402",
                occurred_at=at(ago + 30),
                address=f"{village.name}{i + 1}组",
                parties=[
                    PartyInput(
                        name=name,
                        id_number=id_number(demo_rng(i), i % 2 == 0),
                        phone=phone(demo_rng(i)),
                        ethnicity="01",
                        occupation="农民",
                    )
                ],
            ),
            at(ago, 9),
        )
        cases[what] = case
        p = Petition.objects.get(case=case)
        if what == "new":
            continue
        if what == "redirected":
            guide = ChannelGuide.objects.get(name__startswith="已经进入诉讼程序")
            services.decide(p, clerk, Decision.REDIRECT, at(ago - 1), guide_id=guide.pk)
            continue
        if what == "forwarded":
            services.decide(
                p, clerk, Decision.FORWARD, at(ago - 2), unit_id=demo.units["dept:labour"].pk,
                note="属县人社局劳动保障监察职责，转送办理",
            )  # fmt: skip
            continue
        services.decide(p, clerk, Decision.ACCEPT, at(ago - 3))
        if what == "handling":
            continue
        if what == "extended":
            services.extend(
                p, leader, 20, "需组织国土所重新勘测界址，经镇领导批准延期", at(ago - 50)
            )
            continue
        steps = LATER[what]
        opinion = dict(result="support", facts=FACTS, text=TEXT, basis="《信访工作条例》")
        reviewed = dict(result="uphold", facts=FACTS, text=UPHOLD)
        services.give_opinion(p, clerk, OpinionKind.HANDLING, at(steps[0]), **opinion)
        if len(steps) > 1:
            services.request(
                p, county_clerk, OpinionKind.REVIEW, "信访人对处理意见不服", at(steps[1])
            )
        if len(steps) > 2:
            services.give_opinion(p, county_clerk, OpinionKind.REVIEW, at(steps[2]), **reviewed)
        # 复核 by the county itself in the demo (the city is outside the demo's tree).
        if len(steps) > 3:
            services.request(p, county_clerk, OpinionKind.RECHECK, "仍不服复查意见", at(steps[3]))
        if len(steps) > 4:
            services.give_opinion(p, county_clerk, OpinionKind.RECHECK, at(steps[4]), **reviewed)
    demo.cases.extend(cases.values())
    _receptions(demo, now, at, cases)


def demo_rng(i: int) -> random.Random:
    return random.Random(9000 + i)


def _reply_closed_caseload(demo: Demo) -> None:
    """Petitions of the caseload whose case closed: replied in writing that day."""
    for p in Petition.objects.filter(stage=Stage.HANDLING, case__closed_at__isnull=False):
        case = Case.objects.select_related("owner_unit").get(pk=p.case_id)
        actor = demo.staff.get(case.owner_unit_id)
        try:
            services.give_opinion(
                p, actor, OpinionKind.HANDLING, case.closed_at, result="support",
                facts=case.description, text=case.outcome_note or TEXT,
            )  # fmt: skip
        except ServiceError:
            continue  # a case its unit's account may not act on stays unreplied


def _receptions(demo: Demo, now: datetime.datetime, at, cases: dict) -> None:
    """The town leader receives petitioners: last week (held, outcome recorded) and in three
    days (a case booked)."""
    clerk, leader = demo.users["town_clerk"], demo.users["leader"]
    town = demo.centers[demo.towns[0].pk]
    local = now.astimezone(LOCAL_TZ).date()
    held = services.schedule_reception(
        clerk, town.pk, leader.pk, local - datetime.timedelta(days=7), "镇综治中心领导接访室",
        "receive", at(10), "每月领导接访日",
    )  # fmt: skip
    booking = services.book(cases["extended"], clerk, held.pk, at(9))
    services.record_reception(
        booking, leader,
        "领导当面听取信访人诉求，现场协调国土所两周内重新勘测，信访人表示接受。",
        at(7, 16),
    )  # fmt: skip
    coming = services.schedule_reception(
        clerk, town.pk, leader.pk, local + datetime.timedelta(days=3), demo.villages[0].name,
        "visit", at(1), "领导下访，现场解决物业问题",
    )  # fmt: skip
    services.book(cases["handling"], clerk, coming.pk, at(1))

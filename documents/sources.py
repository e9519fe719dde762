"""The case data a document template can take: one registry of named sources.

A source is a function of the document's subject (the case, and the session, agreement or
confirmation it is drawn up from) returning a string or a Table. Templates name sources by
key, so an administrator can move and relabel fields without touching code.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Channel, Gender, PartyRole
from cases.registry import Satisfaction
from cases.services import LOCAL_TZ
from followup.models import Rebound, Visit, VisiteeKind, VisitMethod
from mediation.models import Agreement, Confirmation, Session, SessionKind
from petitions.models import Opinion, OpinionKind
from petitions.services import REQUEST_WINDOW_DAYS
from risk.meetings import agenda, reason_labels
from risk.models import Grade, Meeting


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Subject:
    case: Case | None  # None for a 研判 meeting's minutes
    now: datetime.datetime
    actor: Any = None
    session: Session | None = None
    agreement: Agreement | None = None
    confirmation: Confirmation | None = None
    meeting: Meeting | None = None
    opinion: Opinion | None = None

    def __post_init__(self):
        if self.confirmation and not self.agreement:
            self.agreement = self.confirmation.agreement
        if self.agreement is None and self.case is not None:
            self.agreement = self.case.agreements.order_by("-created_at").first()


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _time(value: datetime.datetime | None) -> str:
    return f"{_date(value)} {value.astimezone(LOCAL_TZ):%H:%M}" if value else ""


def _age(id_number: str, today: datetime.date) -> str:
    try:
        born = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return ""
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


PARTY_COLUMNS = ["身份", "姓名", "性别", "民族", "年龄", "职业或职务", "联系方式", "单位或住址"]
SOURCE_OF_CASE = {
    # 受理登记表 案件来源 (with the local variants 公安机关移交, 审判机关委托…).
    Channel.ONLINE: "当事人申请",
    Channel.WINDOW: "当事人申请",
    Channel.HOTLINE: "当事人申请",
    Channel.GRID_APP: "人民调解委员会主动调解",
    Channel.POLICE: "公安机关移交",
    Channel.COURT: "审判机关委托",
    Channel.PETITION: "信访部门移交",
    Channel.UPPER: "政府部门指定",
}


def _parties(s: Subject, roles=None) -> Table:
    today = s.now.astimezone(LOCAL_TZ).date()
    rows = [
        [
            str(p.get_role_display()),
            p.name,
            str(Gender(p.gender).label) if p.gender in ("1", "2") else "",
            p.get_ethnicity_display() if p.ethnicity else "",
            _age(p.id_number, today),
            p.occupation,
            p.phone,
            p.address,
        ]
        for p in s.case.parties.all()
        if roles is None or p.role in roles
    ]
    return Table(PARTY_COLUMNS, rows)


def _mediators(s: Subject) -> str:
    names = [a.mediator.name for a in s.case.mediator_assignments.select_related("mediator")]
    return "、".join(dict.fromkeys(names))


def _positions(s: Subject) -> str:
    rows = (s.session.positions if s.session else None) or []
    return "\n".join(f"{p.get('party', '')}：{p.get('text', '')}" for p in rows)


def _sessions(s: Subject):
    return s.case.mediation_sessions.filter(held_at__isnull=False).order_by("held_at")


def _period(s: Subject) -> str:
    held = list(_sessions(s))
    return f"{_date(held[0].held_at)}至{_date(held[-1].held_at)}" if held else ""


def _follow_up(s: Subject):
    """The latest 回访 recorded as a status change (the only kind until issue 15)."""
    return s.case.timeline.filter(kind="follow_up").select_related("actor").order_by("-at").first()


def _visits(s: Subject) -> list[Visit]:
    return list(Visit.objects.filter(case=s.case).select_related("visitor").order_by("visited_at"))


def has_follow_up(case: Case) -> bool:
    """Whether the case has a follow-up to print: visits, or an old 回访 event."""
    return (
        Visit.objects.filter(case=case).exists() or case.timeline.filter(kind="follow_up").exists()
    )


def _label(choices, value: str) -> str:
    if value not in choices.values:
        return ""
    with translation.override("zh-hans"):  # the MoJ forms are Chinese whatever the UI
        return str(choices(value).label)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _follow_up_text(s: Subject, part: str) -> str:
    """One field of the 回访记录: every visit, one line each (走一家访三家); an old case
    without visits prints its 回访 event as before."""
    visits = _visits(s)
    if visits:
        lines = {
            "party": lambda v: f"{v.visitee_name}（{_label(VisiteeKind, v.visitee_kind)}）",
            "note": lambda v: (
                f"{_date(v.visited_at)} {_label(VisitMethod, v.method)}，"
                f"{v.visitee_name}：{v.findings}（{_label(Rebound, v.rebound)}）"
            ),
            "satisfaction": lambda v: (
                f"{v.visitee_name}：{_label(Satisfaction, v.satisfaction)}"
                if v.satisfaction
                else ""
            ),
            "at": lambda v: _time(v.visited_at),
            "actor": lambda v: _person(v.visitor),
        }[part]
        return "\n".join(dict.fromkeys(x for x in map(lines, visits) if x))
    event = _follow_up(s)
    if event is None:
        return ""
    if part == "party":
        return "、".join(p.name for p in s.case.parties.all())
    if part == "note":
        return event.note
    if part == "at":
        return _time(event.at)
    if part == "satisfaction":
        return _label(Satisfaction, event.data.get("satisfaction", ""))
    return _person(event.actor)


def _visit_table(s: Subject) -> Table:
    rows = [
        [
            _time(v.visited_at),
            f"{v.visitee_name}（{_label(VisiteeKind, v.visitee_kind)}）",
            _label(VisitMethod, v.method),
            v.findings,
            _label(Satisfaction, v.satisfaction),
            _label(Rebound, v.rebound),
            _person(v.visitor),
        ]
        for v in _visits(s)
    ]
    return Table(["回访时间", "回访对象", "方式", "回访情况", "满意度", "反弹风险", "回访人"], rows)


def _dossier_toc(s: Subject) -> Table:
    """卷宗目录 in the order the MoJ binding rules set; 有 where the system holds the item."""
    c = s.case
    sessions = list(_sessions(s))
    agreement = s.agreement
    has = {
        "申请书/受理登记表": True,
        "调查记录": any(x.kind == SessionKind.INVESTIGATION for x in sessions),
        "证据材料": c.attachments.exists(),
        "调解记录": any(x.kind == SessionKind.MEDIATION for x in sessions),
        "调解协议书/口头协议登记表": agreement is not None,
        "回访记录": has_follow_up(c),
        "司法确认有关材料": bool(agreement and Confirmation.objects.filter(agreement=agreement)),
    }
    items = [
        "人民调解申请书或人民调解受理登记表",
        "人民调解当事人权利义务告知书",
        "当事人身份证明",
        "授权委托书",
        "人民调解调查记录",
        "人民调解证据材料",
        "人民调解记录",
        "人民调解协议书或人民调解口头协议登记表",
        "收条、汇款单等履行凭证",
        "人民调解回访记录",
        "司法确认有关材料",
        "卷宗情况说明",
        "封底",
    ]
    keys = [
        "申请书/受理登记表",
        None,
        None,
        None,
        "调查记录",
        "证据材料",
        "调解记录",
        "调解协议书/口头协议登记表",
        None,
        "回访记录",
        "司法确认有关材料",
        None,
        None,
    ]
    rows = [
        [str(i), name, "有" if key and has[key] else ""]
        for i, (name, key) in enumerate(zip(items, keys, strict=True), start=1)
    ]
    return Table(["序号", "材料名称", "系统内"], rows)


def _actor_name(s: Subject) -> str:
    return (s.actor.get_full_name() or s.actor.username) if s.actor else ""


def _agreement(s: Subject, attr: str) -> str:
    a = s.agreement
    if a is None:
        return ""
    if attr == "performance":
        due = _date(a.performance_due)
        return f"{a.performance_method}{'，于' + due + '前履行完毕' if due else ''}"
    value = getattr(a, attr)
    return _date(value) if isinstance(value, datetime.date) else str(value)


def _session(s: Subject, attr: str) -> str:
    if s.session is None:
        return ""
    value = getattr(s.session, attr)
    if attr in ("starts_at", "held_at"):
        return _time(value)
    if attr == "result":
        return str(s.session.get_result_display()) if value else ""
    if attr == "place":
        return value or s.session.online_link
    return value


def _committee(s: Subject) -> str:
    return (s.agreement.unit if s.agreement else s.case.owner_unit).name


def _court(s: Subject) -> str:
    c = s.confirmation or (
        Confirmation.objects.filter(agreement=s.agreement).select_related("court").first()
        if s.agreement
        else None
    )
    return c.court.name if c else ""


def _opinion(s: Subject, attr: str) -> str:
    o = s.opinion
    if o is None:
        return ""
    with translation.override("zh-hans"):  # the written opinion is Chinese whatever the UI
        if attr in ("kind", "result"):
            return str(getattr(o, f"get_{attr}_display")())
        if attr == "unit":
            return o.unit.name
        if attr == "issued_on":
            return _date(o.issued_at)
        if attr == "received_on":
            return _date(o.petition.registered_at)
        if attr == "accepted_on":
            return _date(o.petition.accepted_at)
        if attr == "remedy":
            return _remedy(o)
        return getattr(o, attr)


def _remedy(o: Opinion) -> str:
    """What the petitioner can do next (信访工作条例 第三十六、三十七条: 复查, then 复核, each
    asked within 30 days of the written opinion; a 复核 opinion ends the procedure)."""
    step = {OpinionKind.HANDLING: "复查", OpinionKind.REVIEW: "复核"}.get(o.kind)
    if step is None:
        return (
            "本复核意见为信访事项的最终处理意见。信访人对复核意见不服，仍然以同一事实和理由"
            "提出投诉请求的，各级党委和政府信访部门和其他机关、单位不再受理。"
        )
    return (
        f"信访人如对本意见不服，可以自收到本意见书之日起{REQUEST_WINDOW_DAYS}日内，"
        f"向{o.unit.name}的上一级机关、单位请求{step}。"
    )


A, R = PartyRole.APPLICANT, PartyRole.RESPONDENT
SOURCES: dict[str, tuple[Any, Callable[[Subject], Any]]] = {
    "case.code": (_("case code"), lambda s: s.case.code),
    "case.title": (_("title"), lambda s: s.case.title),
    "case.description": (_("description"), lambda s: s.case.description),
    "case.category": (
        _("category"),
        lambda s: (
            f"{s.case.category.name}（{s.case.category.moj_category or ''}）".replace("（）", "")
            if s.case.category_id
            else ""
        ),
    ),
    "case.source": (_("case source"), lambda s: SOURCE_OF_CASE.get(s.case.channel, "")),
    "case.area": (_("area"), lambda s: s.case.area.name),
    "case.address": (_("address"), lambda s: s.case.address),
    "case.amount": (
        _("amount involved (yuan)"),
        lambda s: f"{s.case.amount_involved}" if s.case.amount_involved is not None else "",
    ),
    "case.registered_on": (_("registered at"), lambda s: _date(s.case.created_at)),
    "case.accepted_on": (
        _("accepted at"),
        lambda s: _date(s.case.accepted_at or s.case.created_at),
    ),
    "parties.names": (
        _("names of the parties"),
        lambda s: "、".join(p.name for p in s.case.parties.all()),
    ),
    "parties.all": (_("table of all parties"), lambda s: _parties(s)),
    "parties.applicants": (_("table of the applicants"), lambda s: _parties(s, {A})),
    "parties.respondents": (_("table of the respondents"), lambda s: _parties(s, {R})),
    "committee": (_("mediation committee"), _committee),
    "mediators": (_("mediators"), _mediators),
    "today": (_("date of the document"), lambda s: _date(s.now)),
    "actor": (_("the user drawing up the document"), _actor_name),
    "session.number": (_("session number"), lambda s: str(s.session.number) if s.session else ""),
    "session.time": (
        _("session time"),
        lambda s: _session(s, "held_at") or _session(s, "starts_at"),
    ),
    "session.place": (_("session place"), lambda s: _session(s, "place")),
    "session.attendees": (_("attendees"), lambda s: _session(s, "attendees")),
    "session.interviewee": (_("person interviewed"), lambda s: _session(s, "interviewee")),
    "session.recorder": (_("recorder"), lambda s: _session(s, "recorder")),
    "session.facts": (_("facts found"), lambda s: _session(s, "facts")),
    "session.positions": (_("positions of the parties"), _positions),
    "session.proposal": (_("mediation proposal"), lambda s: _session(s, "proposal")),
    "session.result": (_("result"), lambda s: _session(s, "result")),
    "session.note": (_("reasons and remaining routes"), lambda s: _session(s, "note")),
    "agreement.number": (_("agreement number"), lambda s: _agreement(s, "number")),
    "agreement.facts": (
        _("main facts, matters in dispute and responsibilities"),
        lambda s: _agreement(s, "facts"),
    ),
    "agreement.content": (_("agreed terms"), lambda s: _agreement(s, "content")),
    "agreement.performance": (
        _("manner and time of performance"),
        lambda s: _agreement(s, "performance"),
    ),
    "agreement.effective_on": (_("effective on"), lambda s: _agreement(s, "effective_on")),
    "court": (_("court"), _court),
    "follow_up.party": (_("persons visited"), lambda s: _follow_up_text(s, "party")),
    "follow_up.visits": (_("table of the follow-up visits"), _visit_table),
    "follow_up.note": (_("follow-up findings"), lambda s: _follow_up_text(s, "note")),
    "follow_up.satisfaction": (_("satisfaction"), lambda s: _follow_up_text(s, "satisfaction")),
    "follow_up.visitor": (_("visited by"), lambda s: _follow_up_text(s, "actor")),
    "follow_up.at": (_("visited at"), lambda s: _follow_up_text(s, "at")),
    "dossier.period": (_("mediation period"), _period),
    "opinion.kind": (_("kind of petition opinion"), lambda s: _opinion(s, "kind")),
    "opinion.result": (_("result of the petition opinion"), lambda s: _opinion(s, "result")),
    "opinion.facts": (_("facts found (petition)"), lambda s: _opinion(s, "facts")),
    "opinion.text": (_("petition opinion"), lambda s: _opinion(s, "text")),
    "opinion.basis": (_("legal and policy basis"), lambda s: _opinion(s, "basis")),
    "opinion.unit": (_("organ giving the opinion"), lambda s: _opinion(s, "unit")),
    "opinion.issued_on": (_("date of the opinion"), lambda s: _opinion(s, "issued_on")),
    "opinion.remedy": (_("what the petitioner can do next"), lambda s: _opinion(s, "remedy")),
    "petition.received_on": (_("petition received on"), lambda s: _opinion(s, "received_on")),
    "petition.accepted_on": (_("petition accepted on"), lambda s: _opinion(s, "accepted_on")),
    "dossier.toc": (_("dossier table of contents"), _dossier_toc),
}


# ---------------------------------------------------------------- 研判 meeting minutes


def _meeting_items(s: Subject) -> Table:
    table = Table(["案件编号", "纠纷", "列入原因", "风险等级", "研判结论", "责任单位及期限"])
    if s.meeting is None:
        return table
    labels = reason_labels()
    for item in agenda(s.meeting):
        risk = getattr(item.case, "risk", None)
        grade = item.grade_after or (risk.grade if risk else Grade.NONE)
        unit = item.responsible_unit.name if item.responsible_unit else ""
        table.rows.append(
            [
                item.case.code,
                item.case.title,
                "、".join(str(labels.get(r, r)) for r in item.reasons),
                str(Grade(grade).label) if grade in Grade.values else "",
                item.conclusion,
                unit + (f"（{_date(item.due_date)}前）" if item.due_date else ""),
            ]
        )
    return table


def _meeting_persons(s: Subject) -> str:
    if s.meeting is None:
        return ""
    persons = [mp.person for mp in s.meeting.persons.select_related("person")]
    return "；".join(f"{p.name}（漏访{p.missed_visits}次）" for p in persons) or "无"


def _meeting_notices(s: Subject) -> str:
    if s.meeting is None:
        return ""
    lines = [
        f"{n.text}（发送：{'、'.join(r.unit.name for r in n.recipients.all())}；"
        f"{_time(n.due_at)}前签收）"
        for n in s.meeting.notices.prefetch_related("recipients__unit")
    ]
    return "\n".join(lines) or "无"


def _meeting(s: Subject, attr: str) -> str:
    m = s.meeting
    if m is None:
        return ""
    if attr == "center":
        return m.center.name
    if attr == "date":
        return _date(m.date)
    if attr == "kind":
        return str(m.get_kind_display())
    return getattr(m, attr) or ""


SOURCES.update(
    {
        "meeting.center": (_("研判 meeting: center"), lambda s: _meeting(s, "center")),
        "meeting.date": (_("研判 meeting: date"), lambda s: _meeting(s, "date")),
        "meeting.kind": (_("研判 meeting: kind"), lambda s: _meeting(s, "kind")),
        "meeting.note": (_("研判 meeting: note"), lambda s: _meeting(s, "note")),
        "meeting.items": (_("研判 meeting: items and conclusions"), _meeting_items),
        "meeting.persons": (_("研判 meeting: key persons with a missed visit"), _meeting_persons),
        "meeting.notices": (_("研判 meeting: prevention notices"), _meeting_notices),
    }
)


def source_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(k, f"{label} ({k})") for k, (label, _f) in SOURCES.items()]


def resolve(key: str, subject: Subject):
    entry = SOURCES.get(key)
    return entry[1](subject) if entry else ""

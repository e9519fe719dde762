"""The authorization matrix, generated from the URL resolver: every URL pattern × every demo
role × an object in the role's scope and one outside it.

Each pattern must appear in FILL (how to fill in its parameters from an object) or in
NO_OBJECT (a page without an object: who may open it). A pattern added later and in neither
fails this test until someone says how to fill it in, so no page goes unchecked.

Outside its scope a role gets 403 or 404 (a POST as well, and it changes nothing), and the
page does not show the object; inside, at least one role reaches each object page.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Model, QuerySet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.auth import issue_token
from api.models import SystemKey
from areas.models import Area, Level, Membership, Unit, UnitKind
from cases.models import Attachment, Case, Category, MissingMaterial, TimelineEvent
from cases.selectors import cases_visible_to
from cases.workflow import OPEN_STATUSES
from clocks.deadlines import RISK_CLOCKS
from clocks.models import CalendarOverride, EscalationPolicy, PolicyArea
from coordination.models import Summons, Supervision, Whistle
from docking.models import Referral, ReferralBatch
from documents.models import DocumentTemplate
from hotline.models import HotlineOrder
from hotline.services import orders_visible_to as hotline_orders_visible_to
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.models import Export
from mediation.models import Agreement, Confirmation, Mediator, Session
from notifications.models import Notification
from petitions.models import Booking, ChannelGuide, Petition, ReceptionDay
from petitions.selectors import bookings_visible_to, days_visible_to
from portal import daily as daily_reports
from portal import evaluations, gridlog
from portal.models import DailyReportItem, Evaluation, Review, VisitLog
from risk import assignments, keypersons, meetings
from risk.assignments import AssignmentInput, MeasureInput
from risk.keypersons import PersonInput
from risk.models import (
    Assignment,
    CaseRisk,
    KeyPerson,
    KeyPersonCase,
    Meeting,
    MeetingItem,
    MeetingKind,
    MeetingSchedule,
    NoticeRecipient,
    PlanMeasure,
    PreventionNotice,
    ProgressReport,
    RiskPlan,
    RiskRule,
    RiskTag,
    Visit,
)
from routing.models import RoutingRule
from tests.factories import NOW, VALID_ID, new_case
from webhooks.models import Subscriber, WebhookDelivery

ROLES = [
    "admin", "grid", "village_clerk", "village2_clerk", "town_clerk", "county_clerk", "leader",
    "mediator", "handler", "court",
]  # fmt: skip
DENIED = {403, 404}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ANON_DENIED = {302, 401, 403, 404}


def visible(user) -> QuerySet:
    return cases_visible_to(user)


def by_case(model: type[Model], case_path: str = "case"):
    """Objects of `model` inside / outside the user's scope, through the case they belong to."""

    def split(user):
        cases = visible(user).values("pk")
        objects = model.objects.order_by("pk")
        return (
            objects.filter(**{f"{case_path}__in": cases}).first(),
            objects.exclude(**{f"{case_path}__in": cases}).first(),
        )

    return split


def case_code(obj) -> dict:
    return {"code": obj.code}


def with_case(case_path: str):
    def kwargs(obj) -> dict:
        case = obj
        for part in case_path.split("__"):
            case = getattr(case, part)
        return {"code": case.code, "pk": obj.pk}

    return kwargs


def admin_only(model: type[Model], **filters):
    """Administration objects: nobody but an administrator has any in scope."""

    def split(user):
        obj = model.objects.filter(**filters).order_by("pk").first()
        return (obj, None) if user.is_superuser else (None, obj)

    return split


def own(model: type[Model], owner_field: str):
    def split(user):
        objects = model.objects.order_by("pk")
        return (
            objects.filter(**{owner_field: user}).first(),
            objects.exclude(**{owner_field: user}).first(),
        )

    return split


def referral_batches(user):
    mine = Referral.objects.filter(case__in=visible(user).values("pk")).values("batch")
    objects = ReferralBatch.objects.order_by("pk")
    return objects.filter(pk__in=mine).first(), objects.exclude(pk__in=mine).first()


def within(queryset_of: Callable[..., QuerySet], model: type[Model], **filters):
    """Objects of `model` the user's scope selects (the app's own selector: area subtree,
    units or grids) / the rest."""

    def split(user):
        mine = queryset_of(user).values("pk")
        objects = model.objects.filter(**filters).order_by("pk")
        return objects.filter(pk__in=mine).first(), objects.exclude(pk__in=mine).first()

    return split


def in_grids(grids_of: Callable, model: type[Model], grid_path: str, **filters):
    """Objects of a grid: inside the grids the user reports for or reads / outside them."""

    def split(user):
        grids = [g.pk for g in grids_of(user)]
        objects = model.objects.filter(**filters).order_by("pk")
        return (
            objects.filter(**{f"{grid_path}__in": grids}).first(),
            objects.exclude(**{f"{grid_path}__in": grids}).first(),
        )

    return split


def meeting_items(user):
    meetings_seen = meetings.meetings_visible_to(user).values("pk")
    objects = MeetingItem.objects.order_by("pk")
    return (
        objects.filter(meeting__in=meetings_seen).first(),
        objects.exclude(meeting__in=meetings_seen).first(),
    )


@dataclass
class Fill:
    split: Callable  # user -> (object in scope or None, object outside or None)
    kwargs: Callable[[Model], dict]  # object -> the pattern's parameters
    api: bool = False
    # Views that take a case code and the pk of one of its objects: also try an object of
    # another case under a case the user sees (the view must check they belong together).
    mixed: bool = False
    mixed_key: str = "pk"  # the parameter naming the object (the rest names its parent)


def pk(obj) -> dict:
    return {"pk": obj.pk}


CASE = Fill(
    lambda u: (visible(u).first(), Case.objects.exclude(pk__in=visible(u)).first()), case_code
)
CASE_API = Fill(CASE.split, case_code, api=True)
PETITION_API = Fill(by_case(Petition), lambda p: {"code": p.case.code}, api=True)


def referrals(kind: str):
    def split(user):
        cases = visible(user).values("pk")
        objects = Referral.objects.filter(referring_unit__kind=kind).order_by("pk")
        return objects.filter(case__in=cases).first(), objects.exclude(case__in=cases).first()

    return split


FILL: dict[str, Fill] = {
    "cases:detail": CASE,
    "cases:act": CASE,
    "cases:upload": CASE,
    "cases:download": Fill(by_case(Attachment), with_case("case"), mixed=True),
    "cases:attachment": Fill(by_case(Attachment), with_case("case"), mixed=True),
    "cases:provide": Fill(by_case(MissingMaterial), with_case("case"), mixed=True),
    "cases:pause": CASE,
    "cases:resume": CASE,
    "cases:complexity": CASE,
    "coordination:whistle_blow": CASE,
    "coordination:supervise": CASE,
    "coordination:summons_report": Fill(by_case(Summons, "whistle__case"), pk),
    "coordination:summons_feedback": Fill(by_case(Summons, "whistle__case"), pk),
    "coordination:summons_evaluate": Fill(by_case(Summons, "whistle__case"), pk),
    "coordination:summons_release": Fill(by_case(Summons, "whistle__case"), pk),
    "coordination:whistle_meeting": Fill(by_case(Whistle), pk),
    "coordination:supervision_answer": Fill(by_case(Supervision), pk),
    "mediation:case": CASE,
    "mediation:assign": CASE,
    "mediation:schedule": CASE,
    "mediation:end": CASE,
    "mediation:scan": CASE,
    "mediation:record": Fill(by_case(Session), with_case("case"), mixed=True),
    "mediation:reschedule": Fill(by_case(Session), with_case("case"), mixed=True),
    "mediation:confirm": Fill(by_case(Agreement), with_case("case"), mixed=True),
    "mediation:file": Fill(
        by_case(Confirmation, "agreement__case"), with_case("agreement__case"), mixed=True
    ),
    "mediation:decide": Fill(
        by_case(Confirmation, "agreement__case"), with_case("agreement__case"), mixed=True
    ),
    "mediation:manage_edit": Fill(admin_only(Mediator), pk),
    "documents:download": Fill(
        CASE.split, lambda c: {"code": c.code, "slug": "application", "fmt": "docx"}
    ),
    "documents:template_edit": Fill(admin_only(DocumentTemplate), pk),
    "docking:batch": Fill(referral_batches, pk),
    "docking:batch_errors": Fill(referral_batches, pk),
    "notifications:open": Fill(own(Notification, "recipient"), pk),
    "areas:area_detail": Fill(admin_only(Area), pk),
    "areas:area_edit": Fill(admin_only(Area), pk),
    "areas:area_children": Fill(admin_only(Area), pk),
    "areas:unit_edit": Fill(admin_only(Unit), pk),
    "areas:unit_active": Fill(admin_only(Unit), pk),
    "areas:staff_detail": Fill(admin_only(get_user_model(), is_superuser=False), pk),
    "areas:staff_active": Fill(admin_only(get_user_model(), is_superuser=False), pk),
    "areas:membership_remove": Fill(admin_only(Membership), pk),
    "routing:manage_rule_edit": Fill(admin_only(RoutingRule), pk),
    "routing:manage_rule_active": Fill(admin_only(RoutingRule), pk),
    "routing:manage_policy_edit": Fill(admin_only(EscalationPolicy), pk),
    "routing:manage_policy_assign": Fill(admin_only(EscalationPolicy), pk),
    "routing:manage_policy_unassign": Fill(admin_only(PolicyArea), pk),
    "routing:manage_calendar_remove": Fill(admin_only(CalendarOverride), pk),
    "cases:category_edit": Fill(admin_only(Category), pk),
    "risk:manage_rule_edit": Fill(admin_only(RiskRule), pk),
    "risk:manage_rule_active": Fill(admin_only(RiskRule), pk),
    "risk:manage_plan_edit": Fill(admin_only(RiskPlan), lambda obj: {"grade": obj.grade}),
    "risk:manage_tag_edit": Fill(admin_only(RiskTag), pk),
    "risk:manage_schedule_edit": Fill(admin_only(MeetingSchedule), pk),
    "webhooks:manage_edit": Fill(admin_only(Subscriber), pk),
    "webhooks:deliveries": Fill(admin_only(Subscriber), pk),
    "webhooks:status": Fill(admin_only(Subscriber), pk),
    "webhooks:resend": Fill(
        admin_only(WebhookDelivery), lambda d: {"pk": d.subscriber_id, "delivery": d.pk}
    ),
    "api:case_detail": CASE_API,
    "api:case_transition": CASE_API,
    "api:case_time_limits": CASE_API,
    "api:case_complexity": CASE_API,
    "api:case_pause": CASE_API,
    "api:case_resume": CASE_API,
    "api:court_referral": Fill(referrals("court"), lambda r: {"ref": r.external_ref}, api=True),
    "api:police_referral": Fill(referrals("police"), lambda r: {"ref": r.external_ref}, api=True),
    # Risk: the case page's actions (POST) and the key persons' files, 研判 meetings, notices.
    "risk:set_grade": CASE,
    "risk:close_obligation": Fill(
        CASE.split, lambda c: {"code": c.code, "clock_name": RISK_CLOCKS[0]}
    ),
    "risk:assign": CASE,
    "risk:progress": CASE,
    "risk:end_assignment": CASE,
    "risk:review": CASE,
    "risk:measure_done": Fill(
        by_case(PlanMeasure, "assignment__case"), with_case("assignment__case"), mixed=True
    ),
    "risk:person": Fill(within(keypersons.persons_visible_to, KeyPerson), pk),
    "risk:person_edit": Fill(within(keypersons.persons_visible_to, KeyPerson), pk),
    "risk:person_link": Fill(within(keypersons.persons_visible_to, KeyPerson), pk),
    "risk:person_visit": Fill(within(keypersons.persons_visible_to, KeyPerson), pk),
    "risk:meeting": Fill(within(meetings.meetings_visible_to, Meeting), pk),
    "risk:meeting_notice": Fill(within(meetings.meetings_visible_to, Meeting), pk),
    "documents:meeting_minutes": Fill(
        within(meetings.meetings_visible_to, Meeting), lambda obj: {"pk": obj.pk, "fmt": "pdf"}
    ),
    "risk:meeting_conclude": Fill(
        meeting_items,
        lambda i: {"pk": i.meeting_id, "item_pk": i.pk},
        mixed=True,
        mixed_key="item_pk",
    ),  # fmt: skip
    "risk:notice_acknowledge": Fill(within(meetings.notices_for, NoticeRecipient), pk),
    "repeats:merge": CASE,
    "repeats:unmerge": CASE,
    "api:case_repeat_proposals": CASE_API,
    "api:case_merge": CASE_API,
    "api:case_unmerge": CASE_API,
    "api:case_risk": CASE_API,
    "petitions:act": Fill(CASE.split, lambda c: {"code": c.code, "act": "decide"}),
    "petitions:reception": Fill(within(days_visible_to, ReceptionDay), pk),
    "petitions:record": Fill(within(bookings_visible_to, Booking), pk),
    "petitions:manage_guide_edit": Fill(admin_only(ChannelGuide), pk),
    "api_keys:revoke": Fill(admin_only(SystemKey), pk),
    "api:case_petition": PETITION_API,
    "api:petition_decision": PETITION_API,
    "api:petition_extension": PETITION_API,
    "api:petition_opinion": PETITION_API,
    "api:petition_request": PETITION_API,
    "api:reception_book": CASE_API,
    "api:reception_outcome": Fill(within(bookings_visible_to, Booking), pk, api=True),
    "api:case_visits": CASE_API,
    "api:case_visit_add": CASE_API,
    "api:case_performance": CASE_API,
    "api:case_performance_add": Fill(
        by_case(Agreement),
        lambda a: {"code": a.case.code, "agreement_id": a.pk},
        api=True,
        mixed=True,
        mixed_key="agreement_id",
    ),
    "followup:visit": CASE,
    "followup:performance": Fill(by_case(Agreement), with_case("case"), mixed=True),
    "api:case_risk_set": CASE_API,
    "api:key_person": Fill(within(keypersons.persons_visible_to, KeyPerson), pk, api=True),
    "api:meeting": Fill(within(meetings.meetings_visible_to, Meeting), pk, api=True),
    # The grid's daily report, its visit log's photos, the center's review list.
    "portal:daily_case": Fill(
        in_grids(daily_reports.reporting_grids, DailyReportItem, "report__grid", case=None), pk
    ),
    "portal:visit_photo": Fill(
        in_grids(gridlog.readable_grids, VisitLog, "grid", photo__gt=""), pk
    ),
    "portal:review_done": Fill(within(evaluations.reviews_for, Review), pk),
    # A big export's progress page and its file: the user who asked for it, nobody else.
    "export_status": Fill(own(Export, "user"), pk),
    "export_download": Fill(own(Export, "user"), pk),
    # 12345 work orders: those of the user's cases, and the orders without a case of their units.
    "hotline:order": Fill(within(hotline_orders_visible_to, HotlineOrder), pk),
    "hotline:act": Fill(
        within(hotline_orders_visible_to, HotlineOrder), lambda o: {"pk": o.pk, "act": "progress"}
    ),
    "api:hotline_order": Fill(
        within(hotline_orders_visible_to, HotlineOrder),
        lambda o: {"order_no": o.order_no},
        api=True,
    ),
    "api:hotline_order_act": Fill(
        within(hotline_orders_visible_to, HotlineOrder),
        lambda o: {"order_no": o.order_no, "act": "progress"},
        api=True,
    ),
}

ANY = "any signed-in role"
PUBLIC = "public"
ADMIN = {"admin"}
CENTER_STAFF = {"admin", "village_clerk", "village2_clerk", "town_clerk", "county_clerk", "leader"}

# Pages without an object: PUBLIC, ANY (every role may open it), or the roles that may.
NO_OBJECT: dict[str, object] = {
    "healthz": PUBLIC,
    "service_worker": PUBLIC,  # /sw.js: the same script for everyone, no data
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "api:docs_asset": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    "api:token": PUBLIC,
    "api": PUBLIC,  # django-ninja's problem body for an unknown API path
    "api:case_create": ANY,
    "api:case_list": ANY,
    "api:court_referrals_push": ANY,
    "api:court_referrals": ANY,
    "api:police_referrals_push": ANY,
    "api:police_referrals": ANY,
    "cases:queue": ANY,
    "cases:list": ANY,
    "cases:new": ANY,
    "cases:duplicates": ANY,
    "notifications:inbox": ANY,
    "notifications:bell": ANY,
    "notifications:read_all": ANY,
    "mediation:mine": ANY,
    "mediation:directory": ANY,
    "coordination:whistle_counts": ANY,
    "docking:list": ANY,
    "docking:export": ANY,
    "docking:upload": ANY,
    "docking:template": ANY,
    "stats:dashboard": ANY,
    "stats:cases": ANY,
    "stats:assessment": ANY,
    "stats:weights": ANY,
    "stats:export": ANY,
    "stats:report": ANY,
    "stats:rebuild": ADMIN,
    # The people's-mediation return: territorial staff (a grid worker's is their grid's).
    "stats:moj_return": {"grid", *CENTER_STAFF},
    "stats:moj_return_xlsx": {"grid", *CENTER_STAFF},
    "documents:templates": ADMIN,
    "areas:index": ADMIN,
    "areas:tree": ADMIN,
    "areas:area_new": ADMIN,
    "areas:area_import": ADMIN,
    "areas:units": ADMIN,
    "areas:unit_new": ADMIN,
    "areas:staff": ADMIN,
    "areas:staff_new": ADMIN,
    "routing:manage": ADMIN,
    "routing:manage_rules": ADMIN,
    "routing:manage_rule_new": ADMIN,
    "routing:manage_policies": ADMIN,
    "routing:manage_policy_new": ADMIN,
    "routing:manage_calendar": ADMIN,
    "mediation:manage": ADMIN,
    "mediation:manage_new": ADMIN,
    "mediation:manage_import": ADMIN,
    "mediation:manage_roster": ADMIN,
    "risk:manage": ADMIN,
    "risk:manage_rules": ADMIN,
    "risk:manage_rule_new": ADMIN,
    "risk:manage_plans": ADMIN,
    "risk:manage_tags": ADMIN,
    "risk:manage_schedules": ADMIN,
    "risk:manage_schedule_new": ADMIN,
    "cases:categories": ADMIN,
    "cases:batch": ANY,  # only the user's own cases are acted on (tests/test_bulk*.py)
    "cases:export": ANY,  # the user's queue or list, scoped like them
    "pick": ANY,  # a picker's rows are the user's scope (jiefen.pickers)
    "api:court_referrals_reported": ANY,
    "api:police_referrals_reported": ANY,
    "docking:mark_reported": ANY,
    "api:daily_report": ANY,  # for the grids the user reports for, else refused
    "api:key_persons": ANY,
    "api:meetings": ANY,
    "petitions:list": ANY,  # the petitions among the user's cases
    "petitions:receptions": ANY,  # the reception days of the user's scope
    "petitions:manage_guides": ADMIN,
    "petitions:manage_guide_new": ADMIN,
    "webhooks:manage": ADMIN,
    "webhooks:manage_new": ADMIN,
    "api:guides": ANY,  # the catalogue: no personal data
    "api:reception_days": ANY,
    "risk:persons": CENTER_STAFF,
    "risk:person_new": CENTER_STAFF,
    "risk:meetings": CENTER_STAFF,
    "risk:notices": ANY,  # the notices to the user's units
    "risk:my_assignments": ANY,  # the cases the user leads
    "portal:reviews": CENTER_STAFF,
    "portal:daily": {"grid"},
    "portal:daily_overview": CENTER_STAFF,
    "portal:grid_log": {"grid", *CENTER_STAFF},
    # The citizen's pages: no login by design. The public page shows no personal field
    # (tests/test_portal_tracking.py); the party pages need the phone proved by an SMS code
    # (test_the_party_pages_reveal_nothing_without_the_proved_phone below).
    "portal:track": PUBLIC,
    "portal:report": PUBLIC,
    "portal:report_code": PUBLIC,
    "portal:evaluate": PUBLIC,  # the SMS link's unguessable token (tests/test_portal_evaluation.py)
    "portal:party": PUBLIC,
    "portal:verify": PUBLIC,
    "portal:provide": PUBLIC,
    "portal:agreement": PUBLIC,
    "api:portal_code": PUBLIC,
    "api:portal_report": PUBLIC,
    "api:portal_evaluation": PUBLIC,
    "api:portal_rate": PUBLIC,
    "hotline:orders": ANY,  # the orders of the user's cases and units
    "api:hotline_orders": ANY,  # registers in the user's own area only (check_intake)
    # Connected systems' keys: administrators issue and revoke them.
    "api_keys:list": ADMIN,
    "api_keys:new": ADMIN,
    # Open311 GeoReport v2: the reads are public and show no personal field, like the tracking
    # page; filing needs a system key in the body (tests/test_open311.py).
    "open311:openapi-json": PUBLIC,
    "open311:openapi-view": PUBLIC,
    "open311:api-root": PUBLIC,
    "open311": PUBLIC,  # the GeoReport error body for an unknown path
    "open311:discovery": PUBLIC,
    "open311:services": PUBLIC,
    "open311:service": PUBLIC,
    "open311:requests": PUBLIC,
    "open311:requests_create": PUBLIC,
    "open311:request": PUBLIC,
}
# Parameters of pages without an object, where the path needs one.
PLACEHOLDERS = {
    "api:docs_asset": {"name": "swagger-ui.css"},
    "stats:export": {"table": "units"},
    "pick": {"source": "register-area"},
}


def patterns(resolver=None, namespace=""):
    """(name, pattern) of every URL the app serves, from the resolver."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue  # the Django admin: checked on its own below
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from patterns(p, ns)
        elif isinstance(p, URLPattern):
            name = ":".join(filter(None, [namespace, p.name or ""]))
            yield name, p


def seed_demo():
    call_command(
        # 63: of them 3 are repeat reports (demo/repeats.py), so the caseload is the 60 it was.
        "seed_demo", "--cases", "63", "--seed", "11", "--now", NOW.isoformat(),
        stdout=io.StringIO(),
    )  # fmt: skip
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    # The demo has no whistle, supervision, agreement or attachment yet: one of each on a case
    # of the first village and on one of its sibling, whose clerks see only their own.
    first = visible(users["village_clerk"]).exclude(pk__in=visible(users["village2_clerk"]))
    second = visible(users["village2_clerk"]).exclude(pk__in=visible(users["village_clerk"]))
    court = Unit.objects.filter(kind="court").first()
    for case in (first.first(), second.first()):
        case_objects(case, users["admin"], court)
    risk_and_portal_objects(users, first, second)
    for name in ("village_clerk", "village2_clerk"):  # a finished export of each clerk
        export = Export.objects.create(
            user=users[name], kind="cases", title="案件", created_at=NOW, total=1,
            filename="cases.xlsx", finished_at=NOW,
        )  # fmt: skip
        export.file.save("cases.xlsx", ContentFile(b"PK"), save=True)
    CalendarOverride.objects.create(date=NOW.date(), is_workday=False, note="测试")
    tokens = {name: issue_token(u, NOW)[0] for name, u in users.items()}
    return users, tokens


def case_objects(case: Case, by, court: Unit) -> None:
    unit = case.owner_unit
    day = datetime.timedelta(days=1)
    whistle = Whistle.objects.create(
        case=case, caller_unit=unit, called_by=by, reason="会商", called_at=NOW,
        report_due_at=NOW + day,
    )  # fmt: skip
    Summons.objects.create(whistle=whistle, unit=unit)
    Supervision.objects.create(
        case=case, issued_by=by, issuer_unit=unit, target_unit=unit, instruction="督办",
        issued_at=NOW, due_at=NOW + day,
    )  # fmt: skip
    session = Session.objects.create(case=case, number=9, starts_at=NOW, scheduled_by=by)
    agreement = Agreement.objects.create(
        case=case, session=session, unit=unit, year=2026, sequence=900 + case.pk,
        form="written", facts="事实", content="协议", performance_method="当场履行",
        effective_on=NOW.date(), created_by=by, created_at=NOW,
    )  # fmt: skip
    Confirmation.objects.create(agreement=agreement, court=court, prepared_at=NOW, prepared_by=by)
    attachment = Attachment(
        case=case, name="现场.png", content_type="image/png", size=len(PNG), uploaded_by=by,
        uploaded_at=NOW,
    )  # fmt: skip
    attachment.file.save("现场.png", ContentFile(PNG), save=True)


def risk_and_portal_objects(users, first: QuerySet, second: QuerySet) -> None:
    """The demo's risk work is in the first village and town, its grid logs have no photo:
    the same in the second village and another town, through the apps' services."""
    clerk, clerk2 = users["village_clerk"], users["village2_clerk"]
    town_clerk, admin = users["town_clerk"], users["admin"]
    village2 = clerk2.memberships.get().unit.area
    keypersons.create_person(
        town_clerk,
        PersonInput(
            name="李四", id_number=VALID_ID, phone="13900139001", area_code=village2.code,
            responsible_id=clerk2.pk, visit_days=7, note="在位在控",
        ),
        NOW,
    )  # fmt: skip
    # 包案 with a measure on an open case of each village.
    for cases in (first, second):
        if not PlanMeasure.objects.filter(assignment__case__in=cases).exists():
            # The first open case the town's center may put under a leader (not a merged
            # repeat, not a petition forwarded to a department).
            for case in cases.filter(status__in=OPEN_STATUSES, assignments=None).order_by("pk"):
                try:
                    assignments.assign(
                        town_clerk, case,
                        AssignmentInput(
                            leader_id=users["leader"].pk,
                            measures=[MeasureInput("当面稳控", "村综治中心", NOW.date())],
                        ),
                        NOW,
                    )  # fmt: skip
                except ServiceError:
                    continue
                break
    # A 研判 meeting of another town, with an item; the first town's sends each village a notice.
    town_center = town_clerk.memberships.get().unit
    other_center = Unit.objects.filter(kind=UnitKind.CENTER, area__level=Level.TOWN).exclude(
        pk=town_center.pk
    ).order_by("pk").first()  # fmt: skip
    other = meetings.open_meeting(admin, other_center, NOW.date(), MeetingKind.AD_HOC, NOW)
    if not other.items.exists():
        case = Case.objects.filter(area__path__startswith=other_center.area.path).first()
        MeetingItem.objects.create(meeting=other, case=case, reasons=["new"])
    village_centers = [c.memberships.get().unit.pk for c in (clerk, clerk2)]
    meeting = Meeting.objects.filter(center=town_center).first()
    meetings.send_notice(town_clerk, meeting, village_centers, "注意防范", 24, NOW)
    # A dissatisfied party's case on each village center's review list.
    for user, cases in ((clerk, first), (clerk2, second)):
        evaluation = Evaluation.objects.filter(case__in=cases, review=None).first()
        Review.objects.create(
            case=evaluation.case, evaluation=evaluation, unit=user.memberships.get().unit,
            created_at=NOW, due_at=NOW + datetime.timedelta(days=7),
        )  # fmt: skip
    # A photo on a visit of the grid worker's grid and on one of another village's grid.
    grids = [g.pk for g in daily_reports.reporting_grids(users["grid"])]
    for visit in (
        VisitLog.objects.filter(grid__in=grids).first(),
        VisitLog.objects.exclude(
            grid__path__startswith=clerk.memberships.get().unit.area.path
        ).first(),
    ):
        visit.photo.save("走访.png", ContentFile(PNG), save=True)


def fingerprint() -> tuple:
    models = [
        TimelineEvent, Notification, Attachment, Summons, Supervision, Whistle, Session,
        Visit, KeyPersonCase, PreventionNotice, ProgressReport, Assignment, CaseRisk, Case,
    ]  # fmt: skip
    done = [
        MeetingItem.objects.exclude(concluded_at=None),
        NoticeRecipient.objects.exclude(acknowledged_at=None),
        PlanMeasure.objects.exclude(done_at=None),
        Review.objects.exclude(done_at=None),
        DailyReportItem.objects.exclude(case=None),
    ]
    return (
        tuple(m.objects.count() for m in models)
        + tuple(q.count() for q in done)
        + tuple(Case.objects.order_by("pk").values_list("status", "owner_unit_id"))
    )


CLIENTS: dict[str, Client] = {}


def request(client, users, tokens, role, url, method, api):
    """As `role`: one logged-in client per role (a login per request would slow the walk)."""
    if api:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
        if method == "post":
            # A well-formed body, so the answer is about the object, not the input.
            body = {"action": "accept", "note": "x", "main": "x", "reason": "x"}
            return client.post(url, body, content_type="application/json", **auth)
        return client.get(url, **auth)
    if role not in CLIENTS:
        CLIENTS[role] = Client()
        CLIENTS[role].force_login(users[role])
    client = CLIENTS[role]
    return client.post(url, {}) if method == "post" else client.get(url)


def test_every_url_pattern_is_in_the_matrix(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    CLIENTS.clear()
    users, tokens = seed_demo()
    missing = [name for name, _p in patterns() if name not in FILL and name not in NO_OBJECT]
    assert missing == [], "add these patterns to FILL or NO_OBJECT in this test"

    problems, reached = [], set()
    before = fingerprint()
    for name, pattern in patterns():
        if name in NO_OBJECT:
            rule = NO_OBJECT[name]
            if rule == PUBLIC:
                continue
            needs = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
            url = reverse(name, kwargs=PLACEHOLDERS.get(name, {})) if needs else reverse(name)
            api = name.startswith("api:")
            client_response = _anon(url, api)
            if client_response not in ANON_DENIED:
                problems.append((name, "anonymous", url, client_response))
            if rule == ANY:
                continue
            for role in ROLES:
                status = request(_client(), users, tokens, role, url, "get", api).status_code
                if role in rule and status in DENIED:
                    problems.append((name, role, url, status, "should open"))
                if role not in rule and status not in DENIED:
                    problems.append((name, role, url, status, "should be refused"))
            continue
        fill = FILL[name]
        out_seen = False
        for role in ROLES:
            user = users[role]
            inside, outside = fill.split(user)
            client = _client()
            if inside is not None and name not in reached:  # one role reaching it is enough
                url = reverse(name, kwargs=fill.kwargs(inside))
                status = request(client, users, tokens, role, url, "get", fill.api).status_code
                assert status != 500
                if status not in DENIED:
                    reached.add(name)
            if outside is None:
                continue
            out_seen = True
            urls = [reverse(name, kwargs=fill.kwargs(outside))]
            if fill.mixed and inside is not None:
                # Its own case in the path, another case's object in the pk.
                key = fill.mixed_key
                mixed = {**fill.kwargs(inside), key: fill.kwargs(outside)[key]}
                urls.append(reverse(name, kwargs=mixed))
            for i, url in enumerate(urls):
                # 405 (the other method) tells nothing; at least one method must be refused.
                statuses = {
                    method: request(client, users, tokens, role, url, method, fill.api).status_code
                    for method in ("get", "post")
                }
                codes = set(statuses.values())
                if i == 1:
                    # Its own case, another's object: refused, or sent back to the case page
                    # with an error (302); never a page of the object (200).
                    if 200 in codes:
                        problems.append((name, role, "mixed", url, statuses))
                elif not codes <= DENIED | {405} or not codes & DENIED:
                    problems.append((name, role, url, statuses))
        if not out_seen:
            problems.append((name, "no role has an object of it outside its scope in the demo"))
    unreached = sorted(set(FILL) - reached)
    assert problems == [], "\n".join(map(str, problems))
    assert unreached == [], "no role reached these with an object in its scope (fix the fill)"
    assert fingerprint() == before, "a refused request changed something"


def _client():
    return Client()


def _anon(url: str, api: bool) -> int:
    """Anonymous: refused; a POST-only path (a GET is 405) is asked by POST."""
    status = Client().get(url).status_code
    if status == 405:
        kind = "application/json" if api else "application/x-www-form-urlencoded"
        status = Client().post(url, {} if api else "", content_type=kind).status_code
    return status


def test_the_django_admin_is_for_superusers_only(client, django_user_model, county):
    """Every admin page (one per registered model) sends a non-superuser to the admin login."""
    staff = county.users["vclerk"]
    client.force_login(staff)
    for model in admin_site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_party_pages_reveal_nothing_without_the_proved_phone(client, county):
    """The party pages are public by design (no login): without this case's phone proved by
    an SMS code in the session, each sends to the verify page and shows or takes nothing.
    The proof itself is tested in tests/test_portal_tracking.py."""
    case = new_case(county, area=county.villages[0], missing_materials=["房屋产权证明"])
    material = MissingMaterial.objects.get(case=case)
    party = case.parties.first()
    verify = f"/c/{case.code}/party/verify/"
    pages = [f"/c/{case.code}/party/", f"/c/{case.code}/party/agreements/1.pdf"]
    photo = SimpleUploadedFile("证明.png", PNG, content_type="image/png")
    # Nothing proved; then a proved phone that is not on this case.
    for phone in ["", "13700137000"]:
        if phone:
            session = client.session
            session["portal_phone"] = {
                "phone": phone, "until": (clock.now() + datetime.timedelta(hours=1)).isoformat()
            }  # fmt: skip
            session.save()
        for url in pages:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == verify
        response = client.post(f"/c/{case.code}/party/materials/{material.pk}/", {"file": photo})
        assert response.status_code == 302 and response["Location"] == verify
        material.refresh_from_db()
        assert not Attachment.objects.filter(case=case).exists()
        assert material.provided_at is None
        page = client.get(verify).content.decode()
        assert party.name not in page and party.phone not in page

"""seed_demo: an empty database becomes a working demo county; --if-empty leaves data alone."""

import datetime
import io

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from areas.models import Area, Level, Membership, Role, Unit, UnitKind
from areas.services import check_area_code
from cases.models import Case, CasePause, Channel, Party, PartyKind, TimelineEvent
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState
from clocks.policies import policy_for_area
from demo import county
from demo import seed as demo
from demo.petitions import PETITIONS as DEMO_PETITIONS
from docking.models import Referral
from docking.selectors import referrals_visible_to
from followup.models import FollowUpSetting, Rebound, Visit
from jiefen.identity import validate_id_number, validate_phone
from petitions.models import ChannelGuide, Petition, ReceptionDay
from petitions.models import Stage as PetitionStage
from portal.models import (
    DailyReport,
    Evaluation,
    MissedDailyReport,
    Problem,
    Review,
    VisitLog,
)
from repeats.models import Merge
from repeats.proposals import propose_repeats
from routing.models import RoutingRule
from webhooks.models import Subscriber

NOW = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=datetime.UTC)
NAMED = {
    "grid": Role.GRID_WORKER,
    "village_clerk": Role.CLERK,
    "village2_clerk": Role.CLERK,
    "town_clerk": Role.CLERK,
    "county_clerk": Role.CLERK,
    "leader": Role.LEADER,
    "mediator": Role.MEDIATOR,
    "handler": Role.HANDLER,
    "court": Role.COURT_LIAISON,
}


def seed(*args):
    call_command(
        "seed_demo", "--cases", "60", "--seed", "7", "--now", NOW.isoformat(), *args,
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.mark.django_db
def test_seed_demo_builds_the_county():
    seed()
    assert Area.objects.filter(level=Level.COUNTY).count() == 1
    assert Area.objects.filter(level=Level.TOWN).count() >= 3
    assert Area.objects.filter(level=Level.VILLAGE).count() == 10
    assert Area.objects.filter(level=Level.GRID).count() == 30
    for area in Area.objects.all():
        assert check_area_code(area.code, area.level) is None, area.code
        assert area.population > 0
    for area in Area.objects.filter(level__gt=Level.COUNTY):
        assert area.parent.level == area.level - 1
    assert Unit.objects.filter(kind=UnitKind.CENTER).count() == 1 + 4 + 10
    assert Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE).count() == 4 + 10
    assert Unit.objects.filter(kind=UnitKind.PRO_MEDIATION).count() == 6
    for kind in (UnitKind.COURT, UnitKind.TRIBUNAL, UnitKind.PROCURATORATE, UnitKind.POLICE):
        assert Unit.objects.filter(kind=kind).exists()

    grid = Membership.objects.get(user__username="grid")
    assert (
        grid.area
        == Area.objects.filter(level=Level.GRID)
        .order_by("code")
        .filter(parent=grid.unit.area)
        .first()
    )
    for username, role in NAMED.items():
        assert Membership.objects.filter(user__username=username, role=role).exists()
    vc = Membership.objects.get(user__username="village_clerk").unit.area
    v2 = Membership.objects.get(user__username="village2_clerk").unit.area
    assert vc.parent == v2.parent and vc != v2
    assert get_user_model().objects.get(username="admin").is_superuser
    # The county runs Wushan's time limits: a new case gets its escalation clock.
    county = Area.objects.get(level=Level.COUNTY)
    assert policy_for_area(Area.objects.filter(level=Level.GRID).first()).name == "巫山时限制"
    assert county.policy_assignment.policy.name == "巫山时限制"

    cases = Case.objects.all()
    assert cases.count() == 60 + len(DEMO_PETITIONS)  # the petitions at each stage besides
    assert len(set(cases.values_list("status", flat=True))) >= 6
    assert len(set(cases.values_list("channel", flat=True))) >= 4
    assert len(set(cases.values_list("category", flat=True))) >= 6
    # Court and police cases came in through docking, so the 诉调对接 pages show them with
    # their references; and the county's 三事分流 rules propose a unit when a case is routed.
    referred = cases.filter(channel__in=[Channel.COURT, Channel.POLICE])
    assert referred.exists()
    assert Referral.objects.filter(case__in=referred).count() == referred.count()
    clerk = get_user_model().objects.get(username="county_clerk")
    assert referrals_visible_to(clerk).count() == referred.count()
    assert RoutingRule.objects.filter(is_active=True).count() == 7
    assert len(set(cases.values_list("area", flat=True))) >= 15
    assert min(c.created_at for c in cases) < NOW - datetime.timedelta(days=90)
    assert all(c.created_at <= NOW for c in cases)
    assert TimelineEvent.objects.filter(at__gt=NOW).count() == 0
    assert TimelineEvent.objects.exclude(kind="registered").count() > 60
    for p in Party.objects.exclude(id_number=""):
        validate_id_number(p.id_number)
    for p in Party.objects.exclude(phone=""):
        validate_phone(p.phone)
    # The documents print 民族 and 职业: demo persons have them (mostly 汉族), organisations not.
    # (A citizen's own report from a phone asks neither; staff complete them at intake.)
    persons = Party.objects.filter(kind=PartyKind.PERSON).exclude(case__channel="online")
    assert not persons.filter(ethnicity="").exists() and not persons.filter(occupation="").exists()
    assert persons.filter(ethnicity="01").count() > persons.count() // 2
    assert not Party.objects.filter(kind=PartyKind.ORGANISATION).exclude(ethnicity="").exists()
    # Citizens reported some cases themselves, and parties rated closed cases by SMS link.
    online = cases.filter(channel="online")
    assert online.exists() and not online.exclude(reporter=None).exists()
    assert online.filter(timeline__kind="citizen_reported").count() == online.count()
    rated = Evaluation.objects.filter(rated_at__isnull=False)
    assert rated.count() > 20 and rated.filter(satisfaction="unsatisfied").exists()
    assert Review.objects.exists()
    # Grid workers settled some of their cases on the spot (网格息事).
    assert TimelineEvent.objects.filter(kind="settle_at_grid").exists()
    # Two weeks of grid daily reports, some grids missing days.
    assert DailyReport.objects.filter(all_quiet=True).exists()
    assert DailyReport.objects.filter(items__kind="dispute").exists()
    assert MissedDailyReport.objects.exists()
    assert VisitLog.objects.exists() and Problem.objects.filter(status="open").exists()
    # Petitions at every stage of the 信访 procedure, one extended by the leader; the 访诉分离
    # catalogue; a leader reception day held (its outcome on the case) and one coming.
    stages = set(Petition.objects.values_list("stage", flat=True))
    assert stages >= {s.value for s in PetitionStage}
    assert Petition.objects.filter(extended_days__gt=0).exists()
    assert ChannelGuide.objects.count() >= 5
    assert TimelineEvent.objects.filter(kind="reception_held").count() == 1
    assert ReceptionDay.objects.filter(date__gt=NOW.date()).exists()
    # 简单 / 一般 / 疑难: the county's limits are 1 / 7 / 20 days and cases are of every kind;
    # some wait with their clocks paused (a party's material, an appraisal), one pause ended.
    policy = county.policy_assignment.policy
    assert (policy.simple_days, policy.ordinary_days, policy.complex_days) == (1, 7, 20)
    assert set(cases.values_list("complexity", flat=True)) >= {"simple", "ordinary", "complex"}
    pauses = CasePause.objects.all()
    assert pauses.filter(resumed_at__isnull=True).count() >= 2
    assert pauses.filter(resumed_at__isnull=False, working_time__gt=datetime.timedelta(0)).exists()
    assert {p.reason for p in pauses} >= {"materials", "appraisal"}
    paused = pauses.filter(resumed_at__isnull=True).first().case
    assert paused.deadlines.filter(clock="resolve", paused_at__isnull=False).exists()
    # 回访: the county's follow-up setting, a visit due, and one that found a rebound.
    assert FollowUpSetting.objects.filter(area=county).exists()
    due = Deadline.objects.filter(clock=Clock.VISIT, state=DeadlineState.OPEN, due_at__gt=NOW)
    assert due.exists()
    assert Visit.objects.filter(rebound=Rebound.REBOUNDED, case__status=Status.IN_HANDLING)
    assert Visit.objects.filter(visitee_kind="party").count() > 5
    # Repeat reports (并单): a hotline call and a petition merged into their main cases, one
    # more report proposed as a likely repeat on its page.
    merged = Merge.objects.filter(unmerged_at=None)
    assert sorted(merged.values_list("repeat__channel", flat=True)) == ["hotline", "petition"]
    assert all(m.repeat.duplicate_of_id == m.main_id for m in merged)
    last = Case.objects.order_by("-pk").first()  # the seed's last case: the unmerged repeat
    assert last.channel == "window" and last.duplicate_of is None
    assert propose_repeats(clerk, last, NOW)
    # Webhooks: the court's platform with the log of the outcomes pushed to it (paused), and
    # a receiver on this machine for every case event from now on; nothing sent while seeding.
    # (and the 12345 platform's subscriber of the hotline topics, paused: tests/test_hotline.py)
    platform, local, _hotline = Subscriber.objects.order_by("pk")
    assert platform.status == "paused" and platform.topics == ["referral.outcome"]
    log = platform.deliveries.all()
    assert {d.status for d in log} == {"sent", "dead"}
    refs = set(Referral.objects.values_list("external_ref", flat=True))
    assert all(d.body["data"]["external_ref"] in refs for d in log)
    assert local.status == "active" and local.allow_private_network
    assert not local.deliveries.exists()


@pytest.mark.django_db
def test_users_log_in_and_if_empty_changes_nothing():
    seed()
    for username in ["admin", *NAMED]:
        assert Client().login(username=username, password=demo.PASSWORD), username
    counts = (Area.objects.count(), get_user_model().objects.count(), Case.objects.count())
    events = TimelineEvent.objects.count()
    seed("--if-empty")
    assert (Area.objects.count(), get_user_model().objects.count(), Case.objects.count()) == counts
    assert TimelineEvent.objects.count() == events


class _Rollback(Exception):
    pass


def _fingerprint(seed_value: int) -> list:
    try:
        with transaction.atomic():
            demo.seed(cases=25, seed=seed_value, now=NOW)
            result = list(
                Case.objects.order_by("code").values_list("code", "title", "status", "updated_at")
            )
            raise _Rollback
    except _Rollback:
        return result


@pytest.mark.django_db
def test_same_seed_same_data():
    first = _fingerprint(3)
    assert first == _fingerprint(3)
    assert first != _fingerprint(4)


def test_the_kept_password_hash_is_the_demo_password(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # Django's own, not the suite's
    assert county.password_hash() == county.PASSWORD_HASH
    assert check_password(demo.PASSWORD, county.PASSWORD_HASH)


def test_another_hasher_gets_a_fresh_hash():
    # The suite hashes with MD5 (conftest): the kept PBKDF2 hash is not what it would make.
    hashed = county.password_hash()
    assert hashed.startswith("md5$") and check_password(demo.PASSWORD, hashed)

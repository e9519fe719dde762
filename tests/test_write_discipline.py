"""Write discipline in mediation: every service locks the case (and the session, agreement or
confirmation) first, checks against the locked rows, then writes. A double submit, a form
loaded before another transaction closed or moved the case, or two agreements concluded at
once end in a clear error or a correct result, never a second record or a 500."""

import datetime
import importlib
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import translation

from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, CaseCodeSequence
from cases.services import perform_transition
from cases.workflow import Status
from clocks.models import EscalationPolicy, PolicyArea
from jiefen.localtime import LOCAL_TZ
from mediation import services
from mediation.models import (
    Agreement,
    AgreementForm,
    Assignment,
    Confirmation,
    Decision,
    Mediator,
    MediatorKind,
    Session,
    SessionResult,
)
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, build_county, new_case

DAY = datetime.timedelta(days=1)
YEAR = NOW.astimezone(LOCAL_TZ).year
FACTS = "双方对渗水原因各执一词。"
AGREED = dict(
    form=AgreementForm.WRITTEN,
    facts="楼上卫生间防水层破损导致楼下渗水。",
    content="李四于十日内修复防水层并赔偿张三人民币三千元。",
    performance_method="银行转账",
)


def in_handling_at_village(county, now=NOW):
    case = new_case(county, actor_key="vclerk", area=county.villages[0], now=now)
    case = perform_transition(case, "accept", county.users["vclerk"], now)
    case = perform_transition(
        case, "route", county.users["vclerk"], now, unit_id=county.units["committee"].pk
    )
    return perform_transition(case, "start", county.users["mediator"], now)


def scheduled(county, case, now=NOW):
    return services.schedule_session(
        case, county.users["mediator"], now, starts_at=now, place="村调解室"
    )


def as_loaded_by_a_form(session):
    """The session as a request loads it (the view reads it through its case)."""
    case = Case.objects.get(pk=session.case_id)
    return case.mediation_sessions.get(pk=session.pk)


def record(session, actor, now, result=SessionResult.CONTINUE, note="", agreement=None):
    return services.record_session(
        session,
        actor,
        now,
        services.SessionRecord(result=result, facts=FACTS, note=note),
        services.AgreementInput(**agreement) if agreement else None,
    )


def conclude(county, now=NOW):
    """A case of the committee settled by a written agreement; returns the agreement."""
    case = in_handling_at_village(county, now)
    session = record(
        scheduled(county, case, now),
        county.users["mediator"],
        now,
        SessionResult.AGREEMENT,
        agreement=AGREED,
    )
    return Agreement.objects.get(session=session)


# ---------------------------------------------------------------- double submits


def test_a_double_submitted_session_record_writes_once(county):
    case = in_handling_at_village(county)
    session = scheduled(county, case)
    first, second = as_loaded_by_a_form(session), as_loaded_by_a_form(session)
    m = county.users["mediator"]

    record(first, m, NOW + DAY, SessionResult.FAILED, note="第一次调解未果。")
    with pytest.raises(InvalidInput) as refused, translation.override("zh-hans"):
        record(second, m, NOW + DAY, SessionResult.FAILED, note="第一次调解未果。")

    assert refused.value.message == "本次调解已记录。"
    assert case.timeline.filter(kind="session_recorded").count() == 1
    # The failed attempt is counted once toward the 321 escalation.
    assert case.timeline.filter(kind="attempt_failed").count() == 1
    session.refresh_from_db()
    assert (session.held_at, session.result) == (NOW + DAY, SessionResult.FAILED)


def test_the_second_post_of_a_record_form_comes_back_with_the_error(county, client):
    case = in_handling_at_village(county)
    session = scheduled(county, case)
    client.login(username="mediator", password=PASSWORD)
    url = f"/mediation/cases/{case.code}/sessions/{session.pk}/record/"
    prefix = f"record-{session.pk}"
    form = {f"{prefix}-result": "continue", f"{prefix}-facts": FACTS}

    assert client.post(url, form).status_code == 302
    again = client.post(url, form)

    assert again.status_code == 422
    assert "本次调解已记录。" in again.content.decode()
    assert case.timeline.filter(kind="session_recorded").count() == 1


def test_a_double_submitted_agreement_makes_one_agreement(county):
    case = in_handling_at_village(county)
    session = scheduled(county, case)
    first, second = as_loaded_by_a_form(session), as_loaded_by_a_form(session)
    m = county.users["mediator"]

    record(first, m, NOW, SessionResult.AGREEMENT, agreement=AGREED)
    with pytest.raises(InvalidInput):
        record(second, m, NOW, SessionResult.AGREEMENT, agreement=AGREED)

    assert Agreement.objects.filter(case=case).count() == 1
    assert case.timeline.filter(kind="resolve").count() == 1


def test_a_double_filed_confirmation_is_filed_and_announced_once(county):
    agreement = conclude(county)
    m = county.users["mediator"]
    services.prepare_confirmation(agreement, m, NOW)
    first = Confirmation.objects.get(agreement=agreement)
    second = Confirmation.objects.get(agreement=agreement)

    services.file_confirmation(first, m, NOW + DAY)
    with pytest.raises(InvalidInput):
        services.file_confirmation(second, m, NOW + 2 * DAY)

    assert Confirmation.objects.get(pk=first.pk).filed_at == NOW + DAY
    assert agreement.case.timeline.filter(kind="confirmation_filed").count() == 1


def test_the_court_decides_once(county):
    agreement = conclude(county)
    m, liaison = county.users["mediator"], county.users["liaison"]
    services.prepare_confirmation(agreement, m, NOW)
    services.file_confirmation(Confirmation.objects.get(agreement=agreement), m, NOW)
    first = Confirmation.objects.get(agreement=agreement)
    second = Confirmation.objects.get(agreement=agreement)

    services.record_court_decision(first, liaison, NOW + DAY, Decision.CONFIRMED)
    with pytest.raises(InvalidInput) as refused, translation.override("zh-hans"):
        services.record_court_decision(second, liaison, NOW + DAY, Decision.REJECTED, "违法")

    assert refused.value.message == "法院裁定已经记录。"
    assert Confirmation.objects.get(pk=first.pk).decision == Decision.CONFIRMED
    assert agreement.case.timeline.filter(kind="court_decision").count() == 1


# ---------------------------------------------------------------- checks on the locked rows


def test_a_session_cannot_be_recorded_on_a_case_closed_meanwhile(county):
    case = in_handling_at_village(county)
    session = as_loaded_by_a_form(scheduled(county, case))
    # Another request ends the mediation after this form was loaded.
    services.end_without_agreement(
        Case.objects.get(pk=case.pk), county.users["mediator"], NOW, "申请人不再要求调解。"
    )

    with pytest.raises(InvalidInput):
        record(session, county.users["mediator"], NOW + DAY)

    assert Session.objects.get(pk=session.pk).held_at is None
    assert not case.timeline.filter(kind="session_recorded").exists()


def test_no_session_or_mediator_is_added_to_a_case_closed_meanwhile(county):
    case = in_handling_at_village(county)  # as the mediation page loaded it
    services.end_without_agreement(
        Case.objects.get(pk=case.pk), county.users["mediator"], NOW, "双方和解，撤回申请。"
    )
    m = county.users["mediator"]
    lead = Mediator.objects.create(name="王调解", kind=MediatorKind.PEOPLE, user=m)

    with pytest.raises(InvalidInput):
        services.schedule_session(case, m, NOW + DAY, starts_at=NOW + DAY, place="村调解室")
    with pytest.raises(InvalidInput):
        services.assign_mediators(case, county.users["vclerk"], NOW + DAY, [lead.pk])

    assert not Session.objects.filter(case=case).exists()
    assert not Assignment.objects.filter(case=case).exists()


def test_a_case_escalated_meanwhile_is_no_longer_the_village_mediators(county):
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="柳州321工作法"), area=county.county
    )
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    for i in range(1, 4):
        record(
            scheduled(county, case, NOW + i * DAY), m, NOW + i * DAY, SessionResult.FAILED, "未果"
        )
    stale = as_loaded_by_a_form(scheduled(county, case, NOW + 3 * DAY))
    # Three attempts at the village: the sweep hands the case to the town's center.
    assert sweep(NOW + 3 * DAY + datetime.timedelta(minutes=1)).escalated == 1

    with pytest.raises(NotAllowed):
        record(stale, m, NOW + 4 * DAY)

    assert Session.objects.get(pk=stale.pk).held_at is None
    assert case.timeline.filter(kind="session_recorded").count() == 3


# ---------------------------------------------------------------- agreement numbers


def test_agreement_numbers_run_per_committee_and_year_and_are_never_reused(county):
    first, second = conclude(county), conclude(county)
    assert (first.number, second.number) == (f"（{YEAR}）人调字第1号", f"（{YEAR}）人调字第2号")
    assert first.unit == second.unit == county.units["committee"]

    # A number printed on a document is never issued again, even when its agreement is gone.
    Agreement.objects.filter(pk=second.pk).delete()
    assert conclude(county).number == f"（{YEAR}）人调字第3号"

    # Another year starts again at 1.
    next_year = datetime.datetime(YEAR + 1, 1, 5, 2, 0, tzinfo=datetime.UTC)
    assert conclude(county, now=next_year).number == f"（{YEAR + 1}）人调字第1号"
    # Another handling unit keeps its own register.
    case = new_case(county, actor_key="tclerk", area=county.towns[0], now=NOW)
    tclerk = county.users["tclerk"]
    case = perform_transition(case, "accept", tclerk, NOW)
    case = perform_transition(
        case,
        "route",
        tclerk,
        NOW,
        unit_id=county.center(county.towns[0]).pk,
        override_reason="镇综治中心直接调解",
    )
    case = perform_transition(case, "start", tclerk, NOW)
    session = services.schedule_session(case, tclerk, NOW, starts_at=NOW, place="镇调解室")
    record(session, tclerk, NOW, SessionResult.AGREEMENT, agreement=AGREED)
    town_agreement = Agreement.objects.get(case=case)
    assert (town_agreement.unit, town_agreement.number) == (
        county.center(county.towns[0]),
        f"（{YEAR}）人调字第1号",
    )


def test_the_migration_continues_the_numbers_already_issued(county):
    agreement = conclude(county)
    # A register numbered before the counters existed: its last number is 7.
    Agreement.objects.filter(pk=agreement.pk).update(sequence=7)
    CaseCodeSequence.objects.filter(prefix__startswith="agreement:").delete()

    migration = importlib.import_module("mediation.migrations.0002_agreement_number_counters")
    migration.seed_counters(django_apps, None)

    assert conclude(county).number == f"（{YEAR}）人调字第8号"


# ---------------------------------------------------------------- at the same time


@pytest.mark.threaded
@pytest.mark.django_db(transaction=True)
def test_two_agreements_concluded_at_once_get_distinct_numbers(monkeypatch):
    county = build_county()
    sessions = [scheduled(county, in_handling_at_village(county)) for _ in range(2)]
    resolve = services.perform_transition

    def slow_resolve(*args, **kwargs):
        # Hold the transaction open after the number is drawn, so the other thread draws
        # its number while this one has not committed yet.
        time.sleep(0.5)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(services, "perform_transition", slow_resolve)
    barrier = threading.Barrier(2)
    errors = []

    def conclude_one(session):
        try:
            barrier.wait()
            record(
                session, county.users["mediator"], NOW, SessionResult.AGREEMENT, agreement=AGREED
            )
        except Exception as e:  # surfaced below; a thread's exception would be lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=conclude_one, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    numbers = sorted(Agreement.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2]
    assert Case.objects.filter(status=Status.RESOLVED).count() == 2

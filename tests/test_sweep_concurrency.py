"""Two sweeps at the same instant over the same due items process each item once: no
duplicate event, escalation, notice or message (run on PostgreSQL by `make test-postgres`)."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from cases.models import Case, TimelineEvent
from cases.services import perform_transition
from cases.workflow import Status
from clocks.models import EscalationPolicy, PolicyArea
from notifications.models import Delivery, Kind, Notification
from notifications.senders import MemorySender
from routing.sweep import sweep
from tests.factories import NOW, build_county, new_case

pytestmark = pytest.mark.threaded


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_do_not_duplicate():
    county = build_county()
    cases = [new_case(county) for _ in range(30)]
    at = NOW + datetime.timedelta(days=2)
    results, errors = _run_twice(lambda: sweep(at))
    assert errors == []
    assert sum(r.overdue for r in results) == len(cases)
    assert TimelineEvent.objects.filter(kind="deadline_missed").count() == len(cases)


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_escalate_and_notify_once(settings):
    settings.NOTIFY_SENDERS = ["notifications.senders.MemorySender"]
    MemorySender.sent.clear()
    county = build_county()
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="巫山时限制"), area=county.county
    )
    grid_cases = [new_case(county, actor_key="grid") for _ in range(15)]
    # After 4 days each grid case's 3 days are up (escalate to the village) and the village
    # center's 24 hours to accept it have passed (overdue).
    results, errors = _run_twice(lambda: sweep(NOW + datetime.timedelta(days=4)))
    assert errors == []
    assert sum(r.escalated for r in results) == len(grid_cases)
    assert sum(r.overdue for r in results) == len(grid_cases)
    assert TimelineEvent.objects.filter(kind="escalated").count() == len(grid_cases)
    # Each escalation and each overdue clock is told to the village clerk and the grid
    # worker, once; each message is sent once.
    for kind in (Kind.ESCALATED, Kind.OVERDUE):
        for username in ("vclerk", "grid"):
            notices = Notification.objects.filter(kind=kind, recipient__username=username)
            assert notices.count() == len(grid_cases), (kind, username)
    assert len(MemorySender.sent) == Notification.objects.count() == 4 * len(grid_cases)
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def _run_twice(work):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as e:  # surfaced by the caller; a thread's exception would be lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_a_sweep_and_a_users_action_on_one_case_queue_instead_of_deadlocking():
    """The user's action locks the case, then closes its clocks; the sweep locks the same
    case before it claims the clock that is due, so on PostgreSQL neither waits for the
    other in a circle (a deadlock would fail one of them)."""
    county = build_county()
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="巫山时限制"), area=county.county
    )
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    case = new_case(county)
    case = perform_transition(case, "accept", clerk, NOW)
    case = perform_transition(case, "route", clerk, NOW, unit_id=county.units["committee"].pk)
    case = perform_transition(case, "start", mediator, NOW)
    at = NOW + datetime.timedelta(days=2)  # the village's 24 hours are up
    holding = threading.Barrier(2)
    errors = []

    def resolve():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)  # the service's own lock
                holding.wait()
                time.sleep(0.5)  # the sweep starts meanwhile
                perform_transition(case, "resolve", mediator, at, note="双方和解")
        except Exception as e:
            errors.append(e)
        finally:
            connection.close()

    def sweep_now():
        try:
            holding.wait()
            sweep(at)
        except Exception as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve), threading.Thread(target=sweep_now)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    case.refresh_from_db()
    # The user came first: the case is resolved, and its level's clock closed with it.
    assert case.status == Status.RESOLVED
    assert not case.timeline.filter(kind="escalated").exists()

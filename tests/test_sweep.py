"""The sweep marks each passed deadline once, whatever how often or how it runs."""

import datetime

from django.core.management import call_command

from cases.models import TimelineEvent
from cases.selectors import work_queue
from cases.services import perform_transition
from clocks.models import Clock, Deadline
from routing.sweep import sweep
from tests.factories import NOW, local_day, new_case


def test_an_unaccepted_case_becomes_overdue_after_a_day_exactly_once(county):
    case = new_case(county)
    assert sweep(NOW + datetime.timedelta(hours=23)).overdue == 0
    assert sweep(NOW + datetime.timedelta(hours=24, minutes=1)).overdue == 1
    assert sweep(NOW + datetime.timedelta(hours=30)).overdue == 0
    d = Deadline.objects.get(case=case, clock=Clock.ACCEPT)
    assert d.overdue_at == NOW + datetime.timedelta(hours=24, minutes=1)
    events = TimelineEvent.objects.filter(case=case, kind="deadline_missed")
    assert events.count() == 1
    assert events[0].data["clock"] == "accept"


def test_a_case_accepted_in_time_is_not_swept(county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW + datetime.timedelta(hours=2))
    assert sweep(NOW + datetime.timedelta(days=2)).overdue == 0


def test_overdue_cases_come_first_in_the_queue(county):
    old = new_case(county)
    fresh = new_case(county, now=NOW + datetime.timedelta(days=3))
    later = NOW + datetime.timedelta(days=3, hours=1)
    queue = list(work_queue(county.users["vclerk"], "mine", later))
    assert queue == [old, fresh]
    assert queue[0].is_overdue and not queue[1].is_overdue


def test_sweep_command_takes_a_time(county, capsys):
    new_case(county)
    call_command("sweep", "--now", f"{local_day(1)}T18:00:00+08:00")
    assert "overdue=1" in capsys.readouterr().out


def test_no_cap_on_items_per_run(county):
    from routing import sweep as sweep_module

    for _ in range(7):
        new_case(county)
    old_batch, sweep_module.BATCH = sweep_module.BATCH, 3
    try:
        assert sweep(NOW + datetime.timedelta(days=2)).overdue == 7
    finally:
        sweep_module.BATCH = old_batch

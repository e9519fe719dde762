"""Two sweeps at the same instant over the same due items process each item once."""

import datetime
import threading

import pytest
from django.db import connection

from cases.models import TimelineEvent
from routing.sweep import sweep
from tests.factories import NOW, build_county, new_case


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_do_not_duplicate():
    county = build_county()
    cases = [new_case(county) for _ in range(30)]
    at = NOW + datetime.timedelta(days=2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sweep(at).overdue)
        except Exception as e:  # surfaced below; a thread's exception would be lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == len(cases)
    assert TimelineEvent.objects.filter(kind="deadline_missed").count() == len(cases)

"""Two code requests for one phone at the same instant: the phone's row is locked while a
code is sent, so only one passes the one-a-minute check and one SMS goes out."""

import threading

import pytest
from django.db import connection

from jiefen.errors import ServiceError
from notifications.models import Delivery
from portal import codes
from portal.models import PhoneCode
from tests.factories import NOW

pytestmark = [pytest.mark.threaded, pytest.mark.django_db(transaction=True)]


def test_two_code_requests_at_once_send_one_code():
    barrier = threading.Barrier(2)
    sent, refused, errors = [], [], []

    def ask():
        try:
            barrier.wait()
            sent.append(codes.send_code("13900139000", "report", "10.0.0.1", NOW))
        except ServiceError as e:
            refused.append(e)
        except Exception as e:  # surfaced below; a thread's exception would be lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sent) == 1 and len(refused) == 1
    assert refused[0].status == 429 and "一分钟" in refused[0].message
    assert PhoneCode.objects.count() == 1
    assert Delivery.objects.filter(key__startswith="code:").count() == 1

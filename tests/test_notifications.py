"""Reminders before a deadline, overdue notices after it, escalation notices, and their
delivery through the configured senders: each exactly once."""

import datetime

import pytest
from django.urls import reverse

from areas.models import Role
from clocks.models import Clock, Deadline, EscalationPolicy, PolicyArea
from notifications.models import Contact, Delivery, Kind, Notification
from notifications.senders import MemorySender
from notifications.services import deliver_pending
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, new_case, user


@pytest.fixture
def outbox(settings):
    settings.NOTIFY_SENDERS = ["notifications.senders.MemorySender"]
    MemorySender.sent.clear()
    return MemorySender.sent


def notices(username, kind):
    return Notification.objects.filter(recipient__username=username, kind=kind)


def test_reminder_at_80_percent_then_overdue_notice_to_unit_and_leader(county, outbox):
    village_center = county.center(county.villages[0])
    village_leader = user("vleader", village_center, Role.LEADER)
    case = new_case(county)  # accept within 24 h, reminder after 19 h 12 min
    assert sweep(NOW + datetime.timedelta(hours=19)).reminded == 0
    assert sweep(NOW + datetime.timedelta(hours=19, minutes=13)).reminded == 1
    assert sweep(NOW + datetime.timedelta(hours=20)).reminded == 0
    reminder = notices("vclerk", Kind.REMINDER).get()
    assert reminder.case == case and "受理" in reminder.title
    assert not notices("vleader", Kind.OVERDUE).exists()

    sweep(NOW + datetime.timedelta(hours=25))
    sweep(NOW + datetime.timedelta(hours=26))
    assert notices("vclerk", Kind.OVERDUE).count() == 1
    assert notices("vleader", Kind.OVERDUE).count() == 1  # the unit's leader is told too
    assert not notices("tclerk", Kind.OVERDUE).exists()
    assert village_leader.notifications.get().key.endswith(":overdue")
    # Each notice went out once, to each recipient.
    addresses = sorted(m.address for m in outbox)
    assert addresses == sorted(["vclerk", "vclerk", "vleader"])


def test_a_deadline_already_due_gets_no_reminder_only_the_overdue_notice(county, outbox):
    new_case(county)
    result = sweep(NOW + datetime.timedelta(days=2))
    assert (result.reminded, result.overdue) == (0, 1)
    assert not Notification.objects.filter(kind=Kind.REMINDER).exists()


def test_escalation_tells_the_upper_center_and_the_unit_that_lost_the_case(county, outbox):
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="巫山时限制"), area=county.county
    )
    new_case(county, actor_key="grid")
    sweep(NOW + datetime.timedelta(days=4))
    # Grid → village: the village center is told it has the case, the grid worker that
    # it left the grid.
    assert notices("vclerk", Kind.ESCALATED).count() == 1
    assert notices("grid", Kind.ESCALATED).count() == 1
    # The village then had 24 hours and missed them too: the town is told, the village as well.
    sweep(NOW + datetime.timedelta(days=6))
    sweep(NOW + datetime.timedelta(days=7))
    assert notices("tclerk", Kind.ESCALATED).count() == 1
    assert notices("vclerk", Kind.ESCALATED).count() == 2
    assert "镇1综治中心" in notices("vclerk", Kind.ESCALATED).first().title


def test_sms_gateway_receives_the_phone_and_a_failed_send_is_retried(county, settings, outbox):
    settings.NOTIFY_SENDERS = ["tests.test_notifications.FlakySms"]
    FlakySms.calls.clear()
    Contact.objects.create(user=county.users["vclerk"], phone="13700137000")
    new_case(county)
    sweep(NOW + datetime.timedelta(days=2))  # the gateway fails the first time
    delivery = Delivery.objects.get(address="13700137000")
    assert delivery.sent_at is None and delivery.attempts == 1
    assert "gateway down" in delivery.last_error
    assert deliver_pending(NOW + datetime.timedelta(days=2, minutes=1)) == 1
    assert deliver_pending(NOW + datetime.timedelta(days=2, minutes=2)) == 0
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert [c for c in FlakySms.calls if c == "13700137000"] == ["13700137000"] * 2


class FlakySms(MemorySender):
    """An SMS gateway that is down for the first call."""

    channel = "sms"
    calls: list[str] = []

    def address_for_user(self, user):
        contact = getattr(user, "contact", None)
        return contact.phone if contact else None

    def send(self, message):
        FlakySms.calls.append(message.address)
        if len(FlakySms.calls) == 1:
            raise OSError("gateway down")


def test_the_bell_counts_unread_and_opening_a_notice_marks_it_read(county, client, outbox):
    case = new_case(county)
    sweep(NOW + datetime.timedelta(days=2))
    client.login(username="vclerk", password=PASSWORD)
    page = client.get(reverse("cases:queue")).content.decode()
    assert 'id="unread-count">1<' in page
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert case.title in inbox
    notice = Notification.objects.get(recipient__username="vclerk")
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.url == reverse("cases:detail", args=[case.code])
    assert 'id="unread-count"' not in client.get(reverse("notifications:bell")).content.decode()
    # Another user cannot open someone else's notice.
    client.login(username="tclerk", password=PASSWORD)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404


def test_the_deadline_row_is_warned_once(county, outbox):
    case = new_case(county)
    sweep(NOW + datetime.timedelta(hours=20))
    d = Deadline.objects.get(case=case, clock=Clock.ACCEPT)
    assert d.warned_at == NOW + datetime.timedelta(hours=20)

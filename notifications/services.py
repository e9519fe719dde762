"""Telling people: write in-app notices and queue their deliveries; send after commit.

Everything here is idempotent by `key`: the same notice to the same person is written
once, however often (or in however many processes) the caller runs.
"""

import datetime
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from areas.models import Membership, Role, Unit
from areas.selectors import center_for_area
from cases.models import Case
from jiefen import clock

from .models import Delivery, Notification
from .senders import Message, active_senders

log = logging.getLogger("jiefen.notifications")
MAX_ATTEMPTS = 5


_batch: ContextVar[dict | None] = ContextVar("notification_batch", default=None)


@contextmanager
def batch():
    """For bulk work (the sweep): staff are looked up once per unit, and deliveries wait for
    the caller's deliver_pending instead of a send after each commit."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def _memo(key, compute):
    cache = _batch.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def unit_staff(unit: Unit, roles: Iterable[str] | None = None) -> list:
    """Active users of the unit (with one of these roles)."""
    roles = None if roles is None else frozenset(roles)

    def compute():
        memberships = Membership.objects.filter(unit=unit, user__is_active=True)
        if roles is not None:
            memberships = memberships.filter(role__in=list(roles))
        users = get_user_model().objects.filter(pk__in=memberships.values("user_id"))
        return list(users.select_related("contact"))

    return _memo(("staff", unit.pk, roles), compute)


def unit_leaders(unit: Unit) -> list:
    """The unit's own leaders; a unit without one answers to the leaders of its area's center."""

    def compute():
        leaders = unit_staff(unit, [Role.LEADER])
        if leaders:
            return leaders
        center = center_for_area(unit.area)
        if center is None or center.pk == unit.pk:
            return []
        return unit_staff(center, [Role.LEADER])

    return _memo(("leaders", unit.pk), compute)


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.code])


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    key: str,
    now: datetime.datetime,
    body: str = "",
    case: Case | None = None,
    url: str = "",
) -> int:
    """Write the notice for each recipient once (by key) and queue its deliveries.

    Returns how many notices are new. Call inside the transaction of the change that
    causes the notice; deliveries go out after it commits.
    """
    users = {u.pk: u for u in recipients}
    if not users:
        return 0
    if not url and case is not None:
        url = case_url(case)
    existing = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(
            recipient=user,
            kind=kind,
            case=case,
            title=title,
            body=body,
            url=url,
            key=key,
            created_at=now,
        )
        for pk, user in users.items()
        if pk not in existing
    ]
    # ignore_conflicts: a concurrent writer of the same key wins quietly.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    written = Notification.objects.filter(
        recipient_id__in=[n.recipient_id for n in fresh], key=key
    ).select_related("recipient__contact")
    deliveries = []
    for notice in written:
        for sender in active_senders():
            address = sender.address_for_user(notice.recipient)
            if address:
                deliveries.append(
                    Delivery(
                        notification=notice,
                        case=case,
                        channel=sender.channel,
                        address=address,
                        subject=title,
                        text=body,
                        key=f"{key}:{notice.recipient_id}:{sender.channel}",
                        created_at=now,
                    )
                )
    _queue(deliveries)
    return len(fresh)


def notify_phone(
    phone: str, *, title: str, body: str, key: str, now: datetime.datetime, case=None
) -> int:
    """A message to someone without an account (a party), through the senders that reach
    phones. Returns the number of deliveries queued."""
    deliveries = [
        Delivery(
            case=case,
            channel=s.channel,
            address=address,
            subject=title,
            text=body,
            key=f"{key}:{s.channel}",
            created_at=now,
        )
        for s in active_senders()
        if (address := s.address_for_phone(phone))
    ]
    return _queue(deliveries)


def _queue(deliveries: list[Delivery]) -> int:
    if not deliveries:
        return 0
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if _batch.get() is None:
        keys = [d.key for d in deliveries]
        transaction.on_commit(lambda: deliver_pending(clock.now(), keys=keys))
    return len(deliveries)


def deliver_pending(now: datetime.datetime, keys: list[str] | None = None) -> int:
    """Send queued deliveries (these keys, or all pending ones), each tried once per call;
    each is claimed first so that two workers never send the same message. A failure is
    kept on the row and retried by a later call."""
    senders = {s.channel: s for s in active_senders()}
    pending = Delivery.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if keys is not None:
        pending = pending.filter(key__in=keys)
    # Claims are real-world events: a claim older than 10 minutes of wall-clock time crashed
    # before sending (a sweep's logical `now` may lie in the future, e.g. `sweep --now`).
    claimed_at = clock.now()
    stale = claimed_at - datetime.timedelta(minutes=10)
    sent, last = 0, 0
    while chunk := list(pending.filter(pk__gt=last).order_by("pk")[:500]):
        last = chunk[-1].pk
        for d in chunk:
            claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
            if not Delivery.objects.filter(claimable, pk=d.pk, sent_at__isnull=True).update(
                claimed_at=claimed_at
            ):
                continue
            sent += _send(d, senders.get(d.channel), now)
    return sent


def _send(d: Delivery, sender, now: datetime.datetime) -> int:
    try:
        if sender is None:
            raise LookupError(f"no sender for channel {d.channel!r} is configured")
        sender.send(Message(d.address, d.subject, d.text))
    except Exception as exc:  # a sender's failure must not stop the others
        log.warning("delivery %s over %s failed: %s", d.pk, d.channel, exc)
        Delivery.objects.filter(pk=d.pk).update(
            claimed_at=None, attempts=d.attempts + 1, last_error=str(exc)[:500]
        )
        return 0
    Delivery.objects.filter(pk=d.pk).update(sent_at=now, attempts=d.attempts + 1)
    return 1


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, pks: Iterable[int] | None, now: datetime.datetime) -> int:
    """Mark these notices (or all) of the user as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.update(read_at=now)

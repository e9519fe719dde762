"""Telling people: write in-app notices and queue their deliveries; send after commit.

Everything here is idempotent by `key`: the same notice to the same person is written
once, however often (or in however many processes) the caller runs.
"""

import datetime
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
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


def memo(key, compute):
    """Inside batch(): compute once per key (e.g. who belongs to a unit); outside: compute."""
    return _memo(key, compute)


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


@dataclass
class Notice:
    """One notice to some recipients; notify_many writes many of them together."""

    recipients: Iterable
    kind: str
    title: str
    key: str
    body: str = ""
    case: Case | None = None
    url: str = ""


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
    return len(_write([Notice(recipients, kind, title, key, body, case, url)], now))


def notify_many(notices: Iterable[Notice], now: datetime.datetime) -> set[str]:
    """notify for many notices with a handful of queries in all (the sweep's batches): one
    read of what exists, one INSERT of the notices, one read of them back, one INSERT of
    their deliveries. Returns the keys of the notices someone newly got."""
    return {key for _, key in _write(notices, now)}


def _write(notices: Iterable[Notice], now: datetime.datetime) -> dict:
    wanted: dict[tuple[int, str], tuple] = {}
    for n in notices:
        url = n.url or (case_url(n.case) if n.case is not None else "")
        for user in n.recipients:
            wanted.setdefault((user.pk, n.key), (user, n, url))
    if not wanted:
        return {}
    user_ids = {pk for pk, _ in wanted}
    keys = {key for _, key in wanted}
    existing = set(
        Notification.objects.filter(recipient_id__in=user_ids, key__in=keys).values_list(
            "recipient_id", "key"
        )
    )
    fresh = {pair: v for pair, v in wanted.items() if pair not in existing}
    # ignore_conflicts: a concurrent writer of the same key wins quietly.
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=n.kind,
                case=n.case,
                title=n.title,
                body=n.body,
                url=url,
                key=n.key,
                created_at=now,
            )
            for user, n, url in fresh.values()
        ],
        ignore_conflicts=True,
    )
    if not fresh:
        return fresh
    written = Notification.objects.filter(
        recipient_id__in={pk for pk, _ in fresh}, key__in={key for _, key in fresh}
    ).select_related("recipient__contact")
    deliveries = []
    senders = active_senders()
    for notice in written:
        if (notice.recipient_id, notice.key) not in fresh:
            continue
        _user, n, _url = fresh[notice.recipient_id, notice.key]
        for sender in senders:
            address = sender.address_for_user(notice.recipient)
            if address:
                deliveries.append(
                    Delivery(
                        notification=notice,
                        case=n.case,
                        channel=sender.channel,
                        address=address,
                        subject=n.title,
                        text=n.body,
                        key=f"{n.key}:{notice.recipient_id}:{sender.channel}",
                        created_at=now,
                    )
                )
    _queue(deliveries)
    return fresh


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
        # robust: a broker that is down must not turn a committed change into an error page;
        # the deliveries stay pending and the next sweep sends them.
        transaction.on_commit(lambda: send_later(keys), robust=True)
    return len(deliveries)


def send_later(keys: list[str] | None = None, now: datetime.datetime | None = None) -> int:
    """After a commit: send these deliveries (all pending ones: None). With a Celery broker
    (CELERY_BROKER_URL) a worker sends them, with retries and backoff
    (notifications.tasks), and this answers 0; without one they are sent here and now, as
    before, and this answers how many went out. Either way `deliver` does the sending."""
    if settings.CELERY_BROKER_URL:
        from .tasks import send_deliveries  # celery is imported only when configured

        send_deliveries.delay(keys)
        return 0
    return deliver_pending(now or clock.now(), keys=keys)


CLAIM_CHUNK = 500


def _claim(ids: list[int], claimed_at: datetime.datetime) -> list[int]:
    """Claim these deliveries in one statement; answer the ones this caller got. A row
    another worker claimed (and did not leave stale) or sent is not returned: each message
    goes out once however many workers run (PostgreSQL re-checks the condition of a row
    another UPDATE changed; SQLite writes one statement at a time)."""
    stale = claimed_at - datetime.timedelta(minutes=10)
    table = Delivery._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_at = %s WHERE id IN ({marks}) AND sent_at IS NULL "
            "AND (claimed_at IS NULL OR claimed_at < %s) RETURNING id",
            [
                connection.ops.adapt_datetimefield_value(claimed_at),
                *ids,
                connection.ops.adapt_datetimefield_value(stale),
            ],
        )
        return sorted(row[0] for row in cursor.fetchall())


def deliver_pending(
    now: datetime.datetime, keys: list[str] | None = None, ids: list[int] | None = None
) -> int:
    """Send queued deliveries (these keys or ids, or all pending ones), each tried once per
    call; each chunk is claimed first (one UPDATE … RETURNING) so that two workers never
    send the same message. A failure is kept on the row and retried by a later call."""
    return deliver(now, keys=keys, ids=ids).sent


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: list[int] = field(default_factory=list)  # ids that failed and may be retried


def deliver(
    now: datetime.datetime, keys: list[str] | None = None, ids: list[int] | None = None
) -> DeliveryRun:
    senders = {s.channel: s for s in active_senders()}
    pending = Delivery.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if keys is not None:
        pending = pending.filter(key__in=keys)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    # Claims are real-world events: a claim older than 10 minutes of wall-clock time crashed
    # before sending (a sweep's logical `now` may lie in the future, e.g. `sweep --now`).
    claimed_at = clock.now()
    run, last = DeliveryRun(), 0
    with _marks_without_waiting_for_disk():
        while chunk := list(
            pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CLAIM_CHUNK]
        ):
            last = chunk[-1]
            mine = _claim(chunk, claimed_at)
            for d in Delivery.objects.filter(pk__in=mine).order_by("pk"):
                if _send(d, senders.get(d.channel), now):
                    run.sent += 1
                elif d.attempts + 1 < MAX_ATTEMPTS:
                    run.failed.append(d.pk)
    return run


@contextmanager
def _marks_without_waiting_for_disk():
    """Each message is marked sent in its own commit, right after it went out. On PostgreSQL
    such a commit need not wait for the disk (synchronous_commit off, this session only,
    while sending): only a crash of the database server itself could lose the last marks
    of a fraction of a second (those messages would go out again after their claims went
    stale), and a thousand messages no longer cost a thousand disk syncs."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send(d: Delivery, sender, now: datetime.datetime) -> bool:
    try:
        if sender is None:
            raise LookupError(f"no sender for channel {d.channel!r} is configured")
        sender.send(Message(d.address, d.subject, d.text))
    except Exception as exc:  # a sender's failure must not stop the others
        log.warning("delivery %s over %s failed: %s", d.pk, d.channel, exc)
        Delivery.objects.filter(pk=d.pk).update(
            claimed_at=None, attempts=d.attempts + 1, last_error=str(exc)[:500]
        )
        return False
    # Marked at once, message by message: a crash between a send and its mark is the only
    # way a message could go out twice (after its claim goes stale).
    Delivery.objects.filter(pk=d.pk).update(sent_at=now, attempts=d.attempts + 1)
    return True


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, pks: Iterable[int] | None, now: datetime.datetime) -> int:
    """Mark these notices (or all) of the user as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.update(read_at=now)

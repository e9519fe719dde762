"""Publishing events to subscribers and delivering them.

publish() writes one outbox row per subscriber, in the transaction of the change it reports;
deliver_due() sends what is due, in the background (the in-process scheduler of
`manage.py serve`, or a Celery worker when CELERY_BROKER_URL is set: the same function).
"""

import datetime
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from areas.models import Area, Unit
from areas.selectors import is_administrator
from cases.errors import NotAllowed
from cases.models import CaseUnit
from jiefen import clock
from jiefen.errors import IllegalTransition, InvalidInput
from notifications.models import Kind
from notifications.services import notify

from . import transport
from .models import OPEN, DeliveryStatus, Subscriber, SubscriberStatus, WebhookDelivery
from .registry import topics
from .safety import check_url

log = logging.getLogger("jiefen.webhooks")

# After the n-th failed attempt the next waits BACKOFF[n-1]; after the last, the delivery is
# given up (it can still be resent from its subscriber's log).
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_STALE = datetime.timedelta(minutes=10)
CHUNK = 100

# ------------------------------------------------------------------------------- publishing

# Per process: the topics some active subscriber wants, so that publishing a topic nobody
# wants (the usual case: intake) costs no query. Forgotten when this process saves a
# subscriber (apps.py), and re-read after SUBSCRIBER_CACHE_SECONDS, so another process's
# change is seen within that. Only "nobody wants it" is trusted: a wanted topic is always
# read fresh from the database before anything is written.
_wanted: dict[str, object] = {"topics": None, "until": 0.0}
_wanted_lock = threading.Lock()


def forget_subscribers() -> None:
    with _wanted_lock:
        _wanted["topics"] = None


def _wanted_topics() -> frozenset[str]:
    with _wanted_lock:
        cached = _wanted["topics"]
        if cached is not None and time.monotonic() < _wanted["until"]:
            return cached
    rows = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).values_list(
        "topics", flat=True
    )
    wanted = frozenset(t for topic_list in rows for t in topic_list)
    with _wanted_lock:
        _wanted["topics"] = wanted
        _wanted["until"] = time.monotonic() + settings.WEBHOOK_SUBSCRIBER_CACHE_SECONDS
    return wanted


def is_wanted(topic: str) -> bool:
    """Does some active subscriber (perhaps) want this topic? No query most of the time."""
    return topic in _wanted_topics()


def publish(topic: str, case, data: dict, now, *, also_units: Iterable[int] = ()) -> int:
    """Inside the caller's transaction: one outbox row per active subscriber subscribed to
    `topic` whose scope (area subtree and/or unit; none = everything) covers `case` (case may
    be None for topics not about a case). Returns rows written. Delivered after commit in
    the background, signed, retried, in order per (subscriber, case).

    `also_units`: units (pks) the event also concerns besides the case's own (a referral's
    court), for subscribers scoped to a unit."""
    if not is_wanted(topic):
        return 0
    subscribers = [
        s
        for s in Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).select_related("area")
        if topic in s.topics and _covers(s, case, set(also_units))
    ]
    if not subscribers:
        return 0
    body = {
        "topic": topic,
        "occurred_at": now.isoformat(),
        "case": {"code": case.code, "status": case.status} if case is not None else None,
        "data": json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    }
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscriber=s,
                topic=topic,
                case=case,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for s in subscribers
        ]
    )
    if settings.CELERY_BROKER_URL:
        # robust: a broker that is down must not undo the change; the beat's next run sends.
        transaction.on_commit(_send_later, robust=True)
    return len(subscribers)


def _covers(s: Subscriber, case, also_units: set[int]) -> bool:
    if s.area_id is None and s.unit_id is None:
        return True
    if case is None:
        return False
    if s.area_id is not None:
        area_path = Area.objects.filter(pk=case.area_id).values_list("path", flat=True).first()
        if not (area_path or "").startswith(s.area.path):
            return False
    if s.unit_id is not None:
        return (
            case.owner_unit_id == s.unit_id
            or s.unit_id in also_units
            or CaseUnit.objects.filter(case_id=case.pk, unit_id=s.unit_id).exists()
        )
    return True


def _send_later() -> None:
    from .tasks import deliver_webhooks  # celery is imported only when configured

    deliver_webhooks.delay()


# ------------------------------------------------------------------------------- delivering


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Jiefen-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def raw_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {"id": delivery.pk, **delivery.body}, ensure_ascii=False, separators=(",", ":")
    ).encode()


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: list[int] = field(default_factory=list)
    paused: list[int] = field(default_factory=list)  # subscribers paused by this run


def due(now: datetime.datetime):
    """Deliveries to send now: open, their time come, their subscriber active, and no earlier
    open delivery of the same subscriber and case (order per case)."""
    earlier = WebhookDelivery.objects.filter(
        subscriber=OuterRef("subscriber"),
        case=OuterRef("case"),
        status__in=OPEN,
        pk__lt=OuterRef("pk"),
    )
    return WebhookDelivery.objects.filter(
        ~Exists(earlier),
        status__in=OPEN,
        next_attempt_at__lte=now,
        subscriber__status=SubscriberStatus.ACTIVE,
    )


def deliver_due(
    now: datetime.datetime, sender: Callable[..., int] | None = None, limit: int = 1000
) -> DeliveryRun:
    """Send the due deliveries, each claimed first (so that two workers never send one twice)
    and tried once per call; a failure is retried after BACKOFF by a later call. A delivery
    that waited for an earlier one of its case goes out in the same call once that one is
    sent. `sender(url, body, headers, allow_private_network=...)` answers the status code."""
    sender = sender or transport.post
    # Claims are real-world events (a claim older than CLAIM_STALE crashed before sending).
    claimed_at = clock.now()
    run, tried = DeliveryRun(), set()
    while len(tried) < limit:
        batch = list(
            due(now).exclude(pk__in=tried).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not batch:
            break
        for pk in batch:
            tried.add(pk)
            if not _claim(pk, claimed_at):
                continue
            delivery = WebhookDelivery.objects.select_related("subscriber").get(pk=pk)
            if delivery.subscriber.status != SubscriberStatus.ACTIVE:
                WebhookDelivery.objects.filter(pk=pk).update(claimed_at=None)
                continue
            _attempt(delivery, sender, now, run)
    return run


def _claim(pk: int, claimed_at: datetime.datetime) -> bool:
    """One UPDATE: on PostgreSQL a second worker's UPDATE waits for the row's lock and then
    finds the claim taken (the condition is checked again); SQLite writes one at a time."""
    return (
        WebhookDelivery.objects.filter(pk=pk, status__in=OPEN)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_at - CLAIM_STALE))
        .update(claimed_at=claimed_at)
        == 1
    )


def _attempt(d: WebhookDelivery, sender, now: datetime.datetime, run: DeliveryRun) -> None:
    subscriber = d.subscriber
    body = raw_body(d)
    headers = {
        "X-Jiefen-Signature": sign(subscriber.secret, body, int(now.timestamp())),
        "X-Jiefen-Topic": d.topic,
        "X-Jiefen-Delivery": str(d.pk),
    }
    code, error = None, ""
    try:
        code = sender(
            subscriber.url,
            body,
            headers,
            allow_private_network=subscriber.allow_private_network,
        )
        if not 200 <= code < 300:
            error = _("The receiver answered HTTP %(code)s.") % {"code": code}
            if 300 <= code < 400:
                error += " " + _("Redirects are not followed.")
    except InvalidInput as e:  # the address is refused now (its DNS answer changed)
        error = e.message
    except Exception as e:  # noqa: BLE001  a receiver's failure must not stop the others
        error = str(e) or e.__class__.__name__
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        attempts = d.attempts + 1
        if not error:
            WebhookDelivery.objects.filter(pk=d.pk).update(
                status=DeliveryStatus.SENT,
                attempts=attempts,
                sent_at=now,
                last_response_code=code,
                last_error="",
                claimed_at=None,
            )
            if sub.consecutive_failures:
                Subscriber.objects.filter(pk=sub.pk).update(consecutive_failures=0)
            run.sent += 1
            return
        log.warning("webhook delivery %s to %s failed: %s", d.pk, sub.url, error)
        dead = attempts >= MAX_ATTEMPTS
        WebhookDelivery.objects.filter(pk=d.pk).update(
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
            attempts=attempts,
            next_attempt_at=now if dead else now + BACKOFF[attempts - 1],
            last_response_code=code,
            last_error=error[:1000],
            claimed_at=None,
        )
        run.failed.append(d.pk)
        failures = sub.consecutive_failures + 1
        if failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES and sub.status == (
            SubscriberStatus.ACTIVE
        ):
            _pause(sub, failures, now)
            run.paused.append(sub.pk)
        else:
            Subscriber.objects.filter(pk=sub.pk).update(
                consecutive_failures=F("consecutive_failures") + 1
            )


def _pause(sub: Subscriber, failures: int, now: datetime.datetime) -> None:
    Subscriber.objects.filter(pk=sub.pk).update(
        status=SubscriberStatus.PAUSED, consecutive_failures=failures, paused_at=now
    )
    transaction.on_commit(forget_subscribers)
    forget_subscribers()
    owners = [sub.owner] if sub.owner_id and sub.owner.is_active else []
    if not owners:
        owners = list(get_user_model().objects.filter(is_superuser=True, is_active=True))
    notify(
        owners,
        kind=Kind.WEBHOOK,
        title=_("Webhook subscriber %(name)s paused after %(count)s failed deliveries")
        % {"name": sub.name, "count": failures},
        body=_(
            "Its receiver %(url)s kept failing. Check it, then resume the subscriber on its "
            "delivery log; the waiting deliveries go out then."
        )
        % {"url": sub.url},
        key=f"webhook:{sub.pk}:paused:{now.isoformat()}",
        now=now,
        url=reverse("webhooks:deliveries", args=[sub.pk]),
    )


# ------------------------------------------------------------------------- administration


@dataclass
class SubscriberInput:
    name: str
    url: str
    topics: list[str]
    area: Area | None = None
    unit: Unit | None = None
    allow_private_network: bool = False


def _admin(actor) -> None:
    if not is_administrator(actor):
        raise NotAllowed(_("Only an administrator manages webhook subscribers."))


def save_subscriber(
    actor, data: SubscriberInput, now: datetime.datetime, subscriber: Subscriber | None = None
) -> Subscriber:
    """Create or change a subscriber; its URL must pass the SSRF check (safety.check_url)."""
    _admin(actor)
    errors = {}
    name, url = data.name.strip(), data.url.strip()
    if not name:
        errors["name"] = _("Give the subscriber a name.")
    known = topics()
    chosen = [t for t in known if t in set(data.topics)]
    if not chosen or len(chosen) != len(set(data.topics)):
        errors["topics"] = _("Choose at least one of the listed events.")
    if url:
        try:
            check_url(url, data.allow_private_network)
        except InvalidInput as e:
            errors["url"] = e.message
    else:
        errors["url"] = _("Enter the receiver's full address, e.g. https://example.org/hook.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        if subscriber is None:
            subscriber = Subscriber(owner=actor, created_at=now)
        else:
            subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        subscriber.name, subscriber.url, subscriber.topics = name, url, chosen
        subscriber.area, subscriber.unit = data.area, data.unit
        subscriber.allow_private_network = data.allow_private_network
        subscriber.save()
    return subscriber


def resume_subscriber(actor, subscriber: Subscriber, now: datetime.datetime) -> Subscriber:
    """A paused subscriber is active again; its waiting deliveries go out on the next run."""
    _admin(actor)
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if sub.status != SubscriberStatus.PAUSED:
            raise IllegalTransition(_("The subscriber is not paused."))
        sub.status, sub.consecutive_failures, sub.paused_at = SubscriberStatus.ACTIVE, 0, None
        sub.save(update_fields=["status", "consecutive_failures", "paused_at"])
        # What waits (failed, or given up while it was failing) is due now, in order.
        sub.deliveries.filter(status=DeliveryStatus.FAILED).update(next_attempt_at=now)
    return sub


def pause_subscriber(actor, subscriber: Subscriber, now: datetime.datetime) -> Subscriber:
    """An administrator stops the deliveries to a subscriber (they wait until it resumes)."""
    _admin(actor)
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if sub.status != SubscriberStatus.ACTIVE:
            raise IllegalTransition(_("The subscriber is paused already."))
        sub.status, sub.paused_at = SubscriberStatus.PAUSED, now
        sub.save(update_fields=["status", "paused_at"])
    return sub


def resend_delivery(actor, delivery: WebhookDelivery, now: datetime.datetime) -> WebhookDelivery:
    """Send a delivery again: a new delivery (new id) with the same content, due now, after
    the subscriber's other open deliveries of the case."""
    _admin(actor)
    with transaction.atomic():
        return WebhookDelivery.objects.create(
            subscriber_id=delivery.subscriber_id,
            topic=delivery.topic,
            case_id=delivery.case_id,
            body=delivery.body,
            next_attempt_at=now,
            created_at=now,
        )

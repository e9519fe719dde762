"""Webhook subscribers in the demo (README "Integrations"): the county court's mediation
platform, pushed its referrals' outcomes — paused by the administrator, with the log of what
went out before — and a receiver on this machine for trying it out (port 8765, the README's
example receiver), subscribed to every case event from now on. Nothing is sent while seeding."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder

from docking import push, selectors
from docking.models import Outcome, Referral
from webhooks.events import BUILTIN
from webhooks.models import DeliveryStatus, Subscriber, SubscriberStatus, WebhookDelivery

from .county import Demo

LOCAL_RECEIVER = "http://127.0.0.1:8765/jiefen"


def build_webhooks(demo: Demo, now: datetime.datetime) -> list[Subscriber]:
    admin = get_user_model().objects.get(username="admin")
    court = demo.units["court"]
    platform = Subscriber.objects.create(
        name="青山县人民法院诉调对接平台（示例）",
        url="https://court.example.org/jiefen/webhook",
        topics=[push.TOPIC],
        unit=court,
        owner=admin,
        status=SubscriberStatus.PAUSED,
        paused_at=now - datetime.timedelta(hours=2),
        created_at=now - datetime.timedelta(days=30),
    )
    # The court's referrals that ended (a small demo may have none yet: then its latest ones).
    referrals = selectors.with_outcome(Referral.objects.filter(referring_unit=court))
    finished = list(
        referrals.exclude(outcome=Outcome.IN_PROGRESS).order_by("-outcome_event_at", "-pk")[:4]
    ) or list(referrals.order_by("-received_at", "-pk")[:4])
    deliveries = []
    for i, referral in enumerate(reversed(finished)):
        at = selectors.outcome_at(referral) or referral.received_at
        failed = i == len(finished) - 1 > 0  # the last found the platform down: given up
        deliveries.append(
            WebhookDelivery(
                subscriber=platform,
                topic=push.TOPIC,
                case=referral.case,
                body={
                    "topic": push.TOPIC,
                    "occurred_at": at.isoformat(),
                    "case": {"code": referral.case.code, "status": referral.case.status},
                    "data": json.loads(
                        json.dumps(
                            push.outcome_data(referral, referral.outcome_event),
                            cls=DjangoJSONEncoder,
                        )
                    ),
                },
                status=DeliveryStatus.DEAD if failed else DeliveryStatus.SENT,
                attempts=6 if failed else 1,
                next_attempt_at=at,
                last_response_code=503 if failed else 200,
                last_error="接收端返回 HTTP 503。" if failed else "",
                created_at=at,
                sent_at=None if failed else at + datetime.timedelta(seconds=2),
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    local = Subscriber.objects.create(
        name="本机测试接收端",
        url=LOCAL_RECEIVER,
        topics=list(BUILTIN),
        owner=admin,
        allow_private_network=True,
        created_at=now,
    )
    return [platform, local]

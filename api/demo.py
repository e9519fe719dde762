"""The api app's part of the demo: a connected system's key, for a FixMyStreet-like tool
filing cases through Open311 (channel "online", the whole county), acting as a service
account of the county center. Demo only: its plain key is documented in the README, as the
demo accounts' password is."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from areas.models import Membership, Role
from areas.selectors import center_for_area
from cases.models import Channel
from jiefen.signals import demo_seeded

from .services import issue_system_key

DEMO_KEY = "jfk_demo-open311-not-for-production"
SERVICE_USER = "open311_demo"


def build_demo_key(sender=None, *, now, county, **kwargs) -> None:
    center = center_for_area(county)
    user = get_user_model().objects.create(
        username=SERVICE_USER,
        first_name="随手拍平台（演示）",
        password=make_password(None),  # no login: it acts only through its key
        date_joined=now,
    )
    Membership.objects.create(user=user, unit=center, role=Role.CLERK)
    issue_system_key(
        None,
        name="随手拍平台（演示）",
        user=user,
        channels=[Channel.ONLINE],
        areas=[county],
        now=now,
        plain=DEMO_KEY,
    )


def connect() -> None:
    demo_seeded.connect(build_demo_key, dispatch_uid="api.demo_key")

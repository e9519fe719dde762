"""SMS one-time codes that prove the holder of a phone: 6 digits, valid 5 minutes, at most 5
tries, rate-limited per phone and per client address.

The limits are counted from the codes' own rows (PhoneCode) rather than with a cache-based
throttle such as django-ratelimit: the project has no shared cache (each worker process
would count on its own), the rows are kept anyway for the tries and expiry, and counting
them follows `jiefen.clock`, so tests and a shifted clock see the same limits.
"""

import datetime
import hmac
import secrets

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from jiefen.errors import InvalidInput, ServiceError
from notifications.services import notify_phone

from .models import CodePhone, PhoneCode

CODE_DIGITS = 6
CODE_LIFE = datetime.timedelta(minutes=5)
MAX_TRIES = 5
RESEND_GAP = datetime.timedelta(seconds=60)  # one code per phone per minute
WINDOW = datetime.timedelta(hours=1)
PER_PHONE = 5  # codes per phone per hour
PER_ADDRESS = 20  # codes per client address per hour (a village's shared connection)


class Throttled(ServiceError):
    """Too many codes asked for; the message says when to try again."""

    status = 429
    code = "throttled"


def _hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "portal.PhoneCode", f"{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def send_code(
    phone: str, purpose: str, client_ip: str | None, now: datetime.datetime, *, case_code=""
) -> PhoneCode:
    """Send a new code for `purpose` to `phone` (already validated) by SMS, within limits.

    The phone's row (CodePhone) is locked from the checks to the new code's row, so two
    requests at the same instant are counted one after the other."""
    with transaction.atomic():
        CodePhone.objects.get_or_create(phone=phone)
        CodePhone.objects.select_for_update().filter(phone=phone).values_list("pk").first()
        return _send_code(phone, purpose, client_ip, now, case_code)


def _send_code(phone, purpose, client_ip, now, case_code) -> PhoneCode:
    since = now - WINDOW
    recent = PhoneCode.objects.filter(created_at__gt=since)
    if recent.filter(phone=phone, created_at__gt=now - RESEND_GAP).exists():
        raise Throttled(
            _("A code was sent to this phone less than a minute ago; please wait a moment."),
            {"phone": _("Please wait a minute before asking for another code.")},
        )
    if recent.filter(phone=phone).count() >= PER_PHONE:
        raise Throttled(
            _("Too many codes were sent to this phone; please try again in an hour."),
            {"phone": _("Too many codes for this phone in the last hour.")},
        )
    if client_ip and recent.filter(client_ip=client_ip).count() >= PER_ADDRESS:
        raise Throttled(
            _("Too many codes were asked for from this network; please try again later.")
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    if case_code:
        text = _("Your verification code for case %(code)s is %(pin)s, valid for 5 minutes.") % {
            "code": case_code,
            "pin": code,
        }
    else:
        text = _("Your verification code is %(pin)s, valid for 5 minutes.") % {"pin": code}
    row = PhoneCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_hash(phone, purpose, code),
        client_ip=client_ip or None,
        created_at=now,
        expires_at=now + CODE_LIFE,
    )
    notify_phone(phone, title=_("Verification code"), body=text, key=f"code:{row.pk}", now=now)
    return row


def check_code(phone: str, purpose: str, code: str, now: datetime.datetime) -> None:
    """Accept the phone's latest code for `purpose` once; refuse an expired, used or wrong
    one (a wrong try is counted even though the refusal is raised)."""
    refusal = None
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.expires_at <= now:
            refusal = _("The code has expired; please ask for a new one.")
        elif row.tries >= MAX_TRIES:
            refusal = _("Too many wrong tries; please ask for a new code.")
        elif not hmac.compare_digest(row.code_hash, _hash(phone, purpose, (code or "").strip())):
            row.tries += 1
            row.save(update_fields=["tries"])
            left = MAX_TRIES - row.tries
            refusal = (
                _("The code is wrong; %(n)d tries left.") % {"n": left}
                if left
                else _("Too many wrong tries; please ask for a new code.")
            )
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
    if refusal:
        raise InvalidInput(refusal, {"code": refusal})

"""Writes of the api app: issuing and revoking connected systems' keys (administrators only;
the pages check, so do these)."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Membership
from areas.selectors import is_administrator
from cases.models import Channel
from jiefen.errors import InvalidInput, NotAllowed

from .models import SystemKey

# A system key starts with this, so the bearer auth tells it from a user's token.
KEY_PREFIX = "jfk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_system_key(
    actor,
    *,
    name: str,
    user,
    channels: list[str],
    areas,
    now: datetime.datetime,
    plain: str | None = None,
) -> tuple[str, SystemKey]:
    """Issue a key for a connected system acting as `user`, allowed `channels` and (when any)
    `areas` with what lies below them. Returns the plain key, which is never stored: the
    administrator copies it from the page that shows it once. `plain` is for the demo only."""
    if actor is not None and not is_administrator(actor):
        raise NotAllowed(_("Only administrators issue keys."))
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the connected system.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if user is None or not user.is_active:
        errors["user"] = _("Choose an active service user.")
    elif not Membership.objects.filter(user=user).exists() and not user.is_superuser:
        errors["user"] = _("The service user needs a unit: its permissions are the key's.")
    channels = sorted(set(channels or []))
    if not channels:
        errors["channels"] = _("Choose at least one channel.")
    elif any(c not in Channel.values for c in channels):
        errors["channels"] = _("Unknown intake channel.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    plain = plain or KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = SystemKey.objects.create(
            name=name,
            user=user,
            channels=channels,
            key_hash=hash_key(plain),
            prefix=plain[:12],
            created_at=now,
            created_by=actor,
        )
        key.areas.set(list(areas or []))
    return plain, key


def revoke_system_key(actor, key: SystemKey, now: datetime.datetime) -> SystemKey:
    """Revoke a key: it is refused from the next request on. Revoking twice changes nothing."""
    if not is_administrator(actor):
        raise NotAllowed(_("Only administrators revoke keys."))
    with transaction.atomic():
        key = SystemKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = now
            key.save(update_fields=["revoked_at"])
    return key

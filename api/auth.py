"""Token authentication: POST /auth/token issues a token; every other endpoint reads it from
`Authorization: Bearer <token>` (or `Token <token>`, the form other Django APIs use).

A connected system's key (api.SystemKey, issued by an administrator, starting `jfk_`) is
accepted the same way: the request then acts as the key's service user (`request.auth`), and
`request.system_key` carries the key for the scope checks (api.scopes)."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security.http import HttpAuthBase

from jiefen import clock
from jiefen.throttle import lockout_response

from .models import ApiToken, SystemKey
from .problems import problem
from .schemas import Problem, Text
from .services import KEY_PREFIX, hash_key

# Integrations log in rarely; a month keeps a lost token's damage bounded.
TOKEN_TTL = datetime.timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 30))
# Writing last_used_at on every request would add a write to every read; once a while is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)
SCHEMES = {"bearer", "token"}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, now: datetime.datetime) -> tuple[str, ApiToken]:
    """Create a token for `user`; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    while token.startswith(KEY_PREFIX):  # that prefix marks a system key
        token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(token),
        prefix=token[:8],
        created_at=now,
        expires_at=now + TOKEN_TTL,
    )
    return token, row


def user_for_token(token: str, now: datetime.datetime):
    """The active user a valid, unexpired token belongs to, or None."""
    if not token:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
    if row is None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def system_key_for(key: str, now: datetime.datetime) -> SystemKey | None:
    """The unrevoked key whose service user is active, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    row = SystemKey.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        SystemKey.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def authenticate_key(request: HttpRequest, token: str):
    """The user a bearer credential stands for (a user's token or a system's key), or None;
    a system key is kept on the request as `system_key`."""
    now = clock.now()
    request.system_key = None
    if token.startswith(KEY_PREFIX):
        key = system_key_for(token, now)
        if key is None:
            return None
        request.system_key = key
        user = key.user
    else:
        user = user_for_token(token, now)
    if user is not None:
        # Services and logging read request.user, as they do for the web UI.
        request.user = user
    return user


class TokenAuth(HttpAuthBase):
    """Bearer token auth that also accepts the `Token` scheme."""

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest):
        scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() not in SCHEMES:
            return None
        return authenticate_key(request, token.strip())


class Credentials(Schema):
    username: Text(150)
    password: Text(4096)


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime | None


router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    # 400: a body that is not JSON; 422: a field missing or of the wrong type; 429: throttled.
    response={200: TokenOut, 400: Problem, 401: Problem, 422: Problem, 429: Problem},
    url_name="token",
)
def obtain_token(request: HttpRequest, payload: Credentials):
    """Exchange a username and password for a bearer token. After LOGIN_FAILURE_LIMIT failed
    attempts for a user name or from an address, both are refused for LOGIN_LOCKOUT_MINUTES
    (429), as on the login page (jiefen.throttle)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None and getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None:
        return problem(401, "unauthorized", _("Wrong username or password."))
    token, row = issue_token(user, clock.now())
    return {"token": token, "expires_at": row.expires_at}

"""Idempotency-Key handling for intake: a retried request gets the first result back.

Only successful results are stored: a refused request created nothing, so the sender may fix
the body and send it again under the same key.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .models import IdempotencyRecord
from .problems import problem

MAX_KEY_LENGTH = 200
HEADER = "Idempotency-Key"


def fingerprint(body: bytes) -> str:
    """sha256 of the canonical JSON body, so key order and whitespace do not matter."""
    try:
        canonical = json.dumps(
            json.loads(body or b"null"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(user, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, key=key).first()


def _replay(record: IdempotencyRecord, fp: str) -> HttpResponse:
    if record.fingerprint != fp:
        return problem(
            422,
            "idempotency_conflict",
            _("This Idempotency-Key was already used with a different request body."),
            {HEADER: _("Use a new key for a different request.")},
        )
    response = JsonResponse(
        record.response, status=record.status_code, json_dumps_params={"ensure_ascii": False}
    )
    response["Idempotent-Replayed"] = "true"
    return response


def run_once(
    user,
    key: str,
    body: bytes,
    now: datetime.datetime,
    create: Callable[..., tuple[int, dict]],
    check: Callable[[], Any] | None = None,
) -> HttpResponse:
    """Run `create` once per (user, key); `create` returns (status, JSON body) or raises.

    `check` validates and looks up what `create` needs (it is given `check`'s result) before
    the write transaction, so that transaction — on SQLite the database's one write lock —
    holds the writes only; a refusal raised by `check` writes nothing, as one by `create`.
    Without `check`, `create` is called with no argument.
    The write and its record commit together, so a crash cannot leave a case without its
    record (a retry would then create a second one) or a record without its case.
    """
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return problem(
            422,
            "invalid_input",
            _("Please correct the marked fields."),
            {HEADER: _("Send 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH}},
        )
    fp = fingerprint(body)
    existing = _stored(user, key)
    if existing is not None:
        return _replay(existing, fp)
    args = () if check is None else (check(),)
    try:
        with transaction.atomic():
            status, data = create(*args)
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                fingerprint=fp,
                status_code=status,
                response=data,
                created_at=now,
            )
    except IntegrityError:
        # A concurrent request with the same key committed first; ours rolled back whole.
        existing = _stored(user, key)
        if existing is None:
            raise
        return _replay(existing, fp)
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})

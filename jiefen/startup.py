"""What a serving process checks before it starts (jiefen/wsgi.py, the scheduler)."""

import sys

from django.conf import settings


def refusal() -> str:
    """Why this installation must not serve, in one line; "" when it may."""
    if settings.DEBUG:
        return ""
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return (
            "jiefen: refusing to start with DEBUG off and no secret key: set SECRET_KEY or write "
            f"one to {settings.SECRET_KEY_FILE} (`make run` does so once)"
        )
    return ""


def require_secret_key() -> None:
    reason = refusal()
    if reason:
        sys.stderr.write(reason + "\n")
        sys.stderr.flush()
        raise SystemExit(1)

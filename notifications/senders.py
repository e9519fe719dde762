"""Pluggable senders. settings.NOTIFY_SENDERS lists the classes in use (env NOTIFY_SENDERS,
comma-separated dotted paths); the default writes to the log. Each sender says which
address it needs for a user; a user it cannot reach gets the in-app notice only."""

import json
import logging
import urllib.request
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("jiefen.notifications")


@dataclass
class Message:
    address: str
    subject: str
    text: str


class Sender:
    channel = ""

    def address_for_user(self, user) -> str | None:
        raise NotImplementedError

    def address_for_phone(self, phone: str) -> str | None:
        """Messages to people without an account (parties): only by phone."""
        return None

    def send(self, message: Message) -> None:
        raise NotImplementedError


class LogSender(Sender):
    channel = "log"

    def address_for_user(self, user) -> str:
        return user.get_username()

    def address_for_phone(self, phone: str) -> str:
        return phone

    def send(self, message: Message) -> None:
        log.info("notice to %s: %s — %s", message.address, message.subject, message.text)


class SmsHttpSender(Sender):
    """An SMS gateway over HTTP: POST {"phone", "text"} as JSON to SMS_GATEWAY_URL with a
    bearer token (SMS_GATEWAY_TOKEN); any 2xx answer counts as sent."""

    channel = "sms"

    def address_for_user(self, user) -> str | None:
        contact = getattr(user, "contact", None)
        return contact.phone if contact and contact.phone else None

    def address_for_phone(self, phone: str) -> str | None:
        return phone or None

    def send(self, message: Message) -> None:
        body = json.dumps(
            {"phone": message.address, "text": f"【解纷】{message.subject} {message.text}".strip()}
        ).encode()
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"SMS gateway answered {response.status}")


class EmailSender(Sender):
    channel = "email"

    def address_for_user(self, user) -> str | None:
        return user.email or None

    def send(self, message: Message) -> None:
        send_mail(message.subject, message.text, None, [message.address])


class MemorySender(Sender):
    """For tests: keeps what it sent in `MemorySender.sent`."""

    channel = "memory"
    sent: list[Message] = []

    def address_for_user(self, user) -> str:
        return user.get_username()

    def address_for_phone(self, phone: str) -> str:
        return phone

    def send(self, message: Message) -> None:
        MemorySender.sent.append(message)


@cache
def _load(paths: tuple[str, ...]) -> tuple[Sender, ...]:
    return tuple(import_string(p)() for p in paths)


def active_senders() -> tuple[Sender, ...]:
    return _load(tuple(settings.NOTIFY_SENDERS))

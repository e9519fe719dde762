"""A sender for tests/test_celery.py: Celery workers run in their own processes, so what they
send is appended, one line per message, to the file JIEFEN_TEST_SENT_FILE names."""

import os

from notifications.senders import Message, Sender


class FileSender(Sender):
    channel = "file"

    def address_for_user(self, user) -> str:
        return user.get_username()

    def address_for_phone(self, phone: str) -> str:
        return phone

    def send(self, message: Message) -> None:
        # O_APPEND: lines of two workers never overwrite each other.
        with open(os.environ["JIEFEN_TEST_SENT_FILE"], "a") as f:
            f.write(f"{message.address}\t{message.subject}\n")

"""Reads from a PostgreSQL read replica (DATABASE_REPLICA_URL) where a little lag is fine.

Code opts in with `replica_reads()` (a context manager and a decorator): the figure pages
and their exports (stats.views). Everything else, every write and every read inside a
transaction, goes to the primary, so a user who just changed a case reads it back from
there. Without a replica configured this changes nothing.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reads.get()
            and replica_configured()
            and not connections["default"].in_atomic_block  # read-your-writes
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"

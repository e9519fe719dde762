"""Errors of case services: the core vocabulary (jiefen.errors) under the names callers use.

`CaseError` is `ServiceError` itself: catching it catches every service refusal, as it
always did. `CaseNotFound` is the case-specific kind of `NotFound`.
"""

from jiefen.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound, ServiceError

CaseError = ServiceError

__all__ = [
    "CaseError",
    "CaseNotFound",
    "IllegalTransition",
    "InvalidInput",
    "NotAllowed",
]


class CaseNotFound(NotFound):
    """No case with this code is visible to the actor; the message names the code."""

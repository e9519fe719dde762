"""Errors of case services; views turn them into Chinese messages, the API into problem bodies."""


class CaseError(Exception):
    status = 400
    code = "case_error"

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(CaseError):
    status = 422
    code = "invalid_input"


class IllegalTransition(CaseError):
    status = 409
    code = "illegal_transition"


class NotAllowed(CaseError):
    status = 403
    code = "not_allowed"


class CaseNotFound(CaseError):
    status = 404
    code = "not_found"

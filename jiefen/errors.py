"""The one error vocabulary of the services: a refusal with a message and per-field errors.

A service raises a `ServiceError` (or one of its kinds below) when it refuses a write; it
has changed nothing. Views put `field_errors` next to the form fields they name
(jiefen.forms.apply_errors) and show `message`; the API turns any of them into a problem
body with `status` and `code` (api.problems). Apps may subclass these for their own names
(cases.errors.CaseNotFound, areas.services.AdminError); nothing else is needed for the
views and the API to handle them.
"""


class ServiceError(Exception):
    """A refused request: `message` for the person, `field_errors` by field name.

    Field names are those of the service's input ("title", "parties[0].id_number",
    "steps-1-level"); "__all__" or an unknown name means the request as a whole.
    """

    status = 400
    code = "refused"

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = dict(field_errors or {})


class InvalidInput(ServiceError):
    """The input is incomplete or wrong; `field_errors` says where."""

    status = 422
    code = "invalid_input"


class IllegalTransition(ServiceError):
    """The act is not possible in the object's current state."""

    status = 409
    code = "illegal_transition"


class NotAllowed(ServiceError):
    """The actor may not do this."""

    status = 403
    code = "not_allowed"


class NotFound(ServiceError):
    """The object does not exist or is not visible to the actor (the two are not told apart)."""

    status = 404
    code = "not_found"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from . import pickers  # noqa: F401  (registers the route picker)
        from .registry import Outcome, register_event_kind
        from .workflow import TRANSITIONS

        for name, label in [
            ("registered", _("Registered")),
            ("attachment_added", _("Attachment added")),
            ("material_provided", _("Missing material provided")),
            ("admin_edited", _("Corrected in the administration")),
            ("complexity_changed", _("Complexity changed")),
            ("clock_paused", _("Time limit paused")),
            ("clock_resumed", _("Time limit resumed")),
        ]:
            register_event_kind(name, label)
        # Each transition appends an event of its own name; these decide an outcome.
        outcomes = {
            "resolve": Outcome.MEDIATED,
            "settle_at_grid": Outcome.MEDIATED,
            "stabilise": Outcome.MEDIATED,
            "transfer": Outcome.NOT_MEDIATED,
            "terminate": Outcome.NOT_MEDIATED,
            "reject": Outcome.NOT_MEDIATED,
            "guide": Outcome.NOT_MEDIATED,
            "reopen": Outcome.REOPENED,
            "reopen_by_party": Outcome.REOPENED,
            "reopen_on_rebound": Outcome.REOPENED,
            "escalate_on_rebound": Outcome.REOPENED,
        }
        for name, transition in TRANSITIONS.items():
            register_event_kind(transition.event, transition.label, outcomes.get(name, ""))

        from . import bulk_actions

        bulk_actions.register()

        # Big exports as tasks (jiefen.exports, the bottom floor): the case list's, and the
        # sweep's deleting of every export once it has been kept long enough. Registered
        # here, the lowest app above the clocks.
        from clocks.registry import on_sweep
        from jiefen import exports as background_exports

        from . import exports

        background_exports.register("cases", exports.build)
        on_sweep("exports_expired", background_exports.delete_expired)

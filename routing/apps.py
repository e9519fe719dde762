from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """三事分流 rules, escalation and the sweep."""

    name = "routing"
    verbose_name = _("Routing and escalation")

    def ready(self):
        from cases.registry import register_event_kind, set_route_proposer

        from .triage import propose

        for name, label in [
            ("deadline_missed", _("Deadline missed")),
            ("attempt_failed", _("Mediation attempt failed")),
            ("escalation_top", _("Reached the top level")),
        ]:
            register_event_kind(name, label)
        set_route_proposer(propose)

        from . import batch, pickers  # noqa: F401  (pickers registers the 批量分流 unit picker)

        batch.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Mediation")

    def ready(self):
        from cases.registry import CasePanel, register_event_kind, register_panel

        from . import pickers  # noqa: F401  (registers the mediator picker)
        from .panel import case_page_context

        for name, label in [
            ("mediators_assigned", _("Mediators assigned")),
            ("session_scheduled", _("Session scheduled")),
            ("session_rescheduled", _("Session rescheduled")),
            ("session_recorded", _("Session recorded")),
            ("confirmation_prepared", _("Judicial confirmation prepared")),
            ("confirmation_filed", _("Judicial confirmation filed")),
            ("court_decision", _("Court decision on confirmation")),
        ]:
            register_event_kind(name, label)
        register_panel(
            CasePanel(
                "mediation",
                "mediation/_panel_body.html",
                case_page_context,
                "main",
                bound_key="bound",
            )
        )

        from . import batch

        batch.register()

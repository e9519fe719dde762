from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    """吹哨报到 and 督办: a center summons departments, or supervises a unit, on a case."""

    name = "coordination"
    verbose_name = _("Summons and supervision")

    def ready(self):
        from cases.registry import CasePanel, register_event_kind, register_panel
        from clocks.models import Clock
        from clocks.registry import on_missed

        from . import pickers  # noqa: F401  (registers the 吹哨 unit picker)
        from .panel import panel_context
        from .whistles import report_missed

        for name, label in [
            ("whistle", _("Units summoned (吹哨)")),
            ("reported", _("Unit reported (报到)")),
            ("whistle_meeting", _("Joint meeting (会商) and tasks")),
            ("whistle_feedback", _("Unit fed back")),
            ("whistle_evaluated", _("Unit evaluated")),
            ("whistle_released", _("Unit released from the summons")),
            ("supervision", _("Supervision notice (督办)")),
            ("supervision_answered", _("Supervision answered")),
        ]:
            register_event_kind(name, label)
        register_panel(
            CasePanel(
                "coordination",
                "coordination/_panel.html",
                panel_context,
                "side",
                bound_key="coordination_forms",
            )
        )
        # A summoned unit that lets its 报到 limit pass is marked; the sweep calls this.
        on_missed(Clock.REPORT, report_missed)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepeatsConfig(AppConfig):
    """Repeat reports (并单, 重复信访治理): proposals of likely repeats, merge and unmerge."""

    name = "repeats"
    verbose_name = _("Repeat reports")

    def ready(self):
        from cases.registry import CasePanel, register_event_kind, register_panel

        from .panel import panel_context

        for name, label in [
            ("merged_into", _("Merged into another case as a repeat (并单)")),
            ("repeat_merged", _("Repeat report merged in (并单)")),
            ("unmerged", _("Merge undone")),
            ("repeat_unmerged", _("Repeat report taken out again")),
        ]:
            register_event_kind(name, label)
        register_panel(
            CasePanel(
                "repeats",
                "repeats/_panel.html",
                panel_context,
                "main",
                order=5,
                bound_key="repeat_forms",
            )
        )

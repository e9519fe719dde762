from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """After the closing: follow-up visits (回访, 走一家访三家) and agreement performance (履行)."""

    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from cases.registry import (
            CasePanel,
            ListExtension,
            TransitionExtension,
            register_event_kind,
            register_list_extension,
            register_panel,
            register_transition_extension,
        )
        from risk import stability

        from . import lists, services
        from .panel import panel_context

        register_event_kind("visit_recorded", _("Follow-up visit"))
        register_event_kind("performance_recorded", _("Agreement performance recorded"))
        for name in services.CLOSING_TRANSITIONS:
            register_transition_extension(
                TransitionExtension(name, "followup", services.open_follow_up)
            )
        for name in ("reopen", "reopen_by_party", "archive"):
            register_transition_extension(
                TransitionExtension(name, "followup", services.end_follow_up)
            )
        # 稳控 ends when a rebound takes the case back, as with any reopening.
        for name in ("reopen_on_rebound", "escalate_on_rebound"):
            register_transition_extension(TransitionExtension(name, "risk", stability.on_leaving))
        register_panel(
            CasePanel(
                "followup",
                "followup/_panel.html",
                panel_context,
                "main",
                order=60,
                bound_key="followup_forms",
            )
        )
        register_list_extension(
            ListExtension(
                name="visit",
                label=_("follow-up visit due"),
                annotate=lists.annotate,
                cell_template="followup/_visit_cell.html",
                choices=lists.choices,
                apply_filter=lists.apply_filter,
                order=120,
            )
        )

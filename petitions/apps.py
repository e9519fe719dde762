from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    """信访事项 under the 信访工作条例 (2022): the decision, handling, reply, 复查 and 复核 as
    clocks; the 访诉分离 catalogue; leader reception days (领导接访/下访)."""

    name = "petitions"
    verbose_name = _("Petitions (信访)")

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
        from cases.signals import case_registered

        from . import lists, services
        from .panel import panel_context

        for name, label in services.EVENT_KINDS:
            register_event_kind(name, label)
        register_panel(
            CasePanel(
                "petition",
                "petitions/_panel.html",
                panel_context,
                "main",
                order=20,
                bound_key="petition_forms",
            )
        )
        register_list_extension(
            ListExtension(
                name="petition",
                label=_("petition stage"),
                annotate=lists.annotate,
                cell_template="petitions/_stage_cell.html",
                choices=lists.choices,
                apply_filter=lists.apply_filter,
                order=120,
            )
        )
        register_transition_extension(
            TransitionExtension("accept", "petitions", services.on_case_accepted)
        )
        register_transition_extension(
            TransitionExtension("reject", "petitions", services.on_case_declined)
        )
        case_registered.connect(services.open_petition, dispatch_uid="petitions.open_petition")

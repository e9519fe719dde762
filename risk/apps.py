from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk and prevention: 红橙黄 grades and their response plans, key persons (一人一档)."""

    name = "risk"
    verbose_name = _("Risk and prevention")

    def ready(self):
        from cases.registry import (
            CasePanel,
            IntakeExtension,
            ListExtension,
            TransitionExtension,
            register_case_reader,
            register_event_kind,
            register_intake_extension,
            register_list_extension,
            register_panel,
            register_transition_extension,
        )
        from clocks.models import Clock
        from clocks.registry import on_missed, on_sweep

        from . import assignments, intake, keypersons, lists, meetings, services, stability
        from .panel import panel_context

        for name, label in [
            ("risk_graded", _("Risk grade set")),
            ("risk_reported", _("Risk reported up")),
            ("risk_handled", _("Risk taken in hand")),
            ("key_person_linked", _("Key person linked")),
            ("meeting_conclusion", _("研判 meeting conclusion")),
            ("assigned_leader", _("Leader in charge assigned (包案)")),
            ("progress_reported", _("Progress reported (包案)")),
            ("measure_done", _("Plan measure done")),
            ("assignment_ended", _("包案 ended")),
            ("stability_reviewed", _("Stabilised case reviewed (稳控)")),
        ]:
            register_event_kind(name, label)
        # 一案一专班: the leader and each member read the case while assigned.
        register_case_reader("risk.task_force", assignments.task_force_cases)
        register_panel(
            CasePanel(
                "risk", "risk/_panel.html", panel_context, "side", order=10, bound_key="risk_forms"
            )
        )
        register_list_extension(
            ListExtension(
                name="risk",
                label=_("risk grade"),
                annotate=lists.annotate,
                cell_template="risk/_grade_cell.html",
                choices=lists.choices,
                apply_filter=lists.apply_filter,
                rank="risk_rank",
            )
        )
        # 稳控: stabilising names the measures, the responsible and the review date.
        register_transition_extension(
            TransitionExtension(
                "stabilise", "risk", stability.on_stabilise, stability.control_fields
            )
        )
        for name in ("follow_up", "reopen"):
            register_transition_extension(TransitionExtension(name, "risk", stability.on_leaving))
        # At intake: the rules' grade (or the clerk's), and key persons linked by ID number.
        register_intake_extension(
            IntakeExtension(
                "risk",
                _("Risk grade (optional)"),
                intake.apply,
                intake.fields,
                intake.check,
                intake.prepare,
            )
        )
        on_missed(Clock.RISK_REPORT, services.plan_missed)
        on_missed(Clock.RISK_HANDLE, services.plan_missed)
        on_sweep("key_person_visits_missed", keypersons.sweep_visits)
        on_sweep("warning_notices_unacknowledged", meetings.sweep_notices)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    """12345 work orders both ways: orders in as cases (or answered directly), 签收 / 退单 /
    阶段回复 / 办结 / 回访 back to the platform through webhooks."""

    name = "hotline"
    verbose_name = _("12345 hotline")

    def ready(self):
        from cases.registry import (
            CasePanel,
            TransitionExtension,
            register_event_kind,
            register_panel,
            register_transition_extension,
        )
        from cases.signals import timeline_event_appended, timeline_events_appended
        from webhooks.registry import register_topic

        from . import receivers
        from .panel import panel_context

        register_event_kind("hotline_signed", _("12345 order signed for (签收)"))
        register_event_kind("hotline_progress", _("12345 progress reply (阶段回复)"))
        register_transition_extension(TransitionExtension("reject", "hotline", receivers.on_reject))
        timeline_event_appended.connect(receivers.on_event, dispatch_uid="hotline.on_event")
        timeline_events_appended.connect(receivers.on_events, dispatch_uid="hotline.on_events")
        register_panel(
            CasePanel(
                "hotline",
                "hotline/_panel.html",
                panel_context,
                "main",
                order=4,
                bound_key="hotline_forms",
            )
        )
        for code, label in TOPICS:
            register_topic(code, label)


TOPICS = [
    ("hotline.signed", _("12345: signed for (签收)")),
    ("hotline.returned", _("12345: returned (退单)")),
    ("hotline.progress", _("12345: progress reply (阶段回复)")),
    ("hotline.finished", _("12345: finished (办结)")),
    ("hotline.visited", _("12345: follow-up visit (回访)")),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "docking"
    verbose_name = _("Court and police docking")

    def ready(self):
        from cases.registry import register_event_kind

        register_event_kind("referral_received", _("Referred by court or police"))

        from cases.signals import timeline_event_appended, timeline_events_appended
        from webhooks.registry import register_topic

        from . import push

        register_topic(push.TOPIC, push.LABEL)
        timeline_event_appended.connect(
            lambda sender, event, **kw: push.publish_outcomes([event]),
            dispatch_uid="docking.push_outcome",
            weak=False,
        )
        timeline_events_appended.connect(
            lambda sender, events, **kw: push.publish_outcomes(events),
            dispatch_uid="docking.push_outcomes",
            weak=False,
        )

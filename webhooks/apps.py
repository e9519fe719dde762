from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks: signed JSON pushed to the systems around a center (README "Integrations")."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from cases.signals import timeline_event_appended, timeline_events_appended

        from . import events as topics
        from .models import Subscriber
        from .services import forget_subscribers

        topics.register_builtin_topics()
        timeline_event_appended.connect(
            lambda sender, event, **kw: topics.publish_events([event]),
            dispatch_uid="webhooks.publish_event",
            weak=False,
        )
        timeline_events_appended.connect(
            lambda sender, events, **kw: topics.publish_events(events),
            dispatch_uid="webhooks.publish_events",
            weak=False,
        )
        # A subscriber written in this process is seen at once (services._subscribers).
        for signal in (post_save, post_delete):
            signal.connect(
                lambda sender, **kw: forget_subscribers(),
                sender=Subscriber,
                dispatch_uid=f"webhooks.forget_on_{'save' if signal is post_save else 'delete'}",
                weak=False,
            )

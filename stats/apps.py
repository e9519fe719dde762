from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from areas.signals import area_moved
        from cases.signals import timeline_event_appended, timeline_events_appended
        from jiefen import exports as background_exports

        from . import exports
        from .recorder import move_subtree, record_event, record_events

        background_exports.register("stats", exports.build)

        area_moved.connect(move_subtree, dispatch_uid="stats.move_subtree")
        timeline_event_appended.connect(
            lambda sender, event, **kw: record_event(event),
            dispatch_uid="stats.record_event",
            weak=False,
        )
        timeline_events_appended.connect(
            lambda sender, events, **kw: record_events(events),
            dispatch_uid="stats.record_events",
            weak=False,
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from areas.signals import area_moved

        from .recorder import move_subtree

        area_moved.connect(move_subtree, dispatch_uid="stats.move_subtree")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "docking"
    verbose_name = _("Court and police docking")

    def ready(self):
        from cases.registry import register_event_kind

        register_event_kind("referral_received", _("Referred by court or police"))

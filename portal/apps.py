from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Citizen portal")

    def ready(self):
        from cases.registry import register_event_kind

        for name, label in [
            ("party_provided_material", _("Missing material provided by the party")),
            ("citizen_reported", _("Reported online by a party")),
        ]:
            register_event_kind(name, label)

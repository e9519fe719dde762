from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Interfaces to other systems")

    def ready(self) -> None:
        from . import demo, pickers

        pickers.register_pickers()
        demo.connect()

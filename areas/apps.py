from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "areas"
    verbose_name = _("Areas, units and staff")

    def ready(self):
        from . import pickers  # noqa: F401  (registers the area and unit pickers)

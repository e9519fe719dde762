from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    """Deadlines, the working-day calendar and escalation policies: below `cases`."""

    name = "clocks"
    verbose_name = _("Deadlines and escalation policies")

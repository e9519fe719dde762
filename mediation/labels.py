"""How the case timeline names the events mediation work appends."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "mediators_assigned": _("Mediators assigned"),
    "session_scheduled": _("Session scheduled"),
    "session_recorded": _("Session recorded"),
    "confirmation_prepared": _("Judicial confirmation prepared"),
    "confirmation_filed": _("Judicial confirmation filed"),
    "court_decision": _("Court decision on confirmation"),
}

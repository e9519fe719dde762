from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Citizen portal")

    def ready(self):
        from cases.registry import PARTY_RATED, register_event_kind
        from cases.signals import timeline_event_appended, timeline_events_appended
        from clocks.registry import on_sweep

        from .daily import count_missed
        from .evaluations import invite_parties

        on_sweep("daily_reports_missed", count_missed)
        timeline_event_appended.connect(
            lambda sender, event, **kw: invite_parties(event),
            dispatch_uid="portal.invite_parties",
            weak=False,
        )
        timeline_events_appended.connect(
            lambda sender, events, **kw: [invite_parties(e) for e in events],
            dispatch_uid="portal.invite_parties_bulk",
            weak=False,
        )
        for name, label in [
            (PARTY_RATED, _("Rated by a party (SMS link)")),
            ("dissatisfaction_reviewed", _("A party's dissatisfaction reviewed")),
            ("party_provided_material", _("Missing material provided by the party")),
            ("citizen_reported", _("Reported online by a party")),
        ]:
            register_event_kind(name, label)

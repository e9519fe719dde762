"""Outcomes pushed to the referring court or police station by webhook (topic
`referral.outcome`), besides its polling of GET …/referrals: a subscriber scoped to the
court's unit gets its own referrals' outcomes, with its own reference."""

from django.utils.translation import gettext_lazy as _

from cases.models import Status
from cases.registry import kinds_with_outcome
from webhooks.services import is_wanted, publish

from . import selectors
from .models import Outcome, Referral

TOPIC = "referral.outcome"
LABEL = _("Outcome of a court or police referral")


def publish_outcomes(events) -> int:
    """For each event that decides (or takes back) a referred case's outcome: publish the
    referral's outcome, inside the event's transaction."""
    written = 0
    decisive = kinds_with_outcome()
    for event in events:
        if event.kind not in decisive or not is_wanted(TOPIC):
            continue
        referral = selectors.with_outcome(Referral.objects.filter(case_id=event.case_id)).first()
        if referral is None:
            continue
        written += publish(
            TOPIC,
            referral.case,
            outcome_data(referral, event.kind),
            event.at,
            also_units=[referral.referring_unit_id],
        )
    return written


def outcome_data(referral: Referral, event_kind: str) -> dict:
    """The push's `data` (a referral from selectors.with_outcome): the fields of
    GET …/referrals/{ref} that say how it ended, under the court's own reference."""
    case = referral.case
    return {
        "external_ref": referral.external_ref,
        "referring_unit": referral.referring_unit.name,
        "case_code": case.code,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "outcome": referral.outcome,
        "outcome_label": str(Outcome(referral.outcome).label),
        "outcome_at": selectors.outcome_at(referral),
        "transfer_channel": case.transfer_channel,
        "outcome_note": case.outcome_note,
        "event": event_kind,
    }

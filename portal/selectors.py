"""What the citizen pages read: a case by its code, its main steps, a party's view."""

from django.db.models import Q

from cases.models import Case, TimelineEvent
from documents.models import DocumentTemplate
from mediation.models import Agreement, AgreementForm, Session

from .plain import PARTY_NOTE_KINDS


def public_case(code: str = "", pk: int | None = None) -> Case | None:
    """The case and its handling unit, in one query (the page anyone scanning a QR sees)."""
    found = Case.objects.filter(pk=pk) if pk is not None else Case.objects.filter(code=code)
    return (
        found.select_related("owner_unit")
        .only(
            "code",
            "status",
            "level",
            "created_at",
            "closed_at",
            "duplicate_of_id",
            "owner_unit__name",
        )
        .first()
    )


def main_steps(case: Case) -> list[tuple]:
    """The changes of state, oldest first: (at, kind, to_status), never who or why."""
    return list(
        TimelineEvent.objects.filter(case_id=case.pk)
        .exclude(to_status="")
        .order_by("at", "pk")
        .values_list("at", "kind", "to_status")
    )


def is_party_phone(case: Case, phone: str) -> bool:
    return bool(phone) and case.parties.filter(phone=phone).exists()


def party_steps(case: Case) -> list[tuple]:
    """The main steps and the events with a note for the parties, oldest first:
    (at, kind, to_status, note), the note only where it is meant for the parties."""
    rows = (
        TimelineEvent.objects.filter(case_id=case.pk)
        .filter(~Q(to_status="") | Q(kind__in=PARTY_NOTE_KINDS))
        .order_by("at", "pk")
        .values_list("at", "kind", "to_status", "note")
    )
    return [(at, k, to, note if k in PARTY_NOTE_KINDS else "") for at, k, to, note in rows]


def party_sessions(case: Case) -> list[Session]:
    return list(Session.objects.filter(case=case).only("number", "kind", "starts_at", "place"))


AGREEMENT_TEMPLATE = {AgreementForm.WRITTEN: "agreement", AgreementForm.ORAL: "oral"}


def party_agreements(case: Case) -> list[Agreement]:
    return list(Agreement.objects.filter(case=case).only("year", "sequence", "form", "case_id"))


def agreement_template(agreement: Agreement) -> DocumentTemplate | None:
    return DocumentTemplate.objects.filter(
        slug=AGREEMENT_TEMPLATE.get(agreement.form, ""), is_active=True
    ).first()

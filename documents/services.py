"""Which documents a case offers, and drawing one up for download."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from areas.selectors import scope_of
from cases.errors import CaseNotFound
from cases.models import Case
from cases.services import FULL_RECORD_ROLES
from mediation.models import Agreement, Confirmation, Session
from petitions.models import Opinion

from .models import DocumentTemplate, Subject
from .render import fill, to_docx, to_pdf
from .sources import Subject as DataSubject
from .sources import has_follow_up

FORMATS = {
    "pdf": ("application/pdf", to_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
}


@dataclass
class Offer:
    template: DocumentTemplate
    obj_id: int | None
    label: str


def _objects(case: Case, subject: str) -> QuerySet | None:
    """The rows a template of this subject is drawn up from (None: the case itself)."""
    if subject in (Subject.INVESTIGATION, Subject.MEDIATION):
        return Session.objects.filter(case=case, kind=subject, held_at__isnull=False)
    if subject in (Subject.WRITTEN, Subject.ORAL):
        return Agreement.objects.filter(case=case, form=subject)
    if subject == Subject.CONFIRMATION:
        return Confirmation.objects.filter(agreement__case=case).select_related("agreement")
    if subject == Subject.PETITION:
        return Opinion.objects.filter(petition__case=case).select_related("petition", "unit")
    return None


def available_documents(case: Case) -> list[Offer]:
    """Every document the case's data can fill now, in the templates' order."""
    offers = []
    followed_up = has_follow_up(case)
    for t in DocumentTemplate.objects.filter(is_active=True).exclude(subject=Subject.MEETING):
        rows = _objects(case, t.subject)
        if rows is None:
            if t.subject != Subject.FOLLOW_UP or followed_up:
                offers.append(Offer(t, None, t.title))
            continue
        for obj in rows:
            if isinstance(obj, Session):
                suffix = f"#{obj.number}"
            elif isinstance(obj, Opinion):
                suffix = f"（{obj.get_kind_display()}）"
            else:
                suffix = str(getattr(obj, "agreement", obj))
            offers.append(Offer(t, obj.pk, f"{t.title} {suffix}"))
    return offers


def draw_up(
    template: DocumentTemplate,
    case: Case,
    obj_id: int | None,
    fmt: str,
    actor,
    now: datetime.datetime,
    qr_url: str = "",
) -> bytes:
    """The document as PDF or DOCX bytes; CaseNotFound when its session/agreement is not the case's."""
    rows = _objects(case, template.subject)
    data = DataSubject(case=case, now=now, actor=actor)
    if rows is not None:
        obj = rows.filter(pk=obj_id).first() if obj_id else None
        if obj is None:
            raise CaseNotFound(case.code)
        if isinstance(obj, Session):
            data.session = obj
        elif isinstance(obj, Opinion):
            data.opinion = obj
        elif isinstance(obj, Agreement):
            data.agreement = obj
        else:
            data.confirmation, data.agreement = obj, obj.agreement
    if fmt not in FORMATS:
        raise CaseNotFound(case.code)
    return FORMATS[fmt][1](fill(template, data, qr_url))


def draw_up_minutes(meeting, fmt: str, actor, now: datetime.datetime) -> bytes | None:
    """The minutes of a 研判 meeting (risk) as PDF or DOCX, from the active template of
    meetings; None when there is no such template or format."""
    template = (
        DocumentTemplate.objects.filter(is_active=True, subject=Subject.MEETING)
        .order_by("order", "pk")
        .first()
    )
    if template is None or fmt not in FORMATS:
        return None
    data = DataSubject(case=None, now=now, actor=actor, meeting=meeting)
    return FORMATS[fmt][1](fill(template, data))


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    """The case page's documents section: what the case's data can fill now, for the roles
    that may read full records (the documents carry ID numbers and phones)."""
    return {
        "case": case,
        "documents": available_documents(case)
        if scope_of(user).has_role(*FULL_RECORD_ROLES)
        else None,
    }

"""What a party does on the citizen pages, each write one service in one transaction."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cases.attachments import INLINE_TYPES, sniff_file
from cases.models import Attachment, Case, MissingMaterial
from cases.services import append_event
from jiefen.errors import InvalidInput, NotAllowed

from .selectors import is_party_phone

MAX_UPLOAD = 10 * 1024 * 1024


def provide_material_by_party(
    case: Case, material_id: int, phone: str, upload, now: datetime.datetime
) -> Attachment:
    """容缺补齐: a party (verified by phone) hands in a material accepted as missing."""
    if upload is None:
        raise InvalidInput(_("Choose a file."), {"file": _("Choose a file.")})
    if upload.size > MAX_UPLOAD:
        raise InvalidInput(
            _("The file may be at most 10 MB."), {"file": _("The file may be at most 10 MB.")}
        )
    kind = sniff_file(upload)
    if kind not in INLINE_TYPES:
        raise InvalidInput(
            _("Send a photo or a PDF."), {"file": _("Only photos and PDF files are accepted.")}
        )
    with transaction.atomic():
        material = (
            MissingMaterial.objects.select_for_update()
            .filter(case=case, pk=material_id, provided_at__isnull=True)
            .first()
        )
        if material is None:
            raise InvalidInput(_("This material is not missing."))
        if not is_party_phone(case, phone):
            raise NotAllowed(_("Only a party of the case may hand in its materials."))
        att = Attachment(
            case=case,
            name=f"{material.name} – {upload.name}"[:200],
            content_type=kind,
            size=upload.size,
            uploaded_by=None,
            uploaded_at=now,
        )
        att.file.save(upload.name, upload, save=False)
        att.save()
        material.provided_at = now
        material.save(update_fields=["provided_at"])
        append_event(
            case,
            "party_provided_material",
            now,
            note=material.name,
            data={"attachment": att.name},
        )
    return att

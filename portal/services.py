"""What a party does on the citizen pages, each write one service in one transaction."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area, Level
from areas.selectors import center_for_area
from cases.attachments import IMAGE_TYPES, INLINE_TYPES, sniff_file
from cases.models import Attachment, Case, Channel, MissingMaterial, PartyRole
from cases.services import CaseInput, PartyInput, append_event, register_case
from jiefen.errors import InvalidInput, NotAllowed
from jiefen.identity import validate_phone
from notifications.services import notify_phone

from .codes import Throttled, check_code
from .plain import PLAIN_CATEGORY_CODES
from .selectors import is_party_phone

REPORT_LEVELS = (Level.VILLAGE, Level.GRID)

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


# ---------------------------------------------------------------- a citizen's own report

MAX_PHOTOS = 5
REPORTS_PER_PHONE_PER_DAY = 5


@dataclass
class CitizenReport:
    """What the phone-first report form (or the API) sends."""

    description: str
    area_code: str  # a village/community, or a grid (from the QR code posted in the village)
    category: str  # a key of plain.PLAIN_CATEGORIES
    name: str
    phone: str
    code: str  # the SMS code sent to `phone` for "report"
    place: str = ""
    other_name: str = ""
    other_phone: str = ""
    idempotency_key: str = ""
    photos: list = field(default_factory=list)


def report_area(code: str) -> Area | None:
    """A village/community or a grid: where a citizen can say the dispute is."""
    return Area.objects.filter(code=(code or "").strip(), level__in=REPORT_LEVELS).first()


def _check_report(report: CitizenReport) -> tuple[Area | None, list]:
    errors: dict[str, str] = {}
    if not (report.description or "").strip():
        errors["description"] = _("Tell us what happened.")
    elif len(report.description) > 2000:
        errors["description"] = _("Please keep it under 2000 characters.")
    area = report_area(report.area_code)
    if area is None:
        errors["area_code"] = _("Choose the village or community where it happened.")
    if report.category not in PLAIN_CATEGORY_CODES:
        errors["category"] = _("Choose what kind of problem it is.")
    if not (report.name or "").strip():
        errors["name"] = _("Enter your name.")
    for key in ("phone", "other_phone"):
        value = getattr(report, key)
        if value or key == "phone":
            try:
                setattr(report, key, validate_phone(value))
            except ValidationError as e:
                errors[key] = e.messages[0]
    if report.other_phone and not (report.other_name or "").strip():
        errors["other_name"] = _("Enter the other party's name, or leave out the phone.")
    if len(report.photos) > MAX_PHOTOS:
        errors["photos"] = _("At most 5 photos.")
    kinds = []
    for photo in report.photos:
        kind = sniff_file(photo)
        if kind not in IMAGE_TYPES or photo.size > MAX_UPLOAD:
            errors["photos"] = _("Only photos of at most 10 MB each.")
        kinds.append(kind)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    return area, kinds


def report_dispute(
    report: CitizenReport, now: datetime.datetime, track_url: Callable[[str], str]
) -> tuple[Case, bool]:
    """A citizen's report becomes a case (channel "citizen online") of the village or
    community center of the place, with the reporter as applicant; the reporter gets an SMS
    receipt with the tracking link. A resend with the same idempotency key (an offline draft
    sent twice) returns the first case: (case, created)."""
    area, kinds = _check_report(report)
    key = (report.idempotency_key or "").strip()[:80]
    if key:
        existing = Case.objects.filter(channel=Channel.ONLINE, external_ref=f"portal:{key}")
        if existing.exists():
            return existing.get(), False
    since = now - datetime.timedelta(days=1)
    recent = Case.objects.filter(
        channel=Channel.ONLINE, created_at__gt=since, parties__phone=report.phone
    )
    if recent.count() >= REPORTS_PER_PHONE_PER_DAY:
        raise Throttled(
            _("This phone has reported 5 disputes today; please call the center for more.")
        )
    check_code(report.phone, "report", report.code, now)
    return _register_report(report, area, kinds, now, track_url), True


def register_verified_report(
    report: CitizenReport, now: datetime.datetime, track_url: Callable[[str], str]
) -> Case:
    """A citizen's report whose phone was proved another way (a 12345 operator's call-back,
    the demo): the same checks and registration as report_dispute, without the SMS code."""
    area, kinds = _check_report(report)
    return _register_report(report, area, kinds, now, track_url)


def _register_report(report: CitizenReport, area: Area, kinds: list, now, track_url) -> Case:
    key = (report.idempotency_key or "").strip()[:80]
    center = center_for_area(area)
    if center is None:
        raise InvalidInput(
            _("No center receives reports for this place yet."),
            {"area_code": _("No center receives reports for this place yet.")},
        )
    parties = [PartyInput(name=report.name.strip(), phone=report.phone)]
    if (report.other_name or "").strip():
        parties.append(
            PartyInput(
                name=report.other_name.strip(),
                phone=report.other_phone,
                role=PartyRole.RESPONDENT,
            )
        )
    description = report.description.strip()
    data = CaseInput(
        title=(_("Citizen report: %(text)s") % {"text": description[:40]})[:100],
        description=description,
        area_code=area.code,
        channel=Channel.ONLINE,
        category_code=PLAIN_CATEGORY_CODES[report.category] if report.category != "other" else "",
        address=(report.place or "").strip()[:200],
        external_ref=f"portal:{key}" if key else "",
        parties=parties,
    )
    with transaction.atomic():
        case = register_case(
            None,
            data,
            now,
            owner=center,
            event_kind="citizen_reported",
            event_data={"photos": len(report.photos)},
        )
        for photo, kind in zip(report.photos, kinds, strict=True):
            att = Attachment(
                case=case,
                name=photo.name[:200],
                content_type=kind,
                size=photo.size,
                uploaded_by=None,
                uploaded_at=now,
            )
            att.file.save(photo.name, photo, save=False)
            att.save()
            append_event(case, "attachment_added", now, note=att.name)
        notify_phone(
            report.phone,
            title=_("Your report is registered"),
            body=_("Your report is registered as case %(code)s at %(center)s. Follow it at %(url)s")
            % {"code": case.code, "center": center.name, "url": track_url(case.code)},
            key=f"receipt:{case.code}",
            now=now,
            case=case,
        )
    return case

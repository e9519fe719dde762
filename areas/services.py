"""Every administrative write: areas, units, staff, categories and the area-tree import.

Each function validates, checks that the actor administers, and writes in one transaction.
The actor is a user, or `SYSTEM` for a trusted caller without one (a management command,
the demo builder); a missing actor (None) is refused.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.errors import ServiceError
from jiefen.identity import validate_phone
from jiefen.spreadsheets import Table, TableError, read_table

from .models import Area, Level, Membership, Role, Unit, UnitKind
from .selectors import is_administrator


class AdminError(ServiceError):
    """An administrative write that was refused; `field_errors` maps field names to messages."""


class SystemActor:
    """The platform itself as the actor of an administrative write: a caller with no user
    (a management command, the demo builder) passes `SYSTEM` to say so."""

    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def require_admin(actor) -> None:
    """Refuse an administrative write unless `actor` is an administrator or SYSTEM."""
    if isinstance(actor, SystemActor):
        return
    if actor is None:
        # Not "trusted by default": a caller that forgot to pass the user must not skip the check.
        raise AdminError(_("No one is named as the actor of this change."))
    if not is_administrator(actor):
        raise AdminError(_("Only administrators may change this."))


# ---------------------------------------------------------------- division codes

# Segments of the 12-digit statistical code (+ 3 local digits for grids), by level.
SEGMENTS: dict[int, tuple[int, int]] = {
    Level.PROVINCE: (0, 2),
    Level.CITY: (2, 4),
    Level.COUNTY: (4, 6),
    Level.TOWN: (6, 9),
    Level.VILLAGE: (9, 12),
    Level.GRID: (12, 15),
}


def check_area_code(code: str, level: int) -> str | None:
    """Why `code` is not a valid code of `level`, or None when it is."""
    length = 15 if level == Level.GRID else 12
    if not re.fullmatch(rf"\d{{{length}}}", code or ""):
        if level == Level.GRID:
            return _("A grid code is its village's 12-digit code followed by 3 digits.")
        return _("A division code has 12 digits.")
    start, end = SEGMENTS[level]
    if set(code[start:end]) == {"0"}:
        return _("Digits %(start)s–%(end)s must not be all zero at this level.") % {
            "start": start + 1,
            "end": end,
        }
    if level != Level.GRID and set(code[end:]) - {"0"}:
        return _("A code of this level must end with %(n)s zeros.") % {"n": 12 - end}
    return None


def parent_code_of(code: str, level: int) -> str:
    """The code of the parent area implied by the code itself ("" for a province)."""
    if level == Level.GRID:
        return code[:12]
    start, _end = SEGMENTS[level]
    return code[:start].ljust(12, "0") if start else ""


def _check_parent(code: str, level: int, parent: Area | None) -> str | None:
    if parent is None:
        if level >= Level.TOWN:
            return _("A town, village or grid needs its parent area.")
        return None
    if parent.level != level - 1:
        return _("The parent must be one level above (%(level)s).") % {
            "level": Level(level - 1).label
        }
    start, _end = SEGMENTS[level]
    if code[:start] != parent.code[:start]:
        return _("The code must begin with the parent's code %(prefix)s.") % {
            "prefix": parent.code[:start]
        }
    return None


@dataclass
class AreaInput:
    code: str
    name: str
    level: int
    parent_code: str = ""
    population: int = 0


def _area_errors(data: AreaInput, area: Area | None) -> tuple[dict[str, str], Area | None]:
    """Validate one area; returns (errors by field, resolved parent)."""
    errors: dict[str, str] = {}
    code = (data.code or "").strip()
    if not (data.name or "").strip():
        errors["name"] = _("Enter the name.")
    elif len(data.name.strip()) > 100:
        errors["name"] = _("The name may have at most 100 characters.")
    if data.level not in Level.values:
        errors["level"] = _("Unknown level.")
        return errors, None
    if msg := check_area_code(code, data.level):
        errors["code"] = msg
        return errors, None
    if data.population is None or data.population < 0:
        errors["population"] = _("The population must be a whole number, 0 or more.")
    clash = Area.objects.filter(code=code).exclude(pk=area.pk if area else None).first()
    if clash:
        errors["code"] = _("Another area already has this code.")
    parent_code = (data.parent_code or "").strip() or parent_code_of(code, data.level)
    parent = Area.objects.filter(code=parent_code).first() if parent_code else None
    if parent is None and parent_code and (data.parent_code.strip() or data.level >= Level.TOWN):
        errors["parent_code"] = _("Unknown parent area %(code)s.") % {"code": parent_code}
    elif msg := _check_parent(code, data.level, parent):
        errors["parent_code"] = msg
    if area and area.pk and (code != area.code or data.level != area.level):
        if area.children.exists():
            errors["code"] = _("An area with sub-areas keeps its code and level.")
    if area and parent and parent.is_within(area) and area.pk:
        errors["parent_code"] = _("An area cannot be moved below itself.")
    return errors, parent


def _write_area(data: AreaInput, area: Area | None, parent: Area | None) -> tuple[Area, bool]:
    """Write a validated area; returns (area, changed)."""
    area = area or Area()
    values = {
        "code": data.code.strip(),
        "name": data.name.strip(),
        "level": data.level,
        "parent_id": parent.pk if parent else None,
        "population": data.population,
    }
    changed = area.pk is None or any(getattr(area, k) != v for k, v in values.items())
    if changed:
        for k, v in values.items():
            setattr(area, k, v)
        area.save()
    return area, changed


def save_area(actor, data: AreaInput, area: Area | None = None) -> Area:
    """Create an area, or update `area`, after checking its code against level and parent."""
    require_admin(actor)
    errors, parent = _area_errors(data, area)
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        return _write_area(data, area, parent)[0]


# ---------------------------------------------------------------- units


@dataclass
class UnitInput:
    name: str
    kind: str
    area_code: str
    speciality: str = ""
    phone: str = ""


def save_unit(actor, data: UnitInput, unit: Unit | None = None) -> Unit:
    require_admin(actor)
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Enter the name.")
    if data.kind not in UnitKind.values:
        errors["kind"] = _("Unknown unit kind.")
    area = Area.objects.filter(code=(data.area_code or "").strip()).first()
    if area is None:
        errors["area_code"] = _("Unknown area code.")
    phone = (data.phone or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = e.messages[0]
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    unit = unit or Unit()
    unit.name, unit.kind, unit.area = name, data.kind, area
    unit.speciality, unit.phone = (data.speciality or "").strip(), phone
    with transaction.atomic():
        unit.save()
    return unit


def set_unit_active(actor, unit: Unit, active: bool) -> Unit:
    """Deactivate rather than delete: cases and timelines keep pointing at the unit."""
    require_admin(actor)
    with transaction.atomic():
        unit.is_active = active
        unit.save(update_fields=["is_active"])
    return unit


# ---------------------------------------------------------------- staff


def _clean_phone(phone: str, errors: dict[str, str]) -> str:
    phone = (phone or "").strip()
    if phone:
        try:
            return validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = e.messages[0]
    return phone


def create_staff(
    actor,
    username: str,
    full_name: str,
    password: str,
    phone: str = "",
    *,
    unit: Unit | None = None,
    role: str = "",
    area: Area | None = None,
    password_hash: str = "",
):
    """Create a staff account, with its first membership when `unit` is given.

    The phone is kept on the memberships (per unit). `password_hash` lets the demo
    builder hash one password once for many accounts.
    """
    require_admin(actor)
    User = get_user_model()
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not re.fullmatch(r"[\w.@+-]{1,150}", username):
        errors["username"] = _("Use letters, digits and . @ + - _ only.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("This username is taken.")
    if not (full_name or "").strip():
        errors["full_name"] = _("Enter the name.")
    if not password_hash and len(password or "") < 8:
        errors["password"] = _("The password needs at least 8 characters.")
    _clean_phone(phone, errors)
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        user = User(username=username, first_name=full_name.strip()[:150])
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(password)
        user.save()
        if unit is not None:
            # Same transaction: a refused membership leaves no account behind.
            add_membership(actor, user, unit, role, area, phone)
    return user


def update_staff(actor, user, full_name: str, phone: str = "", password: str = ""):
    """Change name, phone (on all memberships) and, when given, the password."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if not (full_name or "").strip():
        errors["full_name"] = _("Enter the name.")
    phone = _clean_phone(phone, errors)
    if password and len(password) < 8:
        errors["password"] = _("The password needs at least 8 characters.")
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        user.first_name = full_name.strip()[:150]
        if password:
            user.set_password(password)
        user.save()
        Membership.objects.filter(user=user).update(phone=phone)
    return user


def add_membership(
    actor, user, unit: Unit, role: str, area: Area | None = None, phone: str = ""
) -> Membership:
    """Place a user in a unit with a role; `area` narrows it to a grid or sub-area."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if area is not None and not area.is_within(unit.area):
        errors["area"] = _("The area must lie within the unit's area.")
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        errors["role"] = _("The user already has this role in this unit.")
    phone = _clean_phone(phone, errors)
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    if not phone:
        # Staff usually have one phone; reuse the one already on file.
        phone = (
            Membership.objects.filter(user=user).exclude(phone="").values_list("phone", flat=True)
        ).first() or ""
    with transaction.atomic():
        return Membership.objects.create(user=user, unit=unit, role=role, area=area, phone=phone)


def remove_membership(actor, membership: Membership) -> None:
    require_admin(actor)
    with transaction.atomic():
        membership.delete()


def set_user_active(actor, user, active: bool):
    """Deactivate instead of delete: the timeline keeps naming who did what."""
    require_admin(actor)
    if actor.pk == user.pk and not active:  # SYSTEM has no pk
        raise AdminError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


# ---------------------------------------------------------------- import

LEVEL_ALIASES: dict[str, int] = {
    "province": Level.PROVINCE,
    "省": Level.PROVINCE,
    "city": Level.CITY,
    "市": Level.CITY,
    "county": Level.COUNTY,
    "district": Level.COUNTY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "县级市": Level.COUNTY,
    "town": Level.TOWN,
    "township": Level.TOWN,
    "street": Level.TOWN,
    "镇": Level.TOWN,
    "乡": Level.TOWN,
    "街道": Level.TOWN,
    "village": Level.VILLAGE,
    "community": Level.VILLAGE,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "居委会": Level.VILLAGE,
    "grid": Level.GRID,
    "网格": Level.GRID,
}
COLUMN_ALIASES: dict[str, str] = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "name": "name",
    "名称": "name",
    "level": "level",
    "层级": "level",
    "级别": "level",
    "parent_code": "parent_code",
    "parent": "parent_code",
    "上级代码": "parent_code",
    "population": "population",
    "人口": "population",
}
REQUIRED_COLUMNS = ("code", "name", "level")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


def _parse_level(raw: str) -> int | None:
    raw = raw.strip().lower()
    if raw.isdigit():
        return int(raw) if int(raw) in Level.values else None
    return LEVEL_ALIASES.get(raw)


def _parse_population(raw: str) -> int | None:
    raw = raw.replace(",", "").replace("，", "").strip()
    if not raw:
        return 0
    if re.fullmatch(r"\d+(\.0+)?", raw):
        return int(float(raw))
    return None


def _read_areas(table: Table, report: ImportReport) -> list[tuple[int, int, AreaInput]]:
    """The header first, then each row: parsed rows, or their errors in `report`."""
    found = table.header()
    if found is None:
        report.errors.append(RowError(1, "", _("The file is empty.")))
        return []
    header_row, header = found
    columns = [COLUMN_ALIASES.get(h.strip().lower(), "") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.errors.append(
            RowError(
                header_row,
                ", ".join(missing),
                _("Missing column(s); the header needs code, name, level."),
            )
        )
        return []
    parsed: list[tuple[int, int, AreaInput]] = []
    for number, cells in table.rows():
        values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
        level = _parse_level(values.get("level", ""))
        population = _parse_population(values.get("population", ""))
        if level is None:
            report.errors.append(RowError(number, "level", _("Unknown level.")))
            continue
        if population is None:
            report.errors.append(
                RowError(number, "population", _("The population must be a whole number.")),
            )
            continue
        data = AreaInput(
            code=values.get("code", ""),
            name=values.get("name", ""),
            level=level,
            parent_code=values.get("parent_code", ""),
            population=population,
        )
        parsed.append((level, number, data))
    return parsed


def import_areas(actor, name: str, content: bytes) -> ImportReport:
    """Import or update (by code) areas from a table; bad rows are reported, good rows kept.

    Rows are applied parents first (by level), each in its own savepoint, so a row is either
    written completely or not at all, and a child can find a parent listed later in the file.
    """
    require_admin(actor)
    report = ImportReport()
    try:
        parsed = _read_areas(read_table(name, content), report)
    except TableError as e:
        # Too large or unreadable: nothing is written, and the message names the row.
        raise AdminError(e.message, e.field_errors) from e
    for _level, number, data in sorted(parsed, key=lambda t: (t[0], t[1])):
        existing = Area.objects.filter(code=data.code.strip()).first()
        errors, parent = _area_errors(data, existing)
        if errors:
            report.errors.extend(RowError(number, col, msg) for col, msg in errors.items())
            continue
        with transaction.atomic():
            _area, changed = _write_area(data, existing, parent)
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda e: e.row)
    return report


def import_areas_file(actor, path: str | Path, fh: IO[bytes] | None = None) -> ImportReport:
    path = Path(path)
    content = fh.read() if fh else path.read_bytes()
    return import_areas(actor, path.name, content)

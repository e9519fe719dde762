"""An administrator keeps the mediators (人民调解员, 专职/特邀调解员, 专家, 听证员) and what the
proposals read from them: kind, specialities, areas served, pools, whether active. One by
one on a form, or many at once from an Excel roster (调解员名册)."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area, Unit
from areas.services import AdminError, require_admin
from cases.models import Category
from jiefen.identity import validate_phone
from jiefen.spreadsheets import TableError, read_table

from .models import Mediator, MediatorKind, Pool, Profession


@dataclass
class MediatorInput:
    name: str
    kind: str
    profession: str = ""
    unit: Unit | None = None
    phone: str = ""
    is_active: bool = True
    specialities: list[Category] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    pools: list[Pool] = field(default_factory=list)


def save_mediator(actor, data: MediatorInput, mediator: Mediator | None = None) -> Mediator:
    """Add a mediator, or rewrite `mediator`; the proposals read the new data at once."""
    require_admin(actor)
    errors = mediator_errors(data)
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        if mediator is not None:
            mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
        mediator = mediator or Mediator()
        mediator.name = data.name.strip()
        mediator.kind = data.kind
        mediator.profession = data.profession or ""
        mediator.unit = data.unit
        mediator.phone = validate_phone(data.phone) if data.phone.strip() else ""
        mediator.is_active = data.is_active
        mediator.save()
        mediator.specialities.set(data.specialities)
        mediator.areas.set(data.areas)
        mediator.pools.set(data.pools)
    return mediator


def mediator_errors(data: MediatorInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.name or "").strip():
        errors["name"] = _("Enter the name.")
    elif len(data.name.strip()) > 60:
        errors["name"] = _("The name may have at most 60 characters.")
    if data.kind not in MediatorKind.values:
        errors["kind"] = _("Choose the kind of mediator.")
    if data.profession and data.profession not in Profession.values:
        errors["profession"] = _("Unknown profession.")
    if (data.phone or "").strip():
        try:
            validate_phone(data.phone)
        except ValidationError as e:
            errors["phone"] = e.messages[0]
    if data.unit is not None and not data.unit.is_active:
        errors["unit"] = _("This unit is deactivated.")
    if not data.areas:
        errors["areas"] = _("Name at least one area the mediator serves.")
    return errors


# ---------------------------------------------------------------- the Excel roster

COLUMNS = ["姓名", "类型", "职业", "所属单位", "擅长纠纷类别代码", "服务区域代码", "所属库", "电话"]
_SEPARATORS = re.compile(r"[，,、;；\s]+")


def split_list(text: str) -> list[str]:
    """The values of a list typed in one box or cell, separated as people write them
    (Chinese or Latin commas, 、, semicolons, spaces)."""
    return [v for v in _SEPARATORS.split(text or "") if v]


@dataclass
class RosterRow:
    row: int
    name: str
    mediator: Mediator | None = None
    errors: dict[str, str] = field(default_factory=dict)


def import_roster(actor, content: bytes) -> list[RosterRow]:
    """Read a roster (.xlsx, the COLUMNS in its first row) and add or update each good row
    (a mediator is the same one when name and phone match); bad rows are reported by their
    column and add nothing."""
    require_admin(actor)
    table = read_table("roster.xlsx", content)
    try:
        found = table.header()
        header = found[1] if found else []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise AdminError(
                _("The first row must name the columns; missing: %(columns)s")
                % {"columns": "、".join(missing)}
            )
        # Every row is read (and the limits checked) before the first is saved.
        rows = list(table.rows())
    except TableError as e:
        raise AdminError(e.message, e.field_errors) from e
    at = {name: header.index(name) for name in COLUMNS}
    kinds = {str(label): value for value, label in MediatorKind.choices} | {
        v: v for v in MediatorKind.values
    }
    professions = {str(label): value for value, label in Profession.choices} | {
        v: v for v in Profession.values
    }
    results = []
    for number, values in rows:
        cell = {name: values[i] if i < len(values) else "" for name, i in at.items()}
        if not any(cell.values()):
            continue
        results.append(_import_row(actor, number, cell, kinds, professions))
    return results


def _import_row(actor, number: int, cell: dict, kinds: dict, professions: dict) -> RosterRow:
    result = RosterRow(number, cell.get("姓名", ""))
    errors = result.errors
    unit = None
    if cell.get("所属单位"):
        unit = Unit.objects.filter(name=cell["所属单位"]).first()
        if unit is None:
            errors["所属单位"] = _("No unit of this name.")

    def lookup(column: str, model, key: str) -> list:
        wanted = split_list(cell.get(column, ""))
        found = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": wanted})}
        unknown = [v for v in wanted if v not in found]
        if unknown:
            errors[column] = _("Unknown: %(values)s") % {"values": "、".join(unknown)}
        return list(found.values())

    data = MediatorInput(
        name=cell.get("姓名", ""),
        kind=kinds.get(cell.get("类型", ""), ""),
        profession=professions.get(cell.get("职业", ""), "") if cell.get("职业") else "",
        unit=unit,
        phone=cell.get("电话", ""),
        specialities=lookup("擅长纠纷类别代码", Category, "code"),
        areas=lookup("服务区域代码", Area, "code"),
        pools=lookup("所属库", Pool, "name"),
    )
    if cell.get("职业") and not data.profession:
        errors["职业"] = _("Unknown profession.")
    column_of = {"name": "姓名", "kind": "类型", "profession": "职业", "unit": "所属单位"}
    column_of |= {"phone": "电话", "areas": "服务区域代码"}
    for key, message in mediator_errors(data).items():
        errors.setdefault(column_of.get(key, key), message)
    if errors:
        return result
    phone = validate_phone(data.phone) if data.phone else ""
    existing = Mediator.objects.filter(name=data.name.strip(), phone=phone).first()
    result.mediator = save_mediator(actor, data, existing)
    return result

"""An administrator extends and maintains the GB/T 31000 dispute categories and their
mapping to the Ministry of Justice statistical categories."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from areas.services import AdminError, require_admin

from .models import Category, MojCategory


def add_minor_category(
    actor, major: Category, code: str, name: str, moj: MojCategory | None
) -> Category:
    """Extend the GB/T 31000 table with a minor category (4 digits under its major)."""
    require_admin(actor)
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if major.parent_id is not None:
        errors["major"] = _("Choose a major (2-digit) category.")
    elif not re.fullmatch(rf"{major.code}\d\d", code) or code.endswith("00"):
        errors["code"] = _("The code is the major's 2 digits followed by 01–99.")
    elif Category.objects.filter(code=code).exists():
        errors["code"] = _("This code exists already.")
    if not (name or "").strip():
        errors["name"] = _("Enter the name.")
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        return Category.objects.create(
            code=code, name=name.strip(), parent=major, moj_category=moj or major.moj_category
        )


def update_category(
    actor, category: Category, name: str, moj: MojCategory | None, is_active: bool
) -> Category:
    """Rename, remap to a MoJ category, or (de)activate; codes never change (cases cite them)."""
    require_admin(actor)
    if not (name or "").strip():
        raise AdminError(_("Please correct the marked fields."), {"name": _("Enter the name.")})
    with transaction.atomic():
        category.name, category.moj_category, category.is_active = name.strip(), moj, is_active
        category.save()
    return category

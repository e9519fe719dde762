"""Identifiers of people and organisations: validation (GB 11643, GB 32100, phones) and masking."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiefen import clock

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643 check digit (ISO 7064 MOD 11-2) of the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> str:
    """Return the normalised 18-digit resident ID, or raise ValidationError saying what is wrong."""
    v = normalise_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", v):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        birth = datetime.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="id_birth"
        ) from None
    if birth.year < 1900 or birth > clock.today_local():
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="id_birth"
        )
    if id_check_digit(v[:17]) != v[17]:
        raise ValidationError(
            _("The check digit of the ID number is wrong; please check it."), code="id_check"
        )
    return v


def gender_from_id(v: str) -> str:
    """'1' male, '2' female (GB/T 2261.1) from the sequence digit's parity."""
    return "1" if int(v[16]) % 2 else "2"


_PHONE_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_FIXED = re.compile(r"0\d{2,3}-?\d{7,8}")
_PHONE_SERVICE = re.compile(r"\d{5}")  # 12345, 12348 and similar hotlines


def normalise_phone(value: str) -> str:
    v = re.sub(r"[\s()]", "", value or "")
    return v.removeprefix("+86").removeprefix("0086")


def validate_phone(value: str) -> str:
    v = normalise_phone(value)
    if not (_PHONE_MOBILE.fullmatch(v) or _PHONE_FIXED.fullmatch(v) or _PHONE_SERVICE.fullmatch(v)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with area code, e.g. 0731-84567890."),
            code="phone",
        )
    return v


_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def validate_credit_code(value: str) -> str:
    """GB 32100 unified social credit code with its check character."""
    v = (value or "").strip().upper()
    if len(v) != 18 or any(c not in _CREDIT_ALPHABET for c in v):
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="credit_format"
        )
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(v[:17], _CREDIT_WEIGHTS, strict=True))
    if _CREDIT_ALPHABET[(31 - total % 31) % 31] != v[17]:
        raise ValidationError(
            _("The check character of the credit code is wrong."), code="credit_check"
        )
    return v


def mask_id_number(v: str) -> str:
    return f"{v[:4]}{'*' * (len(v) - 8)}{v[-4:]}" if len(v) > 8 else ("*" * len(v))


def mask_phone(v: str) -> str:
    return f"{v[:3]}****{v[-4:]}" if len(v) >= 11 else (v[:2] + "*" * max(len(v) - 2, 0))

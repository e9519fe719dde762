"""Resident ID (GB 11643), credit code (GB 32100) and phone validation, and masking."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiefen.identity import (
    id_check_digit,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)


def test_the_standards_own_example_is_valid():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),  # wrong check digit
        ("11010519491331002X", "id_birth"),  # month 13
        ("1101051949123100", "id_format"),  # too short
        ("11010519491231002Y", "id_format"),
        ("11010530001231002X", "id_birth"),  # born in the future
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as e:
        validate_id_number(value)
    assert e.value.code == code


digits17 = st.builds(
    lambda area, birth, seq: f"{area:06d}{birth:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(0, 999),
)


@given(digits17)
def test_exactly_one_check_digit_is_accepted(first17):
    good = first17 + id_check_digit(first17)
    assert validate_id_number(good) == good
    for other in "0123456789X":
        if other != good[-1]:
            with pytest.raises(ValidationError):
                validate_id_number(first17 + other)


@pytest.mark.parametrize("value", ["13800138000", "+86 138 0013 8000", "0731-84567890", "12345"])
def test_good_phones(value):
    assert validate_phone(value)


@pytest.mark.parametrize("value", ["1380013800", "23800138000", "abc", "138001380001"])
def test_bad_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_credit_code_check_character():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(ValidationError):
        validate_credit_code("91350100M000100Y44")


def test_masks_keep_only_the_ends():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"

"""Registration: one code for life, validation that saves nothing, 首接负责制 ownership."""

import datetime

import pytest

from cases.data.ethnicities import ETHNIC_GROUPS
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, Party, TimelineEvent
from cases.services import PartyInput
from tests.factories import NOW, local_day, new_case


def test_codes_are_area_date_sequence_and_never_repeat(county):
    a = new_case(county)
    b = new_case(county)
    c = new_case(county, now=NOW + datetime.timedelta(days=1))
    assert a.code == f"{county.grids[0].code12}-{local_day(0, '%Y%m%d')}-0001"
    assert b.code.endswith("-0002")
    assert c.code == f"{county.grids[0].code12}-{local_day(1, '%Y%m%d')}-0001"
    # The highest code gone from the cases (a case is never deleted: its timeline is kept)
    # is not issued again: numbers come from the register, not from the existing codes.
    Case.objects.filter(pk=b.pk).update(code="GONE")
    assert new_case(county).code.endswith("-0003")


def test_code_date_is_the_local_date(county):
    # 17:30 UTC is 01:30 the next day in Asia/Shanghai.
    late = datetime.datetime(2026, 11, 23, 17, 30, tzinfo=datetime.UTC)
    assert "-20261124-" in new_case(county, now=late).code


def test_grid_workers_case_is_owned_by_their_village_center(county):
    case = new_case(county, actor_key="grid")
    assert case.owner_unit == county.center(county.villages[0])
    assert case.first_unit == case.owner_unit
    assert case.level == county.grids[0].level  # the grid tries first (网格内化解)
    assert case.parties.count() == 2
    assert case.parties.first().gender == "2"  # from the ID's sequence digit
    ev = TimelineEvent.objects.get(case=case)
    assert (ev.kind, ev.to_status, ev.actor) == ("registered", "registered", county.users["grid"])


def test_court_referral_goes_to_the_county_center(county):
    case = new_case(
        county, actor_key="liaison", channel="court", external_ref="(2026)湘0121诉前123号"
    )
    assert case.owner_unit == county.center(county.county)


def test_missing_materials_are_listed(county):
    case = new_case(county, missing_materials=["身份证复印件", "", "欠条原件"])
    assert [m.name for m in case.missing_materials.all()] == ["身份证复印件", "欠条原件"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"area_code": "000"}, "area_code"),
        ({"category_code": "9999"}, "category_code"),
        (
            {"parties": [PartyInput(name="王五", id_number="110105194912310021")]},
            "parties[0].id_number",
        ),
        ({"parties": [PartyInput(name="王五", phone="12345678")]}, "parties[0].phone"),
        ({"parties": [PartyInput(name="王五", ethnicity="99")]}, "parties[0].ethnicity"),
        ({"parties": [PartyInput(name="王五", ethnicity="汉族")]}, "parties[0].ethnicity"),
        ({"parties": [PartyInput(name="王五", occupation="务" * 61)]}, "parties[0].occupation"),
        ({"parties": []}, "parties"),
        ({"amount_involved": "abc"}, "amount_involved"),
        ({"occurred_at": NOW + datetime.timedelta(days=1)}, "occurred_at"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(county, overrides, field):
    with pytest.raises(InvalidInput) as e:
        new_case(county, **overrides)
    assert field in e.value.field_errors
    assert Case.objects.count() == Party.objects.count() == TimelineEvent.objects.count() == 0


def test_cannot_register_outside_ones_area(county):
    with pytest.raises(NotAllowed):
        new_case(county, actor_key="vclerk_sibling", area=county.grids[0])
    assert Case.objects.count() == 0


def test_parties_keep_their_ethnic_group_and_occupation(county):
    case = new_case(
        county,
        parties=[
            PartyInput(name="王五", ethnicity="06", occupation=" 外出务工 "),
            PartyInput(name="某某公司", role="respondent", kind="organisation"),
        ],
    )
    person, company = case.parties.all()
    assert (person.ethnicity, person.get_ethnicity_display(), person.occupation) == (
        "06",
        "苗族",
        "外出务工",
    )
    assert (company.ethnicity, company.occupation) == ("", "")


def test_the_ethnic_table_is_gb_3304():
    assert [code for code, _ in ETHNIC_GROUPS] == [f"{i:02d}" for i in range(1, 57)]
    assert ETHNIC_GROUPS[0] == ("01", "汉族") and ETHNIC_GROUPS[-1] == ("56", "基诺族")
    assert len({name for _, name in ETHNIC_GROUPS}) == 56

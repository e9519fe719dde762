"""Permissions follow the area tree: one selector decides, checked against an independent oracle."""

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from areas.models import Area, Membership
from cases.errors import CaseNotFound
from cases.models import Case, CaseUnit
from cases.selectors import cases_visible_to, get_visible_case
from cases.services import perform_transition
from tests.factories import NOW, build_county, new_case


def is_within(area: Area, ancestor: Area) -> bool:
    """Walks parent links, deliberately not the materialised path the selector uses."""
    while area is not None:
        if area.pk == ancestor.pk:
            return True
        area = area.parent
    return False


def oracle_visible(user, case: Case) -> bool:
    if case.reporter_id == user.pk:
        return True
    linked = set(CaseUnit.objects.filter(case=case).values_list("unit_id", flat=True))
    for m in Membership.objects.filter(user=user).select_related("unit__area", "area"):
        if m.unit_id == case.owner_unit_id or m.unit_id in linked:
            return True
        if m.unit.kind == "center" and is_within(case.area, m.area or m.unit.area):
            return True
    return False


class VisibilityProperty(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.integers(0, 100), st.integers(0, 100), st.booleans()),
            min_size=1,
            max_size=6,
        )
    )
    def test_selector_agrees_with_the_tree(self, plan):
        c = build_county()
        areas = [c.county, *c.towns, *c.villages, *c.grids]
        units = list(c.centers.values()) + list(c.units.values())
        for area_i, unit_i, routed in plan:
            case = new_case(c, actor_key="cclerk", area=areas[area_i % len(areas)])
            if routed:
                case = perform_transition(case, "accept", c.users["cclerk"], NOW)
                perform_transition(
                    case, "route", c.users["cclerk"], NOW, unit_id=units[unit_i % len(units)].pk
                )
        for user in get_user_model().objects.all():
            got = set(cases_visible_to(user).values_list("pk", flat=True))
            want = {case.pk for case in Case.objects.all() if oracle_visible(user, case)}
            assert got == want, user.username


def test_sibling_village_cannot_open_the_case(county):
    case = new_case(county, actor_key="grid")
    assert get_visible_case(county.users["vclerk"], case.code) == case
    assert get_visible_case(county.users["tclerk"], case.code) == case
    for outsider in ("vclerk_sibling", "tclerk_other", "handler", "mediator"):
        with pytest.raises(CaseNotFound):
            get_visible_case(county.users[outsider], case.code)


def test_department_sees_only_what_is_dispatched_to_it_and_former_owner_keeps_reading(county):
    other = new_case(county, actor_key="grid")
    case = new_case(county, actor_key="vclerk", area=county.villages[0])
    case = perform_transition(case, "accept", county.users["vclerk"], NOW)
    perform_transition(
        case, "route", county.users["vclerk"], NOW, unit_id=county.units["labour"].pk
    )
    handler = county.users["handler"]
    assert list(cases_visible_to(handler)) == [case]
    assert other not in cases_visible_to(handler)
    # The village center handed the case on but can still read it.
    assert case in cases_visible_to(county.users["vclerk"])

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from areas.models import Area, Level
from clocks.calendar import SHANGHAI, end_of_day
from clocks.models import EscalationPolicy, EscalationStep, PolicyArea, TimeUnit
from clocks.policies import (
    attempts_exhausted,
    due_for_step,
    next_level,
    policy_for_area,
    step_for,
)

pytestmark = pytest.mark.django_db

WUSHAN = "巫山时限制"
LIUZHOU = "柳州321工作法"


def policy(name: str) -> EscalationPolicy:
    return EscalationPolicy.objects.get(name=name)


def steps(name: str) -> list[tuple]:
    return [
        (s.level, s.time_limit, s.time_unit, s.max_attempts)
        for s in policy(name).steps.order_by("order")
    ]


@pytest.fixture
def tree() -> dict[str, Area]:
    """county ⊃ town1 ⊃ village1 ⊃ grid1, county ⊃ town2 ⊃ village2 ⊃ grid2, and another county."""
    a: dict[str, Area] = {}
    a["county"] = Area.objects.create(code="450204000000", name="柳南区", level=Level.COUNTY)
    a["other"] = Area.objects.create(code="500237000000", name="巫山县", level=Level.COUNTY)
    for i in (1, 2):
        town = Area.objects.create(
            code=f"45020400{i}000", name=f"街道{i}", level=Level.TOWN, parent=a["county"]
        )
        village = Area.objects.create(
            code=f"45020400{i}001", name=f"社区{i}", level=Level.VILLAGE, parent=town
        )
        grid = Area.objects.create(
            code=f"45020400{i}00101", name=f"网格{i}", level=Level.GRID, parent=village
        )
        a |= {f"town{i}": town, f"village{i}": village, f"grid{i}": grid}
    return a


def test_seed_policies_exist_with_their_steps():
    assert steps(WUSHAN) == [
        (Level.GRID, Decimal(3), TimeUnit.CALENDAR_DAYS, None),
        (Level.VILLAGE, Decimal(24), TimeUnit.HOURS, None),
        (Level.TOWN, Decimal(10), TimeUnit.CALENDAR_DAYS, None),
    ]
    assert steps(LIUZHOU) == [
        (Level.VILLAGE, None, "", 3),
        (Level.TOWN, None, "", 2),
        (Level.COUNTY, None, "", 1),
    ]
    wushan = policy(WUSHAN)
    assert wushan.is_active and "吹哨" in wushan.description and "24" in wushan.description
    assert "網格3日內無法化解的糾紛" in step_for(wushan, Level.GRID).note
    assert "10日內辦結反饋" in step_for(wushan, Level.TOWN).note
    assert "村(社区)三次、镇(街道)两次、城区一次" in step_for(policy(LIUZHOU), Level.COUNTY).note
    for step in EscalationStep.objects.all():
        step.full_clean()


def test_nearest_assignment_wins(tree):
    liuzhou, wushan = policy(LIUZHOU), policy(WUSHAN)
    PolicyArea.objects.create(policy=liuzhou, area=tree["county"])
    PolicyArea.objects.create(policy=wushan, area=tree["town1"])
    assert policy_for_area(tree["county"]) == liuzhou
    assert policy_for_area(tree["town1"]) == wushan
    assert policy_for_area(tree["grid1"]) == wushan
    assert policy_for_area(tree["grid2"]) == liuzhou
    assert policy_for_area(tree["village2"]) == liuzhou
    assert policy_for_area(tree["other"]) is None
    # A deactivated town policy hands the town back to the county's.
    wushan.is_active = False
    wushan.save()
    assert policy_for_area(tree["grid1"]) == liuzhou


def test_next_level():
    wushan, liuzhou = policy(WUSHAN), policy(LIUZHOU)
    assert next_level(wushan, Level.GRID) == Level.VILLAGE
    assert next_level(wushan, Level.VILLAGE) == Level.TOWN
    assert next_level(wushan, Level.TOWN) is None
    assert next_level(liuzhou, Level.GRID) == Level.VILLAGE  # a level the policy skips
    assert next_level(liuzhou, Level.VILLAGE) == Level.TOWN
    assert next_level(liuzhou, Level.TOWN) == Level.COUNTY
    assert next_level(liuzhou, Level.COUNTY) is None  # 闭环 at the district


def test_due_for_step():
    wushan = policy(WUSHAN)
    entered = datetime.datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)
    assert due_for_step(step_for(wushan, Level.GRID), entered) == end_of_day(
        datetime.date(2025, 10, 3)
    )
    assert due_for_step(step_for(wushan, Level.VILLAGE), entered) == datetime.datetime(
        2025, 10, 1, 16, 0, tzinfo=SHANGHAI
    )
    custom = EscalationPolicy.objects.create(name="工作日")
    step = EscalationStep.objects.create(
        policy=custom, level=Level.TOWN, order=1, time_limit=3, time_unit=TimeUnit.WORKING_DAYS
    )
    # Oct 9, Oct 10, make-up Saturday Oct 11.
    assert due_for_step(step, entered) == end_of_day(datetime.date(2025, 10, 11))
    assert due_for_step(step_for(policy(LIUZHOU), Level.VILLAGE), entered) is None


def test_attempts_exhausted_321():
    liuzhou = policy(LIUZHOU)
    village, town, county = (
        step_for(liuzhou, lv) for lv in (Level.VILLAGE, Level.TOWN, Level.COUNTY)
    )
    assert not attempts_exhausted(village, 2)
    assert attempts_exhausted(village, 3)
    assert not attempts_exhausted(town, 1)
    assert attempts_exhausted(town, 2)
    assert not attempts_exhausted(county, 0)
    assert attempts_exhausted(county, 1)
    assert not attempts_exhausted(step_for(policy(WUSHAN), Level.GRID), 99)


def test_step_needs_a_limit_or_attempts():
    p = EscalationPolicy.objects.create(name="空")
    with pytest.raises(ValidationError):
        EscalationStep(policy=p, level=Level.TOWN, order=1).full_clean()
    with pytest.raises(ValidationError):
        EscalationStep(policy=p, level=Level.TOWN, order=1, time_limit=3).full_clean()
    with pytest.raises(ValidationError):
        EscalationStep(
            policy=p, level=Level.TOWN, order=1, time_limit=Decimal("1.5"), time_unit="working_days"
        ).full_clean()
    EscalationStep(policy=p, level=Level.TOWN, order=1, max_attempts=2).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationStep.objects.create(policy=p, level=Level.TOWN, order=1)


def test_admin_pages_render(admin_client):
    p = policy(LIUZHOU)
    for url in (
        f"/admin/clocks/escalationpolicy/{p.pk}/change/",
        "/admin/clocks/escalationpolicy/add/",
        "/admin/clocks/calendaroverride/add/",
        "/admin/clocks/policyarea/",
    ):
        assert admin_client.get(url).status_code == 200, url

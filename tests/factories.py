"""A small hand-built county for tests: 2 towns × 2 villages × 1 grid, units and one user per role."""

import datetime
import importlib
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model

from areas.models import Area, Level, Membership, Role, Unit, UnitKind
from cases.data.categories import load_code_tables
from cases.models import Case, Category, Channel, MojCategory
from cases.services import CaseInput, PartyInput, register_case
from clocks.models import EscalationPolicy
from docking.services import ReferralInput, import_referrals
from jiefen import clock

# The suite's "now": a fixed Monday, moved by JIEFEN_CLOCK_OFFSET_DAYS like the system clock,
# so a run with the clock a year ahead shows whether any test depends on the date.
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC) + clock.offset()
PASSWORD = "pw-for-tests-1"


def local_day(days: int = 0, fmt: str = "%Y-%m-%d") -> str:
    """NOW's date in Asia/Shanghai plus `days`, as a form or a case code writes it."""
    return (NOW + datetime.timedelta(days=days)).astimezone(clock.LOCAL_TZ).strftime(fmt)


def user(username: str, unit: Unit, role: str, area: Area | None = None):
    u = get_user_model().objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=u, unit=unit, role=role, area=area)
    return u


@dataclass
class County:
    county: Area
    towns: list[Area] = field(default_factory=list)
    villages: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)
    centers: dict[str, Unit] = field(default_factory=dict)  # area code -> center
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)

    def center(self, area: Area) -> Unit:
        return self.centers[area.code]


class _ModelsMovedToClocks:
    """The seed migration names the policies' models by their first app, `routing`."""

    def get_model(self, app_label: str, name: str):
        return django_apps.get_model("clocks", name)


def build_county() -> County:
    # A transactional test's flush also removes the data the migrations loaded.
    if not Category.objects.exists():
        load_code_tables(Category, MojCategory)
    if not EscalationPolicy.objects.exists():
        seed = importlib.import_module("routing.migrations.0003_seed_escalation_policies")
        seed.create_policies(_ModelsMovedToClocks(), None)
    county = Area.objects.create(
        code="430121000000", name="长沙县", level=Level.COUNTY, population=1_000_000
    )
    c = County(county=county)
    c.centers[county.code] = Unit.objects.create(
        name="县综治中心", kind=UnitKind.CENTER, area=county
    )
    for ti in range(2):
        town = Area.objects.create(
            code=f"430121{100 + ti:03d}000",
            name=f"镇{ti + 1}",
            level=Level.TOWN,
            parent=county,
            population=50_000,
        )
        c.towns.append(town)
        c.centers[town.code] = Unit.objects.create(
            name=f"镇{ti + 1}综治中心", kind=UnitKind.CENTER, area=town
        )
        for vi in range(2):
            village = Area.objects.create(
                code=f"{town.code[:9]}{201 + vi:03d}",
                name=f"镇{ti + 1}村{vi + 1}",
                level=Level.VILLAGE,
                parent=town,
                population=3_000,
            )
            c.villages.append(village)
            c.centers[village.code] = Unit.objects.create(
                name=f"{village.name}综治中心", kind=UnitKind.CENTER, area=village
            )
            grid = Area.objects.create(
                code=f"{village.code}001",
                name=f"{village.name}一网格",
                level=Level.GRID,
                parent=village,
                population=500,
            )
            c.grids.append(grid)
    c.units["labour"] = Unit.objects.create(
        name="县人社局", kind=UnitKind.DEPARTMENT, area=county, speciality="labour"
    )
    c.units["court"] = Unit.objects.create(name="县人民法院", kind=UnitKind.COURT, area=county)
    c.units["committee"] = Unit.objects.create(
        name="镇1村1人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE, area=c.villages[0]
    )
    v0, v1 = c.villages[0], c.villages[1]
    c.users["grid"] = user("grid", c.center(v0), Role.GRID_WORKER, c.grids[0])
    c.users["vclerk"] = user("vclerk", c.center(v0), Role.CLERK)
    c.users["vclerk_sibling"] = user("vclerk_sibling", c.center(v1), Role.CLERK)
    c.users["tclerk"] = user("tclerk", c.center(c.towns[0]), Role.CLERK)
    c.users["tclerk_other"] = user("tclerk_other", c.center(c.towns[1]), Role.CLERK)
    c.users["cclerk"] = user("cclerk", c.center(county), Role.CLERK)
    c.users["leader"] = user("leader", c.center(c.towns[0]), Role.LEADER)
    c.users["mediator"] = user("mediator", c.units["committee"], Role.MEDIATOR)
    c.users["handler"] = user("handler", c.units["labour"], Role.HANDLER)
    c.users["liaison"] = user("liaison", c.units["court"], Role.COURT_LIAISON)
    return c


VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def case_input(area: Area, **overrides) -> CaseInput:
    data = dict(
        title="邻里排水纠纷",
        description="楼上住户改造卫生间导致楼下渗水，双方多次争吵。",
        area_code=area.code,
        channel="grid_app",
        category_code="0201",
        parties=[
            PartyInput(
                name="张三",
                id_number=VALID_ID,
                phone="13800138000",
                ethnicity="15",
                occupation="退休教师",
            ),
            PartyInput(
                name="李四",
                role="respondent",
                phone="13900139000",
                ethnicity="01",
                occupation="个体工商户",
            ),
        ],
    )
    data.update(overrides)
    return CaseInput(**data)


def new_case(c: County, actor_key: str = "vclerk", area: Area | None = None, now=NOW, **kw):
    return register_case(c.users[actor_key], case_input(area or c.grids[0], **kw), now)


def court_batch(
    county: County, n: int, category: str = "0201", area: Area | None = None
) -> list[Case]:
    """A court's pre-litigation batch (诉前委派) of n cases, pushed through docking to the
    center of `area` (default: the first village), as the court's system would send it."""
    area_code = (area or county.villages[0]).code
    items = [
        ReferralInput(
            row=i,
            external_ref=f"（2026）湘0121民诉前调{i}号",
            case=case_input(
                county.villages[0],
                area_code=area_code,
                category_code=category,
                title=f"买卖合同纠纷{i}",
                parties=[
                    PartyInput(name=f"原告{i}", id_number=VALID_ID, phone="13800138000"),
                    PartyInput(name=f"被告{i}", role="respondent", phone="13900139000"),
                ],
            ),
        )
        for i in range(1, n + 1)
    ]
    _batch, rows = import_referrals(
        county.users["liaison"], items, NOW, channel=Channel.COURT, source="api"
    )
    return list(Case.objects.filter(code__in=[r.case_code for r in rows]).order_by("code"))

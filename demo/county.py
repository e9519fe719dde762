"""The demo county: its area tree, units and staff (built through areas.services)."""

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from areas.models import Area, Level, Role, Unit, UnitKind
from areas.services import AreaInput, UnitInput, create_staff, save_area, save_unit
from cases.models import Case
from routing.models import EscalationPolicy, PolicyArea

from .people import person_name, phone

PASSWORD = "jiefen-demo"  # of every demo account
COUNTY_CODE, COUNTY_NAME = "430135000000", "青山县"
# (town segment, name, [(village segment, name)]); the first entries are the named demo users'.
TOWNS = [
    ("101", "白沙镇", [("201", "白沙村"), ("202", "龙塘村"), ("001", "白沙社区")]),
    ("001", "青山街道", [("001", "东园社区"), ("002", "西湖社区"), ("003", "南门社区")]),
    ("102", "金井镇", [("201", "金井村"), ("202", "双江村")]),
    ("201", "桃花乡", [("201", "桃花村"), ("202", "石门村")]),
]
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
# (key, name, kind, speciality) of county-level units besides the center.
COUNTY_UNITS = [
    ("dept:labour", "青山县人力资源和社会保障局", UnitKind.DEPARTMENT, "labour"),
    ("dept:housing", "青山县住房和城乡建设局", UnitKind.DEPARTMENT, "housing"),
    ("dept:market", "青山县市场监督管理局", UnitKind.DEPARTMENT, "market"),
    ("dept:land", "青山县自然资源局", UnitKind.DEPARTMENT, "land"),
    ("dept:health", "青山县卫生健康局", UnitKind.DEPARTMENT, "health"),
    ("dept:education", "青山县教育局", UnitKind.DEPARTMENT, "education"),
    ("police:county", "青山县公安局", UnitKind.POLICE, "public security"),
    ("court", "青山县人民法院", UnitKind.COURT, ""),
    ("procuratorate", "青山县人民检察院", UnitKind.PROCURATORATE, ""),
    ("pro:labour", "青山县劳动争议人民调解委员会", UnitKind.PRO_MEDIATION, "labour"),
    ("pro:medical", "青山县医疗纠纷人民调解委员会", UnitKind.PRO_MEDIATION, "medical"),
    ("pro:property", "青山县物业纠纷人民调解委员会", UnitKind.PRO_MEDIATION, "property"),
    ("pro:finance", "青山县金融纠纷人民调解委员会", UnitKind.PRO_MEDIATION, "finance"),
    ("pro:traffic", "青山县道路交通事故人民调解委员会", UnitKind.PRO_MEDIATION, "traffic"),
    ("pro:demolition", "青山县征地拆迁人民调解委员会", UnitKind.PRO_MEDIATION, "demolition"),
]


@dataclass
class Demo:
    """What the seed built, for the builders that follow and for the command's summary."""

    county: Area
    towns: list[Area] = field(default_factory=list)
    villages: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)  # see unit_key()
    centers: dict[int, Unit] = field(default_factory=dict)  # area pk -> center
    staff: dict[int, object] = field(default_factory=dict)  # unit pk -> the user acting for it
    grid_workers: dict[int, object] = field(default_factory=dict)  # grid pk -> user
    users: dict[str, object] = field(default_factory=dict)  # the named demo accounts
    cases: list[Case] = field(default_factory=list)


def build_areas(rng: random.Random) -> Demo:
    county = save_area(None, AreaInput(COUNTY_CODE, COUNTY_NAME, Level.COUNTY))
    demo = Demo(county=county)
    county_pop = 0
    for town_seg, town_name, villages in TOWNS:
        town_code = f"{COUNTY_CODE[:6]}{town_seg}000"
        town = save_area(None, AreaInput(town_code, town_name, Level.TOWN))
        demo.towns.append(town)
        town_pop = 0
        for village_seg, village_name in villages:
            code = f"{town_code[:9]}{village_seg}"
            village = save_area(None, AreaInput(code, village_name, Level.VILLAGE))
            demo.villages.append(village)
            village_pop = 0
            for i, grid_name in enumerate(GRID_NAMES, start=1):
                pop = rng.randrange(800, 1600)
                grid = save_area(
                    None,
                    AreaInput(f"{code}{i:03d}", f"{village_name}{grid_name}", Level.GRID, "", pop),
                )
                demo.grids.append(grid)
                village_pop += pop
            Area.objects.filter(pk=village.pk).update(population=village_pop)
            town_pop += village_pop
        # Town seats hold residents outside the modelled villages too.
        town_pop += rng.randrange(5_000, 15_000)
        Area.objects.filter(pk=town.pk).update(population=town_pop)
        county_pop += town_pop
    Area.objects.filter(pk=county.pk).update(population=county_pop + 520_000)
    return demo


def _unit(demo: Demo, key: str, name: str, kind: str, area: Area, speciality: str = "") -> Unit:
    unit = save_unit(None, UnitInput(name, kind, area.code, speciality, "0731-8" + key_digits(key)))
    demo.units[key] = unit
    if kind == UnitKind.CENTER:
        demo.centers[area.pk] = unit
    return unit


def key_digits(key: str) -> str:
    """A stable 7-digit office number derived from the unit key (demo phones must validate)."""
    return f"{sum(ord(c) * (i + 1) for i, c in enumerate(key)) % 10**7:07d}"


def unit_key(kind: str, area: Area) -> str:
    return f"{kind}:{area.code}"


def build_units(demo: Demo) -> None:
    county = demo.county
    _unit(demo, unit_key("center", county), "青山县综治中心", UnitKind.CENTER, county)
    for key, name, kind, speciality in COUNTY_UNITS:
        _unit(demo, key, name, kind, county, speciality)
    for town in demo.towns:
        short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        _unit(demo, unit_key("center", town), f"{town.name}综治中心", UnitKind.CENTER, town)
        _unit(
            demo,
            unit_key("committee", town),
            f"{town.name}人民调解委员会",
            UnitKind.MEDIATION_COMMITTEE,
            town,
        )
        _unit(
            demo,
            unit_key("police", town),
            f"青山县公安局{short}派出所",
            UnitKind.POLICE,
            town,
            "public security",
        )
    _unit(demo, "tribunal", "青山县人民法院白沙人民法庭", UnitKind.TRIBUNAL, demo.towns[0])
    for village in demo.villages:
        _unit(
            demo,
            unit_key("center", village),
            f"{village.name}综治中心",
            UnitKind.CENTER,
            village,
        )
        _unit(
            demo,
            unit_key("committee", village),
            f"{village.name}人民调解委员会",
            UnitKind.MEDIATION_COMMITTEE,
            village,
        )


def build_users(demo: Demo, rng: random.Random) -> None:
    # PBKDF2 is deliberately slow; hash the shared demo password once for ~90 accounts.
    password_hash = make_password(PASSWORD)
    User = get_user_model()
    User.objects.create(
        username="admin",
        first_name="系统管理员",
        is_staff=True,
        is_superuser=True,
        password=password_hash,
    )

    def add(username: str, unit: Unit, role: str, area: Area | None = None):
        user = create_staff(
            None,
            username,
            person_name(rng),
            "",
            phone(rng),
            unit=unit,
            role=role,
            area=area,
            password_hash=password_hash,
        )
        return user

    first_town, first_village, second_village = demo.towns[0], demo.villages[0], demo.villages[1]
    named_centers = {
        demo.county.pk: "county_clerk",
        first_town.pk: "town_clerk",
        first_village.pk: "village_clerk",
        second_village.pk: "village2_clerk",
    }
    for area_pk, center in demo.centers.items():
        username = named_centers.get(area_pk, f"clerk_{center.area.code}")
        demo.staff[center.pk] = add(username, center, Role.CLERK)
    for village in demo.villages:
        center = demo.centers[village.pk]
        for grid in village.children.order_by("code"):
            username = "grid" if grid == demo.grids[0] else f"grid_{grid.code}"
            demo.grid_workers[grid.pk] = add(username, center, Role.GRID_WORKER, grid)
    for key, unit in demo.units.items():
        if unit.kind == UnitKind.CENTER:
            continue
        if unit.kind in (UnitKind.MEDIATION_COMMITTEE, UnitKind.PRO_MEDIATION):
            role, prefix = Role.MEDIATOR, "mediator"
        elif unit.kind in (UnitKind.COURT, UnitKind.TRIBUNAL, UnitKind.PROCURATORATE):
            role, prefix = Role.COURT_LIAISON, "liaison"
        else:
            role, prefix = Role.HANDLER, "handler"
        username = {
            unit_key("committee", first_village): "mediator",
            "dept:labour": "handler",
            "court": "court",
        }.get(key, f"{prefix}_{key.replace(':', '_')}")
        demo.staff[unit.pk] = add(username, unit, role)
    leader = add("leader", demo.centers[first_town.pk], Role.LEADER)
    demo.users = {u.username: u for u in [*demo.staff.values(), *demo.grid_workers.values()]}
    demo.users["leader"] = leader


def assign_policy(demo: Demo) -> None:
    """The county runs Wushan's time limits from now on (after the history is built, so the
    demo does not start with six months of escalations due)."""
    policy = EscalationPolicy.objects.filter(name="巫山时限制").first()
    if policy:
        PolicyArea.objects.get_or_create(area=demo.county, defaults={"policy": policy})

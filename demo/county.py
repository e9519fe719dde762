"""The demo county: its area tree, units and staff.

Plain reference rows, written in bulk: the same rows as areas.services would write (codes
checked, paths materialised, phones normalised), in a handful of statements.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password

from areas.models import Area, Level, Membership, Role, Unit, UnitKind
from areas.services import check_area_code
from cases.models import Case
from clocks.models import EscalationPolicy, PolicyArea
from jiefen.identity import validate_phone

from .people import person_name, phone

PASSWORD = "jiefen-demo"  # of every demo account
# make_password(PASSWORD, salt="jiefendemoseedsalt2026") with Django 5.2's default hasher
# (PBKDF2-SHA256, 1,000,000 iterations, deliberately slow): kept here, it saves a second of
# every seed; password_hash() falls back to hashing when the hasher's settings differ.
PASSWORD_HASH = (
    "pbkdf2_sha256$1000000$jiefendemoseedsalt2026$RllAqBea29/oHKUF2MAQp/f/kN8r8W2uMYEpUEds5ho="
)
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
    """The area tree, written in two statements: the rows in tree order, then their parents
    and materialised paths (what Area.save would write for each)."""
    county = Area(code=COUNTY_CODE, name=COUNTY_NAME, level=Level.COUNTY)
    demo = Demo(county=county)
    tree: list[tuple[Area, Area | None]] = [(county, None)]  # (area, parent) in tree order
    for town_seg, town_name, villages in TOWNS:
        town_code = f"{COUNTY_CODE[:6]}{town_seg}000"
        town = Area(code=town_code, name=town_name, level=Level.TOWN)
        demo.towns.append(town)
        tree.append((town, county))
        for village_seg, village_name in villages:
            code = f"{town_code[:9]}{village_seg}"
            village = Area(code=code, name=village_name, level=Level.VILLAGE)
            demo.villages.append(village)
            tree.append((village, town))
            for i, grid_name in enumerate(GRID_NAMES, start=1):
                grid = Area(
                    code=f"{code}{i:03d}",
                    name=f"{village_name}{grid_name}",
                    level=Level.GRID,
                    population=rng.randrange(800, 1600),
                )
                demo.grids.append(grid)
                tree.append((grid, village))
                village.population += grid.population
            town.population += village.population
        # Town seats hold residents outside the modelled villages too.
        town.population += rng.randrange(5_000, 15_000)
        county.population += town.population
    county.population += 520_000
    for area, _parent in tree:
        if error := check_area_code(area.code, area.level):
            raise ValueError(f"{area.code}: {error}")
    Area.objects.bulk_create([area for area, _parent in tree])
    for area, parent in tree:  # parents come before their children
        area.parent = parent
        area.path = f"{parent.path if parent else '/'}{area.pk}/"
    Area.objects.bulk_update([area for area, _parent in tree], ["parent", "path"])
    return demo


def key_digits(key: str) -> str:
    """A stable 7-digit office number derived from the unit key (demo phones must validate)."""
    return f"{sum(ord(c) * (i + 1) for i, c in enumerate(key)) % 10**7:07d}"


def unit_key(kind: str, area: Area) -> str:
    return f"{kind}:{area.code}"


def build_units(demo: Demo) -> None:
    """The county's units, in one statement."""

    def unit(key: str, name: str, kind: str, area: Area, speciality: str = "") -> None:
        phone = validate_phone("0731-8" + key_digits(key))
        demo.units[key] = Unit(name=name, kind=kind, area=area, speciality=speciality, phone=phone)
        if kind == UnitKind.CENTER:
            demo.centers[area.pk] = demo.units[key]

    county = demo.county
    unit(unit_key("center", county), "青山县综治中心", UnitKind.CENTER, county)
    for key, name, kind, speciality in COUNTY_UNITS:
        unit(key, name, kind, county, speciality)
    for town in demo.towns:
        short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        unit(unit_key("center", town), f"{town.name}综治中心", UnitKind.CENTER, town)
        unit(
            unit_key("committee", town),
            f"{town.name}人民调解委员会",
            UnitKind.MEDIATION_COMMITTEE,
            town,
        )
        unit(
            unit_key("police", town),
            f"青山县公安局{short}派出所",
            UnitKind.POLICE,
            town,
            "public security",
        )
    unit("tribunal", "青山县人民法院白沙人民法庭", UnitKind.TRIBUNAL, demo.towns[0])
    for village in demo.villages:
        unit(unit_key("center", village), f"{village.name}综治中心", UnitKind.CENTER, village)
        unit(
            unit_key("committee", village),
            f"{village.name}人民调解委员会",
            UnitKind.MEDIATION_COMMITTEE,
            village,
        )
    Unit.objects.bulk_create(demo.units.values())


def password_hash() -> str:
    """The demo password's hash: PASSWORD_HASH while the configured hasher would accept it
    as it is, else a fresh one."""
    hasher = get_hasher()
    try:
        fits = identify_hasher(PASSWORD_HASH).algorithm == hasher.algorithm
    except ValueError:  # that algorithm is not among PASSWORD_HASHERS
        fits = False
    if fits and not hasher.must_update(PASSWORD_HASH):
        return PASSWORD_HASH
    return make_password(PASSWORD)


def build_users(demo: Demo, rng: random.Random, joined: datetime.datetime) -> None:
    """The administrator and one account per unit (the centers' clerks, a grid worker per
    grid, a leader), with their memberships: two statements."""
    User = get_user_model()
    hashed = password_hash()
    admin = User(
        username="admin",
        first_name="系统管理员",
        is_staff=True,
        is_superuser=True,
        password=hashed,
        date_joined=joined,
    )
    users, memberships = [admin], []

    def add(username: str, unit: Unit, role: str, area: Area | None = None):
        user = User(
            username=username, first_name=person_name(rng), password=hashed, date_joined=joined
        )
        users.append(user)
        memberships.append(
            Membership(user=user, unit=unit, role=role, area=area, phone=validate_phone(phone(rng)))
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
        for grid in (g for g in demo.grids if g.parent == village):
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
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(memberships)
    demo.users = {u.username: u for u in [*demo.staff.values(), *demo.grid_workers.values()]}
    demo.users["leader"] = leader


def assign_policy(demo: Demo) -> None:
    """The county runs Wushan's time limits from now on (after the history is built, so the
    demo does not start with six months of escalations due)."""
    policy = EscalationPolicy.objects.filter(name="巫山时限制").first()
    if policy:
        PolicyArea.objects.get_or_create(area=demo.county, defaults={"policy": policy})
        # Resolve limits by complexity, as counties the research found set them (seed 001,
        # 辉南: 简单问题马上办、一般问题精准办、疑难问题合力办，明确办结时限; 东至 1 / 7 / 20 days).
        policy.simple_days, policy.ordinary_days, policy.complex_days = 1, 7, 20
        policy.save(update_fields=["simple_days", "ordinary_days", "complex_days"])

"""Demo data: a fictional county of Changsha (湖南省长沙市青山县) with its areas, units, staff
and cases moved through the real state machine, so timelines and deadlines are genuine.

Everything is drawn from one random.Random(seed), and times are offsets from `now`, so a
given seed and `now` always build the same data. Writes go through the services
(areas.services, cases.services) so the demo exercises the same rules as the UI.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from areas.models import Area, Level, Role, Unit, UnitKind
from areas.selectors import center_for_area
from areas.services import SYSTEM, AreaInput, UnitInput, create_staff, save_area, save_unit
from cases.models import Case, Channel, PartyKind, PartyRole, Scale
from cases.services import CaseInput, PartyInput, perform_transition, register_case
from cases.workflow import TransferChannel
from clocks.models import EscalationPolicy, PolicyArea
from jiefen import clock
from jiefen.identity import id_check_digit
from jiefen.localtime import LOCAL_TZ

PASSWORD = "jiefen-demo"
H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)

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

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许邓冯韩曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任卢姚沈钟姜谭陆范汪廖石金贺毛龚邹熊易向龙"
)
GIVEN = (
    "建国 伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 国平 志强 "
    "海燕 红梅 德明 春生 文华 小红 雪梅 玉兰 家豪 子涵 浩然 卫东 建华 淑珍 满秀 冬生 桂花 立新 "
    "红霞 永红 新民 长青 友谊 金凤 爱华 小龙 思远 雨桐 志刚 建军 秋菊 玉梅"
).split()
COMPANIES = [
    "湖南湘江建筑劳务有限公司",
    "青山鑫达机械制造有限公司",
    "长沙恒通物流有限公司",
    "青山绿源农业开发有限公司",
    "湖南盛世家装工程有限公司",
    "白沙食品加工厂",
    "金井茶业专业合作社",
]
PROPERTY_COMPANIES = ["青山安居物业管理有限公司", "长沙锦华物业服务有限公司"]
DECORATORS = ["湖南盛世家装工程有限公司", "青山美家装饰有限公司", "长沙优居装饰工程有限公司"]
HOSPITALS = ["青山县人民医院", "青山县中医医院", "白沙镇卫生院"]
ROADS = ["S207省道", "青山大道", "白沙路与金井路交叉口", "县道X031线", "桃花大道"]
PHONE_PREFIXES = "134 135 136 137 138 139 150 151 152 157 158 159 173 177 180 186 187 188 199"
ID_AREAS = ["430135", "430121", "430181", "430124", "431102", "430524", "430626"]

OUTCOMES_TRANSFER = {
    TransferChannel.LITIGATION: "调解不成，已告知当事人诉讼途径和诉讼时效，引导其向人民法院起诉。",
    TransferChannel.ARBITRATION: "双方分歧较大，已引导申请人向县劳动人事争议仲裁委员会申请仲裁。",
    TransferChannel.ADMINISTRATIVE: "涉及行政职权事项，已移交主管部门依法处理，并告知当事人办理渠道。",
    TransferChannel.PETITION: "当事人坚持信访诉求，已引导其依法逐级走访，并告知信访事项办理时限。",
}
TERMINATE_NOTES = [
    "申请人撤回调解申请，双方表示自行协商解决。",
    "一方当事人明确拒绝继续调解，依法终止调解。",
    "双方已自行和解，终止调解程序。",
]
REJECT_NOTES = [
    "经核实系重复反映，已并入原事项办理。",
    "该事项已由人民法院立案受理，不再受理调解，已告知当事人。",
]
STABILISE_NOTES = [
    "双方分歧较大，暂未达成一致，已落实网格员和调解员每周走访稳控，继续做工作。",
    "当事人情绪已平稳，承诺不采取过激行为，由包案干部持续跟进。",
]
FOLLOW_UP_NOTES = [
    "回访当事人，协议已履行完毕，双方关系缓和，未发现反弹。",
    "电话回访，当事人对处理结果表示认可。",
    "入户回访，走访周边群众，纠纷未再发生。",
]
SATISFACTION = [("satisfied", 75), ("basic", 20), ("unsatisfied", 5)]


@dataclass(frozen=True)
class Scenario:
    category: str
    titles: tuple[str, ...]
    description: str
    resolution: str
    routes: tuple[str, ...]  # unit keys: "village", "town", "police", or COUNTY_UNITS keys
    channels: tuple[str, ...]
    amount: tuple[int, int] | None = None
    people: tuple[int, int] = (2, 2)
    respondent: str = "person"  # or the name of a list of organisations
    transfer: str = TransferChannel.LITIGATION
    rural: bool | None = None
    weight: int = 10


C = Channel
SCENARIOS = [
    Scenario(
        "0701",
        ("{a}等{n}人讨要拖欠工资", "{a}追讨{org}拖欠工资"),
        "{a}等{n}名工人在{org}承建的{place}安置房项目务工，工程完工后仍有工资共计约{amount}元未结清，"
        "多次催要无果，工人情绪激动，要求尽快支付。",
        "经调解，{org}承诺于{days}日内分两期付清拖欠工资{amount2}元，首期已当场支付。",
        ("dept:labour", "pro:labour", "town"),
        (C.GRID_APP, C.WINDOW, C.HOTLINE, C.PETITION),
        (8_000, 260_000),
        (3, 28),
        "COMPANIES",
        TransferChannel.ARBITRATION,
        weight=16,
    ),
    Scenario(
        "0201",
        ("{place}{a}家与楼上{b}家漏水纠纷", "{a}反映楼上住户{b}家渗水"),
        "{b}家卫生间防水层老化，导致楼下{a}家天花板渗水发霉，{a}要求{b}维修并赔偿损失约{amount}元，"
        "{b}认为是公共管道问题，双方多次争吵。",
        "调解员现场查看后，{b}同意重做防水并补偿{a}{amount2}元，双方签订调解协议。",
        ("village",),
        (C.GRID_APP, C.WINDOW, C.ONLINE),
        (1_000, 9_000),
        rural=False,
        weight=14,
    ),
    Scenario(
        "0402",
        ("{place}业主与{org}物业费纠纷", "{a}等业主拒交物业费"),
        "{a}等{n}户业主认为{org}服务不到位（电梯常坏、绿化无人维护），拒交物业费共计约{amount}元，"
        "物业公司催缴并称将停止部分服务，双方矛盾激化。",
        "经调解，{org}承诺一个月内完成电梯维修和绿化整改，业主同意补交物业费，按季度公示收支。",
        ("pro:property", "village"),
        (C.HOTLINE, C.ONLINE, C.WINDOW),
        (3_000, 60_000),
        (3, 40),
        "PROPERTY_COMPANIES",
        rural=False,
        weight=10,
    ),
    Scenario(
        "0901",
        ("{a}与{b}土地承包经营权纠纷",),
        "{a}外出务工期间将{mu}亩承包地交由{b}耕种，现{a}返乡要求收回，{b}以已投入改良为由拒绝，"
        "并要求补偿投入费用约{amount}元。",
        "经村调委会调解，{b}于本季收割后退还承包地，{a}补偿{b}土地改良费用{amount2}元。",
        ("village", "dept:land"),
        (C.GRID_APP, C.WINDOW),
        (2_000, 20_000),
        rural=True,
        weight=9,
    ),
    Scenario(
        "0102",
        ("{a}追索子女抚养费纠纷",),
        "{a}与{b}离婚后孩子随{a}生活，{b}已连续{months}个月未按离婚协议支付抚养费，合计约{amount}元，"
        "{a}多次联系未果。",
        "经调解，{b}当场支付拖欠抚养费{amount2}元，并承诺今后每月按时支付。",
        ("village", "town"),
        (C.WINDOW, C.GRID_APP, C.ONLINE),
        (3_000, 30_000),
        weight=6,
    ),
    Scenario(
        "0102",
        ("{a}兄妹赡养老人纠纷",),
        "老人{old}年过八旬，{a}与{b}等兄妹就赡养费分担和轮流照料问题发生争执，老人近期生活无人照料，"
        "网格员走访时发现。",
        "经调解，兄妹四人签订赡养协议，每人每月支付赡养费，按季度轮流照料老人。",
        ("village",),
        (C.GRID_APP,),
        None,
        (4, 5),
        rural=True,
        weight=6,
    ),
    Scenario(
        "0101",
        ("{a}与{b}婚姻家庭纠纷",),
        "夫妻二人因家庭琐事长期争吵，{b}提出离婚，双方就子女抚养和共同房产分割争执不下，"
        "{a}情绪低落，亲属担心矛盾激化。",
        "经耐心疏导，双方冷静协商，同意暂缓离婚，共同参加家庭教育指导。",
        ("village", "town"),
        (C.GRID_APP, C.WINDOW),
        weight=6,
    ),
    Scenario(
        "0503",
        ("{a}与{b}道路交通事故赔偿纠纷",),
        "{b}驾驶小型轿车在{road}与{a}驾驶的电动车发生碰撞，{a}受伤住院，交警认定{b}负主要责任。"
        "双方就医疗费、误工费等赔偿金额协商不成，{a}主张赔偿约{amount}元。",
        "经交通事故调委会调解，{b}及其保险公司一次性赔偿{a}各项损失{amount2}元。",
        ("pro:traffic", "police"),
        (C.POLICE, C.WINDOW, C.COURT),
        (8_000, 160_000),
        weight=10,
    ),
    Scenario(
        "0502",
        ("{a}家属与{org}医疗纠纷",),
        "{a}在{org}接受手术后出现并发症，家属认为医院存在过错，要求赔偿约{amount}元，"
        "并在医院聚集，影响正常诊疗秩序。",
        "经医疗纠纷调委会组织专家评估，{org}一次性补偿{a}{amount2}元，家属撤离，签订调解协议。",
        ("pro:medical", "dept:health"),
        (C.HOTLINE, C.POLICE, C.WINDOW),
        (20_000, 400_000),
        (3, 12),
        "HOSPITALS",
        weight=5,
    ),
    Scenario(
        "0902",
        ("{a}与{b}宅基地界址纠纷",),
        "{a}与{b}系邻居，{b}翻建房屋时将院墙向{a}一侧外移约{m}米，{a}认为侵占其宅基地，"
        "双方发生推搡，有激化苗头。",
        "经自然资源所现场测量，{b}同意按原界址拆除外移部分院墙，双方握手言和。",
        ("village", "dept:land"),
        (C.GRID_APP, C.WINDOW),
        rural=True,
        weight=7,
    ),
    Scenario(
        "0804",
        ("{a}与{b}民间借贷纠纷",),
        "{b}于{year}年向{a}借款{amount}元用于经营，约定一年内归还，到期后{b}以生意亏损为由拖延还款。",
        "经调解，{b}同意分六期归还借款{amount2}元，双方申请司法确认。",
        ("pro:finance", "town"),
        (C.COURT, C.WINDOW),
        (10_000, 300_000),
        weight=8,
    ),
    Scenario(
        "0601",
        ("{a}与{org}装修合同纠纷",),
        "{a}与{org}签订家装合同，合同价{amount}元，施工中出现墙面开裂、工期拖延两个多月，"
        "{a}要求返工并退还部分款项，公司拒绝。",
        "经调解，{org}同意返工维修并退还{a}{amount2}元。",
        ("dept:market", "town"),
        (C.HOTLINE, C.ONLINE),
        (30_000, 150_000),
        respondent="DECORATORS",
        weight=6,
    ),
    Scenario(
        "1102",
        ("{place}村民对征地补偿标准有异议",),
        "县重点项目征收{place}集体土地，{a}等{n}户村民认为青苗和地上附着物补偿偏低，阻止施工进场。",
        "经县征地拆迁调委会和镇村干部多次上门解释政策，补偿方案重新公示，村民同意施工进场。",
        ("pro:demolition", "dept:land"),
        (C.PETITION, C.GRID_APP),
        None,
        (6, 45),
        rural=True,
        transfer=TransferChannel.ADMINISTRATIVE,
        weight=4,
    ),
    Scenario(
        "0507",
        ("{a}在{b}家建房时受伤赔偿纠纷",),
        "{a}受雇为{b}建房，施工时从脚手架跌落致腿部骨折，花费医疗费约{amount}元，"
        "双方就赔偿责任和金额争执不下。",
        "经调解，{b}一次性赔偿{a}医疗费、误工费等共计{amount2}元。",
        ("village", "town"),
        (C.GRID_APP, C.WINDOW),
        (10_000, 90_000),
        rural=True,
        weight=5,
    ),
    Scenario(
        "0203",
        ("{place}居民反映{org}噪声扰民",),
        "{org}夜间生产噪声较大，附近{n}户居民多次投诉无果，居民准备集体到厂门口讨说法。",
        "经协调，{org}调整生产时间并加装隔音设施，居民表示认可。",
        ("town", "dept:market"),
        (C.HOTLINE, C.GRID_APP, C.ONLINE),
        None,
        (5, 30),
        "COMPANIES",
        weight=4,
    ),
    Scenario(
        "0702",
        ("{a}要求{org}补缴社会保险",),
        "{a}在{org}工作{years}年，公司一直未为其缴纳社会保险，{a}离职后要求补缴并支付经济补偿约{amount}元。",
        "经调解，{org}同意为{a}补缴社会保险，并支付经济补偿{amount2}元。",
        ("dept:labour", "pro:labour"),
        (C.WINDOW, C.HOTLINE),
        (10_000, 80_000),
        (1, 1),
        "COMPANIES",
        TransferChannel.ARBITRATION,
        weight=5,
    ),
    Scenario(
        "0103",
        ("{a}兄弟分家析产纠纷",),
        "父亲去世后留下的两层自建房及宅基地如何分割，{a}与{b}兄弟意见不一，多次发生争吵。",
        "经调解，兄弟二人按楼层分割房屋，{a}补偿{b}{amount2}元。",
        ("village",),
        (C.GRID_APP, C.WINDOW),
        (20_000, 120_000),
        rural=True,
        weight=4,
    ),
]

# Target end states (as paths of transitions) and how often each is aimed at; recent cases
# stop early because their next step would lie in the future.
_HANDLE = ["accept", "route", "start"]
PLANS = [
    ([], 3),
    (["accept"], 3),
    (["accept", "route"], 4),
    (_HANDLE, 10),
    ([*_HANDLE, "resolve"], 16),
    ([*_HANDLE, "stabilise"], 6),
    ([*_HANDLE, "transfer"], 5),
    ([*_HANDLE, "transfer", "archive"], 3),
    ([*_HANDLE, "terminate"], 3),
    (["reject"], 2),
    ([*_HANDLE, "resolve", "follow_up"], 18),
    ([*_HANDLE, "resolve", "follow_up", "archive"], 27),
]


@dataclass
class Demo:
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


# ---------------------------------------------------------------- people


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES.split()) + f"{rng.randrange(10**8):08d}"


def id_number(rng: random.Random, male: bool) -> str:
    """A GB 11643 resident ID with a valid check digit and a real birth date."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(52 * 365))
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd = male
    first17 = f"{rng.choice(ID_AREAS)}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


# ---------------------------------------------------------------- areas, units, staff


def build_areas(rng: random.Random) -> Demo:
    county = save_area(SYSTEM, AreaInput(COUNTY_CODE, COUNTY_NAME, Level.COUNTY))
    demo = Demo(county=county)
    county_pop = 0
    for town_seg, town_name, villages in TOWNS:
        town_code = f"{COUNTY_CODE[:6]}{town_seg}000"
        town = save_area(SYSTEM, AreaInput(town_code, town_name, Level.TOWN))
        demo.towns.append(town)
        town_pop = 0
        for village_seg, village_name in villages:
            code = f"{town_code[:9]}{village_seg}"
            village = save_area(SYSTEM, AreaInput(code, village_name, Level.VILLAGE))
            demo.villages.append(village)
            village_pop = 0
            for i, grid_name in enumerate(GRID_NAMES, start=1):
                pop = rng.randrange(800, 1600)
                grid = save_area(
                    SYSTEM,
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
    unit = save_unit(
        SYSTEM, UnitInput(name, kind, area.code, speciality, "0731-8" + key_digits(key))
    )
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
            SYSTEM,
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


# ---------------------------------------------------------------- cases


def _weighted(rng: random.Random, items):
    return rng.choices([i for i, _w in items], weights=[w for _i, w in items])[0]


def _office_hours(t: datetime.datetime) -> datetime.datetime:
    """Move a time into 8:00–18:00 Beijing time: staff act in office hours."""
    local = t.astimezone(LOCAL_TZ)
    if local.hour < 8:
        local = local.replace(hour=8 + local.minute % 2, minute=local.minute)
    elif local.hour >= 18:
        local = (local + D).replace(hour=9 + local.minute % 3, minute=local.minute)
    return local.astimezone(datetime.UTC)


DELAYS = {
    # step: (usual range in hours, chance of being slow, slow range in hours)
    "accept": ((0.3, 20), 0.1, (25, 70)),
    "reject": ((1, 20), 0.0, (0, 0)),
    "route": ((0.2, 8), 0.0, (0, 0)),
    "return": ((2, 30), 0.0, (0, 0)),
    "start": ((0.5, 30), 0.1, (30, 72)),
    "resolve": ((24, 25 * 24), 0.15, (31 * 24, 50 * 24)),
    "stabilise": ((5 * 24, 25 * 24), 0.0, (0, 0)),
    "transfer": ((3 * 24, 28 * 24), 0.1, (31 * 24, 45 * 24)),
    "terminate": ((2 * 24, 20 * 24), 0.0, (0, 0)),
    "follow_up": ((3 * 24, 15 * 24), 0.0, (0, 0)),
    "archive": ((24, 7 * 24), 0.0, (0, 0)),
}


def _delay(rng: random.Random, step: str) -> datetime.timedelta:
    usual, slow_chance, slow = DELAYS[step]
    lo, hi = slow if rng.random() < slow_chance else usual
    return datetime.timedelta(hours=rng.uniform(lo, hi))


class _CaseBuilder:
    def __init__(self, demo: Demo, rng: random.Random, now: datetime.datetime):
        self.demo, self.rng, self.now = demo, rng, now
        self.village_of = {g.pk: g.parent for g in demo.grids}
        self.town_of = {v.pk: v.parent for v in demo.villages}
        self.rural = [v for v in demo.villages if v.code[9:12] >= "200"]
        self.urban = [v for v in demo.villages if v.code[9:12] < "200"]
        self.grids_of = {
            v.pk: [g for g in demo.grids if g.parent_id == v.pk] for v in demo.villages
        }

    def unit_for(self, route: str, village: Area) -> Unit:
        units = self.demo.units
        if route == "village":
            return units[unit_key("committee", village)]
        if route == "town":
            return units[unit_key("committee", self.town_of[village.pk])]
        if route == "police":
            return units[unit_key("police", self.town_of[village.pk])]
        return units[route]

    def registrar(self, channel: str, village: Area, area: Area):
        """Who registers a case from this channel (首接: their center owns it)."""
        d = self.demo
        if channel == Channel.GRID_APP and area.level == Level.GRID:
            return d.grid_workers[area.pk]
        if channel == Channel.POLICE:
            return d.staff[self.unit_for("police", village).pk]
        if channel == Channel.COURT:
            return d.users["court"]
        if channel in (Channel.HOTLINE, Channel.PETITION):
            return d.staff[d.centers[d.county.pk].pk]
        if channel == Channel.WINDOW and self.rng.random() < 0.3:
            return d.staff[d.centers[self.town_of[village.pk].pk].pk]
        return d.staff[d.centers[village.pk].pk]

    def case_input(self, sc: Scenario, area: Area, village: Area, created) -> CaseInput:
        rng = self.rng
        a, b = person_name(rng), person_name(rng)
        people = rng.randint(*sc.people)
        amount = rng.randrange(*sc.amount) // 100 * 100 if sc.amount else None
        org = rng.choice(globals()[sc.respondent]) if sc.respondent != "person" else ""
        values = {
            "a": a,
            "b": b,
            "n": people,
            "org": org,
            "place": village.name,
            "amount": amount or "",
            "amount2": int((amount or 0) * rng.uniform(0.6, 0.95)) // 100 * 100,
            "days": rng.choice([15, 20, 30]),
            "mu": rng.randint(2, 12),
            "months": rng.randint(4, 20),
            "m": round(rng.uniform(0.3, 1.5), 1),
            "year": created.year - rng.randint(1, 3),
            "years": rng.randint(2, 9),
            "old": rng.choice(SURNAMES) + "某",
            "road": rng.choice(ROADS),
        }
        self.values = values
        address = f"{self.town_of[village.pk].name}{village.name}{rng.randint(1, 28)}组"
        parties = [self._person(a, PartyRole.APPLICANT, address)]
        for _ in range(min(people - 1, 2)):
            parties.append(self._person(person_name(rng), PartyRole.APPLICANT, address))
        if org:
            parties.append(
                PartyInput(name=org, role=PartyRole.RESPONDENT, kind=PartyKind.ORGANISATION)
            )
        else:
            parties.append(self._person(b, PartyRole.RESPONDENT, address))
        scale = (
            Scale.MAJOR_GROUP if people >= 30 else Scale.GROUP if people >= 5 else Scale.INDIVIDUAL
        )
        missing = ["身份证复印件"] if rng.random() < 0.08 else []
        return CaseInput(
            title=rng.choice(sc.titles).format_map(values)[:100],
            description=sc.description.format_map(values),
            area_code=area.code,
            channel="",
            category_code=sc.category,
            scale=scale,
            people_involved=people,
            amount_involved=amount,
            occurred_at=created - datetime.timedelta(hours=rng.uniform(2, 240)),
            address=address,
            parties=parties,
            missing_materials=missing,
        )

    def _person(self, name: str, role: str, address: str) -> PartyInput:
        male = self.rng.random() < 0.55
        return PartyInput(
            name=name,
            role=role,
            id_number=id_number(self.rng, male),
            gender="1" if male else "2",
            phone=phone(self.rng),
            address=address,
        )

    def actor_for(self, step: str, case: Case):
        d = self.demo
        if step in ("accept", "reject", "route"):
            return d.staff[case.owner_unit_id]
        if step == "follow_up" and case.area.level == Level.GRID:
            return d.grid_workers[case.area_id]
        if step == "archive":
            return d.staff[center_for_area(case.owner_unit.area).pk]
        return d.staff[case.owner_unit_id]

    def build(self, created: datetime.datetime) -> Case:
        rng = self.rng
        sc = _weighted(rng, [(s, s.weight) for s in SCENARIOS])
        villages = {True: self.rural, False: self.urban, None: self.demo.villages}[sc.rural]
        village = rng.choice(villages)
        area = rng.choice(self.grids_of[village.pk]) if rng.random() < 0.7 else village
        data = self.case_input(sc, area, village, created)
        data.channel = rng.choice(sc.channels)
        case = register_case(self.registrar(data.channel, village, area), data, created)

        steps = list(_weighted(rng, PLANS))
        if "route" in steps and rng.random() < 0.05:
            # A unit sends the case back (not its remit) and the center dispatches again.
            i = steps.index("route")
            steps[i:i] = ["route", "return"]
        t = created
        routes = list(sc.routes)
        rng.shuffle(routes)
        for step in steps:
            t = _office_hours(t + _delay(rng, step))
            if t > self.now:
                break
            params: dict = {}
            note = ""
            if step == "route":
                params["unit_id"] = self.unit_for(routes[0], village).pk
            elif step == "return":
                if len(routes) > 1:
                    routes.pop(0)  # dispatched again to the next candidate
                note = "经核实，该事项不属于本单位职责范围，退回重新派单。"
            elif step == "resolve":
                note = sc.resolution.format_map(self.values)
            elif step == "stabilise":
                note = rng.choice(STABILISE_NOTES)
            elif step == "transfer":
                params["channel"] = sc.transfer
                note = OUTCOMES_TRANSFER[sc.transfer]
            elif step == "terminate":
                note = rng.choice(TERMINATE_NOTES)
            elif step == "reject":
                note = rng.choice(REJECT_NOTES)
            elif step == "follow_up":
                params["satisfaction"] = _weighted(rng, SATISFACTION)
                note = rng.choice(FOLLOW_UP_NOTES)
            case = perform_transition(
                case, step, self.actor_for(step, case), t, note=note, **params
            )
        return case


def build_cases(demo: Demo, rng: random.Random, n: int, now: datetime.datetime) -> None:
    """N cases registered over the last six months, oldest first, each moved along its plan."""
    builder = _CaseBuilder(demo, rng, now)
    start = now - 182 * D
    times = sorted(
        _office_hours(start + datetime.timedelta(seconds=rng.uniform(0, 182 * 86400)))
        for _ in range(n)
    )
    for created in times:
        created = min(created, now - H)
        demo.cases.append(builder.build(created))


def assign_policy(demo: Demo) -> None:
    """The county runs Wushan's time limits from now on (after the history is built, so the
    demo does not start with six months of escalations due)."""
    policy = EscalationPolicy.objects.filter(name="巫山时限制").first()
    if policy:
        PolicyArea.objects.get_or_create(area=demo.county, defaults={"policy": policy})


def seed(cases: int = 300, seed: int = 1, now: datetime.datetime | None = None) -> Demo:
    """Build the whole demo in one transaction (fast on SQLite, and nothing half-built)."""
    now = now or clock.now().replace(second=0, microsecond=0)
    rng = random.Random(seed)
    with transaction.atomic():
        demo = build_areas(rng)
        build_units(demo)
        build_users(demo, rng)
        build_cases(demo, rng, cases, now)
        assign_policy(demo)
        build_mediation(demo, now)
    return demo


def build_mediation(demo: Demo, now: datetime.datetime) -> None:
    """Mediator profiles for the committees' staff, an expert pool and a hearing-officer pool,
    and one case in handling with its mediator assigned and a session scheduled."""
    from cases.models import Category
    from cases.workflow import Status
    from mediation.models import Mediator, MediatorKind, Pool, PoolKind
    from mediation.services import assign_mediators, schedule_session

    for unit in demo.units.values():
        staff = demo.staff.get(unit.pk)
        if unit.kind == UnitKind.MEDIATION_COMMITTEE and staff is not None:
            m = Mediator.objects.create(
                user=staff,
                name=staff.get_full_name() or staff.username,
                unit=unit,
                kind=MediatorKind.PEOPLE,
            )
            m.areas.set([unit.area])
    county = demo.county
    experts = Pool.objects.create(name="青山县人民调解专家库", kind=PoolKind.EXPERT, area=county)
    hearing = Pool.objects.create(name="青山县检察听证员库", kind=PoolKind.HEARING, area=county)
    for name, kind, profession, codes, pool in [
        ("周律师", MediatorKind.EXPERT, "lawyer", ["04", "06"], experts),
        ("吴医生", MediatorKind.EXPERT, "doctor", ["06"], experts),
        ("郑心理咨询师", MediatorKind.EXPERT, "psychologist", ["01"], experts),
        ("冯工程师", MediatorKind.EXPERT, "engineer", ["02", "03"], experts),
        ("陈听证员", MediatorKind.HEARING, "retired", [], hearing),
        ("褚听证员", MediatorKind.HEARING, "teacher", [], hearing),
    ]:
        m = Mediator.objects.create(name=name, kind=kind, profession=profession)
        m.areas.set([county])
        m.specialities.set(Category.objects.filter(code__in=codes))
        m.pools.add(pool)
    case = (
        Case.objects.filter(status=Status.IN_HANDLING, owner_unit__mediators__isnull=False)
        .order_by("-created_at")
        .first()
    )
    if case is None:
        return
    actor = demo.staff[case.owner_unit_id]
    own = Mediator.objects.filter(unit=case.owner_unit).values_list("pk", flat=True)
    assign_mediators(case, actor, now, list(own[:1]))
    schedule_session(case, actor, now, starts_at=now + D, place=f"{case.owner_unit.name}调解室")

"""What happens in the demo county: the kinds of dispute (scenarios) with their wording,
the organisations involved, and the paths cases take with the time each step needs."""

from dataclasses import dataclass

from cases.models import Channel
from cases.workflow import TransferChannel

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
# Respondent organisations a scenario may name (Scenario.respondent).
ORGANISATIONS = {
    "COMPANIES": COMPANIES,
    "PROPERTY_COMPANIES": PROPERTY_COMPANIES,
    "DECORATORS": DECORATORS,
    "HOSPITALS": HOSPITALS,
}

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
# What the parties agree when the grid worker settles a dispute on the spot (网格息事).
GRID_AGREEMENTS = [
    "双方同意共同清理排水沟，今后各自管好门前排水。",
    "一方当场赔礼道歉并赔偿损失500元，另一方不再追究。",
    "双方约定晚上十点后停止施工，保持安静。",
    "双方同意按原界址重新立桩，不再争执。",
]
# What parties write with their rating through the SMS link ("" for no comment).
RATING_COMMENTS = {
    "satisfied": ["", "", "调解员很耐心，谢谢！", "处理及时，问题解决了。"],
    "basic": ["", "结果还可以，就是时间有点长。", "基本解决，希望后续跟进。"],
    "unsatisfied": ["赔偿款至今没有到位。", "对方没有按协议履行。", "问题没有真正解决。"],
}


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
    respondent: str = "person"  # or a key of ORGANISATIONS
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

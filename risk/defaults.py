"""Ready-made data: 巫山's 红橙黄 response plans, the usual risk tags, and a starting set of
grade rules (the demo county loads the rules; an administrator edits all of it).

Seed 003 (巫山): "建立‘红橙黄’三色预警机制，配套应急处置预案，对可能升级的纠纷即时上报、精准干预";
seed 001 (东辽): "当事人扬言报复的情况，按照‘一事一策’‘一事一专班’要求……分管领导分片包干".
"""

WUSHAN_PLANS = [
    {
        "grade": "red",
        "notify_levels_up": 2,
        "report_hours": 1,  # 即时上报
        "handle_hours": 24,  # 包案 within a day
        "handle_label": "包案",
        "measures": "\n".join(
            [
                "立即上报镇（街道）和县综治中心",
                "领导包案，成立专班（一案一专班）",
                "制定化解方案（一案一策）",
                "落实稳控责任人，在位在控",
                "必要时公安、法院提前介入",
            ]
        ),
    },
    {
        "grade": "orange",
        "notify_levels_up": 1,
        "report_hours": 8,  # 当日上报
        "handle_hours": 72,
        "handle_label": "专人化解",
        "measures": "\n".join(
            ["当日上报上一级综治中心", "指定专人负责化解", "每周研判一次，防止升级"]
        ),
    },
    {
        "grade": "yellow",
        "notify_levels_up": 0,
        "report_hours": None,
        "handle_hours": 72,  # 网格就地化解 (巫山: the grid has 3 days)
        "handle_label": "网格就地化解",
        "measures": "\n".join(["网格员就地化解", "三日内无法化解的转村（社区）"]),
    },
]

TAGS = ["扬言报复", "缠访闹访", "精神障碍", "涉众", "个人极端", "多次信访"]

RULES = [
    {"name": "重大群体性纠纷", "kind": "scale", "grade": "red", "threshold": 3},
    {"name": "一般群体性纠纷", "kind": "scale", "grade": "orange", "threshold": 2},
    {"name": "涉及30人以上", "kind": "people", "grade": "orange", "threshold": 30},
    {"name": "涉及金额100万元以上", "kind": "amount", "grade": "orange", "threshold": 1_000_000},
    {
        "name": "扬言报复或自伤",
        "kind": "threat",
        "grade": "red",
        "words": "扬言报复、报复、同归于尽、自杀、轻生、跳楼、喝农药",
    },
    {
        "name": "民转刑风险",
        "kind": "criminal",
        "grade": "orange",
        "words": "持刀、打伤、斗殴、砍、威胁、泼油",
    },
    {"name": "重复来访（2件以上）", "kind": "repeat", "grade": "yellow", "threshold": 2},
    {"name": "重点人员涉案", "kind": "key_person", "grade": "orange"},
    {"name": "房屋征收", "kind": "category", "grade": "yellow", "category_code": "1101"},
]


def create_plans(RiskPlan) -> None:
    for plan in WUSHAN_PLANS:
        RiskPlan.objects.update_or_create(grade=plan["grade"], defaults=plan)


def create_tags(RiskTag) -> None:
    for name in TAGS:
        RiskTag.objects.get_or_create(name=name)


def create_rules(RiskRule) -> None:
    for rule in RULES:
        RiskRule.objects.get_or_create(name=rule["name"], defaults=rule)

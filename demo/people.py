"""Fictional people of the demo county: names, phones and resident ID numbers."""

import datetime
import random

from jiefen.identity import id_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许邓冯韩曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任卢姚沈钟姜谭陆范汪廖石金贺毛龚邹熊易向龙"
)
GIVEN = (
    "建国 伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 国平 志强 "
    "海燕 红梅 德明 春生 文华 小红 雪梅 玉兰 家豪 子涵 浩然 卫东 建华 淑珍 满秀 冬生 桂花 立新 "
    "红霞 永红 新民 长青 友谊 金凤 爱华 小龙 思远 雨桐 志刚 建军 秋菊 玉梅"
).split()
PHONE_PREFIXES = "134 135 136 137 138 139 150 151 152 157 158 159 173 177 180 186 187 188 199"
ID_AREAS = ["430135", "430121", "430181", "430124", "431102", "430524", "430626"]


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


# Hunan: mostly 汉族, with the province's 土家族, 苗族, 侗族 and 瑶族 (GB 3304 codes).
ETHNICITIES = ["01"] * 92 + ["15"] * 3 + ["06"] * 2 + ["12", "13", "11"]
OCCUPATIONS = (
    "务农 务农 务农 个体工商户 外出务工 退休职工 公司职员 教师 货车司机 厨师 建筑工人 无业 "
    "超市店员 村医 快递员 装修工 养殖户 学生"
).split()


def ethnicity_and_occupation(id_number: str) -> tuple[str, str]:
    """民族 and 职业 of a demo person, drawn from their ID number (the caseload's random stream,
    and so the demo's figures, stay as they were)."""
    rng = random.Random(id_number)
    return rng.choice(ETHNICITIES), rng.choice(OCCUPATIONS)

"""The demo county's 三事分流 rules: where a case is proposed to go when a center routes it.

Written through routing's own service, after the history is built (the historical cases
were routed before the county adopted these rules), so every route a clerk makes in the demo
shows a proposal, and a reason is asked for only when the clerk chooses another unit.
"""

from areas.models import Level, UnitKind
from areas.services import SYSTEM
from cases.models import Category, TriageClass
from routing.manage_services import RuleInput, save_rule

from .county import Demo

# (priority, name, category code, triage, target kind, speciality, level, subject kind,
# subject speciality). Categories are GB/T 31000 codes; a major code covers its minors.
RULES = [
    (10, "劳动人事争议交县人社局", "07", TriageClass.MAJOR,
     UnitKind.DEPARTMENT, "labour", Level.COUNTY, "", ""),
    (20, "物业纠纷交物业纠纷调委会，住建局协办", "0402", TriageClass.MINOR,
     UnitKind.PRO_MEDIATION, "property", Level.COUNTY, UnitKind.DEPARTMENT, "housing"),
    (30, "医疗纠纷交医调委，卫健局协办", "0502", TriageClass.MINOR,
     UnitKind.PRO_MEDIATION, "medical", Level.COUNTY, UnitKind.DEPARTMENT, "health"),
    (40, "道路交通事故交交调委，公安交警协办", "0503", TriageClass.MINOR,
     UnitKind.PRO_MEDIATION, "traffic", Level.COUNTY, UnitKind.POLICE, ""),
    (50, "土地及资源权属纠纷交县自然资源局", "09", TriageClass.MAJOR,
     UnitKind.DEPARTMENT, "land", Level.COUNTY, "", ""),
    (60, "婚恋家庭小事由村（社区）人民调解委员会就地化解", "01", TriageClass.MINOR,
     UnitKind.MEDIATION_COMMITTEE, "", Level.VILLAGE, "", ""),
    (70, "邻里小事由村（社区）人民调解委员会就地化解", "02", TriageClass.MINOR,
     UnitKind.MEDIATION_COMMITTEE, "", Level.VILLAGE, "", ""),
]  # fmt: skip


def build_rules(demo: Demo) -> None:
    categories = {c.code: c for c in Category.objects.filter(code__in=[r[2] for r in RULES])}
    for priority, name, code, triage, kind, speciality, level, subject, subject_spec in RULES:
        save_rule(
            SYSTEM,
            RuleInput(
                name=name,
                triage_class=triage,
                priority=priority,
                area_code=demo.county.code,
                category=categories[code],
                target_kind=kind,
                target_speciality=speciality,
                target_level=level,
                subject_kind=subject,
                subject_speciality=subject_spec,
            ),
        )

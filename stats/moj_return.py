"""The people's-mediation statistical return (人民调解工作统计表) of an area and period: one
line per people's mediation committee (人民调解委员会, and the professional committees), a
subtotal per committee area, a total, by the Ministry of Justice statistical categories
(STANDARDS.md §3: the 黄石市司法局 monthly report's headings).

The cases are those of the period's cohort (accepted in it, in the area's subtree:
stats.CaseFact, as every other figure) that a committee handles now and has taken over. The
figures are read in two grouped queries whatever the number of committees: the facts by
(committee, MoJ category, intake channel), and the agreements' amounts by committee.

防止民间纠纷转化为刑事案件 and 防止群体性上访 are a committee's own judgment of a case it
mediated; nothing in the data records them, so the return keeps their columns empty for the
司法所 to fill in by hand (HAND_FILLED) instead of guessing them from risk flags.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from areas.models import Area, Unit, UnitKind
from cases.models import Channel, MojCategory
from cases.workflow import Status
from mediation.models import Agreement

from .selectors import Period, facts_in

COMMITTEE_KINDS = (UnitKind.MEDIATION_COMMITTEE, UnitKind.PRO_MEDIATION)
# The MoJ category that takes the cases whose category has no MoJ mapping (其他).
OTHER_CODE = "99"

# 案件来源 (受理登记表: ①当事人申请 ②人民调解委员会主动调解; local forms add 公安机关移交,
# 审判机关委托, 政府部门指定) from the case's intake channel.
INITIATIVE, APPLICATION, REFERRAL = "initiative", "application", "referral"
SOURCE_OF_CHANNEL = {
    # Found by the grid's own 排查 and mediated without a party's application (人民调解法 art. 17).
    Channel.GRID_APP: INITIATIVE,
    # A party came to the window or reported online.
    Channel.WINDOW: APPLICATION,
    Channel.ONLINE: APPLICATION,
    # Sent by a court (委派/委托), a police station (移交), the 信访 office, the 12345 hotline's
    # dispatch or a higher level (指定).
    Channel.COURT: REFERRAL,
    Channel.POLICE: REFERRAL,
    Channel.PETITION: REFERRAL,
    Channel.HOTLINE: REFERRAL,
    Channel.UPPER: REFERRAL,
}
SOURCES = (INITIATIVE, APPLICATION, REFERRAL)
# Units of count, as the form heads its columns.
CASES, PEOPLE, YUAN = pgettext_lazy("count", "cases"), pgettext_lazy("count", "people"), _("yuan")


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    definition: str
    unit: str = ""  # 件, 人, 元, %


_F = Figure
FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        _F(
            "total",
            _("Disputes mediated"),
            _(
                "Cases accepted (受理) in the period in the area that a people's mediation "
                "committee (or a professional one) handles now and has taken over (started "
                "handling); a case routed to it and not yet taken over is not counted, nor a "
                "merged repeat report. A case escalated or handed on from a committee counts "
                "under the unit handling it now."
            ),
            CASES,
        ),
        _F(
            "category",
            _("By MoJ statistical category"),
            _(
                "The disputes mediated by the MoJ category their dispute category maps to "
                "(an administrator keeps the mapping on the categories page); a case with no "
                "category, or a category not mapped, counts under 其他. The columns add up to "
                "the disputes mediated."
            ),
            CASES,
        ),
        _F(
            "success",
            _("Mediated successfully"),
            _(
                "Disputes mediated whose standing outcome is 化解 (resolved), with a written or "
                "oral agreement or otherwise; a reopened case counts again only when it is "
                "resolved again. Stabilised (稳控), sent elsewhere or terminated cases are not "
                "successes."
            ),
            CASES,
        ),
        _F(
            "rate",
            _("Success rate"),
            _("Mediated successfully ÷ disputes mediated."),
            "%",
        ),
        _F(
            "amount",
            _("Amount in agreements"),
            _(
                "Sum of the amounts recorded on the mediation agreements (协议涉及金额) of the "
                "successful disputes, in yuan; an agreement recorded without an amount adds "
                "nothing."
            ),
            YUAN,
        ),
        _F(
            INITIATIVE,
            _("Mediated on the committee's initiative"),
            _(
                "主动调解: disputes mediated that a grid worker reported from the grid (排查), "
                "not on a party's application."
            ),
            CASES,
        ),
        _F(
            APPLICATION,
            _("Mediated on application"),
            _("申请调解: disputes mediated that a party brought to a window or reported online."),
            CASES,
        ),
        _F(
            REFERRAL,
            _("Mediated on referral"),
            _(
                "接受委托移送调解: disputes mediated that a court (诉前委派), a police station, "
                "the petition (信访) office, the 12345 hotline or a higher level sent."
            ),
            CASES,
        ),
        _F(
            "criminal",
            _("Prevented from turning criminal"),
            _(
                "防止民间纠纷转化为刑事案件 (cases and people): the platform does not record "
                "this judgment; filled in by hand."
            ),
        ),
        _F(
            "mass_petition",
            _("Mass petitions prevented"),
            _(
                "防止群体性上访 (cases and people): the platform does not record this "
                "judgment; filled in by hand."
            ),
        ),
    ]
}
HAND_FILLED = ("criminal", "mass_petition")


@dataclass
class Line:
    """One line of the return: a committee, an area's subtotal or the total."""

    name: str
    kind: str  # committee | area | total
    unit: Unit | None = None
    area: Area | None = None
    total: int = 0
    categories: dict[int, int] = field(default_factory=dict)  # MojCategory id → cases
    success: int = 0
    amount: Decimal = Decimal(0)
    sources: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    outside: bool = False  # a committee of an area above the return's (a county committee)

    @property
    def rate(self) -> float | None:
        return self.success * 100 / self.total if self.total else None

    def add(self, other: "Line") -> None:
        self.total += other.total
        self.success += other.success
        self.amount += other.amount
        for k, v in other.categories.items():
            self.categories[k] = self.categories.get(k, 0) + v
        for k, v in other.sources.items():
            self.sources[k] += v


@dataclass
class Return:
    area: Area
    period: Period
    categories: list[MojCategory]
    lines: list[Line]  # per area: its subtotal, then its committees; the total last

    @property
    def total(self) -> Line:
        return self.lines[-1]


def committee_cases(area: Area, period: Period):
    """The facts of the return's cases: the period's cohort of the area, handled now by a
    mediation committee that has taken the case over."""
    committees = Unit.objects.filter(kind__in=COMMITTEE_KINDS).values("pk")
    return (
        facts_in(area, period)
        .filter(owner_unit_id__in=committees)
        .exclude(case__status=Status.ROUTED)
    )


def build(area: Area, period: Period) -> Return:
    """The return of `area` for `period` (see the module's docstring)."""
    categories = list(MojCategory.objects.order_by("code"))
    other = next((c.pk for c in categories if c.code == OTHER_CODE), None)
    facts = committee_cases(area, period)
    by_unit: dict[int, Line] = defaultdict(lambda: Line("", "committee"))
    rows = facts.values("owner_unit_id", "case__category__moj_category_id", "channel").annotate(
        n=Count("pk"), success=Sum("resolved")
    )
    for r in rows:
        line = by_unit[r["owner_unit_id"]]
        n = r["n"]
        line.total += n
        line.success += r["success"] or 0
        moj = r["case__category__moj_category_id"] or other
        line.categories[moj] = line.categories.get(moj, 0) + n
        line.sources[SOURCE_OF_CHANNEL.get(r["channel"], APPLICATION)] += n
    amounts = (
        Agreement.objects.filter(case__fact__in=facts.filter(resolved=1), amount__isnull=False)
        .values("case__owner_unit_id")
        .annotate(amount=Sum("amount"))
    )
    for r in amounts:
        by_unit[r["case__owner_unit_id"]].amount = r["amount"] or Decimal(0)
    # Every committee of the area, with cases or not (the 司法所 reports each), and those
    # of the areas above with cases of the area (a county's professional committees).
    units = (
        Unit.objects.filter(kind__in=COMMITTEE_KINDS)
        .filter(Q(area__path__startswith=area.path, is_active=True) | Q(pk__in=list(by_unit)))
        .select_related("area")
        .order_by("area__code", "name", "pk")
    )
    grouped: dict[int, list[Line]] = defaultdict(list)
    areas: dict[int, Area] = {}
    for unit in units:
        line = by_unit.get(unit.pk) or Line("", "committee")
        line.name, line.unit, line.area = unit.name, unit, unit.area
        line.outside = not unit.area.is_within(area)
        grouped[unit.area_id].append(line)
        areas[unit.area_id] = unit.area
    lines: list[Line] = []
    total = Line(str(_("Total")), "total", area=area)
    # Division codes sort in tree order: an area above the return's (a county committee's)
    # first, then each town followed by its villages.
    for area_id in sorted(areas, key=lambda i: areas[i].code):
        group = Line(areas[area_id].name, "area", area=areas[area_id])
        for line in grouped[area_id]:
            group.add(line)
        group.outside = grouped[area_id][0].outside
        lines += [group, *grouped[area_id]]
        total.add(group)
    lines.append(total)
    return Return(area, period, categories, lines)

"""Six months of cases in the demo county, each registered and moved along its plan by
cases.services, so timelines, deadlines and figures are what the UI would have made."""

import datetime
import random

from django.conf import settings

from areas.models import Area, Level, Unit
from areas.selectors import center_for_area
from cases.models import Case, Channel, PartyKind, PartyRole, Scale
from cases.services import CaseInput, PartyInput, perform_transition, register_case
from docking.models import Source
from docking.services import ReferralInput, import_referrals
from jiefen.localtime import LOCAL_TZ
from portal.evaluations import rate, token_for
from portal.models import Evaluation
from portal.plain import PLAIN_CATEGORIES
from portal.services import CitizenReport, register_verified_report

from .county import Demo, unit_key
from .followup import visit_party
from .people import SURNAMES, ethnicity_and_occupation, id_number, person_name, phone
from .scenarios import (
    DELAYS,
    GRID_AGREEMENTS,
    ORGANISATIONS,
    OUTCOMES_TRANSFER,
    PLANS,
    RATING_COMMENTS,
    REJECT_NOTES,
    ROADS,
    SATISFACTION,
    SCENARIOS,
    STABILISE_NOTES,
    TERMINATE_NOTES,
    Scenario,
)

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
HISTORY = 182 * D  # cases are registered over the half year before `now`
# Of the demo's cases, this many (at most a tenth) are the court's batch of this morning,
# waiting in the first village's queue to be accepted and routed in bulk.
MORNING_BATCH = 8


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


def _delay(rng: random.Random, step: str) -> datetime.timedelta:
    usual, slow_chance, slow = DELAYS[step]
    lo, hi = slow if rng.random() < slow_chance else usual
    return datetime.timedelta(hours=rng.uniform(lo, hi))


class _CaseBuilder:
    def __init__(self, demo: Demo, rng: random.Random, now: datetime.datetime):
        self.demo, self.rng, self.now = demo, rng, now
        self.referrals = 0
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
        org = rng.choice(ORGANISATIONS[sc.respondent]) if sc.respondent != "person" else ""
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
        person_id = id_number(self.rng, male)
        ethnicity, occupation = ethnicity_and_occupation(person_id)
        return PartyInput(
            name=name,
            role=role,
            id_number=person_id,
            gender="1" if male else "2",
            ethnicity=ethnicity,
            occupation=occupation,
            phone=phone(self.rng),
            address=address,
        )

    def refer(self, liaison, data: CaseInput, created: datetime.datetime) -> Case:
        """诉前委派 / 警调对接: the court or police station pushes the case through docking,
        as its own system would (one row per push), with its own reference."""
        self.referrals += 1
        ref = (
            f"（{created.year}）湘0121民诉前调{self.referrals}号"
            if data.channel == Channel.COURT
            else f"JQ{created.astimezone(LOCAL_TZ):%Y%m%d}{self.referrals:04d}"
        )
        _batch, [row] = import_referrals(
            liaison,
            [ReferralInput(row=1, external_ref=ref, case=data)],
            created,
            channel=data.channel,
            source=Source.API,
        )
        return Case.objects.get(code=row.case_code)

    def morning_batch(self, n: int, now: datetime.datetime) -> list[Case]:
        """诉前委派: the court pushes n cases of the first village in one batch shortly before
        `now`; nobody has acted on them yet, so the village clerk's queue starts with a batch
        to accept and route (批量受理, 批量分流: some have a rule's proposal, some not)."""
        rng, village = self.rng, self.demo.villages[0]
        scenarios = [s for s in SCENARIOS if Channel.COURT in s.channels and s.rural is not False]
        pushed = now - 2 * H
        if _office_hours(pushed) <= now:
            pushed = _office_hours(pushed)
        items = []
        for row in range(1, n + 1):
            sc = _weighted(rng, [(s, s.weight) for s in scenarios])
            area = rng.choice([village, *self.grids_of[village.pk]])
            data = self.case_input(sc, area, village, pushed)
            data.channel = Channel.COURT
            self.referrals += 1
            ref = f"（{pushed.year}）湘0121民诉前调{self.referrals}号"
            items.append(ReferralInput(row=row, external_ref=ref, case=data))
        _batch, rows = import_referrals(
            self.demo.users["court"], items, pushed, channel=Channel.COURT, source=Source.EXCEL
        )
        return list(Case.objects.filter(code__in=[r.case_code for r in rows]).order_by("code"))

    def citizen_report(self, data: CaseInput, created: datetime.datetime) -> Case:
        """群众网上反映: the applicant reports it from a phone (the portal's report form)."""
        applicant = data.parties[0]
        other = data.parties[1] if len(data.parties) > 1 else None
        major = (data.category_code or "")[:2]
        category = next((k for k, _l, code in PLAIN_CATEGORIES if code == major), "other")
        report = CitizenReport(
            description=data.description,
            area_code=data.area_code,
            category=category,
            name=applicant.name,
            phone=applicant.phone,
            code="",
            place=data.address,
            other_name=other.name if other and other.kind == PartyKind.PERSON else "",
            other_phone=other.phone if other and other.kind == PartyKind.PERSON else "",
        )
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        return register_verified_report(report, created, lambda code: f"{base}/c/{code}")

    def settled_at_grid(self, case: Case, created: datetime.datetime) -> bool:
        """网格息事: a third of the grid workers' own cases are settled on the spot the same
        day. (Drawn from the case's own generator: the other cases stay as they were.)"""
        rng = random.Random(f"settle:{case.code}")
        if case.level != Level.GRID or case.channel != Channel.GRID_APP or rng.random() > 0.33:
            return False
        when = created + datetime.timedelta(hours=rng.uniform(1, 4))
        if when > self.now:
            return False
        perform_transition(
            case,
            "settle_at_grid",
            self.demo.grid_workers[case.area_id],
            when,
            note="网格员现场调解，双方当场和解。",
            agreement=rng.choice(GRID_AGREEMENTS),
            oral_agreement=rng.random() < 0.6,
        )
        self.rate(case)
        return True

    def rate(self, case: Case) -> None:
        """Most parties answer the SMS evaluation link within a few days of the outcome.
        (Drawn from the case's own generator: the other cases stay as they were.)"""
        rng = random.Random(f"rate:{case.code}")
        for evaluation in Evaluation.objects.filter(case=case, rated_at__isnull=True):
            if rng.random() > 0.75:
                continue
            when = evaluation.invited_at + datetime.timedelta(hours=rng.uniform(2, 120))
            if when > self.now:
                continue
            satisfaction = _weighted(rng, SATISFACTION)
            comment = rng.choice(RATING_COMMENTS[satisfaction])
            rate(token_for(evaluation), satisfaction, comment, when)

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
        registrar = self.registrar(data.channel, village, area)
        if data.channel in (Channel.COURT, Channel.POLICE):
            case = self.refer(registrar, data, created)
        elif data.channel == Channel.ONLINE and data.parties[0].kind == PartyKind.PERSON:
            case = self.citizen_report(data, created)
        else:
            case = register_case(registrar, data, created)

        if self.settled_at_grid(case, created):
            return case
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
            if step == "accept":
                # 简单 / 一般 / 疑难, mixed (from the case's number: the random stream of the
                # rest of the demo stays as it was).
                params["complexity"] = COMPLEXITY_MIX[case.pk % len(COMPLEXITY_MIX)]
            elif step == "route":
                params["unit_id"] = self.unit_for(routes[0], village).pk
            elif step == "return":
                if len(routes) > 1:
                    routes.pop(0)  # dispatched again to the next candidate
                note = "经核实，该事项不属于本单位职责范围，退回重新派单。"
            elif step == "resolve":
                note = sc.resolution.format_map(self.values)
            elif step == "stabilise":
                note = rng.choice(STABILISE_NOTES)
                # 稳控: the measures, who keeps the case under control, and its review date.
                params["measures"] = "定期走访当事人，掌握思想动态，防止矛盾反弹"
                params["responsible"] = "网格员"
                params["review_date"] = (
                    t.astimezone(LOCAL_TZ) + datetime.timedelta(days=30)
                ).date()
            elif step == "transfer":
                params["channel"] = sc.transfer
                note = OUTCOMES_TRANSFER[sc.transfer]
            elif step == "terminate":
                note = rng.choice(TERMINATE_NOTES)
            elif step == "reject":
                note = rng.choice(REJECT_NOTES)
            elif step == "follow_up":
                # 回访 is a visit to a party (followup.services), which follows the case up.
                visit_party(case, self.actor_for(step, case), t, rng)
                case.refresh_from_db()
                continue
            case = perform_transition(
                case, step, self.actor_for(step, case), t, note=note, **params
            )
        self.rate(case)
        return case


COMPLEXITY_MIX = ["simple", "ordinary", "ordinary", "simple", "complex", "ordinary", "simple"]


def build_cases(demo: Demo, rng: random.Random, n: int, now: datetime.datetime) -> None:
    """N cases registered over the last six months, oldest first, each moved along its plan;
    the last few are the court's batch of this morning, not yet accepted."""
    builder = _CaseBuilder(demo, rng, now)
    batch = min(MORNING_BATCH, n // 10)
    start = now - HISTORY
    times = sorted(
        _office_hours(start + datetime.timedelta(seconds=rng.uniform(0, HISTORY.total_seconds())))
        for _ in range(n - batch)
    )
    for created in times:
        created = min(created, now - H)
        demo.cases.append(builder.build(created))
    if batch:
        demo.cases += builder.morning_batch(batch, now)

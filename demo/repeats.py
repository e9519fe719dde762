"""Repeat reports in the demo county (并单): open cases of the first town reported again by
the 12345 hotline, by a petition and at the window — the first two merged into their main cases by
the county center's clerk, the last one left as a proposal (可能重复) on its case page."""

import datetime

from cases.models import Case, Channel
from cases.services import CaseInput, PartyInput, register_case
from cases.workflow import OPEN_STATUSES, Status
from repeats.services import merge_case

from .county import Demo

H = datetime.timedelta(hours=1)
REPEATS = [
    # (channel, what the caller says, merged with this reason or left as a proposal)
    (Channel.HOTLINE, "12345热线来电再次反映：", "12345热线转来，与在办事项系同一纠纷，并单办理。"),
    (Channel.PETITION, "来信反映：", "信访件反映事项与在办事项相同，并入原事项一并办理。"),
    (Channel.WINDOW, "当事人到窗口再次反映：", ""),
]


def build_repeats(demo: Demo, now: datetime.datetime, n: int = len(REPEATS)) -> list[Case]:
    clerk = demo.users["county_clerk"]
    town = demo.towns[0]
    mains = list(
        Case.objects.filter(
            pk__in=[c.pk for c in demo.cases],
            status__in=OPEN_STATUSES - {Status.REGISTERED},
            area__path__startswith=town.path,
            duplicate_of__isnull=True,
        )
        .prefetch_related("parties")
        .order_by("-created_at")[:n]
    )
    repeats = []
    for i, (main, (channel, opening, reason)) in enumerate(zip(mains, REPEATS, strict=False)):
        applicant = main.parties.all()[0]
        when = now - (len(REPEATS) - i) * H
        repeat = register_case(
            clerk,
            CaseInput(
                title=main.title,
                description=opening + main.description,
                area_code=main.area.code,
                channel=channel,
                category_code=main.category.code if main.category else "",
                parties=[
                    PartyInput(
                        name=applicant.name,
                        id_number=applicant.id_number,
                        phone=applicant.phone,
                        address=applicant.address,
                        gender=applicant.gender,
                        ethnicity=applicant.ethnicity,
                        occupation=applicant.occupation,
                    )
                ],
            ),
            when,
        )
        if reason:
            merge_case(repeat, main, clerk, reason, when + H / 4)
        repeats.append(repeat)
    demo.cases += repeats
    return repeats

"""Recording follow-up visits in tests (followup.services.record_visit with defaults)."""

from followup.services import VisitInput, record_visit


def visit(case, actor, when, *, rebound="none", satisfaction="", party=None, name="", **kw):
    """`actor` visits a party of the case (the first, unless `party` or a neighbour's
    `name` is given) at `when`, and records it then."""
    if not name and party is None:
        party = case.parties.order_by("pk").first()
    data = VisitInput(
        visited_at=kw.pop("visited_at", when),
        visitee_kind="party" if party is not None else "neighbour",
        method=kw.pop("method", "home"),
        findings=kw.pop("findings", "回访：双方关系缓和"),
        rebound=rebound,
        party_id=party.pk if party is not None else None,
        visitee_name=name,
        satisfaction=satisfaction,
    )
    return record_visit(case, actor, kw.pop("now", when), data)

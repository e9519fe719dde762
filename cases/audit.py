"""Tamper evidence for the timeline (网上留痕).

Each event carries `hash` = SHA-256 over the hash of its case's previous event and its own
content (`event_hash`), set by `cases.services.append_event`, the one place events are written.
Once a local day is over, `seal_days` writes an `AuditAnchor`: a hash over the previous day's
anchor and every event hash of that day, across cases, so removing a whole case's trail or a
case's last event is seen as well. `verify` recomputes both and reports the first broken link
(`manage.py verify_audit`). On PostgreSQL a trigger also refuses UPDATE and DELETE on the
timeline and the access log (migration cases 0007).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from jiefen.localtime import LOCAL_TZ, day_end, day_start

from .models import AuditAnchor, TimelineEvent

# Seal a day only this long after it ended, so an event written at 23:59:59 has committed.
SEAL_MARGIN = datetime.timedelta(minutes=10)


def event_hash(
    prev_hash: str,
    *,
    case_id: int,
    at: datetime.datetime,
    actor_id: int | None,
    actor_unit_id: int | None,
    kind: str,
    from_status: str,
    to_status: str,
    note: str,
    data: dict,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            case_id,
            at.astimezone(datetime.UTC).isoformat(),
            actor_id,
            actor_unit_id,
            kind,
            from_status,
            to_status,
            note,
            data,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


FIELDS = (
    "pk",
    "case_id",
    "at",
    "actor_id",
    "actor_unit_id",
    "kind",
    "from_status",
    "to_status",
    "note",
    "data",
    "prev_hash",
    "hash",
)


def _recompute(row: dict, prev: str) -> str:
    return event_hash(
        prev,
        case_id=row["case_id"],
        at=row["at"],
        actor_id=row["actor_id"],
        actor_unit_id=row["actor_unit_id"],
        kind=row["kind"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        note=row["note"],
        data=row["data"],
    )


def last_hash(case_id: int) -> str:
    """The hash the case's next event chains to ("" before its first event)."""
    return (
        TimelineEvent.objects.filter(case_id=case_id)
        .order_by("-pk")
        .values_list("hash", flat=True)
        .first()
        or ""
    )


def last_hashes(case_ids: list[int]) -> dict[int, str]:
    """last_hash of many cases in one query (a case without events is left out)."""
    if not case_ids:
        return {}
    latest = (
        TimelineEvent.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return dict(TimelineEvent.objects.filter(pk__in=list(latest)).values_list("case_id", "hash"))


def _day_hash(prev: str, day: datetime.date) -> tuple[str, int]:
    start, end = day_start(day), day_end(day)
    digest = hashlib.sha256(f"{prev}|{day.isoformat()}".encode())
    count = 0
    rows = (
        TimelineEvent.objects.filter(at__gte=start, at__lt=end)
        .order_by("pk")
        .values_list("hash", flat=True)
    )
    for h in rows.iterator(chunk_size=2000):
        digest.update(b"|" + h.encode())
        count += 1
    return digest.hexdigest(), count


def seal_days(now: datetime.datetime) -> int:
    """Anchor every finished local day not anchored yet (from the first event's day on); the
    scheduler calls this after each sweep. Returns the number of days sealed."""
    last_day = (now - SEAL_MARGIN).astimezone(LOCAL_TZ).date() - datetime.timedelta(days=1)
    sealed = 0
    with transaction.atomic():
        latest = AuditAnchor.objects.select_for_update().order_by("-day").first()
        if latest:
            day, prev = latest.day + datetime.timedelta(days=1), latest.hash
        else:
            first = TimelineEvent.objects.order_by("at").values_list("at", flat=True).first()
            if first is None:
                return 0
            day, prev = first.astimezone(LOCAL_TZ).date(), ""
        while day <= last_day:
            digest, count = _day_hash(prev, day)
            AuditAnchor.objects.create(
                day=day, events=count, prev_hash=prev, hash=digest, sealed_at=now
            )
            prev, day, sealed = digest, day + datetime.timedelta(days=1), sealed + 1
    return sealed


@dataclass
class Report:
    events: int
    cases: int
    anchors: int
    broken: list[str]


def verify() -> Report:
    """Recompute every chain and anchor; `broken` lists the first broken link of each case and
    of the anchors (empty when the trail is intact)."""
    broken: list[str] = []
    events = cases = 0
    case_id, prev, case_broken = None, "", False
    rows = TimelineEvent.objects.order_by("case_id", "pk").values(*FIELDS)
    for row in rows.iterator(chunk_size=2000):
        events += 1
        if row["case_id"] != case_id:
            case_id, prev, case_broken = row["case_id"], "", False
            cases += 1
        if case_broken:
            continue
        expected = _recompute(row, prev)
        if row["prev_hash"] != prev:
            broken.append(
                f"case {row['case_id']} event {row['pk']} ({row['kind']}, {row['at']:%Y-%m-%d %H:%M}): "
                "does not follow the case's previous event (an event before it was removed or changed)"
            )
            case_broken = True
        elif row["hash"] != expected:
            broken.append(
                f"case {row['case_id']} event {row['pk']} ({row['kind']}, {row['at']:%Y-%m-%d %H:%M}): "
                "its content does not match its hash (changed after it was written)"
            )
            case_broken = True
        prev = row["hash"]
    anchors, prev = 0, ""
    for anchor in AuditAnchor.objects.order_by("day"):
        anchors += 1
        digest, count = _day_hash(prev, anchor.day)
        if anchor.prev_hash != prev or digest != anchor.hash:
            broken.append(
                f"day {anchor.day}: {count} events now, {anchor.events} when sealed; "
                "the day's events or an earlier anchor changed"
            )
            break
        prev = anchor.hash
    return Report(events=events, cases=cases, anchors=anchors, broken=broken)

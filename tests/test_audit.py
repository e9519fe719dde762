"""The timeline is tamper-evident: every event is chained to its case's previous one, finished
days are anchored across cases, `manage.py verify_audit` names the first broken link; on
PostgreSQL the timeline and the access log refuse UPDATE and DELETE outright."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.audit import seal_days, verify
from cases.models import AuditAnchor, CaseAccessLog, Party, TimelineEvent
from cases.services import perform_transition, record_full_read
from tests.factories import NOW, PASSWORD, new_case

ON_POSTGRES = connection.vendor == "postgresql"


def run_verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def bypass_trigger(cursor) -> None:
    """What an operator with full rights could do on PostgreSQL: switch the triggers off for
    this transaction. The chain must still show the change."""
    if ON_POSTGRES:
        cursor.execute("SET LOCAL session_replication_role = replica")


def test_events_are_chained_and_verify_passes(county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW, note="受理")
    events = list(case.timeline.order_by("pk"))
    assert events[0].prev_hash == ""
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert "audit trail intact: 2 events in 1 cases" in run_verify()


def test_a_note_changed_by_sql_is_reported(county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW, note="受理")
    event = case.timeline.get(kind="accept")
    with transaction.atomic(), connection.cursor() as cursor:
        bypass_trigger(cursor)
        cursor.execute(
            "UPDATE cases_timelineevent SET note = %s WHERE id = %s", ["没有问题", event.pk]
        )
    with pytest.raises(CommandError) as broken:
        run_verify()
    assert f"case {case.pk} event {event.pk} (accept" in str(broken.value)
    assert "does not match its hash" in str(broken.value)


def test_a_removed_event_breaks_the_chain_and_a_removed_tail_the_day(county):
    first = new_case(county)
    perform_transition(first, "accept", county.users["vclerk"], NOW)
    second = new_case(county)
    perform_transition(second, "accept", county.users["vclerk"], NOW)
    assert seal_days(NOW + datetime.timedelta(days=1, hours=1)) >= 1
    assert verify().broken == []
    with transaction.atomic(), connection.cursor() as cursor:
        bypass_trigger(cursor)
        # The first event of one case, the last of the other (no later event links to it).
        cursor.execute(
            "DELETE FROM cases_timelineevent WHERE id IN (%s, %s)",
            [
                first.timeline.order_by("pk").first().pk,
                second.timeline.order_by("pk").last().pk,
            ],
        )
    broken = verify().broken
    assert any(f"case {first.pk} event" in line and "does not follow" in line for line in broken)
    assert any(line.startswith("day ") for line in broken)


def test_days_are_sealed_once_each(county):
    new_case(county)
    assert seal_days(NOW) == 0  # the day is not over
    later = NOW + datetime.timedelta(days=3)
    assert seal_days(later) == 3
    assert seal_days(later) == 0
    assert AuditAnchor.objects.count() == 3
    assert [a.events for a in AuditAnchor.objects.order_by("day")] == [1, 0, 0]


def test_a_party_edited_in_the_admin_goes_on_the_timeline(client, django_user_model, county):
    admin_user = django_user_model.objects.create_superuser("root", password=PASSWORD)
    case = new_case(county)
    client.force_login(admin_user)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    party = case.parties.order_by("pk").first()
    # Post back the admin's form as shown, with the party's name corrected.
    post = {}
    for bound in page.context["adminform"].form:
        if bound.value() is not None:
            post[bound.html_name] = bound.value()
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            post[bound.html_name] = bound.value()
        for form in formset.forms:
            for bound in form:
                if bound.value() is not None:
                    post[bound.html_name] = bound.value()
    post["parties-0-name"] = "王某某"
    response = client.post(f"/admin/cases/case/{case.pk}/change/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    party.refresh_from_db()
    assert party.name == "王某某"
    event = case.timeline.get(kind="admin_edited")
    assert event.actor == admin_user
    assert event.data["changes"][0]["changed"]["object"] == "王某某"
    assert verify().broken == []


def postgres_refuses_update_and_delete_of_the_record(county):
    case = new_case(county)
    event = case.timeline.get()
    record_full_read(case, county.users["vclerk"], "web", None, NOW)
    log = CaseAccessLog.objects.get()
    for sql, args in [
        ("UPDATE cases_timelineevent SET note = 'x' WHERE id = %s", [event.pk]),
        ("DELETE FROM cases_timelineevent WHERE id = %s", [event.pk]),
        ("UPDATE cases_caseaccesslog SET ip = '10.0.0.1' WHERE id = %s", [log.pk]),
        ("DELETE FROM cases_caseaccesslog WHERE id = %s", [log.pk]),
    ]:
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, args)
    assert TimelineEvent.objects.filter(pk=event.pk, note=event.note).exists()
    assert CaseAccessLog.objects.filter(pk=log.pk, ip=None).exists()


if ON_POSTGRES:
    # Collected only on PostgreSQL (`make test-postgres`), never reported as skipped on SQLite.
    test_postgres_refuses_update_and_delete_of_the_record = (
        postgres_refuses_update_and_delete_of_the_record
    )


def test_triggers_exist_only_on_pg(county):
    """On SQLite the verify_audit chain is the whole protection (the test above runs under
    `make test-postgres`); here: the migration installs the triggers exactly on PostgreSQL."""
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE '%%append_only'"
            )
        else:
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        tables = {row[0] for row in cursor.fetchall()}
    expected = {"cases_timelineevent", "cases_caseaccesslog"} if ON_POSTGRES else set()
    assert tables == expected


def test_deleting_a_case_or_its_parties_author_is_refused(county):
    case = new_case(county)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        case.delete()
    assert Party.objects.filter(case=case).exists()

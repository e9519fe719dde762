"""Mediation pages: the panel on the case page, failed forms coming back, the directory and
"my mediations"."""

import datetime
import re

from jiefen import clock
from mediation.models import Agreement, Assignment, MediatorKind, Pool, PoolKind, Session
from tests.factories import NOW, PASSWORD, local_day
from tests.test_mediation_work import T0, in_handling_at_village, mediator

DAY = datetime.timedelta(days=1)


def test_panel_schedules_records_and_shows_errors_in_place(county, client):
    case = in_handling_at_village(county)
    client.login(username="mediator", password=PASSWORD)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'id="mediation"' in page and f"/mediation/cases/{case.code}/sessions/" in page

    # No place and no link: the form comes back with the error next to the field.
    response = client.post(
        f"/mediation/cases/{case.code}/sessions/",
        {"schedule-kind": "mediation", "schedule-starts_at": f"{local_day(1)}T09:00"},
    )
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    response = client.post(
        f"/mediation/cases/{case.code}/sessions/",
        {
            "schedule-kind": "mediation",
            "schedule-starts_at": f"{local_day(1)}T09:00",
            "schedule-place": "村调解室",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#mediation")
    session = Session.objects.get(case=case)
    url = f"/mediation/cases/{case.code}/sessions/{session.pk}/record/"
    prefix = f"record-{session.pk}"
    # Tomorrow's session: the panel offers to move it, not to record it, and a record is refused.
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert url not in page
    assert f"/sessions/{session.pk}/reschedule/" in page
    assert f"自 {local_day(1)} 09:00 起可记录" in page
    response = client.post(url, {f"{prefix}-result": "continue", f"{prefix}-facts": "初步了解情况"})
    assert response.status_code == 422
    assert f"本次调解定于 {local_day(1)} 09:00，此前不能记录" in response.content.decode()
    assert reload_session(session).held_at is None
    assert not case.timeline.filter(kind="session_recorded").exists()

    with clock.pinned(NOW + DAY):  # tomorrow afternoon: the session has been held
        page = client.get(f"/cases/{case.code}/").content.decode()
        assert url in page
        # An agreement without its terms is refused; nothing is written.
        response = client.post(url, {f"{prefix}-result": "agreement", f"{prefix}-facts": "查明"})
        assert response.status_code == 422
        assert reload_session(session).held_at is None
        response = client.post(
            url, {f"{prefix}-result": "continue", f"{prefix}-facts": "初步了解情况"}
        )
        assert response.status_code == 302
        assert reload_session(session).result == "continue"


def test_a_session_held_earlier_is_moved_in_the_panel_then_recorded(county, client):
    case = in_handling_at_village(county)
    client.login(username="mediator", password=PASSWORD)
    client.post(
        f"/mediation/cases/{case.code}/sessions/",
        {
            "schedule-kind": "mediation",
            "schedule-starts_at": f"{local_day(1)}T09:00",
            "schedule-place": "村调解室",
        },
    )
    session = Session.objects.get(case=case)
    url = f"/mediation/cases/{case.code}/sessions/{session.pk}/reschedule/"
    prefix = f"reschedule-{session.pk}"
    page = client.get(f"/cases/{case.code}/").content.decode()
    # The form shows the session's time and place as they are.
    assert f'value="{local_day(1)}T09:00"' in page and 'value="村调解室"' in page

    # Without a place or a link the form comes back with the error next to the field.
    response = client.post(url, {f"{prefix}-starts_at": f"{local_day(0)}T15:00"})
    assert response.status_code == 422
    body = response.content.decode()
    assert re.search(r"has-error\">\s*<span>地点</span>", body)
    assert reload_session(session).starts_at.astimezone(clock.LOCAL_TZ).hour == 9

    # The parties came this afternoon (NOW is 17:00 in Shanghai): moved to 15:00 today.
    response = client.post(
        url, {f"{prefix}-starts_at": f"{local_day(0)}T15:00", f"{prefix}-place": "村委会"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#mediation")
    session = reload_session(session)
    assert (session.starts_at, session.place) == (NOW - datetime.timedelta(hours=2), "村委会")
    assert case.timeline.filter(kind="session_rescheduled").exists()

    record = f"/mediation/cases/{case.code}/sessions/{session.pk}/record/"
    assert record in client.get(f"/cases/{case.code}/").content.decode()
    response = client.post(
        record, {f"record-{session.pk}-result": "continue", f"record-{session.pk}-facts": "了解"}
    )
    assert response.status_code == 302
    assert reload_session(session).held_at == NOW


def test_an_agreement_dated_before_its_session_comes_back_with_the_error_on_the_date(
    county, client
):
    case = in_handling_at_village(county)
    client.login(username="mediator", password=PASSWORD)
    client.post(
        f"/mediation/cases/{case.code}/sessions/",
        {
            "schedule-kind": "mediation",
            "schedule-starts_at": f"{local_day(0)}T09:00",
            "schedule-place": "村调解室",
        },
    )
    session = Session.objects.get(case=case)
    p = f"record-{session.pk}"
    form = {
        f"{p}-result": "agreement",
        f"{p}-facts": "经现场查看，渗水系防水层破损所致。",
        f"{p}-form": "written",
        f"{p}-agreement_facts": "楼上卫生间防水层破损导致楼下渗水。",
        f"{p}-content": "李四于十日内修复防水层。",
        f"{p}-performance_method": "自行修复",
        f"{p}-effective_on": local_day(-1),
    }
    url = f"/mediation/cases/{case.code}/sessions/{session.pk}/record/"

    response = client.post(url, form)

    assert response.status_code == 422
    body = response.content.decode()
    field = re.search(
        r'<label class="field has-error">\s*<span>生效日期</span>.*?</label>', body, re.S
    )
    assert field and f"协议生效日期不能早于达成协议的调解日期（{local_day(0)}）。" in field.group()
    assert reload_session(session).held_at is None
    assert not Agreement.objects.filter(case=case).exists()

    response = client.post(url, {**form, f"{p}-effective_on": local_day(0)})
    assert response.status_code == 302
    assert Agreement.objects.get(case=case).effective_on.isoformat() == local_day(0)


def reload_session(session):
    session.refresh_from_db()
    return session


def test_outsiders_get_404_and_the_grid_worker_sees_no_documents(county, client):
    case = in_handling_at_village(county)
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.get(f"/mediation/cases/{case.code}/").status_code == 404
    assert client.post(f"/mediation/cases/{case.code}/end/", {"end-note": "x"}).status_code == 404
    client.login(username="grid", password=PASSWORD)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'id="mediation"' in page and 'id="documents"' not in page
    assert "/sessions/" not in page  # no forms for a role that cannot act


def test_directory_filters_by_pool_and_shows_load(county, client):
    pool = Pool.objects.create(name="县人民调解专家库", kind=PoolKind.EXPERT, area=county.county)
    lawyer = mediator("李律师", [county.county], kind=MediatorKind.EXPERT, profession="lawyer")
    lawyer.pools.add(pool)
    own = mediator("王调解", [county.villages[0]], user=county.users["mediator"])
    Assignment.objects.create(
        case=in_handling_at_village(county), mediator=lawyer, role="lead", assigned_at=T0
    )
    client.login(username="vclerk", password=PASSWORD)
    page = client.get(f"/mediation/mediators/?pool={pool.pk}").content.decode()
    assert "李律师" in page and "王调解" not in page
    assert "<td data-label=" in page
    page = client.get("/mediation/mediators/?profession=lawyer").content.decode()
    assert "李律师" in page

    client.login(username="mediator", password=PASSWORD)
    assert "邻里排水纠纷" not in client.get("/mediation/").content.decode()
    case = in_handling_at_village(county)
    Assignment.objects.create(case=case, mediator=own, role="lead", assigned_at=T0)
    page = client.get("/mediation/").content.decode()
    assert case.code in page and "邻里排水纠纷" in page

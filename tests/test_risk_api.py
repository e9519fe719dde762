"""The risk API: a case's grade (read and write), the grade in the case list, key persons."""

import json

from risk import keypersons
from risk.keypersons import PersonInput
from risk.models import KeyPersonAccessLog
from tests.factories import NOW, VALID_ID, new_case
from tests.test_api import PROBLEM, Api


def put(api: Api, url: str, body: dict):
    return api.client.put(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=api.auth
    )


def test_grade_read_write_and_list_filter(county):
    case = new_case(county)
    api = Api("vclerk")
    url = f"/api/v1/cases/{case.code}/risk"
    assert api.get(url).json()["grade"] == "none"

    bad = put(api, url, {"grade": "red", "reason": ""})
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert "reason" in bad.json()["errors"]

    r = put(api, url, {"grade": "red", "reason": "扬言报复"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["grade"] == "red" and data["reason"] == "扬言报复"
    assert {o["clock"] for o in data["obligations"]} == {"risk_report", "risk_handle"}

    listed = api.get("/api/v1/cases", risk="red").json()
    assert [c["code"] for c in listed["results"]] == [case.code]
    assert listed["results"][0]["risk_grade"] == "red"
    assert api.get("/api/v1/cases", risk="none").json()["count"] == 0
    assert api.get("/api/v1/cases", risk="purple").status_code == 422
    assert api.get(f"/api/v1/cases/{case.code}").json()["risk_grade"] == "red"

    sibling = Api("vclerk_sibling")
    assert sibling.get(url).status_code == 404
    assert put(sibling, url, {"grade": "none", "reason": "x"}).status_code == 404
    assert api.get(url).json()["grade"] == "red"


def test_key_persons_masked_in_the_list_full_and_logged_in_the_file_404_outside(county):
    case = new_case(county)
    person = keypersons.create_person(
        county.users["vclerk"],
        PersonInput(
            name="张三",
            id_number=VALID_ID,
            area_code=county.villages[0].code,
            responsible_id=county.users["vclerk"].pk,
        ),
        NOW,
    )
    api = Api("vclerk")
    listed = api.get("/api/v1/key-persons").json()
    assert listed["count"] == 1 and listed["results"][0]["id_number"] != VALID_ID
    one = api.get(f"/api/v1/key-persons/{person.pk}").json()
    assert one["id_number"] == VALID_ID and one["cases"] == [case.code]
    assert KeyPersonAccessLog.objects.filter(person=person, channel="api").count() == 1

    sibling = Api("vclerk_sibling")
    assert sibling.get("/api/v1/key-persons").json()["count"] == 0
    r = sibling.get(f"/api/v1/key-persons/{person.pk}")
    assert r.status_code == 404 and r["Content-Type"] == PROBLEM


def test_the_risk_endpoints_are_in_the_openapi_document(county):
    paths = Api("vclerk").get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/cases/{code}/risk"])
    assert "/api/v1/key-persons" in paths and "/api/v1/key-persons/{pk}" in paths


def test_meetings_readable_within_scope(county):
    from risk import meetings as meeting_services
    from risk.models import MeetingKind

    case = new_case(county)
    center = county.center(county.towns[0])
    m = meeting_services.open_meeting(
        county.users["tclerk"], center, NOW.date(), MeetingKind.AD_HOC, NOW
    )
    api = Api("tclerk")
    assert [x["id"] for x in api.get("/api/v1/meetings").json()] == [m.pk]
    detail = api.get(f"/api/v1/meetings/{m.pk}").json()
    assert [i["case"] for i in detail["items"]] == [case.code]
    assert detail["items"][0]["reasons"] == ["new"]
    other = Api("tclerk_other")
    assert other.get("/api/v1/meetings").json() == []
    assert other.get(f"/api/v1/meetings/{m.pk}").status_code == 404


def test_grade_at_api_intake(county):
    from cases.models import Case
    from risk.models import CaseRisk
    from tests.test_api import body

    api = Api("vclerk")
    bad = api.post("/api/v1/cases", body(county, risk_grade="red"))
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert "risk_reason" in bad.json()["errors"]
    assert Case.objects.count() == 0
    r = api.post("/api/v1/cases", body(county, risk_grade="orange", risk_reason="涉众"))
    assert r.status_code == 201, r.content
    risk = CaseRisk.objects.get(case__code=r.json()["code"])
    assert (risk.grade, risk.reason) == ("orange", "涉众")

"""Repeat reports (并单, issue 15 item 3): proposals of likely repeats with hand-made cases
that must and must not match, merge and unmerge round-tripping both cases and the figures,
bad input refused with nothing written, the repeat's tracking page, the API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from api.auth import issue_token
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import Attachment, Case, Party, TimelineEvent
from cases.selectors import work_queue
from cases.services import PartyInput, add_attachment, perform_transition
from clocks.models import Deadline, DeadlineState
from jiefen.localtime import LOCAL_TZ
from repeats import proposals
from repeats.models import Merge, RepeatRule
from repeats.services import merge_case, unmerge_case
from stats import selectors as stats_selectors
from stats.indicators import INDICATORS
from stats.models import CaseFact, DailyCount
from stats.rebuild import differences
from tests.factories import NOW, VALID_ID, new_case

OTHER_ID = "110105194912310038"  # another valid GB 11643 number
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def person(name, id_number="", phone="", role="applicant"):
    return PartyInput(name=name, id_number=id_number, phone=phone, role=role)


def report(county, *, title, description, parties, area=None, category="0201", now=NOW, **kw):
    kw.setdefault("actor_key", "tclerk")
    return new_case(
        county,
        area=area or county.grids[0],
        title=title,
        description=description,
        parties=parties,
        category_code=category,
        now=now,
        **kw,
    )


def codes(user, case):
    return {p.case.code: p.reasons for p in proposals.propose_repeats(user, case, NOW)}


# ---------------------------------------------------------------- proposals


def test_trigram_similarity_is_pg_trgms_measure():
    assert proposals.similarity("abc", "abc") == 1.0
    # pg_trgm: similarity('word', 'two words') = 0.363636 (its documentation's example).
    assert round(proposals.similarity("word", "two words"), 6) == 0.363636
    assert proposals.similarity("", "楼道") == 0.0
    same = proposals.similarity("楼道堆放杂物影响通行", "邻居在楼道堆放杂物影响通行")
    assert same > 0.5
    assert proposals.similarity("楼道堆放杂物影响通行", "拖欠农民工工资") == 0.0


def test_proposals_find_what_must_match_and_nothing_else(county):
    clerk = county.users["tclerk"]
    grid1 = county.grids[1]
    main = report(
        county,
        title="楼道堆放杂物",
        description="王五在三单元楼道长期堆放杂物和废旧家具，影响邻居通行和消防安全。",
        parties=[person("赵一", VALID_ID, "13800138001"), person("王五", role="respondent")],
        channel="window",
    )
    same_id = report(
        county,
        title="邻居纠纷",
        description="反映家中噪音问题。",
        parties=[person("赵一", VALID_ID)],
        category="0202",
        area=grid1,
    )
    same_phone = report(
        county,
        title="来电反映",
        description="来电人称有事需要协调。",
        parties=[person("赵某", phone="13800138001")],
        category="0202",
        area=grid1,
    )
    same_respondent = report(
        county,
        title="噪音扰民",
        description="夜间装修噪音。",
        parties=[person("孙二", phone="13700137002"), person("王五", role="respondent")],
        category="0202",
        area=grid1,
    )
    same_place = report(
        county,
        title="排水",
        description="雨水管堵塞。",
        parties=[person("钱三", phone="13700137003")],
    )
    similar_text = report(
        county,
        title="楼道杂物",
        description="三单元楼道长期堆放杂物和废旧家具，影响通行和消防安全。",
        parties=[person("李六", phone="13700137004")],
        category="0202",
        area=grid1,
    )
    unrelated = report(
        county,
        title="工资拖欠",
        description="某建筑工地拖欠农民工工资两个月。",
        parties=[person("周七", phone="13700137005"), person("某建筑公司", role="respondent")],
        category="0202",
        area=grid1,
    )
    closed_same_id = report(
        county,
        title="旧事",
        description="旧事重提。",
        parties=[person("赵一", VALID_ID)],
        category="0202",
    )
    perform_transition(closed_same_id, "reject", clerk, NOW, note="不属于受理范围")
    out_of_window = report(
        county,
        title="楼道堆放杂物",
        description="王五在三单元楼道长期堆放杂物和废旧家具，影响邻居通行和消防安全。",
        parties=[person("吴八", phone="13700137006")],
        category="0202",
        area=grid1,
        now=NOW - 200 * DAY,
    )
    other_town = report(
        county,
        title="楼道堆放杂物",
        description="王五在三单元楼道长期堆放杂物和废旧家具，影响邻居通行和消防安全。",
        parties=[person("赵一", VALID_ID)],
        area=county.villages[2],
        actor_key="tclerk_other",
    )

    found = codes(clerk, main)
    assert found[same_id.code] == ["party"]
    assert found[same_phone.code] == ["party"]
    assert found[same_respondent.code] == ["respondent"]
    assert found[same_place.code] == ["place"]
    assert found[similar_text.code] == ["text"]
    for absent in (unrelated, closed_same_id, out_of_window, other_town):
        assert absent.code not in found, absent.title
    # The rule is data: a stricter similarity drops the similar text, a narrower window
    # (which the out-of-window case needed) is already respected above.
    RepeatRule.objects.create(min_similarity="0.9", max_proposals=20)
    assert similar_text.code not in codes(clerk, main)
    # The county clerk sees the other town's case too.
    assert other_town.code in codes(county.users["cclerk"], main)


def test_no_proposals_for_a_merged_case_or_one_with_repeats(county):
    main = new_case(county)
    repeat = new_case(county, channel="hotline")
    assert main.code in codes(county.users["vclerk"], repeat)
    merge_case(repeat, main, county.users["vclerk"], "同一纠纷", NOW)
    assert codes(county.users["vclerk"], repeat) == {}
    assert codes(county.users["vclerk"], main) == {}


# ---------------------------------------------------------------- merge and unmerge


def snapshot(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    fields = {
        f.attname: getattr(case, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname != "updated_at"
    }
    return {
        "case": fields,
        "parties": list(Party.objects.filter(case=case).order_by("pk").values()),
        "attachments": list(Attachment.objects.filter(case=case).order_by("pk").values()),
        "deadlines": list(Deadline.objects.filter(case=case).order_by("pk").values()),
        "fact": list(CaseFact.objects.filter(case=case).values()),
    }


def figures(county):
    return stats_selectors.total(
        county.county, stats_selectors.period_of("month", NOW.astimezone(LOCAL_TZ).date())
    )


@pytest.fixture
def pair(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = county.users["vclerk"]
    main = new_case(county, area=county.villages[0])
    perform_transition(main, "accept", clerk, NOW)
    repeat = new_case(
        county,
        area=county.villages[0],
        channel="hotline",
        parties=[
            person("张三", VALID_ID, "13800138000"),
            person("张三之妻", OTHER_ID, "13600136000"),
        ],
    )
    perform_transition(repeat, "accept", clerk, NOW)
    add_attachment(repeat, clerk, SimpleUploadedFile("现场.pdf", b"%PDF-1.7\n" + b"0" * 100), NOW)
    return county, main, repeat


def test_merge_and_unmerge_round_trip_both_cases_and_the_figures(pair):
    county, main, repeat = pair
    clerk = county.users["vclerk"]
    before = {"main": snapshot(main), "repeat": snapshot(repeat)}
    rollups_before = list(DailyCount.objects.order_by("pk").values())
    c = figures(county)
    assert (c["accepted"], c["repeats"], c["reports"]) == (2, 0, 2)

    later = NOW + datetime.timedelta(hours=2)
    merge_case(repeat, main, clerk, "12345热线重复反映同一渗水纠纷", later)
    repeat.refresh_from_db()
    assert repeat.duplicate_of == main
    assert repeat.code == before["repeat"]["case"]["code"]  # keeps its code
    # The main case gets the party it did not have, the material and a repeat count.
    assert list(main.parties.values_list("name", flat=True)) == ["张三", "李四", "张三之妻"]
    assert list(main.attachments.values_list("name", flat=True)) == ["现场.pdf"]
    assert main.duplicates.count() == 1
    # The repeat's clocks stop; it leaves the work queues and cannot be moved on its own.
    assert not Deadline.objects.filter(case=repeat, state=DeadlineState.OPEN).exists()
    assert repeat not in work_queue(clerk, "unit", later)
    with pytest.raises(IllegalTransition):
        perform_transition(repeat, "route", clerk, later)
    assert [e.kind for e in repeat.timeline.all()][-1] == "merged_into"
    assert [e.kind for e in main.timeline.all()][-1] == "repeat_merged"
    # The dispute counts once; the repeat separately (重复率 = 1 ÷ 2).
    c = figures(county)
    assert (c["accepted"], c["repeats"], c["reports"]) == (1, 1, 2)
    assert INDICATORS["repeat_rate"].value(c) == 50.0
    assert differences() == []

    unmerge_case(repeat, clerk, "经核实并非同一纠纷", later + DAY)
    after = {"main": snapshot(main), "repeat": snapshot(repeat)}
    assert after == before
    assert list(DailyCount.objects.order_by("pk").values()) == rollups_before
    c = figures(county)
    assert (c["accepted"], c["repeats"], c["reports"]) == (2, 0, 2)
    assert differences() == []
    merge = Merge.objects.get()
    assert merge.unmerged_at == later + DAY and merge.unmerge_reason == "经核实并非同一纠纷"
    assert [e.kind for e in repeat.timeline.all()][-1] == "unmerged"
    assert [e.kind for e in main.timeline.all()][-1] == "repeat_unmerged"
    # Merged again, and undone again: the same round trip.
    merge_case(repeat, main, clerk, "再次核实为同一纠纷", later + 2 * DAY)
    assert differences() == []
    unmerge_case(repeat, clerk, "撤销", later + 3 * DAY)
    assert {"main": snapshot(main), "repeat": snapshot(repeat)} == before


@pytest.mark.parametrize("channel", ["hotline", "petition", "online"])
def test_every_channel_merges_the_same_way(county, channel):
    clerk = county.users["vclerk"]
    main = new_case(county)
    repeat = new_case(county, channel=channel)
    merge_case(repeat, main, clerk, "同一纠纷", NOW)
    assert Case.objects.get(pk=repeat.pk).duplicate_of_id == main.pk
    assert main.timeline.last().data["channel"] == channel


def written(*cases):
    return (
        Merge.objects.count(),
        TimelineEvent.objects.filter(case__in=cases).count(),
        Party.objects.filter(case__in=cases).count(),
        list(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("duplicate_of_id")),
    )


def test_bad_merges_are_refused_with_nothing_written(county):
    clerk = county.users["vclerk"]
    a, b, c = new_case(county), new_case(county), new_case(county)
    other = new_case(county, area=county.villages[2], actor_key="tclerk_other")
    merge_case(b, c, clerk, "同一纠纷", NOW)
    state = written(a, b, c, other)
    with translation.override("zh-hans"):
        with pytest.raises(InvalidInput, match="不能并入其自身"):
            merge_case(a, a, clerk, "同一纠纷", NOW)
        with pytest.raises(InvalidInput, match="理由"):
            merge_case(a, c, clerk, "  ", NOW)
        with pytest.raises(NotAllowed, match="职责范围"):
            merge_case(a, other, clerk, "同一纠纷", NOW)
        with pytest.raises(IllegalTransition, match="已并入"):
            merge_case(a, b, clerk, "同一纠纷", NOW)  # b is merged elsewhere: no chains
        with pytest.raises(IllegalTransition, match="已并入"):
            merge_case(b, a, clerk, "同一纠纷", NOW)  # b is merged already
        with pytest.raises(IllegalTransition, match="重复件"):
            merge_case(c, a, clerk, "同一纠纷", NOW)  # c has a repeat of its own
        with pytest.raises(IllegalTransition, match="未并入"):
            unmerge_case(a, clerk, "撤销", NOW)
        with pytest.raises(NotAllowed):
            unmerge_case(b, county.users["tclerk_other"], "撤销", NOW)
    assert written(a, b, c, other) == state


# ---------------------------------------------------------------- pages


def test_the_panel_proposes_and_merges_and_the_tracking_page_answers_with_the_main(county):
    clerk = county.users["vclerk"]
    main = new_case(county)
    repeat = new_case(county, channel="hotline")
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/cases/{repeat.code}/").content.decode()
    assert "可能重复" in page and main.code in page and "同一当事人" in page
    r = client.post(
        f"/repeats/cases/{repeat.code}/merge/", {"merge-main": repeat.code, "merge-reason": "x"}
    )
    assert r.status_code == 422 and "不能并入其自身" in r.content.decode()
    r = client.post(
        f"/repeats/cases/{repeat.code}/merge/", {"merge-main": "NOPE-1", "merge-reason": "x"}
    )
    assert r.status_code == 422 and "职责范围" in r.content.decode()
    assert not Merge.objects.exists()
    r = client.post(
        f"/repeats/cases/{repeat.code}/merge/",
        {"merge-main": main.code, "merge-reason": "热线重复反映"},
    )
    assert r.status_code == 302
    page = client.get(f"/cases/{main.code}/").content.decode()
    assert "重复来件" in page and repeat.code in page
    # The public tracking page of the repeat answers with the main case's progress.
    perform_transition(main, "accept", clerk, NOW)
    public = Client().get(f"/c/{repeat.code}").content.decode()
    assert repeat.code in public and main.code in public and "已受理" in public
    r = client.post(f"/repeats/cases/{repeat.code}/unmerge/", {"unmerge-reason": "误并"})
    assert r.status_code == 302
    assert Case.objects.get(pk=repeat.pk).duplicate_of_id is None


# ---------------------------------------------------------------- API


def test_the_api_proposes_merges_and_unmerges_with_problem_bodies(county):
    clerk = county.users["vclerk"]
    main = new_case(county)
    repeat = new_case(county, channel="online")
    other = new_case(county, area=county.villages[2], actor_key="tclerk_other")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(clerk, NOW)[0]}")
    r = api.get(f"/api/v1/cases/{repeat.code}/repeat-proposals")
    assert r.status_code == 200
    assert main.code in [p["code"] for p in r.json()]
    url = f"/api/v1/cases/{repeat.code}/merge"
    for body, status in (
        ({"main": repeat.code, "reason": "x"}, 422),
        ({"main": other.code, "reason": "x"}, 404),
        ({"main": main.code, "reason": ""}, 422),
    ):
        r = api.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == status, r.content
        assert r["Content-Type"] == "application/problem+json"
    assert not Merge.objects.exists()
    r = api.post(url, {"main": main.code, "reason": "同一纠纷"}, content_type="application/json")
    assert r.json() == {"code": repeat.code, "merged_into": main.code, "repeats": []}
    r = api.post(url, {"main": main.code, "reason": "再并"}, content_type="application/json")
    assert r.status_code == 409
    r = api.post(
        f"/api/v1/cases/{repeat.code}/unmerge", {"reason": "误并"}, content_type="application/json"
    )
    assert r.json()["merged_into"] is None
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{code}/merge" in schema["paths"]

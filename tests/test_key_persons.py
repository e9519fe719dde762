"""一人一档: a key person's file is scoped like a case; visits are a clock the sweep marks."""

import datetime

import pytest
from django.urls import reverse

from cases.errors import InvalidInput
from cases.services import PartyInput as CasePartyInput
from risk import keypersons
from risk.keypersons import PersonInput
from risk.models import KeyPersonAccessLog, KeyPersonCase, RiskTag
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, VALID_ID, new_case

D = datetime.timedelta(days=1)


@pytest.fixture
def person(county):
    """张三's file kept by the first village, with a case in each village of the first town."""
    own = new_case(county, "vclerk", county.grids[0])
    sibling = new_case(county, "vclerk_sibling", county.grids[1])
    p = keypersons.create_person(
        county.users["tclerk"],
        PersonInput(
            name="张三",
            id_number=VALID_ID,
            area_code=county.villages[0].code,
            responsible_id=county.users["vclerk"].pk,
            tag_ids=[RiskTag.objects.get(name="扬言报复").pk],
            visit_days=7,
        ),
        NOW,
    )
    return p, own, sibling


def test_the_file_gathers_both_villages_for_the_town_and_only_its_own_for_the_village(
    county, person
):
    p, own, sibling = person
    assert set(keypersons.cases_of(p, county.users["tclerk"])) == {own, sibling}
    assert list(keypersons.cases_of(p, county.users["vclerk"])) == [own]
    assert not keypersons.persons_visible_to(county.users["vclerk_sibling"]).exists()
    assert not keypersons.persons_visible_to(county.users["tclerk_other"]).exists()


def test_a_new_case_of_the_person_is_linked_at_intake(county, person):
    p, _own, _sibling = person
    later = new_case(county, "vclerk", county.grids[0])
    assert KeyPersonCase.objects.filter(person=p, case=later, source="auto").exists()


def test_a_missed_visit_is_overdue_once_and_counted(county, person):
    p, _own, _sibling = person
    sweep(NOW + 6 * D)
    p.refresh_from_db()
    assert p.missed_visits == 0 and p.visit_overdue_at is None
    sweep(NOW + 7 * D + datetime.timedelta(minutes=1))
    sweep(NOW + 8 * D)  # a second run counts nothing new
    p.refresh_from_db()
    assert p.missed_visits == 1 and p.visit_overdue_at is not None
    visit = keypersons.record_visit(county.users["vclerk"], p, "在家，情绪稳定", NOW + 9 * D)
    p.refresh_from_db()
    assert visit.late and p.visit_overdue_at is None and p.visit_due_at == NOW + 16 * D
    assert p.missed_visits == 1


def test_a_link_to_a_case_the_clerk_may_not_see_is_refused(county, person):
    p, _own, _sibling = person
    other = new_case(
        county,
        "tclerk_other",
        county.villages[2],
        parties=[CasePartyInput(name="王五", phone="13700137000")],
    )
    with pytest.raises(InvalidInput):
        keypersons.link_case(county.users["vclerk"], p, other.code, NOW)
    assert not KeyPersonCase.objects.filter(case=other).exists()
    keypersons.link_case(county.users["cclerk"], p, other.code, NOW)
    assert KeyPersonCase.objects.filter(case=other, source="manual").exists()


def test_a_file_needs_an_id_or_a_phone_and_one_file_per_id(county, person):
    with pytest.raises(InvalidInput) as e:
        keypersons.create_person(
            county.users["vclerk"],
            PersonInput(
                name="王五",
                area_code=county.villages[0].code,
                responsible_id=county.users["vclerk"].pk,
            ),
            NOW,
        )
    assert "id_number" in e.value.field_errors
    with pytest.raises(InvalidInput) as e:
        keypersons.create_person(
            county.users["vclerk"],
            PersonInput(
                name="张三",
                id_number=VALID_ID,
                area_code=county.villages[0].code,
                responsible_id=county.users["vclerk"].pk,
            ),
            NOW,
        )
    assert "id_number" in e.value.field_errors
    with pytest.raises(InvalidInput) as e:  # a sibling village's area is not the clerk's
        keypersons.create_person(
            county.users["vclerk_sibling"],
            PersonInput(
                name="王五",
                phone="13700137000",
                area_code=county.villages[0].code,
                responsible_id=county.users["vclerk_sibling"].pk,
            ),
            NOW,
        )
    assert "area_code" in e.value.field_errors


def test_pages_mask_in_the_list_log_the_full_read_and_answer_404_outside(county, person, client):
    p, own, sibling = person
    client.login(username="vclerk", password=PASSWORD)
    listing = client.get(reverse("risk:persons")).content.decode()
    assert "张三" in listing and VALID_ID not in listing and "1101**********002X" in listing
    page = client.get(reverse("risk:person", args=[p.pk])).content.decode()
    assert VALID_ID in page and own.code in page and sibling.code not in page
    assert KeyPersonAccessLog.objects.filter(person=p, user=county.users["vclerk"]).count() == 1
    bad = client.post(reverse("risk:person_visit", args=[p.pk]), {"visit-note": ""})
    assert bad.status_code == 422
    client.logout()
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.get(reverse("risk:person", args=[p.pk])).status_code == 404
    assert (
        client.post(reverse("risk:person_visit", args=[p.pk]), {"visit-note": "x"}).status_code
        == 404
    )
    assert client.get(reverse("risk:persons")).status_code == 200
    client.logout()
    client.login(username="grid", password=PASSWORD)
    assert client.get(reverse("risk:persons")).status_code == 404


def test_a_clerk_opens_a_file_through_the_page(county, client):
    client.login(username="vclerk", password=PASSWORD)
    r = client.post(
        reverse("risk:person_new"),
        {
            "name": "赵六",
            "phone": "13600136000",
            "area_code": county.villages[0].code,
            "responsible_id": county.users["vclerk"].pk,
            "visit_days": "14",
        },
    )
    assert r.status_code == 302
    assert client.get(r.url).status_code == 200


def test_the_file_is_edited_and_each_change_is_in_its_history(county, person, client):
    from risk.models import KeyPersonChange

    p, _own, _sibling = person
    client.login(username="tclerk", password=PASSWORD)
    url = reverse("risk:person_edit", args=[p.pk])
    assert client.get(url).status_code == 200
    tag = RiskTag.objects.get(name="缠访闹访")
    r = client.post(
        url,
        {
            "responsible_id": str(county.users["tclerk"].pk),
            "tag_ids": [str(tag.pk)],
            "visit_days": "3",
            "note": "情绪稳定",
        },
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.responsible == county.users["tclerk"] and p.visit_days == 3
    assert [t.name for t in p.tags.all()] == ["缠访闹访"]
    assert p.visit_due_at == p.created_at + 3 * D
    change = KeyPersonChange.objects.get(person=p)
    assert change.by == county.users["tclerk"]
    assert change.changes["风险标签"] == ["扬言报复", "缠访闹访"]
    page = client.get(reverse("risk:person", args=[p.pk])).content.decode()
    assert "档案变更记录" in page and "情绪稳定" in page
    # Bad input: a Chinese error, nothing written.
    r = client.post(url, {"responsible_id": "", "visit_days": "0", "note": ""})
    assert r.status_code == 422
    assert KeyPersonChange.objects.count() == 1
    p.refresh_from_db()
    assert p.visit_days == 3
    # A sibling village's clerk does not see the file at all.
    client.logout()
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.get(url).status_code == 404
    r = client.post(url, {"responsible_id": str(county.users["vclerk_sibling"].pk)})
    assert r.status_code == 404
    p.refresh_from_db()
    assert p.responsible == county.users["tclerk"]


def test_update_refuses_a_responsible_outside_the_scope(county, person):
    p, _own, _sibling = person
    with pytest.raises(InvalidInput) as e:
        keypersons.update_person(
            county.users["vclerk"],
            p,
            PersonInput(responsible_id=county.users["tclerk_other"].pk, visit_days=7),
            NOW,
        )
    assert "responsible_id" in e.value.field_errors

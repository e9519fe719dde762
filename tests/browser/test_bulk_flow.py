"""A court's batch of pre-litigation cases, accepted and routed from the work queue in a few
clicks, in a real browser on a phone-sized screen."""

import pytest

from areas.models import UnitKind
from cases.models import Case, Category, TriageClass
from cases.services import perform_transition
from cases.workflow import Status
from routing.models import RoutingRule
from tests.browser.conftest import ARTIFACTS, expect, pick, submit
from tests.factories import NOW, PASSWORD, court_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_accepts_and_routes_a_court_batch_in_bulk(new_page, county):
    RoutingRule.objects.create(
        name="邻里纠纷归村调委会",
        priority=20,
        category=Category.objects.get(code="02"),
        triage_class=TriageClass.MINOR,
        target_kind=UnitKind.MEDIATION_COMMITTEE,
    )
    batch = court_batch(county, 50)
    # One of them was accepted on its own page already: the batch reports it and goes on.
    perform_transition(batch[0], "accept", county.users["vclerk"], NOW)
    codes = [c.code for c in batch]

    clerk = new_page("vclerk", PASSWORD)
    queue = clerk.locator("#queue")
    expect(queue.locator("input[data-bulk-pick]")).to_have_count(25)
    clerk.click(".bulk-per a:text-is('100')")
    expect(queue.locator("input[data-bulk-pick]")).to_have_count(50)

    # 批量受理: select the page, look at the batch, confirm.
    clerk.check(".bulk-bar input[data-bulk-all]")
    expect(clerk.locator("[data-bulk-count]")).to_have_text("50")
    clerk.click("#bulk-form button[value=accept]")
    expect(clerk.locator("#bulk-confirm h2")).to_have_text("批量受理：50件")
    ARTIFACTS.mkdir(exist_ok=True)
    clerk.screenshot(path=str(ARTIFACTS / "bulk-accept.png"), full_page=False)
    submit(clerk, "#bulk-confirm button[data-bulk-run]")
    expect(clerk.locator("#bulk-summary")).to_have_text("已办理49件，未办理1件。")
    refused = clerk.locator("#bulk-results tr.bulk-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(codes[0])
    expect(refused).to_contain_text("处于“已受理”状态的案件不能执行“受理”。")

    # Back in the queue (still 100 a page), 批量分流 all to the committee their rule proposes.
    clerk.click("text=返回列表")
    expect(queue.locator("input[data-bulk-pick]")).to_have_count(50)
    clerk.check(".bulk-bar input[data-bulk-all]")
    expect(clerk.locator("[data-bulk-count]")).to_have_text("50")
    clerk.click("#bulk-form button[value=route]")
    confirm = clerk.locator("#bulk-confirm")
    expect(confirm.locator("h2")).to_have_text("批量分流：50件")
    expect(confirm.locator("td.bulk-detail").first).to_have_text(
        "建议：镇1村1人民调解委员会 · 小事 · 规则：邻里纠纷归村调委会"
    )
    expect(clerk.locator("#id_batch-override_reason")).to_be_visible()
    # Following every case's proposal needs neither a unit nor a reason: the boxes go away.
    clerk.check("#bulk-confirm input[name='batch-mode'][value=proposed]")
    expect(clerk.locator("#id_batch-override_reason")).to_be_hidden()
    expect(clerk.locator("#id_batch-unit")).to_be_hidden()
    # One unit for all: found by typing (a province has tens of thousands).
    clerk.check("#bulk-confirm input[name='batch-mode'][value=one]")
    expect(clerk.locator("#id_batch-override_reason")).to_be_visible()
    pick(clerk, "#id_batch-unit", "调解委员会", "镇1村1人民调解委员会")
    clerk.screenshot(path=str(ARTIFACTS / "bulk-route.png"), full_page=False)
    submit(clerk, "#bulk-confirm button[data-bulk-run]")
    expect(clerk.locator("#bulk-summary")).to_have_text("已办理50件，未办理0件。")
    expect(clerk.locator("#bulk-results tr.bulk-done").first).to_contain_text("已分流")
    expect(clerk.locator("#bulk-results tr.bulk-done").first).to_contain_text(
        "镇1村1人民调解委员会"
    )

    # The cases show their new status and handling unit, and have left the center's queue.
    clerk.goto(f"/cases/{codes[7]}/")
    expect(clerk.locator("#case-status")).to_have_text("已分流")
    expect(clerk.locator("#owner-unit")).to_have_text("镇1村1人民调解委员会")
    clerk.goto("/")
    expect(queue).not_to_contain_text(codes[7])
    committee = county.units["committee"]
    assert Case.objects.filter(pk__in=[c.pk for c in batch], status=Status.ROUTED).count() == 50
    assert set(Case.objects.filter(code__in=codes).values_list("owner_unit", flat=True)) == {
        committee.pk
    }

"""The province profile's pieces that need no broker: the replica router, the rebuild page
without Celery (it rebuilds in the request), and a batched sweep whose bulk-written events
keep the audit chain and the figures right."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from cases.audit import verify
from cases.services import perform_transition
from jiefen import replicas
from jiefen.replicas import ReplicaRouter, replica_reads
from routing import sweep as sweep_module
from routing.sweep import sweep
from stats.models import CaseFact
from stats.rebuild import differences
from tests.factories import NOW, new_case


def test_reads_go_to_the_replica_only_where_opted_in_and_outside_transactions(monkeypatch, db):
    router = ReplicaRouter()
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    assert router.db_for_read(CaseFact) == "default"
    assert router.db_for_write(CaseFact) == "default"
    with replica_reads():
        assert router.db_for_write(CaseFact) == "default"
        # pytest-django runs this test inside a transaction: read-your-writes, the primary.
        assert router.db_for_read(CaseFact) == "default"
    assert router.allow_migrate("replica", "cases") is False


def test_without_a_replica_every_read_is_on_the_primary(transactional_db):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(CaseFact) == "default"


def test_the_replica_is_read_outside_a_transaction(monkeypatch, transactional_db):
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(CaseFact) == "replica"
        with transaction.atomic():
            assert router.db_for_read(CaseFact) == "default"


def test_an_administrator_rebuilds_the_figures_from_the_page(client, county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW)
    CaseFact.objects.all().delete()  # figures lost
    admin = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get("/stats/rebuild/?task=not-a-task-id")
    assert page.status_code == 200 and "立即重建" in page.text
    done = client.post("/stats/rebuild/")
    assert done.status_code == 200
    assert "重建完成" in done.text and "已处理 1 / 1 件案件" in done.text
    assert CaseFact.objects.filter(case=case).exists()
    client.force_login(county.users["vclerk"])
    assert client.post("/stats/rebuild/").status_code == 403


def test_a_batched_sweep_keeps_the_audit_chain_and_the_figures(county):
    cases = [new_case(county) for _ in range(7)]
    for case in cases[:3]:  # accepted: they have figures, which the sweep changes
        perform_transition(case, "accept", county.users["vclerk"], NOW)
    old, sweep_module.BATCH = sweep_module.BATCH, 3
    try:
        # Day 2: the unaccepted cases' 24 hours are up; day 40: the accepted ones' 30 days.
        assert sweep(NOW + datetime.timedelta(days=2)).overdue == 4
        assert sweep(NOW + datetime.timedelta(days=40)).overdue == 3
    finally:
        sweep_module.BATCH = old
    assert verify().broken == []
    assert differences() == []

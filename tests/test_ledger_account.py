"""`ledger.account`: partial results folded into exactly one ledger entry (nomad2k8s/ledger/account.py)."""

from __future__ import annotations

import pytest

from nomad2k8s.ledger import Account, Ledger, Status, Target, Targets

CODE = "N2K-DOCKER-VOLUMES"


def test_one_entry_with_the_worst_status_the_parts_and_the_targets() -> None:
    ledger = Ledger("svc")
    with ledger.account("job.t.config.volumes", CODE, what="docker volumes", style="paren") as acc:
        acc.to(Target("hostPath", "/srv", field="-> /data"))
        acc.note(Status.CHANGED, "copy the data", "Copy it.")
        acc.to(Target("volume", "local", field="-> /etc/app"))
        acc.note(Status.MAPPED)
        acc.note(Status.CHANGED, "copy the data", "Copy it.")  # the same part and suggestion: listed once
        assert ledger.entries == []  # nothing recorded before the block ends
    [entry] = ledger.entries
    assert (entry.status, entry.message, entry.suggestion) == (Status.CHANGED, "docker volumes (copy the data)",
                                                               "Copy it.")
    assert entry.k8s == "hostPath /srv -> /data; volume local -> /etc/app"
    assert isinstance(entry.target, Targets) and [t.kind for t in entry.target.parts()] == ["hostPath", "volume"]
    assert acc.entry is entry


def test_decisions_come_last_and_the_message_styles() -> None:
    ledger = Ledger("svc")
    with ledger.account("a", CODE, what="file template -> ConfigMap key") as acc:
        acc.decide("pick a port")
        acc.note(Status.CHANGED, "service x -> x.default.svc")
    assert ledger.entries[0].message == "file template -> ConfigMap key: service x -> x.default.svc; pick a port"
    assert ledger.entries[0].status is Status.NEEDS_DECISION
    with ledger.account("b", CODE, empty="service tags", target_sep=", ") as acc:
        pass
    assert (ledger.entries[1].message, ledger.entries[1].k8s, ledger.entries[1].status) == \
        ("service tags", "-", Status.MAPPED)


def test_pending_parts_settle_into_the_linked_status() -> None:
    ledger = Ledger("svc")
    item = {"destination": "db", "host": "db.default.svc.cluster.local", "bind_port": 5432}
    with ledger.account("env.DB", CODE, floor=Status.CHANGED) as acc:
        acc.note(Status.MAPPED, "a.service.consul -> a.default.svc")
        acc.decide("the port of db is not known here", pending=True)
        acc.wait_for(item)
        acc.wait_for(dict(item))  # the same upstream once
        assert acc.status is Status.MAPPED  # a pending part does not count until recorded
    entry = ledger.entries[0]
    assert entry.status is Status.NEEDS_DECISION
    assert entry.data == {"pending_upstreams": [item], "resolved_status": "changed"}


def test_an_error_or_a_skip_records_nothing_and_a_detached_account_records_once() -> None:
    ledger = Ledger("svc")
    with pytest.raises(RuntimeError), ledger.account("a", CODE) as acc:
        acc.note(Status.DROPPED, "x")
        raise RuntimeError("boom")
    with ledger.account("b", CODE) as acc:
        acc.skip()
    assert ledger.entries == []
    detached = Account(None, "", "", what="constraint `x = 1`", style="paren", k8s="nodeSelector x: 1")
    detached.tail = " (job level)"
    entry = detached.record(ledger, "job.constraint[0]", "N2K-CONSTRAINT")
    assert entry is not None and (entry.message, entry.k8s) == ("constraint `x = 1` (job level)", "nodeSelector x: 1")
    with pytest.raises(ValueError, match="already recorded"):
        detached.record()


def test_a_target_chain_names_its_containers_and_can_move_them() -> None:
    target = Target("ConfigMap", "web-config", field="key app.conf",
                    into=Target("Deployment", "web", container="hook", field="/local/app.conf"))
    assert target.render() == "ConfigMap/web-config key app.conf -> Deployment/web container hook /local/app.conf"
    assert target.names_container("hook") and not target.names_container("web")
    moved = target.with_container("hook", "app")
    assert moved.render() == "ConfigMap/web-config key app.conf -> Deployment/web container app /local/app.conf"

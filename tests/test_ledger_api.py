"""Ledger.claim, Ledger.note and FieldRules."""

from nomad2k8s.ledger import FieldRules, Ledger, Status, rules
from nomad2k8s.model.blocks import Resources


def _resources(**fields) -> Resources:
    res = Resources(**fields)
    res.assign_paths("job[j].group[g].task[t].resources")
    return res


def test_claim_records_only_set_fields() -> None:
    ledger = Ledger("svc")
    res = _resources(cpu=100)
    assert ledger.claim(res, "memory", Status.MAPPED, "N2K-MEMORY", "memory") is None
    entry = ledger.claim(res, "cpu", Status.CHANGED, "N2K-CPU", "cpu share", k8s="container t")
    assert entry is not None and [e.nomad_path for e in ledger.entries] == ["job[j].group[g].task[t].resources.cpu"]
    assert (entry.status, entry.code, entry.k8s, entry.claims) == (Status.CHANGED, "N2K-CPU", "container t", True)


def test_note_claims_nothing() -> None:
    ledger = Ledger("svc", values={"job[j].group[g]": 1})
    entry = ledger.note(Status.MAPPED, "N2K-ARCH-DEFAULT", "job[j].group[g]", "default arch")
    assert (entry.claims, entry.k8s) == (False, "-")
    assert ledger.unclaimed() == ["job[j].group[g]"]


def test_field_rules_apply_set_fields_in_order() -> None:
    table = FieldRules(
        rules.dropped("iops", "N2K-DROP-IOPS", "ignored"),
        rules.dropped("disk", "N2K-DROP-DISK", "deprecated"),
    )
    ledger = Ledger("svc")
    assert table.apply(ledger, _resources(cpu=1)) == []
    got = table.apply(ledger, _resources(disk=10, iops=5))
    assert [(e.code, e.status, e.k8s) for e in got] == [("N2K-DROP-IOPS", Status.DROPPED, "-"),
                                                        ("N2K-DROP-DISK", Status.DROPPED, "-")]

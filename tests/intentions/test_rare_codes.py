"""Intention and config-entry codes no other test produces (the session check of tests/conftest.py
wants every catalogued code emitted by some test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import jobs, run

ENTRIES = {
    "router": ('Kind = "service-router"\nName = "api"\nRoutes = [{ Match { HTTP { PathPrefix = "/v2" } } }]\n',
               {"N2K-CONSUL-ROUTER"}),
    "terminating": ('Kind = "terminating-gateway"\nName = "egress"\nServices = [{ Name = "db" }]\n',
                    {"N2K-CONSUL-TERMINATING-GATEWAY"}),
    "defaults-other": ('Kind = "service-defaults"\nName = "api"\nMaxInboundConnections = 10\n',
                       {"N2K-CONSUL-SIDECAR"}),
    "unknown-kind": ('Kind = "exported-services"\nName = "default"\nMeta { owner = "team" }\n'
                     'Services = [{ Name = "api" }]\n', {"N2K-CONSUL-ENTRY", "N2K-CONSUL-META"}),
    "empty": ('Kind = "service-defaults"\nName = "api"\n', {"N2K-CONSUL-ENTRY-EMPTY"}),
}


@pytest.mark.parametrize("text, codes", list(ENTRIES.values()), ids=list(ENTRIES))
def test_config_entry_codes(tmp_path: Path, text: str, codes: set[str]) -> None:
    _, policies = run(tmp_path, text)
    emitted = {e.code for e in policies.ledger.entries} if policies else set()
    assert codes <= emitted, sorted(emitted)


def test_a_partly_shadowed_source_takes_the_single_status_order(tmp_path: Path) -> None:
    """`web -> *` allows web -> web but is shadowed for api by `* -> api deny`: the source's entry folds
    its findings with Status.worst, so dropped (shadowed) outranks changed (any port) and mapped (allowed).
    Before the one status order, intentions ranked dropped below mapped: the entry said changed
    N2K-INTENTION-ANY-PORT."""
    from nomad2k8s.intentions.apply import apply_intentions
    from nomad2k8s.intentions.parser import load_intentions
    from nomad2k8s.profile import Profile

    results = jobs(tmp_path, api={}, web={})
    (tmp_path / "api.hcl").write_text('Kind = "service-intentions"\nName = "api"\nSources = [\n'
                                      '  { Name = "*"\n    Action = "deny" }\n]\n')
    (tmp_path / "wild.hcl").write_text('Kind = "service-intentions"\nName = "*"\nSources = [\n'
                                       '  { Name = "web"\n    Action = "allow" }\n]\n')
    policies = apply_intentions(load_intentions([tmp_path / "api.hcl", tmp_path / "wild.hcl"]), results,
                                Profile(), default_policy="deny", any_port=True)
    rows = [e for r in results + [policies] for e in r.ledger.entries if e.nomad_path == "intention[*].sources[0]"]
    assert len(rows) == 1, rows
    assert "to web: CiliumNetworkPolicy/allow-web-to-web" in rows[0].message, rows[0].message
    assert (rows[0].status.value, rows[0].code) == ("dropped", "N2K-INTENTION-SHADOWED"), rows[0].message

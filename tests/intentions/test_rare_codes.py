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

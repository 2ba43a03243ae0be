"""The ledger's claimed-paths index serves the mappers while a job is converted; a converted service does
not keep it (it would be held through the batch, sent back by every worker and stored in every cache
entry), and a later query builds it again."""

from __future__ import annotations

import pickle

from nomad2k8s.ledger import Status
from nomad2k8s.profile import Profile
from tests.cases.harness import convert_text

_JOB = '''job "web" {
  datacenters = ["dc1"]
  group "web" {
    count = 2
    task "main" {
      driver = "docker"
      config { image = "nginx:1.25" }
      env { A = "1" }
    }
  }
}
'''


def test_a_converted_service_holds_no_claimed_paths_index() -> None:
    result = convert_text(_JOB, Profile(), batch=False).service
    assert len(result.ledger.entries) > 3
    assert result.ledger._index[2] == set()
    restored = pickle.loads(pickle.dumps(result))
    assert restored.ledger._index[2] == set()


def test_the_index_is_built_again_when_asked() -> None:
    result = convert_text(_JOB, Profile(), batch=False).service
    ledger = result.ledger
    claimed = ledger.claimed_set()
    assert claimed == {e.nomad_path for e in ledger.entries if e.claims}
    assert ledger.covered('job[web].group[web].count')
    ledger.record(Status.MAPPED, "N2K-PARSE-UNRESOLVED", 'job[web].meta.x', "later row")
    assert ledger.covered('job[web].meta.x')
    ledger.drop_index()
    assert ledger.covered('job[web].meta.x') and ledger.claimed_set() == claimed | {'job[web].meta.x'}

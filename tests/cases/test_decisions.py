"""Case rows for decisions that stick (nomad2k8s/decisions/): each resolution, path matching, answers
applied at the row's level, stale and reopened decisions, and the one-line errors of a bad file."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nomad2k8s.convert import ServiceResult, convert_file
from nomad2k8s.decisions.apply import apply_decisions
from nomad2k8s.decisions.load import load
from nomad2k8s.decisions.match import fingerprint, matching_rows
from nomad2k8s.decisions.model import CHANGED, NO_ROW, Decision, DecisionsError
from nomad2k8s.profile import Profile

from .harness import fragment_matches

WEB = '''
job "web" {
  group "web" {
    count = 2
    volume "data" {
      type   = "host"
      source = "web-data"
    }
    task "web" {
      driver = "docker"
      config {
        image      = "nginx:1.27"
        privileged = true
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
  }
}
'''
VOLUME_ROW = "job[web].group[web].volume[data].source"
PRIVILEGED_ROW = "job[web].group[web].task[web].config.privileged"


@dataclass
class Outcome:
    result: ServiceResult
    warnings: list[str]

    def closed(self) -> dict[tuple[str, str], str]:
        entries = self.result.ledger.entries
        closures = self.result.extra["closures"]
        return {(entries[i].code, entries[i].nomad_path): c.resolution for i, c in closures.items()}

    def stale(self) -> list[tuple[str, str]]:
        return [(s.code, s.reason) for s in self.result.extra["stale_decisions"]]

    def object(self, kind: str) -> dict[str, Any]:
        found = [o for o in self.result.objects if o["kind"] == kind]
        assert len(found) == 1, [o["kind"] for o in self.result.objects]
        return found[0]


def run(tmp_path: Path, decisions: str, hcl: str = WEB) -> Outcome:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(hcl)
    dfile = tmp_path / "nomad2k8s.decisions.yaml"
    dfile.write_text(textwrap.dedent(decisions))

    def convert(meta: Any = None) -> list[ServiceResult]:
        return convert_file(jobspec, Profile(), meta=meta)

    warnings: list[str] = []
    results = apply_decisions(jobspec, convert(), load(dfile), convert, warnings.append)
    assert len(results) == 1
    return Outcome(results[0], warnings)


@dataclass(frozen=True)
class Row:
    id: str
    decisions: str
    closed: dict[tuple[str, str], str] = field(default_factory=dict)
    stale: list[tuple[str, str]] = field(default_factory=list)
    objects: dict[str, Any] = field(default_factory=dict)  # kind -> fragment
    absent_codes: tuple[str, ...] = ()


def entry(code: str, resolution: str, path: str | None = None, answer: str | None = None,
          service: str = "web") -> str:
    lines = [f"  - service: {service}", f"    code: {code}"]
    if path:
        lines.append(f"    path: '{path}'")
    lines.append(f"    resolution: {resolution}")
    if answer:
        lines.append(f"    answer: {{{answer}}}")
    lines.append("    reason: checked by the team")
    return "\n".join(lines) + "\n"


ROWS = [
    Row("done", "decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "done", VOLUME_ROW),
        closed={("N2K-VOLUME-HOST-UNKNOWN", VOLUME_ROW): "done"},
        objects={"PersistentVolumeClaim": {"metadata": {"name": "web-data"}}}),
    Row("accepted-every-row-of-the-code", "decisions:\n" + entry("N2K-PRIVILEGED", "accepted"),
        closed={("N2K-PRIVILEGED", PRIVILEGED_ROW): "accepted"}),
    Row("path-is-a-block-holding-the-row",
        "decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "done", "job[web].group[web]"),
        closed={("N2K-VOLUME-HOST-UNKNOWN", VOLUME_ROW): "done"}),
    # group[we] is not a prefix block of group[web]: a path matches whole segments only.
    Row("path-prefix-is-by-segment", "decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "done", "job[web].group[we]"),
        stale=[("N2K-VOLUME-HOST-UNKNOWN", NO_ROW)]),
    Row("answered-storage-class-on-the-group", "decisions:\n"
        + entry("N2K-VOLUME-HOST-UNKNOWN", "answered", VOLUME_ROW, "storage-class: nfs-client"),
        closed={("N2K-VOLUME-HOST-UNKNOWN", VOLUME_ROW): "answered"},
        objects={"PersistentVolumeClaim": {"spec": {"storageClassName": "nfs-client"}}}),
    # replicas is a job/group hint: a task row's answer goes to the task's group.
    Row("answered-replicas-from-a-task-row", "decisions:\n"
        + entry("N2K-PRIVILEGED", "answered", PRIVILEGED_ROW, "nomad2k8s.replicas: 3"),
        closed={("N2K-PRIVILEGED", PRIVILEGED_ROW): "answered"}, objects={"Deployment": {"spec": {"replicas": 3}}}),
    # The answer removes the row it answers (a StatefulSet has no Recreate strategy): applied, not stale.
    Row("answer-that-settles-its-row", "decisions:\n"
        + entry("N2K-STRATEGY-RECREATE", "answered", "job[web].group[web]", "workload: StatefulSet"),
        objects={"StatefulSet": {"spec": {"replicas": 2}}}, absent_codes=("N2K-STRATEGY-RECREATE",)),
    # The second answer's row exists only once the first answer applies (listed first: order does not matter).
    Row("answer-on-a-row-an-answer-brought", "decisions:\n"
        + entry("N2K-STATEFULSET-SERVICE", "answered", "job[web].group[web]", "replicas: 1")
        + entry("N2K-STRATEGY-RECREATE", "answered", "job[web].group[web]", "workload: StatefulSet"),
        closed={("N2K-STATEFULSET-SERVICE", "job[web].group[web]"): "answered"},
        objects={"StatefulSet": {"spec": {"replicas": 1}}}),
    Row("stale-code", "decisions:\n" + entry("N2K-VAULT-ACCESS", "done"), stale=[("N2K-VAULT-ACCESS", NO_ROW)]),
    Row("first-decision-wins", "decisions:\n" + entry("N2K-PRIVILEGED", "accepted") + entry("N2K-PRIVILEGED", "done"),
        closed={("N2K-PRIVILEGED", PRIVILEGED_ROW): "accepted"}),
    Row("other-service-ignored", "decisions:\n" + entry("N2K-PRIVILEGED", "done", service="db")),
    Row("job-name-as-written", "decisions:\n" + entry("N2K-PRIVILEGED", "done", service="WEB"),
        closed={("N2K-PRIVILEGED", PRIVILEGED_ROW): "done"}),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_decision_rows(row: Row, tmp_path: Path) -> None:
    outcome = run(tmp_path, row.decisions)
    assert outcome.closed() == row.closed
    assert outcome.stale() == row.stale
    assert len(outcome.warnings) == len(row.stale)
    for warning, (_, reason) in zip(outcome.warnings, row.stale):
        assert warning.startswith("warning: ") and warning.endswith(f"is stale: {reason}") and "\n" not in warning
        assert "nomad2k8s.decisions.yaml:2:" in warning  # file:line of the entry
    for kind, fragment in row.objects.items():
        assert fragment_matches(outcome.object(kind), fragment), outcome.object(kind)
    codes = {e.code for e in outcome.result.ledger.entries}
    assert not set(row.absent_codes) & codes


def test_answer_row_says_where_it_was_answered(tmp_path: Path) -> None:
    outcome = run(tmp_path, "decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "answered", VOLUME_ROW,
                                                   "storage-class: nfs-client"))
    hint = [e for e in outcome.result.ledger.entries if e.code == "N2K-HINT"]
    assert [e.nomad_path for e in hint] == ['job[web].group[web].meta["nomad2k8s.storage-class"]']
    assert "answered in" in hint[0].message and "nomad2k8s.decisions.yaml:2" in hint[0].message


def _fingerprint_of(tmp_path: Path, code: str, path: str, hcl: str = WEB) -> str:
    jobspec = tmp_path / "fp.nomad.hcl"
    jobspec.write_text(hcl)
    result = convert_file(jobspec, Profile())[0]
    rows = matching_rows(Decision("web", code, path, "done", "x"), result.ledger)
    assert rows
    return fingerprint(result.ledger, rows)


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "value-changed"])
def test_reopened_when_the_setting_changed(changed: bool, tmp_path: Path) -> None:
    recorded = _fingerprint_of(tmp_path, "N2K-VOLUME-HOST-UNKNOWN", "job[web].group[web].volume[data]")
    hcl = WEB.replace('"web-data"', '"web-data-2"') if changed else WEB
    decisions = ("decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "done", "job[web].group[web].volume[data]")
                 + f"    fingerprint: {recorded}\n")
    outcome = run(tmp_path, decisions, hcl)
    row = "job[web].group[web].volume[data].source"
    if changed:
        assert outcome.closed() == {}
        assert outcome.stale() == [("N2K-VOLUME-HOST-UNKNOWN", CHANGED)]
    else:
        assert outcome.closed() == {("N2K-VOLUME-HOST-UNKNOWN", row): "done"}
        assert outcome.stale() == []


def test_block_fingerprint_follows_every_setting_of_the_block(tmp_path: Path) -> None:
    """A row on a block (no single value) is fingerprinted over the whole block."""
    base = _fingerprint_of(tmp_path, "N2K-STRATEGY-RECREATE", "job[web].group[web]")
    other = _fingerprint_of(tmp_path, "N2K-STRATEGY-RECREATE", "job[web].group[web]",
                            WEB.replace('"nginx:1.27"', '"nginx:1.28"'))
    assert base != other and len(base) == 12


def test_fingerprint_holds_no_secret(tmp_path: Path) -> None:
    """Secret-looking values are masked before hashing: changing one gives the same fingerprint."""
    hcl = WEB.replace("privileged = true", 'privileged = true\n        password = "hunter2"')
    first = _fingerprint_of(tmp_path, "N2K-PRIVILEGED", "job[web].group[web].task[web].config", hcl)
    second = _fingerprint_of(tmp_path, "N2K-PRIVILEGED", "job[web].group[web].task[web].config",
                             hcl.replace("hunter2", "letmein"))
    assert first == second


def test_conflicting_answers_are_a_file_error(tmp_path: Path) -> None:
    decisions = ("decisions:\n" + entry("N2K-VOLUME-HOST-UNKNOWN", "answered", VOLUME_ROW, "storage-class: a")
                 + entry("N2K-STRATEGY-RECREATE", "answered", "job[web].group[web]", "storage-class: b"))
    with pytest.raises(DecisionsError) as err:
        run(tmp_path, decisions)
    assert str(err.value).endswith("conflicts with storage-class=a at line 2")
    assert ":8: answer" in str(err.value)


BAD = [
    ("resolution", "decisions:\n  - service: web\n    code: N2K-PRIVILEGED\n    resolution: don\n    reason: x\n",
     4, "unknown resolution 'don'; allowed: done, accepted, answered"),
    ("reason-required", "decisions:\n  - service: web\n    code: N2K-PRIVILEGED\n    resolution: done\n",
     2, "reason is required"),
    ("service-required", "decisions:\n  - code: N2K-PRIVILEGED\n    resolution: done\n    reason: x\n",
     2, "service is required"),
    ("answer-without-answered", "decisions:\n" + entry("N2K-PRIVILEGED", "done", answer="replicas: 2"),
     5, "answer is only allowed with resolution: answered"),
    ("answered-without-answer", "decisions:\n" + entry("N2K-PRIVILEGED", "answered"), 2, "needs an answer"),
    ("unknown-hint", "decisions:\n" + entry("N2K-PRIVILEGED", "answered", answer="storage-clas: x"),
     5, "unknown hint 'storage-clas' (did you mean 'storage-class'?)"),
    ("bad-hint-value", "decisions:\n" + entry("N2K-PRIVILEGED", "answered", answer="replicas: many"),
     5, "invalid value 'many' for hint replicas: expected a whole number >= 0"),
    ("unknown-key", "decisions:\n" + entry("N2K-PRIVILEGED", "done") + "    fingerprnt: abc\n",
     6, "unknown key 'fingerprnt' (did you mean 'fingerprint'?)"),
    ("unknown-code", "decisions:\n" + entry("N2K-PRIVILEGD", "done"), 3, "unknown code 'N2K-PRIVILEGD'"),
    ("duplicate-key", "decisions:\n" + entry("N2K-PRIVILEGED", "done") + "    reason: again\n",
     6, "'reason' given twice"),
    ("not-a-list", "decisions:\n  service: web\n", 2, "decisions: expected a list"),
    ("top-level", "decision:\n  - service: web\n", 1, "unknown top-level key 'decision'"),
    ("yaml-syntax", "decisions:\n  - service: [web\n", 3, "not valid YAML"),
]


@pytest.mark.parametrize("text,line,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_decisions_file_is_one_line(text: str, line: int, message: str, tmp_path: Path) -> None:
    path = tmp_path / "nomad2k8s.decisions.yaml"
    path.write_text(text)
    with pytest.raises(DecisionsError) as err:
        load(path)
    shown = str(err.value)
    assert "\n" not in shown
    assert shown.startswith(f"{path}:{line}: "), shown
    assert message in shown


def test_empty_files_hold_no_decisions(tmp_path: Path) -> None:
    for text in ("", "# nothing yet\n", "decisions:\n", "decisions: []\n"):
        path = tmp_path / "nomad2k8s.decisions.yaml"
        path.write_text(text)
        assert load(path).decisions == ()

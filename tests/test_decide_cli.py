"""`nomad2k8s decide` and `convert --decisions`, as a person runs them: record a decision against a
conversion, convert again and see it applied; typos and bad files refused with one line, exit 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from nomad2k8s.batch import BatchOptions, Profiles, run_batch
from nomad2k8s.decisions.load import load
from nomad2k8s.decisions.model import Decision
from nomad2k8s.decisions.write import insert

from .cases.test_decisions import VOLUME_ROW, WEB
from .support import run_cli

DECISIONS = "nomad2k8s.decisions.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git checkout with jobs/web.nomad.hcl, converted once into out/."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "web.nomad.hcl").write_text(WEB)
    done = run_cli("convert", "jobs", "--output", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def _closures(repo: Path) -> dict[tuple[str, str], str]:
    outcome = run_batch(BatchOptions(path=repo / "jobs"), Profiles(None, [], lambda _: None), None, lambda _: None)
    (result,) = outcome.results
    entries = result.ledger.entries
    return {(entries[i].code, entries[i].nomad_path): c.resolution for i, c in result.extra["closures"].items()}


def test_decide_appends_and_the_next_convert_reads_it(repo: Path) -> None:
    answered = run_cli("decide", "out", "web", "N2K-VOLUME-HOST-UNKNOWN", "--path", VOLUME_ROW,
                       "--answer", "storage-class=nfs-client", "--reason", "rsync'd, checksums match", cwd=repo)
    assert answered.returncode == 0, answered.stderr
    assert f"recorded answered: web N2K-VOLUME-HOST-UNKNOWN at {VOLUME_ROW}" in answered.stderr
    written = repo / DECISIONS  # none existed: created at the repository root
    (entry,) = yaml.safe_load(written.read_text())["decisions"]
    assert entry["answer"] == {"storage-class": "nfs-client"} and len(entry["fingerprint"]) == 12
    # A hand-written comment survives the next append.
    written.write_text(written.read_text() + "  # the team's note\n")
    accepted = run_cli("decide", "jobs/web.nomad.hcl", "web", "N2K-PRIVILEGED", "--accept",
                       "--reason", "nginx needs it until the image is rebuilt", cwd=repo)
    assert accepted.returncode == 0, accepted.stderr
    text = written.read_text()
    assert "# the team's note" in text and text.count("- service:") == 2
    again = run_cli("convert", "jobs", "--output", "out2", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert "stale" not in again.stderr
    pvc = yaml.safe_load((repo / "out2" / "web" / "persistentvolumeclaim-web-data.yaml").read_text())
    assert pvc["spec"]["storageClassName"] == "nfs-client"
    assert _closures(repo) == {("N2K-VOLUME-HOST-UNKNOWN", VOLUME_ROW): "answered",
                               ("N2K-PRIVILEGED", "job[web].group[web].task[web].config.privileged"): "accepted"}


def test_changed_setting_reopens_the_decision(repo: Path) -> None:
    assert run_cli("decide", "jobs", "web", "N2K-VOLUME-HOST-UNKNOWN", "--done", "--reason", "copied",
                   cwd=repo).returncode == 0
    assert _closures(repo) == {("N2K-VOLUME-HOST-UNKNOWN", VOLUME_ROW): "done"}
    jobspec = repo / "jobs" / "web.nomad.hcl"
    jobspec.write_text(WEB.replace('"web-data"', '"web-data-v2"'))
    again = run_cli("convert", "jobs", "--output", "out2", cwd=repo)
    assert again.returncode == 0
    assert (f"warning: {DECISIONS}:4: decision web N2K-VOLUME-HOST-UNKNOWN is stale: "
            "setting changed since the decision (reopened)") in again.stderr.splitlines()
    assert _closures(repo) == {}


@pytest.mark.parametrize("args,message", [
    (["out", "wbe", "N2K-PRIVILEGED", "--done"], "no converted service 'wbe'; did you mean: web"),
    (["jobs", "wbe", "N2K-PRIVILEGED", "--done"], "no job is named 'wbe'; did you mean: web"),
    (["out", "web", "N2K-PRIVILEGD", "--done"], "unknown code 'N2K-PRIVILEGD'; did you mean: N2K-PRIVILEGED"),
    (["out", "web", "N2K-VAULT-ACCESS", "--done"], "service web has no N2K-VAULT-ACCESS row"),
    (["out", "web", "N2K-PRIVILEGED", "--path", "job[web].group[web].task[wbe]", "--done"],
     "has no N2K-PRIVILEGED row at job[web].group[web].task[wbe]; its N2K-PRIVILEGED rows: "
     "job[web].group[web].task[web].config.privileged"),
    (["out", "web", "N2K-PRIVILEGED", "--done", "--accept"], "give exactly one of --done, --accept, --answer"),
    (["out", "web", "N2K-PRIVILEGED", "--answer", "replica=2"], "unknown hint 'replica' (did you mean 'replicas'?)"),
    (["out", "web", "N2K-PRIVILEGED", "--done", "--reason", " "], "--reason must say why"),
])
def test_decide_refuses_what_names_no_row(repo: Path, args: list[str], message: str) -> None:
    if "--reason" not in args:
        args = [*args, "--reason", "because"]
    refused = run_cli("decide", *args, cwd=repo)
    assert refused.returncode == 2
    assert len(refused.stderr.splitlines()) == 1 and refused.stderr.startswith("error: ")
    assert message in refused.stderr, refused.stderr
    assert not (repo / DECISIONS).exists()


def test_decide_refuses_a_repeat(repo: Path) -> None:
    args = ["decide", "out", "web", "N2K-PRIVILEGED", "--accept", "--reason", "ok"]
    assert run_cli(*args, cwd=repo).returncode == 0
    repeat = run_cli(*args, cwd=repo)
    assert repeat.returncode == 2
    assert f"already decided (accepted) at {DECISIONS}:4" in repeat.stderr


def test_bad_decisions_file_stops_convert_with_one_line(repo: Path) -> None:
    (repo / DECISIONS).write_text("decisions:\n  - service: web\n    code: N2K-PRIVILEGED\n    resolution: fixed\n"
                                  "    reason: x\n")
    failed = run_cli("convert", "jobs", "--output", "out2", cwd=repo)
    assert failed.returncode == 2
    (line,) = [s for s in failed.stderr.splitlines() if s.startswith("error")]
    assert line.startswith("error: ") and line.endswith(f"{DECISIONS}:4: decisions[0]: unknown resolution 'fixed'; "
                                                       "allowed: done, accepted, answered")
    assert not (repo / "out2").exists()
    # decide refuses to append to it too
    refused = run_cli("decide", "out", "web", "N2K-PRIVILEGED", "--done", "--reason", "x", cwd=repo)
    assert refused.returncode == 2 and "unknown resolution 'fixed'" in refused.stderr


def test_explicit_decisions_file_and_unknown_services(repo: Path) -> None:
    elsewhere = repo / "jobs" / "team-decisions.yaml"
    elsewhere.write_text(textwrap.dedent("""\
        decisions:
          - service: web
            code: N2K-PRIVILEGED
            resolution: accepted
            reason: ok
          - service: gone
            code: N2K-PRIVILEGED
            resolution: done
            reason: the job was retired
        """))
    done = run_cli("convert", "jobs", "--output", "out2", "--decisions", elsewhere, cwd=repo)
    assert done.returncode == 0, done.stderr
    assert (f"warning: {elsewhere.relative_to(repo).as_posix()}:6: decision gone N2K-PRIVILEGED is "
            "stale: no converted service is named 'gone'") in done.stderr.splitlines()
    missing = run_cli("convert", "jobs", "--decisions", repo / "nope.yaml", cwd=repo)
    assert missing.returncode == 2


LAYOUTS = {
    "new-list": ("decisions:\n", "decisions:\n  - service: \"web\"\n"),
    "null": ("decisions: ~\n", "decisions:\n  - service: \"web\"\n"),
    "flow": ("# keep\ndecisions: []\n", "# keep\ndecisions:\n  - service: \"web\"\n"),
    "block-indent-0": ("decisions:\n- service: a\n  code: N2K-PRIVILEGED\n  resolution: done\n  reason: |\n    two\n"
                       "    lines\n# tail\n",
                       "    lines\n- service: \"web\"\n"),
    "no-final-newline": ("decisions:\n  - service: a\n    code: N2K-PRIVILEGED\n    resolution: done\n    reason: x",
                         "    reason: x\n  - service: \"web\"\n"),
}


@pytest.mark.parametrize("before,expected", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_append_keeps_the_file_layout(before: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / DECISIONS
    path.write_text(before)
    decision = Decision("web", "N2K-PRIVILEGED", None, "accepted", 'needs "it"', fingerprint="0123456789ab")
    text = insert(before, load(path), decision)
    assert expected in text
    path.write_text(text)
    assert load(path).decisions[-1].reason == 'needs "it"'
    if "# tail" in before:
        assert text.endswith("# tail\n")


SHARED = '''
job "%s" {
  group "%s" {
    network {
      port "http" { to = 80 }
    }
    service {
      name = "shared"
      port = "http"
    }
    task "t" {
      driver = "docker"
      config { image = "nginx:1.27" }
    }
  }
}
'''


def test_rows_the_batch_adds_can_be_decided(tmp_path: Path) -> None:
    """A name clash is found only when jobs are converted together: decided from the output directory,
    closed by the next convert of the directory; an answer cannot reach it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "jobs").mkdir()
    for name in ("a", "b"):
        (tmp_path / "jobs" / f"{name}.nomad.hcl").write_text(SHARED % (name, name))
    assert run_cli("convert", "jobs", "--output", "out", cwd=tmp_path).returncode == 0
    answer = run_cli("decide", "out", "a", "N2K-OBJECT-NAME-CLASH", "--answer", "namespace=a", "--reason", "x",
                     cwd=tmp_path)
    assert answer.returncode == 2 and "an answer cannot reach it; use --done or --accept" in answer.stderr
    from_jobspec = run_cli("decide", "jobs/a.nomad.hcl", "a", "N2K-OBJECT-NAME-CLASH", "--accept", "--reason", "x",
                           cwd=tmp_path)
    assert from_jobspec.returncode == 2 and "has no N2K-OBJECT-NAME-CLASH row" in from_jobspec.stderr
    accepted = run_cli("decide", "out", "a", "N2K-OBJECT-NAME-CLASH", "--accept", "--reason", "b is retired next week",
                       cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    outcome = run_batch(BatchOptions(path=tmp_path / "jobs"), Profiles(None, [], lambda _: None), None,
                        lambda _: None)
    by_service = {r.name: r for r in outcome.results}
    closed = [by_service["a"].ledger.entries[i].code for i in by_service["a"].extra["closures"]]
    assert closed == ["N2K-OBJECT-NAME-CLASH"]
    assert by_service["b"].extra["closures"] == {} and by_service["b"].extra["stale_decisions"] == []

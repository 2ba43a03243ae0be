"""The review as a person meets it: report.json (valid against docs/report.schema.json), the CI gate's
exit codes and its one-line summary, and `diff` in the review's words with git-diff exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.support import FIXTURES, REPO, run_cli

SCHEMA = json.loads((REPO / "docs" / "report.schema.json").read_text())
NO_GO = 'job "runner" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config { command = "/bin/x" }\n    }\n  }\n}\n'
ACTIONS = ('job "media" {\n  group "g" {\n    volume "data" {\n      type = "csi"\n      source = "data"\n'
           '      access_mode = "single-node-writer"\n      attachment_mode = "file-system"\n    }\n'
           '    task "t" {\n      driver = "docker"\n      config { image = "nginx:1.25" }\n'
           '      volume_mount {\n        volume = "data"\n        destination = "/data"\n      }\n    }\n  }\n}\n')
GO = 'job "web" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config { image = "nginx:1.25" }\n    }\n  }\n}\n'


def _jobs(tmp_path: Path, **jobs: str) -> Path:
    src = tmp_path / "jobs"
    src.mkdir()
    for name, text in jobs.items():
        (src / f"{name}.nomad.hcl").write_text(text)
    return src


def test_report_json_is_written_and_valid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", FIXTURES, "--output", out)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["run"] == {"source": FIXTURES.name if FIXTURES.is_absolute() else FIXTURES.as_posix(),
                             "profile": "vanilla", "format": "yaml"}
    # every service's directory, not the cluster kit's (OUT/_cluster: what settles actions, not a service)
    reports = [p for p in out.rglob("MIGRATION.md") if not p.parent.name.startswith("_cluster")]
    assert report["totals"]["services"] == len(report["services"]) == len(reports)
    assert str(tmp_path) not in (out / "report.json").read_text()  # never an absolute path
    for service in report["services"]:
        assert (out / service["migration_md"]).is_file()
    # The migration order names every service once, leaves first.
    waved = [s for w in report["waves"] for s in w["services"]]
    assert sorted(waved) == sorted(s["name"] for s in report["services"])
    # The estate graph: in report.json and as OUT/estate.json, every edge between known nodes.
    assert json.loads((out / "estate.json").read_text()) == report["graph"]
    keys = {n["key"] for n in report["graph"]["nodes"]}
    assert {"app", "lb"} <= keys and "db.service.consul" in keys
    assert all(e["source"] in keys and e["target"] in keys and e["evidence"] for e in report["graph"]["edges"])


def test_waves_follow_the_links_the_conversion_recorded(tmp_path: Path) -> None:
    api = ('job "api" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config { image = "api:1" }\n'
           '      env {\n        DB = "db.service.consul:5432"\n        CACHE = "cache.service.consul:6379"\n      }\n'
           '    }\n    network {\n      port "http" { to = 80 }\n    }\n    service {\n      name = "api"\n'
           '      port = "http"\n    }\n  }\n}\n')
    db = ('job "db" {\n  group "g" {\n    network {\n      port "pg" { to = 5432 }\n    }\n    service {\n'
          '      name = "db"\n      port = "pg"\n    }\n    task "t" {\n      driver = "docker"\n'
          '      config { image = "postgres:16" }\n    }\n  }\n}\n')
    out = tmp_path / "out"
    assert run_cli("convert", _jobs(tmp_path, api=api, db=db), "--output", out).returncode == 0
    report = json.loads((out / "report.json").read_text())
    assert report["waves"] == [{"wave": 1, "services": ["db"], "external": []},
                               {"wave": 2, "services": ["api"], "external": ["cache.service.consul"]}]
    api_entry = next(s for s in report["services"] if s["name"] == "api")
    assert api_entry["depends_on"] == ["db"] and api_entry["external"] == ["cache.service.consul"]
    assert "## Migration waves" in (out / "SUMMARY.md").read_text()


@pytest.mark.parametrize("jobs, level, code", [
    ({"runner": NO_GO}, None, 0),
    ({"runner": NO_GO}, "no-go", 3),
    ({"media": ACTIONS}, "no-go", 0),
    ({"media": ACTIONS}, "actions", 3),
    ({"web": GO}, "actions", 0),
    ({"runner": NO_GO, "broken": 'job "x" {\n  group "g" {\n'}, "no-go", 1),  # a conversion error wins over 3
])
def test_gate_exit_codes(tmp_path: Path, jobs: dict[str, str], level: str | None, code: int) -> None:
    args = ["convert", _jobs(tmp_path, **jobs), "--output", tmp_path / "out"] + (["--fail-on", level] if level else [])
    proc = run_cli(*args)
    assert proc.returncode == code, proc.stderr
    assert (tmp_path / "out" / "report.json").is_file()


def test_gate_usage_error_and_stdout_mode(tmp_path: Path) -> None:
    src = _jobs(tmp_path, runner=NO_GO)
    assert run_cli("convert", src, "--fail-on", "maybe").returncode == 2
    proc = run_cli("convert", src, "--fail-on", "no-go")  # no --output: the gate still sees the verdicts
    assert proc.returncode == 3 and "kind: Deployment" in proc.stdout


def test_last_stderr_line_is_the_verdict_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", _jobs(tmp_path, runner=NO_GO, media=ACTIONS, web=GO), "--output", out)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("3 services: 1 GO, 1 GO after actions, 1 NO-GO → ") and last.endswith(
        ("report.html", "SUMMARY.md")), last


def test_summary_is_the_agenda(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli("convert", _jobs(tmp_path, runner=NO_GO, media=ACTIONS), "--output", out)
    agenda = (out / "SUMMARY.md").read_text()
    assert "2 service(s): 0 GO, 1 GO after actions, 1 NO-GO." in agenda
    assert "[runner](runner/MIGRATION.md) `N2K-DRIVER-NO-IMAGE`" in agenda
    assert "### Data: fill these claims with the Nomad volumes' data (1 item(s), 1 service(s))" in agenda
    migration = (out / "media" / "MIGRATION.md").read_text()
    head = migration.split("## Settings")[0]
    assert "Verdict: **GO after actions**" in head and "## Open actions" in head and "N2K-VOLUME-DATA" in head


def test_diff_reports_verdict_and_row_deltas(tmp_path: Path) -> None:
    src = _jobs(tmp_path, runner=NO_GO)
    assert run_cli("convert", src, "--output", tmp_path / "a").returncode == 0
    (src / "runner.nomad.hcl").write_text(ACTIONS.replace('job "media"', 'job "runner"'))
    assert run_cli("convert", src, "--output", tmp_path / "b").returncode == 0
    proc = run_cli("diff", tmp_path / "a", tmp_path / "b", "--exit-code")
    assert proc.returncode == 1, proc.stderr
    assert "- runner: NO-GO → GO after actions; closed N2K-DRIVER-NO-IMAGE" in proc.stdout
    assert "opened N2K-STRATEGY-RECREATE, N2K-VOLUME-DATA" in proc.stdout  # one replica + RWO claim: Deployment, Recreate
    assert "1 service(s) changed, 0 new, 0 removed; 1 verdict(s) changed." in proc.stdout
    assert "Verdicts: GO 0 → 0, GO after actions 0 → 1, NO-GO 1 → 0." in proc.stdout
    assert run_cli("diff", tmp_path / "a", tmp_path / "a", "--exit-code").returncode == 0
    assert run_cli("diff", tmp_path / "a", tmp_path / "b").returncode == 0  # without --exit-code


def test_diff_of_a_corrupt_report_is_an_error(tmp_path: Path) -> None:
    run_cli("convert", FIXTURES / "whoami", "--output", tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    (tmp_path / "b" / "report.json").write_text("{not json")
    proc = run_cli("diff", tmp_path / "a", tmp_path / "b", "--exit-code")
    assert proc.returncode == 2 and "report.json" in proc.stderr and "Traceback" not in proc.stderr


def test_diff_redacts_secret_values(tmp_path: Path) -> None:
    from nomad2k8s.report.diff import _describe

    lines = _describe("values_changed", {"root['data']['password']": {"old_value": "hunter2", "new_value": "s3cret"},
                                         "root['url']": {"old_value": "https://u:pw@h/x", "new_value": "https://h/x"}})
    text = "\n".join(lines)
    assert "hunter2" not in text and "s3cret" not in text and ":pw@" not in text and "«redacted: " in text

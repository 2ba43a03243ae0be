"""Issue 15, done-when: a decisions file that closes every open row of a service turns it GO, and
`--fail-on` honours it. Recorded the way a reviewer would: `nomad2k8s decide` once per open row of report.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support import FIXTURES, run_cli


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def _open_rows(report: dict, severities: set[str]) -> list[dict]:
    (service,) = report["services"]
    return [r for r in service["rows"] if r["open"] and r["severity"] in severities]


def test_closing_every_open_row_turns_the_service_go_and_passes_the_gate(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "overseerr", repo / "overseerr")
    (repo / ".git").mkdir()  # the repository root: where `decide` creates nomad2k8s.decisions.yaml
    out = tmp_path / "out"
    first = run_cli("convert", repo, "--output", out, "--fail-on", "actions")
    report = _report(out)
    assert report["services"][0]["verdict"] == "no-go" and first.returncode == 3, first.stderr
    for severities, level in (({"blocker", "action"}, "actions"), ({"review"}, "review")):
        for row in _open_rows(report, severities):
            step = "--done" if row["severity"] == "action" else "--accept"
            proc = run_cli("decide", repo, "overseerr", row["code"], "--path", row["nomad_path"], step,
                           "--reason", "reviewed in the migration meeting")
            assert proc.returncode == 0, proc.stderr
        gate = run_cli("convert", repo, "--output", out, "--fail-on", level)
        report = _report(out)
        assert _open_rows(report, severities) == [], _open_rows(report, severities)
        assert gate.returncode == 0, gate.stderr
    service = report["services"][0]
    assert service["verdict"] == "go" and service["closed"] > 0
    assert all(r["closed_by"]["resolution"] in ("done", "accepted") for r in service["rows"] if r.get("closed_by"))
    assert (repo / "nomad2k8s.decisions.yaml").is_file()
    assert "GO" in gate.stderr.splitlines()[-1] and " 1 GO," in gate.stderr.splitlines()[-1]

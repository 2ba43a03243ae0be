"""Files a run looked at and did not convert reach the review: report.json `not_converted` (schema-valid),
a SUMMARY.md section and the HTML page — e.g. a jobspec no Terraform root deploys (issue 14, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from nomad2k8s.estate import NOT_DEPLOYED
from tests.support import REPO, run_cli

HOMELAB = REPO / "fixtures" / "repos" / "homelab"


def test_undeployed_jobspec_is_listed_in_every_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("convert", HOMELAB, "--output", out)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, json.loads((REPO / "docs" / "report.schema.json").read_text()))
    undeployed = [f for f in report["not_converted"] if f["reason"] == NOT_DEPLOYED]
    assert undeployed and all(not f["file"].startswith("/") for f in undeployed)
    summary = (out / "SUMMARY.md").read_text()
    assert "## Not converted" in summary and all(f"`{f['file']}`" in summary for f in undeployed)
    assert 'id="not-converted"' in (out / "report.html").read_text()

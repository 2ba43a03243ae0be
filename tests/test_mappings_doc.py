"""docs/MAPPINGS.md is the output of `nomad2k8s mappings`; it must not drift from the code."""

from __future__ import annotations


from nomad2k8s.hints import SPECS
from nomad2k8s.mapping.core.registry import TRANSFORMS
from nomad2k8s.mapping.core.unsupported import ROWS
from nomad2k8s.report.concepts import profile_fields
from tests.support import REPO, run_cli

DOC = REPO / "docs" / "MAPPINGS.md"


def test_committed_doc_matches_the_command() -> None:
    proc = run_cli("mappings")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == DOC.read_text(), (
        "docs/MAPPINGS.md is stale: run `python -m nomad2k8s mappings > docs/MAPPINGS.md`")


def test_doc_covers_every_transform_hint_and_row() -> None:
    text = DOC.read_text()
    for transform in TRANSFORMS:
        assert transform.description, f"Transform {transform.concept!r} needs a description"
        assert f"| {transform.concept} | {transform.scope} |" in text
    for spec in SPECS:
        assert f"`nomad2k8s.{spec.name}`" in text
    for row in ROWS:
        assert f"| `{row.shape}` |" in text and f"`{row.code}`" in text
    for name, _, description in profile_fields():
        assert description, f"profile field {name} needs a description"
        assert f"| `{name}` |" in text

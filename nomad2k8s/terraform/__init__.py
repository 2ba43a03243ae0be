"""Terraform-wrapped Nomad repositories: which jobs the Terraform roots deploy, with which
variables, and the volumes and Nomad variables they declare (see README "Terraform-wrapped repos").

- modules.py: .tf files per directory, local module sources, the root modules;
- evaluate.py: Terraform's names and functions on the jobspec expression evaluator;
- collect.py: the walk over each root's modules, collecting `nomad_job`, volumes, `nomad_variable`;
- volumes.py: volume resources and Nomad volume spec files as VolumeFacts;
- model.py: the results (picklable dataclasses).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .collect import read_estate
from .model import (
    Estate,
    EstateFacts,
    NomadVariable,
    TfDiagnostic,
    TfJob,
    VolumeFact,
    Where,
)
from .modules import find_roots
from .volumes import from_spec_file


def discover_estate(repo: Path, cli_vars: Mapping[str, str] | None = None,
                    var_files: list[Path] | None = None) -> Estate:
    """Every Terraform root under `repo`, evaluated. Never raises for bad input: problems are
    diagnostics (file:line, the expression, the reason)."""
    estate = Estate()
    roots, modules = find_roots(repo)
    estate.roots = roots
    read_estate(repo, roots, modules, cli_vars or {}, list(var_files or []), estate)
    return estate


__all__ = ["Estate", "EstateFacts", "NomadVariable", "TfDiagnostic", "TfJob", "VolumeFact", "Where",
           "discover_estate", "from_spec_file"]

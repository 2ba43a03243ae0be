"""Result types of the parse stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass
class ParseDiagnostic:
    code: str
    message: str
    nomad_path: str
    line: int | None = None


@dataclass
class ParsedSource:
    path: Path
    syntax: Literal["hcl2", "hcl1", "json"]
    jobs: list[dict]
    diagnostics: list[ParseDiagnostic] = field(default_factory=list)
    text: str = ""
    root: Path | None = None  # the repository being converted: files the jobspec names stay under it

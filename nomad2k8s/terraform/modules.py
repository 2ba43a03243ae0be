"""Terraform module directories: their .tf files parsed and merged, local module sources, roots.

A root module is the converted directory itself when it holds .tf files, or a directory below it
that declares a `backend`, has a `.terraform.lock.hcl` or `*.tfvars`, and that no other module
sources: a module directory nothing sources deploys nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError
from ..parse.hcl2_reader import parse_hcl2
from .model import TfDiagnostic, Where

MAX_TF_DIRS = 2000  # a guard: a repository with more Terraform directories than this is read in part


@dataclass
class Block:
    """One top-level block of a module (`resource`, `module`, `variable`...) and its file."""

    kind: str
    labels: list[str]
    body: dict[str, Any]
    where: Where

    def line_of(self, attr: str) -> Where:
        lines = self.body.get("__attr_lines__", {})
        return Where(self.where.file, lines.get(attr, self.where.line))


@dataclass
class ModuleDir:
    path: Path
    blocks: list[Block] = field(default_factory=list)
    # Files that could not be read or parsed: reported only when a root evaluates the module.
    problems: list[TfDiagnostic] = field(default_factory=list)

    def of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


def tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file() and not p.name.endswith(".intentions.tf"))


def read_module(directory: Path, repo: Path) -> ModuleDir:
    """Every .tf file of the directory (a file that does not parse is one problem, then skipped)."""
    module = ModuleDir(directory)
    diagnostics = module.problems
    for file in tf_files(directory):
        try:
            text = fileaccess.read_text_confined(file.name, directory, repo, "Terraform file")
            tree = parse_hcl2(text)
        except ConversionError as exc:
            diagnostics.append(TfDiagnostic(Where(file), "the file", exc.message))
            continue
        except Exception as exc:  # noqa: BLE001  python-hcl2 / lark raise several exception types
            line = getattr(exc, "line", None)
            diagnostics.append(TfDiagnostic(Where(file, line if isinstance(line, int) else None), "the file",
                                            "HCL syntax error: " + (str(exc).strip().splitlines() or ["?"])[0]))
            continue
        for kind, items in tree.items():
            if kind.startswith("__") or not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, dict):
                    labels = item.get("__labels__") or ([item["__label__"]] if "__label__" in item else [])
                    module.blocks.append(Block(kind, [str(x) for x in labels], item,
                                               Where(file, item.get("__line__"))))
    return module


def local_source(block: Block) -> str | None:
    source = block.body.get("source")
    if isinstance(source, str) and source.startswith(("./", "../")) and "${" not in source:
        return source
    return None


def _visible(path: Path, repo: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(repo).parts)


def find_roots(repo: Path) -> tuple[list[Path], dict[Path, ModuleDir]]:
    """The root modules under `repo` and every module directory read on the way."""
    dirs = sorted({p.parent for p in repo.rglob("*.tf") if _visible(p.parent, repo)})[:MAX_TF_DIRS]
    modules = {d: read_module(d, repo) for d in dirs}
    sourced: set[str] = set()
    for module in modules.values():
        for block in module.of("module"):
            source = local_source(block)
            if source is not None:
                sourced.add(_real(module.path / source))
    roots = [repo] if repo in modules else []
    for d in dirs:
        if d == repo or _real(d) in sourced:
            continue
        if _is_root(d, modules[d]):
            roots.append(d)
    return roots, modules


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _is_root(directory: Path, module: ModuleDir) -> bool:
    if (directory / ".terraform.lock.hcl").is_file() or any(directory.glob("*.tfvars")) or any(
            directory.glob("*.tfvars.json")):
        return True
    return any(isinstance(b.body.get("backend"), list) or "cloud" in b.body for b in module.of("terraform"))

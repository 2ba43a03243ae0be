"""Find jobspec files under a directory."""

from __future__ import annotations

from pathlib import Path

# `.nomad.hcl` / `.nomad.json` are covered by their last suffix.
_SUFFIXES = (".nomad", ".hcl", ".json", ".job")


def discover_jobspecs(root: Path) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    found = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).parts
        if any(part.startswith(".") for part in rel[:-1]):
            continue  # hidden directories (.git, .terraform, ...)
        if p.is_file() and p.name.endswith(_SUFFIXES):
            found.append(p)
    return sorted(found)

"""Find jobspec files under a directory."""

from __future__ import annotations

from pathlib import Path

# `.nomad.hcl` / `.nomad.json` are covered by their last suffix.
_SUFFIXES = (".nomad", ".hcl", ".json", ".job")
# Companion files that sit beside jobspecs in a repo but are not jobspecs themselves.
VAR_FILE_SUFFIXES = (".vars.hcl", ".vars.json", ".auto.vars.hcl")
INTENTION_SUFFIXES = (".intentions.hcl", ".intentions.json", ".intentions.tf")
COMPANION_SUFFIXES = VAR_FILE_SUFFIXES + INTENTION_SUFFIXES
# The site-settings file looked up from each jobspec upwards (profile_load.discover_config).
CONFIG_NAME = "nomad2k8s.yaml"


def discover_jobspecs(root: Path) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    found = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).parts
        if any(part.startswith(".") for part in rel[:-1]):
            continue  # hidden directories (.git, .terraform, ...)
        if p.is_file() and p.name.endswith(_SUFFIXES) and not p.name.endswith(COMPANION_SUFFIXES):
            found.append(p)
    return sorted(found)

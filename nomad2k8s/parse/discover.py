"""Find jobspec files under a directory, and say why each other candidate is not converted."""

from __future__ import annotations

from pathlib import Path

# `.nomad.hcl` / `.nomad.json` are covered by their last suffix.
_SUFFIXES = (".nomad", ".hcl", ".json", ".job")
# Companion files that sit beside jobspecs in a repo but are not jobspecs themselves.
VAR_FILE_SUFFIXES = (".vars.hcl", ".vars.json", ".auto.vars.hcl")
INTENTION_SUFFIXES = (".intentions.hcl", ".intentions.json", ".intentions.tf")
COMPANION_SUFFIXES = VAR_FILE_SUFFIXES + INTENTION_SUFFIXES
# Levant reads these from beside the template (packs/levant.py); they hold values, not a job.
LEVANT_VAR_FILES = ("levant.yaml", "levant.yml", "levant.json", "levant.tf")
PACK_JOB_SUFFIX = ".nomad.tpl"
# The site-settings file looked up from each jobspec upwards (profile_load.discover_config).
CONFIG_NAME = "nomad2k8s.yaml"


def discover_jobspecs(root: Path) -> list[Path]:
    return discover(root)[0]


def discover(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(jobspecs, skipped): a nomad-pack pack (a directory with metadata.hcl and templates/)
    contributes its templates/*.nomad.tpl; every other candidate file (jobspec suffix or .tpl) that
    is not converted is in `skipped` with the reason."""
    root = Path(root)
    if root.is_file():
        return [root], []
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    candidates = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).parts
        if any(part.startswith(".") for part in rel[:-1]):
            continue  # hidden directories (.git, .terraform, ...)
        if p.is_file():
            candidates.append(p)
    packs = sorted({p.parent for p in candidates if p.name == "metadata.hcl" and (p.parent / "templates").is_dir()})
    for p in sorted(candidates):
        pack = next((d for d in packs if p.is_relative_to(d)), None)
        if pack is not None:
            _pack_member(p, pack, found, skipped)
        elif p.name in LEVANT_VAR_FILES:
            skipped.append((p, "Levant variable file (used by the templates beside it)"))
        elif p.name.endswith(_SUFFIXES) and not p.name.endswith(COMPANION_SUFFIXES):
            found.append(p)
        elif p.name.endswith(".tpl"):
            skipped.append((p, "template outside a nomad-pack pack (rendered through its pack or "
                               "Terraform templatefile(), not on its own)"))
    return found, skipped


def source_dir(jobspec: Path) -> Path:
    """The directory a jobspec's output mirrors: a pack template's pack, not its templates/."""
    parent = jobspec.parent
    if parent.name == "templates" and (parent.parent / "metadata.hcl").is_file():
        return parent.parent
    return parent


def _pack_member(p: Path, pack: Path, found: list[Path], skipped: list[tuple[Path, str]]) -> None:
    rel = p.relative_to(pack)
    if len(rel.parts) == 2 and rel.parts[0] == "templates" and p.name.endswith(PACK_JOB_SUFFIX) \
            and not p.name.startswith("_"):
        found.append(p)
    elif rel.as_posix() == "metadata.hcl":
        skipped.append((p, f"nomad-pack metadata of pack {pack.name}"))
    elif rel.as_posix() == "variables.hcl":
        skipped.append((p, f"nomad-pack variables of pack {pack.name} (defaults used when rendering)"))
    elif len(rel.parts) == 2 and rel.parts[0] == "templates" and p.name.startswith("_"):
        skipped.append((p, f"nomad-pack helper template of pack {pack.name}"))
    elif p.name.endswith(_SUFFIXES + (".tpl",)):
        skipped.append((p, f"file of nomad-pack pack {pack.name} that is not a job template "
                           f"(templates/*{PACK_JOB_SUFFIX})"))

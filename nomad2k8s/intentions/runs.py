"""Which intention files apply to which converted jobs.

- `--intentions PATH` (repeatable; a file or a directory): applies to every job of the run; the
  policies of unconverted destinations go to DIR/_policies/.
- Without it, a directory conversion picks up files named `*.intentions.hcl`, `*.intentions.json`
  or `*.intentions.tf`: they apply to the jobs in their directory and below, and their
  `_policies/` sits in that directory's output (DIR/<sub-dir>/_policies/).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..parse.discover import INTENTION_SUFFIXES  # one definition, shared with discovery

FILE_SUFFIXES = (".hcl", ".json", ".tf")


@dataclass
class Run:
    files: list[Path]
    members: list[int]  # indexes into the converted jobs
    subdir: Path  # relative output directory for _policies


def expand(paths: list[Path]) -> list[Path]:
    """Files under the given paths (directories: every .hcl/.json/.tf, hidden dirs skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(FILE_SUFFIXES)
                          and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1]))
        else:
            out.append(path)
    return out


def runs(root: Path, explicit: list[Path], job_files: list[Path]) -> list[Run]:
    if explicit:
        return [Run(expand(explicit), list(range(len(job_files))), Path("."))]
    if not root.is_dir():
        return []
    found: dict[Path, list[Path]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name.endswith(INTENTION_SUFFIXES):
            found.setdefault(path.parent, []).append(path)
    out = []
    for directory, files in sorted(found.items()):
        members = [i for i, f in enumerate(job_files) if directory in f.parents]
        out.append(Run(files, members, directory.relative_to(root)))
    return out

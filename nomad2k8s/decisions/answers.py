"""`answered` decisions become hints, as if written in the `meta` of a block of the jobspec.

The block is the one the answered row lies in: its task, else its group, else the job; when the hint
is not allowed at that level (e.g. `replicas` on a task row) the nearest enclosing level that allows
it. `MetaOverrides` (block path -> {meta key: value}) is what convert_job takes; `inject` writes it
into the typed model before any mapper runs, so the answer goes through the same validation,
precedence and ledger rows (N2K-HINT) as a hint written in the jobspec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import hints
from ..model import Group, Job, Task, paths
from .model import Decision, DecisionsError

MetaOverrides = Mapping[str, Mapping[str, str]]

# job[a].group[b].task[c]: labels never hold "]" in a ledger path.
_BLOCKS = re.compile(r"^(?P<job>job\[[^\]]*\])(?P<group>\.group\[[^\]]*\])?(?P<task>\.task\[[^\]]*\])?")


def levels(row_path: str, job_path: str) -> dict[str, str]:
    """level -> block path enclosing the row (job always; group and task when the row lies in them)."""
    found = _BLOCKS.match(row_path)
    if found is None:  # a row outside the job's blocks (e.g. a variable): the job's level
        return {"job": job_path}
    out = {"job": found["job"]}
    if found["group"]:
        out["group"] = found["job"] + found["group"]
        if found["task"]:
            out["task"] = out["group"] + found["task"]
    return out


def block_for(hint: str, row_path: str, job_path: str) -> str:
    enclosing = levels(row_path, job_path)
    spec = hints.BY_NAME[hint]
    for level in ("task", "group", "job"):
        if level in enclosing and level in spec.levels:
            return enclosing[level]
    return enclosing["job"]  # every hint is allowed on the job


def meta_key_path(block: str, hint: str) -> str:
    """The Nomad path hints.py gives the meta key, so the N2K-HINT row can be found again."""
    return paths.join(paths.join(block, "meta"), hints.PREFIX + hint)


class Overrides:
    """The meta keys the answered decisions add, with the decision behind each (for conflicts and notes)."""

    def __init__(self) -> None:
        self.meta: dict[str, dict[str, str]] = {}
        self.by_key_path: dict[str, Decision] = {}

    def add(self, decision: Decision, row_path: str, job_path: str, file: str) -> None:
        for hint, value in decision.answer.items():
            block = block_for(hint, row_path, job_path)
            key_path = meta_key_path(block, hint)
            earlier = self.by_key_path.get(key_path)
            if earlier is not None and earlier.answer[hint] != value:
                raise DecisionsError(f"answer {hint}={value} for {block} conflicts with {hint}="
                                     f"{earlier.answer[hint]} at line {earlier.line}", file, decision.line)
            self.meta.setdefault(block, {})[hints.PREFIX + hint] = value
            self.by_key_path.setdefault(key_path, decision)


def inject(job: Job, meta: MetaOverrides) -> None:
    """Add the keys to the meta of the job, group and task blocks named by path (others are ignored:
    the block is gone from the jobspec, and the decision shows as stale elsewhere)."""
    nodes: list[Job | Group | Task] = [job, *job.group, *(t for g in job.group for t in g.task)]
    for node in nodes:
        extra = meta.get(node.nomad_path)
        if extra:
            node.meta = {**(node.meta or {}), **extra}

"""One row of the mapper table: what a concept mapper is, when it runs and what it must run after.

Kept apart from registry.py so each concept package can declare its rows (`<package>/transforms.yaml`)
without importing the registry that assembles them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml

Scope = Literal["group", "job", "batch"]
SCOPES: tuple[Scope, ...] = ("group", "job", "batch")  # the order the pipeline runs the scopes in
# In `after`: every other row of the same scope (a "last" step, e.g. a pass that reads final state).
ALL = "*"


@dataclass(frozen=True)
class Transform:
    """`fn` takes a GroupContext (scope "group", once per task group), the JobContext ("job", once per
    job, after every group) or, for scope "batch", the JobContexts converted together that a batch pass
    may change, and the Services every job of the batch emits (passes/batch_inputs.py); it returns the
    contexts whose objects it changed (serialized again)."""

    concept: str
    scope: Scope
    fn: Callable
    description: str = ""  # the Nomad -> Kubernetes mapping it performs, one line
    after: tuple[str, ...] = ()  # concepts whose output this one reads (or ALL of its scope)


def order_problems(table: Sequence[Transform]) -> list[str]:
    """Why `table` cannot run in its order: unknown or later dependencies, duplicate concepts, scopes
    out of order. Empty when every declared dependency runs first."""
    problems = []
    position: dict[str, int] = {}
    for i, row in enumerate(table):
        if row.concept in position:
            problems.append(f"{row.concept}: listed twice")
        position.setdefault(row.concept, i)
        if row.scope not in SCOPES:
            problems.append(f"{row.concept}: unknown scope {row.scope!r}")
    scopes = [SCOPES.index(r.scope) for r in table if r.scope in SCOPES]
    if scopes != sorted(scopes):
        problems.append("scopes out of order: group rows, then job rows, then batch rows")
    for i, row in enumerate(table):
        for dep in row.after:
            if dep == ALL:
                later = [r.concept for r in table[i + 1:] if r.scope == row.scope]
                if later:
                    problems.append(f"{row.concept}: must be the last {row.scope} step, but {', '.join(later)} "
                                    "run after it")
            elif dep not in position:
                problems.append(f"{row.concept}: after unknown concept {dep!r}")
            elif position[dep] > i:
                problems.append(f"{row.concept}: runs before {dep}, which it must run after")
    return problems


def load_rows(package: str) -> tuple[Transform, ...]:
    """The rows a concept package declares in its `transforms.yaml` (data: the table reads as one, and
    the same-shape rows are not code). `fn` names `module.function` inside the package, or a dotted
    path from `nomad2k8s.`; a wrong name fails at import, so a renamed mapper cannot go unnoticed."""
    text = resources.files(package).joinpath("transforms.yaml").read_text(encoding="utf-8")
    rows = []
    for item in yaml.safe_load(text):
        module_name, _, fn_name = item["fn"].rpartition(".")
        if not module_name.startswith("nomad2k8s."):
            module_name = f"{package}.{module_name}"
        fn = getattr(importlib.import_module(module_name), fn_name)
        rows.append(Transform(item["concept"], item["scope"], fn, item.get("description", ""),
                              tuple(item.get("after", ()))))
    return tuple(rows)

"""The one table of mappers, in the order they run (like sqlglot's TRANSFORMS).

Each concept package declares its rows (`<package>/rows.py`: concept, scope, mapper, description and
the concepts it must run `after`); this module puts them in one order. Group-scope mappers run once
per task group with its GroupContext; job-scope mappers run once per job with the JobContext, after
every group is built; batch-scope passes run once over every job converted together, before their
objects are serialized. `order_problems(TRANSFORMS)` is empty (tests/test_registry.py): every row runs
after what it declares. A new concept is one module, one row in its package's rows.py and its name in
ORDER below; its description is the concept table in docs/MAPPINGS.md (`nomad2k8s mappings`).
"""

from __future__ import annotations

from collections.abc import Iterable

from nomad2k8s.mapping.config import rows as config_rows
from nomad2k8s.mapping.core import rows as core_rows
from nomad2k8s.mapping.core.transform import ALL, Transform, order_problems
from nomad2k8s.mapping.networking import rows as networking_rows
from nomad2k8s.mapping.passes import rows as passes_rows
from nomad2k8s.mapping.placement import rows as placement_rows
from nomad2k8s.mapping.storage import rows as storage_rows
from nomad2k8s.mapping.workload import rows as workload_rows

__all__ = ["ALL", "ORDER", "TRANSFORMS", "Transform", "assemble", "concepts", "order_problems"]

PACKAGE_ROWS: tuple[tuple[Transform, ...], ...] = (
    workload_rows.TRANSFORMS, networking_rows.TRANSFORMS, core_rows.TRANSFORMS, config_rows.TRANSFORMS,
    storage_rows.TRANSFORMS, placement_rows.TRANSFORMS, passes_rows.TRANSFORMS,
)

ORDER: tuple[str, ...] = (
    # group scope
    "task", "meta", "count", "periodic", "resources", "docker-options", "network", "service", "runtime",
    "template", "volume", "ephemeral-disk", "docker-mounts", "device", "single-writer-strategy", "placement",
    "lifecycle", "served", "shutdown", "restart", "parameterized", "pod-cleanup",
    # job scope
    "job-type", "job-placement", "statefulset-service", "vault", "namespace", "job-meta", "hints", "update",
    "reschedule", "parameterized-entry", "hpa", "vpa",
    # batch scope
    "batch-upstreams",
)


def assemble(order: Iterable[str], packages: Iterable[Iterable[Transform]]) -> tuple[Transform, ...]:
    """The rows of `packages` in `order`; every row placed exactly once."""
    by_concept: dict[str, Transform] = {}
    for rows in packages:
        for row in rows:
            if row.concept in by_concept:
                raise ValueError(f"transform {row.concept!r} is declared twice")
            by_concept[row.concept] = row
    order = list(order)
    missing = sorted(set(by_concept) - set(order))
    unknown = [c for c in order if c not in by_concept]
    if missing or unknown:
        raise ValueError(f"registry ORDER: not placed {missing}, no such transform {unknown}")
    return tuple(by_concept[c] for c in order)


TRANSFORMS: tuple[Transform, ...] = assemble(ORDER, PACKAGE_ROWS)


def concepts() -> list[str]:
    return [t.concept for t in TRANSFORMS]

"""The one table of mappers, in the order they run (like sqlglot's TRANSFORMS).

Each concept package declares its rows (`<package>/transforms.yaml`: concept, scope, mapper, description and
the concepts it must run `after`); this module puts them in one order. Group-scope mappers run once
per task group with its GroupContext; job-scope mappers run once per job with the JobContext, after
every group is built; batch-scope passes run once over every job converted together, before their
objects are serialized. `order_problems(TRANSFORMS)` is empty (tests/test_registry.py): every row runs
after what it declares. A new concept is one module, one row in its package's transforms.yaml and its name in
ORDER below; its description is the concept table in docs/MAPPINGS.md (`nomad2k8s mappings`).
"""

from __future__ import annotations

from collections.abc import Iterable

from nomad2k8s.mapping.core.transform import ALL, Transform, load_rows, order_problems

__all__ = ["ALL", "ORDER", "TRANSFORMS", "Transform", "assemble", "concepts", "order_problems"]

PACKAGES = ("workload", "networking", "core", "config", "storage", "placement", "passes")
PACKAGE_ROWS: tuple[tuple[Transform, ...], ...] = tuple(load_rows(f"nomad2k8s.mapping.{p}") for p in PACKAGES)

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
    "batch-consul-names",
    "batch-node-ports",
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

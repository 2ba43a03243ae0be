"""Unit-level conversion for case tables: jobspec text in, objects and ledger rows out.

    result = convert_text(HCL, workload="StatefulSet")   # hints become job meta nomad2k8s.*
    result.object("Service", "web")["spec"]["ports"]
    result.row("job[web].group[web].task[web].env.A").status

A case is (jobspec snippet, expected object fragment, expected ledger rows {path: (status, code)}).
`check_case` asserts all three, validates every object, and keeps the one-claim-per-setting invariant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nomad2k8s.convert import ServiceResult, convert_job, link_batch
from nomad2k8s.ledger import LedgerEntry
from nomad2k8s.parse import load_text
from nomad2k8s.profile import Profile

from ..support import validate_object


@dataclass
class Result:
    services: list[ServiceResult]

    @property
    def service(self) -> ServiceResult:
        assert len(self.services) == 1, [s.name for s in self.services]
        return self.services[0]

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [o for s in self.services for o in s.objects]

    def kinds(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for obj in self.objects:
            out.setdefault(obj["kind"], []).append(obj["metadata"]["name"])
        return out

    def object(self, kind: str, name: str | None = None) -> dict[str, Any]:
        found = [o for o in self.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} found; objects: {self.kinds()}"
        return found[0]

    def has(self, kind: str, name: str | None = None) -> bool:
        return any(o["kind"] == kind and (name is None or o["metadata"]["name"] == name) for o in self.objects)

    @property
    def entries(self) -> list[LedgerEntry]:
        return [e for s in self.services for e in s.ledger.entries]

    def rows(self, path: str | None = None, code: str | None = None) -> list[LedgerEntry]:
        return [e for e in self.entries if (path is None or e.nomad_path == path) and (code is None or e.code == code)]

    def row(self, path: str, code: str | None = None) -> LedgerEntry:
        found = [e for e in self.rows(path, code) if e.claims] or self.rows(path, code)
        assert len(found) == 1, f"{path} {code or ''}: {len(found)} rows; paths: {sorted({e.nomad_path for e in self.entries})}"
        return found[0]

    def codes(self) -> set[str]:
        return {e.code for e in self.entries}


def convert_text(
    hcl: str,
    profile: Profile | None = None,
    *,
    variables: dict[str, str] | None = None,
    path: str = "job.nomad.hcl",
    batch: bool = True,
    **hints: str,
) -> Result:
    """Convert jobspec text in memory. Keyword hints become job meta `nomad2k8s.<name>` (underscores
    -> dashes), exactly as an operator would write them."""
    parsed = load_text(hcl, Path(path), variables=variables, env={})
    profile = profile or Profile()
    for raw in parsed.jobs:
        if hints:
            meta = raw.setdefault("meta", [{"__line__": raw.get("__line__", 1)}])
            meta[0].update({f"nomad2k8s.{k.replace('_', '-')}": v for k, v in hints.items()})
    services = [convert_job(raw, parsed, profile) for raw in parsed.jobs]
    if batch:
        link_batch(services)
    return Result(services)


def fragment_matches(actual: Any, expected: Any) -> bool:
    """`expected` is a sub-tree of `actual`: dict keys a subset, lists matched item by item in order
    (each expected item matches some later actual item)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and fragment_matches(actual[k], v)
                                                for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        i = 0
        for item in expected:
            while i < len(actual) and not fragment_matches(actual[i], item):
                i += 1
            if i == len(actual):
                return False
            i += 1
        return True
    return actual == expected


@dataclass(frozen=True)
class Case:
    """One row of a case table."""

    id: str
    hcl: str
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind, name) -> fragment
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)  # nomad path -> (status, code)
    absent: tuple[tuple[str, str], ...] = ()  # (kind, name) that must not be emitted
    hints: dict[str, str] = field(default_factory=dict)
    profile: Profile | None = None


def check_case(case: Case) -> Result:
    result = convert_text(case.hcl, case.profile, **case.hints)
    for obj in result.objects:
        validate_object(obj)
    for service in result.services:
        over = {p: n for p, n in service.ledger.claims_per_leaf().items() if n != 1}
        assert not over, f"settings not claimed exactly once: {over}"
    for (kind, name), expected in case.objects.items():
        actual = result.object(kind, name)
        assert fragment_matches(actual, expected), f"{kind}/{name}:\n{actual}\nlacks\n{expected}"
    for kind, name in case.absent:
        assert not result.has(kind, name), f"{kind}/{name} must not be emitted"
    for path, (status, code) in case.rows.items():
        entry = result.row(path, code)
        assert entry.status.value == status, f"{path} {code}: {entry.status.value} != {status}: {entry.message}"
    return result

"""The review of a run: each service's rows and verdict, and the estate document written as
OUT/report.json (docs/report.schema.json; the HTML report and SUMMARY.md render the same data).

Paths in the document are relative: service directories and reports to the output directory, jobspecs
to the converted directory (the repository root), never absolute."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__
from ..convert import ServiceResult
from ..ledger.codes import Severity
from .actions import action_plan
from .closures import StaleDecision
from .rows import Row, build_rows, open_counts
from .verdict import VERDICTS, verdict
from ..estate_graph import EstateGraph, build_graph
from .waves import Node, link, waves

SCHEMA_VERSION = 1


@dataclass
class ServiceReview:
    result: ServiceResult
    dir: str  # the service's output directory, relative to the output root ("sub/whoami")
    source: str  # the jobspec, relative to the repository root
    rows: list[Row]
    cluster_domain: str = "cluster.local"
    key: str = ""  # its name in the estate (the name, or `dir` when two services share a name)
    depends_on: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    @property
    def open(self) -> dict[str, int]:
        return open_counts(self.rows)

    @property
    def verdict(self) -> str:
        return verdict(self.open)


def review_rows(result: ServiceResult, overrides: Mapping[str, str] | None = None) -> list[Row]:
    """The review rows of one converted service, with the decisions that closed some (extra["closures"])."""
    return build_rows(result.ledger.entries, result.extra.get("closures"), overrides)


def relative(path: Path, root: Path | None) -> str:
    """`path` relative to `root` when inside it; a relative path as given; else its file name."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix() or "."
        except ValueError:
            pass
    return path.as_posix() if not path.is_absolute() else path.name


# Results in the report that are not services of the estate: the network policies of intentions, the
# estate's shared claims, the cluster kit. They are waves' nodes but not the graph's.
NOT_SERVICES = frozenset({"consul", "estate", "cluster-kit"})


def estate_graph(services: list[ServiceReview], root: Path | None = None) -> EstateGraph:
    """The graph of the services (named by key) and the run's intentions (evidence relative to `root`)."""
    intentions = []
    named: list[tuple[tuple[str, str], str]] | None = None  # (jobspec, name) -> key, taken once when needed
    for s in services:
        members = {tuple(m) for m in s.result.extra.get("intention_members", [])}
        if members and named is None:
            named = [((o.result.source.as_posix(), o.result.name), o.key) for o in services]
        scope = [key for ident, key in named or () if ident in members]
        for item in s.result.extra.get("intentions", []):
            where = relative(Path(item["file"]), root) if item.get("file") else ""
            intentions.append({**item, "evidence": f"{where}:{item['line']}" if item.get("line") else where,
                               **({"scope": scope} if members else {})})
    return build_graph([(s.key, s.result) for s in services if s.result.syntax not in NOT_SERVICES], intentions)


def link_estate(services: list[ServiceReview], root: Path | None = None
                ) -> tuple[list[dict[str, Any]], list[list[str]], EstateGraph]:
    """Name each service in the estate, build the estate graph, fill each service's dependencies and
    externals from it; returns (waves, cycles, graph)."""
    names = Counter(s.result.name for s in services)
    for s in services:
        s.key = s.result.name if names[s.result.name] == 1 else s.dir
    graph = estate_graph(services, root)
    nodes = [Node(s.key) for s in services]
    link(nodes, graph)
    for s, node in zip(services, nodes):
        s.depends_on, s.external = node.depends_on, node.external
    wave_list, cycles = waves(nodes)
    return wave_list, cycles, graph


def _objects(result: ServiceResult) -> list[str]:
    return [f"{o.get('kind', '')}/{o.get('metadata', {}).get('name', '')}" for o in result.objects]


def _service(s: ServiceReview, root: Path | None) -> dict[str, Any]:
    rows = [r.as_dict() for r in s.rows]
    for row in rows:
        if row["closed_by"] is not None:
            row["closed_by"]["file"] = relative(Path(row["closed_by"]["file"]), root)
    return {
        "name": s.key or s.result.name, "dir": s.dir, "source": s.source, "verdict": s.verdict, "open": s.open,
        "closed": sum(1 for r in s.rows if not r.open), "objects": _objects(s.result),
        "migration_md": (PurePosixPath(s.dir) / "MIGRATION.md").as_posix(), "depends_on": s.depends_on,
        "external": s.external, "rows": rows,
    }


def _stale(s: ServiceReview, root: Path | None) -> list[dict[str, Any]]:
    found: list[StaleDecision] = s.result.extra.get("stale_decisions") or []
    return [{"service": d.service, "code": d.code, "path": d.path, "reason": d.reason,
             "file": relative(Path(d.file), root)} for d in found]


def build(services: list[ServiceReview], run: Mapping[str, str], root: Path | None = None,
          not_converted: list[tuple[Path, str]] | None = None) -> dict[str, Any]:
    """The report.json document; `run`: source, profile, format; `root`: the converted directory, which
    decisions files are shown relative to; `not_converted`: the files the discovery looked at and did not
    convert, with the reason (not deployed by Terraform, a pack's helper, not a jobspec...)."""
    wave_list, cycles, graph = link_estate(services, root)
    ordered = sorted(services, key=lambda s: (s.dir, s.key))
    totals_open = {sev.value: sum(s.open[sev.value] for s in services) for sev in Severity}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "nomad2k8s", "version": __version__},
        "run": dict(run),
        "totals": {"services": len(services),
                   "verdicts": {v: sum(1 for s in services if s.verdict == v) for v in VERDICTS},
                   "open": totals_open},
        "services": [_service(s, root) for s in ordered],
        "actions": action_plan([(s.key, s.rows, s.result.ledger.values) for s in ordered]),
        "blockers": [{"service": s.key, "row": r.id, "code": r.entry.code, "message": r.entry.message}
                     for s in ordered for r in s.rows if r.open and r.severity is Severity.BLOCKER],
        "waves": wave_list,
        "cycles": cycles,
        "graph": graph.to_json(),
        "stale_decisions": [d for s in ordered for d in _stale(s, root)],
        "not_converted": [{"file": relative(path, root), "reason": reason}
                          for path, reason in sorted(not_converted or [], key=lambda fr: (str(fr[0]), fr[1]))],
    }

"""Networking figures over a directory of jobspecs (default: the shared corpus), as one batch.

Usage: python scripts/networking_figures.py [DIR]
Prints: jobs converted, jobs with an Ingress or IngressRoute, Ingress/IngressRoute/Middleware objects,
readiness/liveness probes, upstream rewrites (env values and args rewritten to a Connect upstream's
cluster DNS name), and Consul DNS rewrites; the same two for templates (entries whose file or env lines
were rewritten; after link_batch).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from nomad2k8s.convert import convert_file, link_batch
from nomad2k8s.errors import ConversionError

ROOT = Path(__file__).resolve().parents[1]
REWRITE_CODES = ("N2K-ENV-REWRITE", "N2K-ENV-RUNTIME", "N2K-ARGS-REWRITE")
# Template content entries (one per template): their message lists each rewrite of the file or env lines.
TEMPLATE_CODES = ("N2K-TEMPLATE-CONFIGMAP", "N2K-TEMPLATE-ENV", "N2K-TEMPLATE-SECRET-FILE", "N2K-TEMPLATE-SECRET-ENV")


def _containers(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    template = spec.get("jobTemplate", {}).get("spec", spec).get("template", {})
    pod = template.get("spec", {})
    return pod.get("containers", []) + pod.get("initContainers", [])


def main(directory: Path) -> None:
    results, failed = [], 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        try:
            results += convert_file(path)
        except ConversionError:
            failed += 1
    link_batch(results)
    counts: Counter = Counter()
    for result in results:
        kinds = {o["kind"] for o in result.objects}
        counts["jobs with Ingress or IngressRoute"] += bool(kinds & {"Ingress", "IngressRoute"})
        for obj in result.objects:
            if obj["kind"] in ("Ingress", "IngressRoute", "Middleware"):
                counts[f"{obj['kind']} objects"] += 1
            for container in _containers(obj):
                counts["readiness probes"] += "readinessProbe" in container
                counts["liveness probes"] += "livenessProbe" in container
        for entry in result.ledger.entries:
            where = "templates" if entry.code in TEMPLATE_CODES else "env values/args"
            if "upstream " in entry.message and entry.code in REWRITE_CODES + TEMPLATE_CODES:
                counts[f"upstream rewrites ({where})"] += 1
                if where == "templates":
                    counts["  of which port still the bind port"] += "local bind port" in entry.message
                else:
                    counts["  of which port from a Service in the batch or job"] += entry.status.value == "mapped"
            if ".consul ->" in entry.message:
                counts[f"Consul DNS rewrites ({where})"] += 1
    print(f"jobs converted: {len(results)} ({failed} files failed cleanly)")
    for key in ("jobs with Ingress or IngressRoute", "Ingress objects", "IngressRoute objects", "Middleware objects",
                "readiness probes", "liveness probes", "upstream rewrites (env values/args)",
                "  of which port from a Service in the batch or job", "Consul DNS rewrites (env values/args)",
                "upstream rewrites (templates)", "  of which port still the bind port", "Consul DNS rewrites (templates)"):
        print(f"{key}: {counts[key]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "jobs")

"""How many jobs of a directory of jobspecs get PVCs, hostPaths, node/pod affinities and GPUs.

Usage: python scripts/storage_figures.py [DIR]   (default: ../shared/corpus/jobs)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from nomad2k8s.convert import convert_file
from nomad2k8s.errors import ConversionError

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def pod_spec(obj: dict) -> dict:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {})


def features(objects: list[dict]) -> set[str]:
    found: set[str] = set()
    for obj in objects:
        if obj["kind"] == "PersistentVolumeClaim":
            found.add("pvc")
        if obj["kind"] not in WORKLOADS:
            continue
        if obj["kind"] == "StatefulSet" and obj["spec"].get("volumeClaimTemplates"):
            found.add("pvc")
        pod = pod_spec(obj)
        if any("hostPath" in v for v in pod.get("volumes", [])):
            found.add("hostPath")
        affinity = pod.get("affinity", {})
        if pod.get("nodeSelector") or affinity.get("nodeAffinity"):
            found.add("node affinity/selector")
        if affinity.get("podAntiAffinity") or affinity.get("podAffinity"):
            found.add("pod (anti-)affinity")
        if pod.get("topologySpreadConstraints"):
            found.add("topology spread")
        containers = pod.get("containers", []) + pod.get("initContainers", [])
        if any("nvidia.com/gpu" in (c.get("resources", {}).get("limits") or {}) for c in containers):
            found.add("gpu")
    return found


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared/corpus/jobs"
    counts, jobs, failed = Counter(), 0, 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            results = convert_file(path)
        except ConversionError:
            failed += 1
            continue
        for result in results:
            jobs += 1
            counts.update(features(result.objects))
    print(f"{jobs} jobs converted ({failed} files failed cleanly)")
    for name in ("pvc", "hostPath", "node affinity/selector", "pod (anti-)affinity", "topology spread", "gpu"):
        print(f"  {name:24} {counts[name]:4}")


if __name__ == "__main__":
    main()

"""Corpus figures for the lifecycle/autoscaling work: how many jobs get VPAs, HPAs, init
containers and native sidecars (and the hook/stop outcomes).

Usage: .venv/bin/python scripts/lifecycle_figures.py [CORPUS_DIR]   (default ../shared/corpus/jobs)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from nomad2k8s.convert import convert_file
from nomad2k8s.errors import ConversionError

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}


def _pod_spec(obj: dict) -> dict:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {})


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared/corpus/jobs"
    jobs: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    total = failed = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            results = convert_file(path)
        except ConversionError:
            failed += 1
            continue
        for result in results:
            total += 1
            seen: set[str] = set()
            for obj in result.objects:
                kind = obj["kind"]
                if kind in ("VerticalPodAutoscaler", "HorizontalPodAutoscaler"):
                    objects[kind] += 1
                    seen.add(kind)
                if kind not in WORKLOADS:
                    continue
                pod = _pod_spec(obj)
                inits = pod.get("initContainers", [])
                plain = [c for c in inits if c.get("restartPolicy") != "Always"]
                native = [c for c in inits if c.get("restartPolicy") == "Always"]
                objects["init containers"] += len(plain)
                objects["native sidecars"] += len(native)
                if plain:
                    seen.add("init containers")
                if native:
                    seen.add("native sidecars")
                if pod.get("terminationGracePeriodSeconds") is not None:
                    seen.add("terminationGracePeriodSeconds")
                if any("lifecycle" in c for c in pod.get("containers", []) + inits):
                    seen.add("lifecycle hooks (postStart/preStop)")
            jobs.update(seen)
            for code in {e.code for e in result.ledger.entries}:
                if code in ("N2K-LIFECYCLE-HOOK-NOT-EMITTED", "N2K-PARAMETERIZED", "N2K-UPDATE-CANARY"):
                    jobs[code] += 1
    print(f"corpus: {total} converted jobs ({failed} files failed cleanly) under {root}")
    for key in ("VerticalPodAutoscaler", "HorizontalPodAutoscaler", "init containers", "native sidecars",
                "lifecycle hooks (postStart/preStop)", "terminationGracePeriodSeconds",
                "N2K-LIFECYCLE-HOOK-NOT-EMITTED", "N2K-PARAMETERIZED", "N2K-UPDATE-CANARY"):
        extra = f" ({objects[key]} objects)" if key in objects else ""
        print(f"  jobs with {key}: {jobs[key]}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

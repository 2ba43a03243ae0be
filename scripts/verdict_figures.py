"""Verdict figures of a conversion, read from the report.json the CLI writes.

Usage: python scripts/verdict_figures.py [--per-repo] [DIR ...]
(default: fixtures/nomad_jobs, and ../shared/corpus/jobs with --per-repo)
Each DIR is converted with `nomad2k8s convert DIR --output <temp>`; with --per-repo each sub-directory of DIR
is converted on its own (the corpus holds one repository per sub-directory: converted together, unrelated
repositories' jobs clash on object names), and the figures add up. Prints the services by verdict, the top 10
blocker codes (by services they make NO-GO, and rows), the top action kinds, and the number of NO-GO services
whose only open rows are actions (0 by construction: the check that the verdict honours severities).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = [ROOT / "fixtures" / "nomad_jobs", ROOT.parent / "shared" / "corpus" / "jobs"]


def figures(report: dict) -> list[str]:
    services = report["services"]
    verdicts = report["totals"]["verdicts"]
    by_service: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for s in services:
        codes = {r["code"] for r in s["rows"] if r["open"] and r["severity"] == "blocker"}
        by_service.update(codes)
        rows.update(r["code"] for r in s["rows"] if r["open"] and r["severity"] == "blocker")
    only_actions = sum(1 for s in services if s["verdict"] == "no-go" and not s["open"]["blocker"])
    lines = [f"services: {len(services)}; " + ", ".join(f"{k} {v}" for k, v in verdicts.items()),
             f"open rows: {report['totals']['open']}",
             "top blocker codes (services, rows): " + ", ".join(f"{c} {n} ({rows[c]})"
                                                             for c, n in by_service.most_common(10)),
             "action kinds (items): " + ", ".join(f"{a['kind']} {len(a['items'])}" for a in report["actions"]),
             f"NO-GO with no open blocker: {only_actions}"]
    return lines


def convert(directory: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "nomad2k8s", "convert", str(directory), "--output", out],
                       capture_output=True, text=True, cwd=ROOT)
        path = Path(out) / "report.json"
        return json.loads(path.read_text()) if path.is_file() else {}


def merged(reports: list[dict]) -> dict:
    """One report's worth of figures from several (services, totals and actions add up)."""
    reports = [r for r in reports if r]
    out: dict = {"services": [s for r in reports for s in r["services"]], "actions": [],
                 "totals": {"verdicts": Counter(), "open": Counter()}}
    kinds: dict[str, dict] = {}
    for r in reports:
        out["totals"]["verdicts"].update(r["totals"]["verdicts"])
        out["totals"]["open"].update(r["totals"]["open"])
        for a in r["actions"]:
            kinds.setdefault(a["kind"], {"kind": a["kind"], "items": []})["items"] += a["items"]
    out["actions"] = list(kinds.values())
    out["totals"] = {k: dict(v) for k, v in out["totals"].items()}
    return out


def main(argv: list[str]) -> int:
    per_repo = "--per-repo" in argv
    dirs = [Path(a) for a in argv if a != "--per-repo"] or (DEFAULTS[1:] if per_repo else DEFAULTS[:1])
    for directory in dirs:
        if per_repo:
            report = merged([convert(d) for d in sorted(directory.iterdir()) if d.is_dir()])
        else:
            report = convert(directory)
        print(f"## {directory}" + (" (each sub-directory on its own)" if per_repo else ""))
        print("\n".join(figures(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

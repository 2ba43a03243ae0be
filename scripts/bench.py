"""Benchmark: full conversion vs. parsing alone, over the same jobspecs, in one run.

Reports the ratio (convert time / parse time) so the figure does not depend on the machine:
the baseline is measured in the same process, on the same files, right before.

    python scripts/bench.py [DIR]   # default: ../shared/corpus/jobs, else fixtures/nomad_jobs
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nomad2k8s.convert import convert_file  # noqa: E402
from nomad2k8s.errors import ConversionError  # noqa: E402
from nomad2k8s.parse import discover_jobspecs, load_jobspec  # noqa: E402


def _time(fn, files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        try:
            fn(path)
        except ConversionError:
            pass
    return time.perf_counter() - start


def main() -> None:
    default = REPO.parent / "shared" / "corpus" / "jobs"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else (default if default.is_dir() else REPO / "fixtures" / "nomad_jobs")
    files = [f for f in discover_jobspecs(root) if not f.name.endswith(".vars.hcl")]
    rounds = 3
    parse_times = [_time(load_jobspec, files) for _ in range(rounds)]
    convert_times = [_time(convert_file, files) for _ in range(rounds)]
    parse, convert = statistics.median(parse_times), statistics.median(convert_times)
    print(f"files: {len(files)} from {root}")
    print(f"parse only (baseline): {parse:.2f} s median of {rounds}")
    print(f"full conversion:       {convert:.2f} s median of {rounds}")
    print(f"ratio convert/parse:   {convert / parse:.2f}x; per file {1000 * convert / len(files):.1f} ms")


if __name__ == "__main__":
    main()

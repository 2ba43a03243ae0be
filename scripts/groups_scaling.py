"""Benchmark figure (issue 16, linear time): convert one job with N groups in-process and print the
CPU seconds per N and each count's ratio to the first, e.g.
`PYTHONPATH=$PWD python scripts/groups_scaling.py 1000 10000` (linear: a ratio near 10). CPU time, not
wall time, so that other load on the machine does not move the figure. Not a timed test."""

from __future__ import annotations

import sys
import time

from tests.cases.harness import convert_text

GROUP = '''  group "g{i}" {{
    task "t" {{
      driver = "docker"
      config {{ image = "nginx:1" }}
      env {{ A = "1" }}
    }}
  }}
'''


def job(n: int) -> str:
    return 'job "wide" {\n' + "".join(GROUP.format(i=i) for i in range(n)) + "}\n"


def main(counts: list[int]) -> None:
    first: tuple[int, float] | None = None
    for n in counts:
        text = job(n)
        start = time.process_time()
        convert_text(text, batch=False)
        seconds = time.process_time() - start
        first = first or (n, seconds)
        ratio = f"; {seconds / first[1]:.1f}x the {first[0]:,} groups' time" if first[0] != n else ""
        print(f"{n:,} groups: {seconds:.1f} CPU s ({seconds / n * 1000:.2f} ms per group){ratio}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])

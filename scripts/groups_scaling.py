"""Benchmark figure (issue 16, linear time): convert one job with N groups in-process and print the
seconds per N, e.g. `PYTHONPATH=$PWD python scripts/groups_scaling.py 1000 10000`. Not a timed test."""

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


def main(counts: list[int]) -> None:
    for n in counts:
        text = 'job "wide" {\n' + "".join(GROUP.format(i=i) for i in range(n)) + "}\n"
        start = time.perf_counter()
        convert_text(text, batch=False)
        seconds = time.perf_counter() - start
        print(f"{n} groups: {seconds:.1f} s ({seconds / n * 1000:.2f} ms per group)", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])

"""Benchmark: the CLI end to end against a python-hcl2 parse-only run, as ratios measured in one sitting.

Every figure is a separate process (so runs do not share caches or heaps), the measures of one round run
interleaved and their order rotates from round to round, so load from other processes spreads over all of
them. Each process reports two figures: whole-process (interpreter start, imports, work; wall and CPU of the
process and its workers, from wait4) and in-process (the work alone, timed inside the child after its
imports). Ratios compare min to min and median to median of figures taken in the same run.

    python scripts/bench.py [--repo DIR] [--against DIR] [--corpus DIR] [--rounds N]
                            [--only e2e,jobs,rerun,help,rss] [--big]

  e2e    convert --format yaml / terraform --jobs 1 --output TMP  vs  hcl2.loads of the same files
  jobs   convert --jobs 2 vs --jobs 1 (both yaml, fresh output)
  rerun  convert into an output that holds the previous run of the same input vs a fresh output
  help   nomad2k8s --help vs python -c pass (bytecode cached: one untimed warm-up first)
  rss    peak RSS of convert --jobs 1 for the corpus (and, with --big, a tree of 10 copies of it)

--repo runs another checkout's code (e.g. the commit before a change) with this script, so before and
after are measured by the same harness; --against DIR runs a second checkout in the same rounds,
interleaved measure by measure, and prints after/before ratios (the fairest before/after on a loaded
machine); options that checkout lacks (--jobs) are left out and the
measures that need them say n/a. Never used as a timed test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HCL_SUFFIXES = (".nomad", ".hcl", ".job")  # what hcl2.loads can read; JSON jobspecs are left out
MEASURES = ("e2e", "jobs", "rerun", "help", "rss")


@dataclass
class Run:
    wall: float
    cpu: float
    inner: float | None  # in-process wall seconds (the work after imports), when the child reports it
    inner_cpu: float | None  # in-process CPU seconds (its workers included)
    rss_mib: float


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def pick(self, attr: str) -> list[float]:
        return [v for r in self.runs if (v := getattr(r, attr)) is not None]


def _spawn(argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run a child to completion; wall, CPU (user+sys, waited-for workers included) and peak RSS.
    `cwd` is neutral (not a checkout), so `-m nomad2k8s` imports the code on PYTHONPATH."""
    fd, result = tempfile.mkstemp(prefix="bench-", suffix=".json")
    os.close(fd)
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env={**env, "BENCH_RESULT": result}, stdout=subprocess.DEVNULL,
                                stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
    if code not in (0, 1):  # 1: some corpus files do not convert (expected); anything else is a broken run
        raise SystemExit(f"bench: {' '.join(argv[:6])}... exited {code}: {tail}")
    text = Path(result).read_text()
    os.unlink(result)
    inner = json.loads(text) if text else {}
    return Run(wall, usage.ru_utime + usage.ru_stime, inner.get("seconds"), inner.get("cpu"),
               usage.ru_maxrss / 1024)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _inner(kind: str, args: list[str]) -> None:
    """Child side: import, then time the work alone and write it to $BENCH_RESULT."""
    if kind == "parse":
        import hcl2
        from hcl2.parser import parser

        parser()  # build (or load) the LALR tables before timing, as the converter's run does at import
        files = [Path(a) for a in args]
        start, cpu = time.perf_counter(), _cpu()
        for f in files:
            try:
                hcl2.loads(f.read_text())
            except Exception:  # noqa: BLE001, S110 - HCL1 and broken files count as parsed (they were read)
                pass
    else:
        from nomad2k8s.cli import app

        start, cpu = time.perf_counter(), _cpu()
        try:
            app(args, standalone_mode=False)
        except SystemExit:
            pass
    Path(os.environ["BENCH_RESULT"]).write_text(json.dumps({"seconds": time.perf_counter() - start,
                                                               "cpu": _cpu() - cpu}))


def _stats(values: list[float]) -> tuple[float, float]:
    return (min(values), statistics.median(values)) if values else (float("nan"), float("nan"))


def _ratio(a: Series, b: Series, attr: str) -> str:
    (amin, amed), (bmin, bmed) = _stats(a.pick(attr)), _stats(b.pick(attr))
    if not a.pick(attr) or not b.pick(attr):
        return "n/a"
    return f"{amin / bmin:.2f}x (min) {amed / bmed:.2f}x (median)"


class Bench:
    def __init__(self, repo: Path, corpus: Path, tmp: Path) -> None:
        self.repo, self.corpus, self.tmp = repo, corpus, tmp
        self.py = sys.executable
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPATH"] = str(repo)
        help_text = subprocess.run([self.py, "-m", "nomad2k8s", "convert", "--help"], env=self.env,
                                   capture_output=True, text=True, check=True, cwd=tmp).stdout
        self.has_jobs = "--jobs" in help_text
        self.files = sorted(str(p) for p in corpus.rglob("*") if p.is_file() and p.name.endswith(HCL_SUFFIXES))
        self.series: dict[str, Series] = {}
        self.n = 0

    def record(self, name: str, run: Run) -> None:
        self.series.setdefault(name, Series()).runs.append(run)

    def _out(self) -> Path:
        self.n += 1
        return self.tmp / f"out{self.n}"

    def convert(self, src: Path, out: Path, fmt: str = "yaml", jobs: int | None = 1, inner: bool = True) -> Run:
        args = ["convert", str(src), "--output", str(out), "--format", fmt]
        if jobs is not None and self.has_jobs:
            args += ["--jobs", str(jobs)]
        if inner:
            return _spawn([self.py, __file__, "--inner", "convert", "--", *args], self.env, self.tmp)
        return _spawn([self.py, "-m", "nomad2k8s", *args], self.env, self.tmp)

    def parse_only(self) -> Run:
        return _spawn([self.py, __file__, "--inner", "parse", "--", *self.files], self.env, self.tmp)

    # One round of each measure; each appends to its series.
    def m_e2e(self) -> None:
        self.record("parse", self.parse_only())
        self.record("yaml j1", self.convert(self.corpus, self._out()))
        self.record("terraform j1", self.convert(self.corpus, self._out(), "terraform"))

    def m_jobs(self) -> None:
        if not self.has_jobs:
            return
        self.record("yaml j1", self.convert(self.corpus, self._out()))
        self.record("yaml j2", self.convert(self.corpus, self._out(), jobs=2))

    def m_rerun(self) -> None:
        out = self._out()
        self.record("first run", self.convert(self.corpus, out))
        self.record("unchanged re-run", self.convert(self.corpus, out))

    def m_help(self) -> None:
        self.record("python -c pass", _spawn([self.py, "-c", "pass"], self.env, self.tmp))
        self.record("nomad2k8s --help", _spawn([self.py, "-m", "nomad2k8s", "--help"], self.env, self.tmp))

    def report(self, measures: list[str], big: bool) -> None:
        s = self.series
        print(f"code: {self.repo}  corpus: {self.corpus} ({len(self.files)} HCL files for the baseline)")
        print(f"{'figure':<22} {'n':>2} {'wall min/med s':>16} {'cpu min/med s':>16} {'in-proc cpu min/med':>18}"
              f" {'peak RSS MiB':>12}")
        for name, series in s.items():
            cols = []
            for attr in ("wall", "cpu", "inner_cpu"):
                lo, mid = _stats(series.pick(attr))
                cols.append(f"{lo:7.2f}/{mid:<7.2f}" if series.pick(attr) else f"{'-':>15}")
            rss = max(r.rss_mib for r in series.runs)
            print(f"{name:<22} {len(series.runs):>2} {cols[0]:>16} {cols[1]:>16} {cols[2]:>18} {rss:12.0f}")
        print("ratios (same run):")
        pairs = [("e2e", "yaml j1", "parse", "end-to-end yaml / parse-only"),
                 ("e2e", "terraform j1", "parse", "end-to-end terraform / parse-only"),
                 ("jobs", "yaml j1", "yaml j2", "--jobs 1 / --jobs 2 (wall: speed-up)"),
                 ("rerun", "unchanged re-run", "first run", "unchanged re-run / first run"),
                 ("help", "nomad2k8s --help", "python -c pass", "--help / python -c pass")]
        for measure, a, b, label in pairs:
            if measure in measures and a in s and b in s:
                for attr, what in (("cpu", "CPU, whole process"), ("wall", "wall, whole process"),
                                   ("inner_cpu", "CPU, in-process"), ("inner", "wall, in-process")):
                    if measure == "help" and attr.startswith("inner"):
                        continue
                    if measure == "jobs" and attr in ("cpu", "inner_cpu"):  # a speed-up is wall time
                        what = what.replace("CPU", "CPU j2/j1 (cost)")
                        print(f"  {label:<36} {what:<20} {_ratio(s[b], s[a], attr)}")
                        continue
                    print(f"  {label:<36} {what:<20} {_ratio(s[a], s[b], attr)}")
            elif measure in measures:
                print(f"  {label:<36} n/a (this checkout has no --jobs)")
        if "help" in measures and "nomad2k8s --help" in s:
            lo, mid = _stats(s["nomad2k8s --help"].pick("wall"))
            print(f"  --help wall: {lo:.3f} s min, {mid:.3f} s median")
        if "rss" in measures:
            self.rss(big)

    def rss(self, big: bool) -> None:
        small = self.convert(self.corpus, self._out(), inner=False)
        count = len([p for p in self.corpus.rglob("*") if p.is_file()])
        print(f"peak RSS, convert --jobs 1 of {count} files: {small.rss_mib:.0f} MiB ({small.wall:.1f} s wall, "
              f"{small.cpu:.1f} s CPU)")
        if big:
            tree = self.tmp / "tree"
            for i in range(10):
                shutil.copytree(self.corpus, tree / f"copy{i}")
            run = self.convert(tree, self._out(), inner=False)
            print(f"peak RSS, convert --jobs 1 of {10 * count} files (10 copies): {run.rss_mib:.0f} MiB "
                  f"({run.wall:.1f} s wall, {run.cpu:.1f} s CPU: {run.cpu / small.cpu:.1f}x the CPU of {count} files)")


def _compare(before: Bench, after: Bench) -> None:
    """after/before per figure measured for both checkouts in the same rounds (min to min, median to median)."""
    print(f"after ({after.repo}) / before ({before.repo}), same rounds:")
    for name, series in after.series.items():
        if name in before.series:
            for attr, what in (("cpu", "CPU"), ("wall", "wall")):
                print(f"  {name:<22} {what:<5} {_ratio(series, before.series[name], attr)}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--inner":
        _inner(sys.argv[2], sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose code runs (default: this one)")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "jobs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, help="a second checkout (e.g. the commit before a change), measured "
                        "interleaved with --repo in the same rounds; prints both and after/before ratios")
    parser.add_argument("--only", default=",".join(MEASURES), help="comma-separated subset of " + ",".join(MEASURES))
    parser.add_argument("--big", action="store_true", help="rss also for 10 copies of the corpus (slow)")
    opts = parser.parse_args()
    measures = [m for m in opts.only.split(",") if m]
    unknown = set(measures) - set(MEASURES)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="n2k-bench-") as tmp:
        repos = [opts.repo.resolve()] + ([opts.against.resolve()] if opts.against else [])
        benches = []
        for i, repo in enumerate(repos):
            (Path(tmp) / str(i)).mkdir()
            bench = Bench(repo, opts.corpus.resolve(), Path(tmp) / str(i))
            # Warm-up, not recorded: bytecode written, page cache filled, lazy imports compiled.
            bench.m_help()
            bench.convert(Path(bench.files[0]), bench._out())
            bench.series.clear()
            benches.append(bench)
        kinds = [m for m in measures if m != "rss"]
        for r in range(opts.rounds):
            shift = r % len(kinds) if kinds else 0
            for kind in kinds[shift:] + kinds[:shift]:
                # With --against, each measure runs for both checkouts back to back, in turns.
                for bench in benches[r % len(benches):] + benches[:r % len(benches)]:
                    getattr(bench, f"m_{kind}")()
            print(f"round {r + 1}/{opts.rounds} done", file=sys.stderr, flush=True)
        for bench in benches:
            bench.report(measures, opts.big)
        if len(benches) == 2:
            _compare(benches[1], benches[0])


if __name__ == "__main__":
    main()

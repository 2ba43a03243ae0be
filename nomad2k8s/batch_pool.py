"""The per-file conversion work of a batch: one task per jobspec, run in-process or in a pool of
worker processes (output identical for any --jobs), with the content-hash cache."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import fileaccess
from .convert import ServiceResult, convert_source, release_context
from .decisions.answers import MetaOverrides
from .errors import ConversionError
from .estate import JobSource
from .parse.loader import prepare_parsers
from .profile import Profile
from .secrets.rules import journal, remember
from .secrets.scan_cache import Scanned
from .terraform import EstateFacts

POOL_MIN_FILES = 4  # below this, starting workers costs more than it saves


@dataclass
class FileTask:
    """One jobspec to convert, with everything its conversion needs (sent to a worker process)."""

    source: JobSource
    profile: Profile
    variables: dict[str, str]
    var_files: list[Path]
    root: Path | None
    facts: EstateFacts | None = None  # what Terraform declares (volumes, Nomad variables)
    cache_dir: Path | None = None
    base_dir: Path | None = None  # --base-dir: where file() & co. resolve (None: the current directory)

    @property
    def file(self) -> Path:
        return self.source.path

    def convert(self, meta: MetaOverrides | None = None) -> list[ServiceResult]:
        """The file's jobs, holding their contexts only where a batch pass has work (a worker sends back,
        a cache entry keeps and the batch holds much less)."""
        results = convert_source(self.source, self.profile, self.variables, self.var_files, root=self.root,
                                 facts=self.facts, meta=meta, base_dir=self.base_dir)
        for result in results:
            release_context(result)
        return results


@dataclass
class FileOutcome:
    results: list[ServiceResult] | None
    error: str | None = None
    no_job: bool = False  # the file holds no job block (skipped in a directory)
    cache_key: str | None = None  # the cache entry's name
    trace: str | None = None  # an unexpected error's traceback (printed with --debug only)
    scanned: Scanned | None = None  # the secret detector's scans, made in a worker (scan_cache.py)


def unexpected(file: Path, exc: BaseException) -> tuple[str, str]:
    """An error no check anticipated (a bug, or a shape nothing validated): one line for that file, and
    the traceback for --debug. The rest of the batch is still written; the run exits 1."""
    import traceback

    detail = " ".join(str(exc).split())[:200]
    line = (f"{file}: error: internal error while converting ({type(exc).__name__}"
            f"{': ' + detail if detail else ''}); the other files are converted; --debug shows the traceback")
    return line, "".join(traceback.format_exception(exc)).rstrip()


def convert_one(task: FileTask) -> FileOutcome:
    """The per-file work, the same in a worker process and in-process (so output is identical for
    any --jobs): a cached conversion when nothing it depends on changed, else a conversion."""
    cache = key = None
    if task.cache_dir is not None:
        from .cache import Cache, entry_key

        cache = Cache(task.cache_dir)
        # Terraform-deployed text, its hcl2 vars and the estate's facts are inputs of the conversion too.
        # ... and the directory file() resolves from (the current one when --base-dir is not given).
        base = os.path.realpath(task.base_dir if task.base_dir is not None else os.getcwd())
        key = entry_key(task.file, task.profile.model_dump_json() + repr(task.source) + repr(task.facts) + base,
                        task.variables, task.var_files, task.root, os.environ)
        cached = cache.load(key) if key is not None else None
        if isinstance(cached, list):
            return FileOutcome(cached, cache_key=key.name if key else None)
    with fileaccess.recording_reads() as looked_at:
        try:
            results = task.convert()
        except ConversionError as exc:
            return FileOutcome(None, str(exc), "no job block" in exc.message)
        except Exception as exc:  # noqa: BLE001 - one bad job never loses the others
            line, trace = unexpected(task.file, exc)
            return FileOutcome(None, line, trace=trace)
    if cache is not None and key is not None:
        cache.store(key, results, looked_at)
    return FileOutcome(results, cache_key=key.name if key else None)


def _convert_in_worker(task: FileTask) -> FileOutcome:
    with journal() as scanned:
        outcome = convert_one(task)
    outcome.scanned = scanned
    return outcome


def default_jobs() -> int:
    """The machine's cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the batch; workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def outcomes(tasks: list[FileTask], jobs: int) -> Iterator[FileOutcome]:
    """Outcomes in task order, whatever the number of processes."""
    if jobs <= 1 or len(tasks) < POOL_MIN_FILES:
        yield from map(convert_one, tasks)
        return
    prepare_parsers()  # built once here, inherited by forked workers
    with worker_pool(jobs, len(tasks)) as pool:
        try:
            for outcome in pool.map(_convert_in_worker, tasks, chunksize=max(1, min(8, len(tasks) // (4 * jobs)))):
                # Kept here, they are not made again by the workers that emit the files (forked from here later).
                remember(outcome.scanned or [])
                outcome.scanned = None
                yield outcome
        except BaseException:  # Ctrl-C, an error: what has not started is cancelled
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def can_fork() -> bool:
    """Workers can be forked: they inherit this process's memory (what emit_pool.py relies on for state)."""
    return "fork" in multiprocessing.get_all_start_methods()


def worker_pool(jobs: int, tasks: int) -> ProcessPoolExecutor:
    """Up to `jobs` worker processes for `tasks` tasks, forked where possible (they inherit this process's
    memory: what emit_pool.py relies on), each ignoring Ctrl-C (the parent stops the batch)."""
    context = multiprocessing.get_context("fork" if can_fork() else None)
    return ProcessPoolExecutor(max(1, min(jobs, tasks)), mp_context=context, initializer=ignore_sigint)

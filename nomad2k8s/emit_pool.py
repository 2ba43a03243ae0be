"""Each service's files emitted (serialized and scrubbed, or taken from the emit cache) in forked worker
processes with --jobs > 1, in service order, so the parent only writes them: the output is the same
byte for byte for any number of processes.

The services are not sent to the workers: forked, they inherit the parent's memory (the batch stage's
results included) and are told an index; only small answers and the emitted text come back. Without fork
(not Linux), or for a few services, everything is emitted in this process.

The estate pages (report.json, report.html...) need what every service's scrubber learned, so the workers
first learn every service (or find it in the emit cache), then emit the rest: the pages start in one
more forked process as soon as all is learned, while the services are still being emitted, instead of
after them on a core the workers no longer use. That process renders and scrubs the pages into files of
the tool's own (OUT/.nomad2k8s/pages-*), and the parent writes them in place, in pieces, when it is done
with the services.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Self

from .batch_pool import POOL_MIN_FILES, can_fork, ignore_sigint, worker_pool
from .convert import ServiceResult
from .emit.files import stage_pieces
from .emit_cache import EmitCache, Emitted
from .output import Pages, cached_service, emit_fresh, emit_service
from .secrets.rules import journal, remember
from .secrets.scan_cache import Scanned
from .secrets.scrub import learned
from .profile import Profile


@dataclass
class EmitJob:
    result: ServiceResult
    fmt: str
    profile: Profile | None
    source_root: Path | None
    profile_json: str


# The work of the current pool: set before the workers fork, read by them (never sent).
_JOBS: list[EmitJob] = []
_CACHE_DIR: list[Path | None] = [None]


def _cache() -> EmitCache | None:
    directory = _CACHE_DIR[0]
    return EmitCache(directory) if directory is not None else None


def _learn_at(index: int) -> tuple[Emitted | bytes | None, set[str], set[str], Scanned]:
    """Service `index` from the emit cache (its Emitted), else its cache digest and what its scrubber
    learns; the cache entries looked at; and the detector's scans made while learning (for the parent
    and the worker that emits the service: scan_cache.py)."""
    job, cache = _JOBS[index], _cache()
    digest, hit = cached_service(job.result, job.fmt, job.profile, job.source_root, cache, job.profile_json)
    used = cache.used if cache is not None else set()
    if hit is not None:
        return hit, hit.known, used, []
    with journal() as scanned:
        known = learned([job.result])
    return digest, known, used, scanned


def _emit_at(index: int, digest: bytes | None, known: set[str], scanned: Scanned) -> tuple[Emitted, set[str]]:
    remember(scanned)  # learned in another worker, maybe: not scanned again here
    job, cache = _JOBS[index], _cache()
    emitted = emit_fresh(job.result, job.fmt, job.profile, job.source_root, cache, digest, known)
    return emitted, cache.used if cache is not None else set()


class Emission:
    """The services' emitted files, in order, and the estate pages rendered in a worker once every
    service is learned (they need what the services' scrubbers learned). Pool mode with --jobs > 1,
    fork and at least POOL_MIN_FILES services; else everything happens in this process, when asked."""

    def __init__(self, jobs_list: list[EmitJob], cache: EmitCache | None, jobs: int) -> None:
        self.jobs_list, self.cache = jobs_list, cache
        self.pooled = jobs > 1 and len(jobs_list) >= POOL_MIN_FILES and can_fork()
        self._jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._learning: list[Future[tuple[Emitted | bytes | None, set[str], set[str], Scanned]]] = []
        self._known: list[set[str]] = []  # each service's, in order, as its learning is taken
        self._pages_process: multiprocessing.process.BaseProcess | None = None
        self._staging: Path | None = None

    def __enter__(self) -> Self:
        if self.pooled:
            _JOBS[:] = self.jobs_list
            _CACHE_DIR[0] = self.cache.directory if self.cache is not None else None
            self._pool = worker_pool(self._jobs, len(self.jobs_list))
            self._learning = [self._pool.submit(_learn_at, i) for i in range(len(self.jobs_list))]
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if self._pages_process is not None and self._pages_process.is_alive():
                self._pages_process.terminate()  # stopped before its pages were taken
                self._pages_process.join()
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
            if self._pool is not None:
                # Stopped (Ctrl-C, an error): what has not started is cancelled, nothing is waited for.
                self._pool.shutdown(wait=kind is None, cancel_futures=True)
        finally:
            _JOBS.clear()
            _CACHE_DIR[0] = None

    def services(self) -> Iterator[Emitted]:
        if self._pool is None:
            for job in self.jobs_list:
                yield emit_service(job.result, job.fmt, job.profile, job.source_root, self.cache, job.profile_json)
            return
        # Every service's learning taken in order, each miss sent to be emitted as soon as it is learned
        # (behind the learning still queued: the pool runs tasks in the order they came).
        emitting: list[Emitted | Future[tuple[Emitted, set[str]]]] = []
        for index, future in enumerate(self._learning):
            found, known, used, scanned = future.result()
            self._known.append(known)
            self._use(used)
            remember(scanned)  # so the estate pages' process, forked from this one, does not scan them again
            emitting.append(found if isinstance(found, Emitted)
                            else self._pool.submit(_emit_at, index, found, known, scanned))
        for item in emitting:
            if isinstance(item, Emitted):
                yield item
                continue
            emitted, used = item.result()
            self._use(used)
            yield emitted

    def _use(self, used: set[str]) -> None:
        if self.cache is not None:
            self.cache.used |= used

    def all_known(self) -> set[str] | None:
        """What every service's scrubber learned, united, once every service is learned (pool mode only)."""
        if self._pool is None or len(self._known) < len(self._learning):
            return None
        return set().union(*self._known)

    def pages_in_worker(self, make: Callable[[], Pages], staging_parent: Path) -> Callable[[dict], Pages]:
        """`make` run now in a process forked for it (it sees this process's memory as it is now; the pool's
        workers were forked earlier), each page written as it is made to a directory made under
        `staging_parent` (the tool's own, removed when this ends); the returned render (for write_summary)
        waits for them and reads them back in pieces."""
        staging_parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="pages-", dir=staging_parent))
        self._staging = staging
        parent_end, child_end = multiprocessing.get_context("fork").Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(target=_stage_pages, args=(make, staging, child_end),
                                                              daemon=True)
        process.start()
        child_end.close()
        self._pages_process = process

        def render(_report: dict) -> Pages:
            try:
                outcome = parent_end.recv()
            except EOFError:
                raise RuntimeError("the process rendering the estate pages ended without them") from None
            finally:
                parent_end.close()
            process.join()
            if isinstance(outcome, BaseException):
                raise outcome
            return [(name, _read_pieces(path)) for name, path in outcome]
        return render


def _stage_pages(make: Callable[[], Pages], staging: Path, conn: Connection) -> None:
    ignore_sigint()
    try:
        outcome: object = [(name, stage_pieces(staging / name, pieces)[0]) for name, pieces in make()]
    except Exception as exc:  # noqa: BLE001 - raised again in the parent, as in-process
        outcome = exc
    conn.send(outcome)
    conn.close()


def _read_pieces(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        while piece := handle.read(1 << 20):
            yield piece

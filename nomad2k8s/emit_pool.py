"""Each service's files emitted (serialized and scrubbed, or taken from the emit cache) in forked worker
processes with --jobs > 1, in service order, so the parent only writes them: the output is the same
byte for byte for any number of processes.

The services are not sent to the workers: forked, they inherit the parent's memory (the batch stage's
results included) and are told an index; only the emitted text comes back. Without fork (not Linux),
or for a few services, everything is emitted in this process. While it waits for the workers, the
parent runs `idle` steps (batch.py: it learns the services' secrets, so that the estate pages' scrubber,
which meets the same strings, finds its detector's cache warm).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from .batch_pool import POOL_MIN_FILES, can_fork, worker_pool
from .convert import ServiceResult
from .emit_cache import EmitCache, Emitted
from .output import emit_service
from .profile import Profile


@dataclass
class EmitJob:
    result: ServiceResult
    fmt: str
    profile: Profile | None
    source_root: Path | None
    profile_json: str


# The jobs of the current pool: set before the workers fork, read by them (never sent).
_JOBS: list[EmitJob] = []
_CACHE_DIR: list[Path | None] = [None]


def _emit_at(index: int) -> tuple[Emitted, set[str]]:
    job = _JOBS[index]
    directory = _CACHE_DIR[0]
    cache = EmitCache(directory) if directory is not None else None
    emitted = emit_service(job.result, job.fmt, job.profile, job.source_root, cache, job.profile_json)
    return emitted, cache.used if cache is not None else set()


def emitted_services(jobs_list: list[EmitJob], cache: EmitCache | None, jobs: int,
                     idle: Callable[[], bool] = lambda: False) -> Generator[Emitted, None, None]:
    """The services' emitted files, in order; the cache entries the workers used are added to `cache.used`
    (so that the parent's prune keeps them). `idle`: one step of other work (False: none left)."""
    if jobs <= 1 or len(jobs_list) < POOL_MIN_FILES or not can_fork():
        for job in jobs_list:
            yield emit_service(job.result, job.fmt, job.profile, job.source_root, cache, job.profile_json)
        return
    _JOBS[:] = jobs_list
    _CACHE_DIR[0] = cache.directory if cache is not None else None
    try:
        with worker_pool(jobs, len(jobs_list)) as pool:
            futures = [pool.submit(_emit_at, i) for i in range(len(jobs_list))]
            try:
                for future in futures:
                    while not future.done() and idle():
                        pass
                    emitted, used = future.result()
                    if cache is not None:
                        cache.used |= used
                    yield emitted
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        _JOBS.clear()
        _CACHE_DIR[0] = None

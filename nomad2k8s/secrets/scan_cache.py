"""The detector's memory of the strings it scanned: bounded, and able to pass what it learned to another
process.

The same short strings come back in every service of a batch (labels, image names, field values), so
scans are kept. With --jobs N each process has its own memory: a service learned in one worker and emitted
in another, and the estate pages rendered in a process forked from the parent (which scans little
itself), scanned again what a worker had scanned already — a third of the detector's time in a --jobs 2
run. So a cache can keep a journal of the scans it made (`journal()`): the workers send theirs back with
what they learned, the parent adds them to its own caches (`remember`, inherited by the pages' process
forked later) and sends them on to the worker that emits the service (emit_pool.py). A scan is a pure
function of its text, so where it was made changes no output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

Found = TypeVar("Found")
Scanned = list[tuple[str, bool, Any]]  # (text, keyed, what the scan found), in the order scanned


class ScanCache(Generic[Found]):
    """`scan(text, keyed)`, remembered for at most `max_entries` texts (the oldest forgotten first: a
    batch's common strings come back soon after, so an LRU's upkeep on every hit is not worth it)."""

    def __init__(self, scan: Callable[[str, bool], Found], max_entries: int) -> None:
        self._scan, self._max = scan, max_entries
        self._entries: dict[tuple[str, bool], Found] = {}
        self._journal: Scanned | None = None
        self.lookups = 0  # what tests count

    def __call__(self, text: str, keyed: bool) -> Found:
        self.lookups += 1
        key = (text, keyed)
        found = self._entries.get(key)
        if found is None:
            found = self._scan(text, keyed)
            self._put(key, found)
            if self._journal is not None:
                self._journal.append((text, keyed, found))
        return found

    def _put(self, key: tuple[str, bool], found: Found) -> None:
        if len(self._entries) >= self._max:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = found

    def remember(self, text: str, keyed: bool, found: Found) -> None:
        if (text, keyed) not in self._entries:
            self._put((text, keyed), found)

    @contextmanager
    def journal(self, into: Scanned) -> Iterator[Scanned]:
        """While open, each scan this cache makes is added to `into`."""
        previous, self._journal = self._journal, into
        try:
            yield into
        finally:
            self._journal = previous

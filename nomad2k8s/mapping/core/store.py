"""The objects a job's mappers produce (other than the workloads), with the group that made each.

Objects are kubernetes client models or plain dicts (custom resources); the store records each
object's kind when it is added, so callers ask by kind and name instead of inspecting types, and
the owning group (whose namespace the object gets) is kept beside the object, not keyed by id().
Insertion order is kept: it is the order objects are emitted in before sorting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Ref = tuple[str, str]  # (kind, name)


def kind_of(obj: Any) -> str | None:
    """The `kind` of a client model or a plain dict."""
    return obj.get("kind") if isinstance(obj, dict) else getattr(obj, "kind", None)


def name_of(obj: Any) -> str | None:
    if isinstance(obj, dict):
        return (obj.get("metadata") or {}).get("name")
    meta = getattr(obj, "metadata", None)
    return getattr(meta, "name", None)


@dataclass
class _Stored:
    obj: Any
    kind: str
    owner: Any  # the GroupContext that added it, or None for job-level objects
    seq: int  # order of addition (see mark/added_since)


class ObjectStore:
    def __init__(self) -> None:
        self._items: list[_Stored] = []
        self._added = 0
        # By object identity (a stored object stays alive, so its id is stable): `add` and `owner` were
        # scans of every object, once per group (10,000 groups: quadratic).
        self._by_id: dict[int, _Stored] = {}

    def add(self, obj: Any, owner: Any = None) -> Ref:
        kind = kind_of(obj)
        if not kind:
            raise ValueError(f"object without a kind: {obj!r}")
        if obj in self:
            raise ValueError(f"{kind}/{name_of(obj)} is already in the store")
        stored = _Stored(obj, kind, owner, self._added)
        self._items.append(stored)
        self._by_id[id(obj)] = stored
        self._added += 1
        return kind, name_of(obj) or ""

    def get(self, kind: str, name: str) -> Any | None:
        """The first object of `kind` named `name` (names are read when asked: a mapper may rename)."""
        return next((s.obj for s in self._items if s.kind == kind and name_of(s.obj) == name), None)

    def remove(self, ref: Any) -> None:
        """Remove one object: the object itself, or its (kind, name)."""
        if isinstance(ref, tuple):
            found = self.get(*ref)
            if found is None:
                raise KeyError(ref)
            ref = found
        for i, stored in enumerate(self._items):
            if stored.obj is ref:
                del self._items[i]
                del self._by_id[id(ref)]
                return
        raise KeyError(f"{kind_of(ref)}/{name_of(ref)} is not in the store")

    def of_kind(self, *kinds: str) -> list[Any]:
        return [s.obj for s in self._items if s.kind in kinds]

    def by_owner(self, owner: Any, *kinds: str) -> list[Any]:
        """Objects the group `owner` added (None: job-level ones), optionally only of `kinds`."""
        return [s.obj for s in self._items if s.owner is owner and (not kinds or s.kind in kinds)]

    def owner(self, obj: Any) -> Any:
        stored = self._by_id.get(id(obj))
        return stored.owner if stored is not None and stored.obj is obj else None

    def items(self) -> Iterator[tuple[Any, Any]]:
        """(object, owner) in the order they were added."""
        return iter([(s.obj, s.owner) for s in self._items])

    def mark(self) -> int:
        """A position in the sequence of additions, for `added_since`."""
        return self._added

    def added_since(self, mark: int, *kinds: str) -> list[Any]:
        """Objects added after `mark` (and still here), optionally only of `kinds`."""
        return [s.obj for s in self._items if s.seq >= mark and (not kinds or s.kind in kinds)]

    def __iter__(self) -> Iterator[Any]:
        return iter([s.obj for s in self._items])  # a copy: callers may remove while iterating

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, obj: Any) -> bool:
        stored = self._by_id.get(id(obj))
        return stored is not None and stored.obj is obj

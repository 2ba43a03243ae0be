"""A service's emitted files cached under OUT/.nomad2k8s/cache, so that an unchanged re-run neither
serializes nor scrubs a service again.

A service's files are a function of its result after the batch stage (objects, ledger, extra, name,
source, what the scrubber learns from the parsed job), its profile, the format, the repository root and the
tool: the entry is named after a digest of all of them (pickled), so any change is a miss. The entry
holds the files as written (scrubbed) and the secret values the scrubber learned from the result (the
estate report's scrubber needs them), sealed like the conversion cache (cache.py) with a key derived
from those inputs: the output directory holds none of them in the clear."""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import prune_entries, seal, tool_fingerprint, unseal, write_entry
from .convert import ServiceResult
from .profile import Profile

SUFFIX = ".emit"


@dataclass
class Emitted:
    files: dict[str, str]  # name -> text (a service's files), or name -> sha256 (the estate pages)
    known: set[str]  # what the scrubber learned from the result


def fingerprint(result: ServiceResult, fmt: str, profile: Profile | None, root: Path | None,
                profile_json: str) -> bytes | None:
    """Digest of everything the service's files depend on; None when it cannot be taken (not picklable).
    Equal bytes mean equal inputs; unequal ones (e.g. a set pickled in another order) only cost a miss."""
    learned = sorted(result.view.secrets) if result.view is not None else None  # all the files read of the job
    # The working directory too: a relative jobspec path is shown relative to the repository through it.
    return _digest((tool_fingerprint(), fmt, profile_json, str(root), os.getcwd(), result.name, str(result.source),
                    result.syntax, result.objects, result.ledger.service, result.ledger.values,
                    result.ledger.entries, result.extra, learned))


def summary_fingerprint(report: dict[str, Any], known: set[str]) -> bytes | None:
    """Digest of what the estate pages (report.json, SUMMARY.md...) depend on: the report and the secret
    values the services' scrubbers learned."""
    return _digest((tool_fingerprint(), "summary", report, sorted(known)))


def _digest(value: Any) -> bytes | None:
    """sha256 of `value` pickled by value: without the memo (fast mode), two equal values pickle the same
    whether or not they share objects (a fresh conversion shares interned strings a cached one does not)."""
    sink = _HashWriter()
    pickler = pickle.Pickler(sink, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):  # ValueError: a cycle
        return None
    return sink.hash.digest()


class _HashWriter:
    """A file that only hashes what is written (the pickle of an estate report is never held whole)."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)


@dataclass
class EmitCache:
    directory: Path
    used: set[str] = field(default_factory=set)

    @staticmethod
    def _name(digest: bytes) -> str:
        return hashlib.sha256(b"name\0" + digest).hexdigest()

    @staticmethod
    def _key(digest: bytes) -> bytes:
        return hashlib.sha256(b"key\0" + digest).digest()

    def load(self, digest: bytes) -> Emitted | None:
        name = self._name(digest)
        self.used.add(name)
        try:
            sealed = (self.directory / f"{name}{SUFFIX}").read_bytes()
        except OSError:
            return None
        try:
            plain = unseal(self._key(digest), base64.b64decode(sealed, validate=True))
        except ValueError:  # not base64: a damaged entry is a miss
            return None
        if plain is None:
            return None
        try:
            value: Any = pickle.loads(plain)
        except (ValueError, EOFError, pickle.UnpicklingError, TypeError, AttributeError, ImportError):
            return None
        return value if isinstance(value, Emitted) else None

    def store(self, digest: bytes, emitted: Emitted) -> None:
        name = self._name(digest)
        self.used.add(name)
        sealed = seal(self._key(digest), pickle.dumps(emitted, pickle.HIGHEST_PROTOCOL))
        write_entry(self.directory / f"{name}{SUFFIX}", base64.b64encode(sealed).decode())

    def prune(self) -> None:
        """Drop the entries this run did not use (services changed or gone)."""
        prune_entries(self.directory, SUFFIX, self.used)

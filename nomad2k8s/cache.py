"""Converted jobspecs cached under OUT/.nomad2k8s/cache, so that an unchanged re-run reads results
instead of parsing and mapping again.

An entry's key is what a conversion depends on before it starts: the tool (version, and a fingerprint
of its code and data files, so an upgrade or an edit never reuses an entry), the effective profile,
the --var values, the variable files named, the NOMAD_VAR_* environment, the root and the jobspec's
path and content. The entry records every other file the conversion looked at (variable files,
file() targets, template sources; found or missing, see fileaccess.recording_reads) with its hash:
one that changed, appeared or vanished makes the entry a miss. An entry holds the ServiceResults as
converted, before the batch stage, which runs again on every result each time.

Entries are pickles written by this tool into the output directory (mode 0600; the directory carries
a .gitignore so that a committed output does not take them along); the output directory is as
trusted as the code that reads it."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__

FORMAT = "1"  # bump when an entry's layout changes
MISSING = "-"


@functools.lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Version plus size and mtime of every source and data file of the package and the built-in
    profiles: a development edit invalidates like a release does."""
    from .profile import MAPPINGS_DIR

    digest = hashlib.sha256(f"{__version__}:{FORMAT}".encode())
    package = Path(__file__).resolve().parent
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += [p for p in Path(MAPPINGS_DIR).rglob("*") if p.is_file()]
    for path in sorted(files):
        st = path.stat()
        digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    """sha256 of a regular file, MISSING when absent; None when it cannot be a dependency (a pipe
    such as `--var-file <(...)` must not be read twice)."""
    try:
        if not path.exists():
            return MISSING
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def entry_key(file: Path, profile_json: str, variables: Mapping[str, str], var_files: list[Path],
              root: Path | None, env: Mapping[str, str]) -> str | None:
    """The entry's name, or None when the jobspec cannot be cached (unreadable, not a regular file)."""
    own = file_digest(file)
    if own is None or own == MISSING:
        return None
    parts = [tool_fingerprint(), profile_json, repr(sorted(variables.items())),
             repr([str(p) for p in var_files]), repr(sorted((k, v) for k, v in env.items() if k.startswith("NOMAD_VAR_"))),
             str(root), str(file.resolve()), own]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass
class Cache:
    directory: Path

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.pickle"

    def load(self, key: str) -> Any:
        """The stored value, or None (absent, unreadable, or a dependency changed)."""
        try:
            with open(self._path(key), "rb") as handle:
                deps, payload = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None
        if any(file_digest(Path(p)) != digest for p, digest in deps):
            return None
        return pickle.loads(payload)

    def store(self, key: str, value: Any, looked_at: list[Path]) -> None:
        deps = {}
        for path in looked_at:
            digest = file_digest(path)
            if digest is None:
                return  # a dependency that cannot be checked again: not cached
            deps[str(path)] = digest
        self._prepare()
        data = pickle.dumps((sorted(deps.items()), pickle.dumps(value, pickle.HIGHEST_PROTOCOL)),
                            pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")  # 0600; renamed whole: no torn entry
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, self._path(key))

    def _prepare(self) -> None:
        if (self.directory / ".gitignore").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / ".gitignore").write_text("# nomad2k8s conversion cache: safe to delete\n*\n")

    def prune(self, used: set[str]) -> None:
        """Drop the entries this run did not use (jobspecs removed or changed since)."""
        if not self.directory.is_dir():
            return
        for path in self.directory.glob("*.pickle"):
            if path.stem not in used:
                path.unlink(missing_ok=True)

"""Converted jobspecs cached under OUT/.nomad2k8s/cache, so that an unchanged re-run reads results
instead of parsing and mapping again.

An entry's key is what a conversion depends on before it starts: the tool (version, and a fingerprint
of its code and data files, so an upgrade or an edit never reuses an entry), the effective profile,
the --var values, the variable files named, the NOMAD_VAR_* environment, the root and the jobspec's
path and content. The entry records every other file the conversion looked at (variable files,
file() targets, template sources; found or missing, see fileaccess.recording_reads) with its hash:
one that changed, appeared or vanished makes the entry a miss. An entry holds the ServiceResults as
converted, before the batch stage, which runs again on every result each time.

An entry is encrypted with a key derived from the entry's inputs and the content of every file it
depends on, none of which the cache holds: a converted jobspec carries the jobspec's own values
(credentials included, when the jobspec has them), and the output directory must hold no credential.
Only someone holding the same inputs can read an entry, and a changed dependency is a miss by the
same token (the key no longer opens it). AES-256-GCM from the `cryptography` package (authenticated:
a forged or corrupted entry is a miss, never unpickled), a random 96-bit nonce per entry.
The directory carries a .gitignore, so a committed output does not take the entries along."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import __version__

FORMAT = "2"  # bump when an entry's layout changes
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


@dataclass(frozen=True)
class EntryKey:
    name: str  # the entry's file name (reveals nothing of the inputs)
    secret: bytes  # the inputs, to derive the entry's key from (never written)


def entry_key(file: Path, profile_json: str, variables: Mapping[str, str], var_files: list[Path],
              root: Path | None, env: Mapping[str, str]) -> EntryKey | None:
    """None when the jobspec cannot be cached (unreadable, not a regular file)."""
    own = file_digest(file)
    if own is None or own == MISSING:
        return None
    parts = [tool_fingerprint(), profile_json, repr(sorted(variables.items())), repr([str(p) for p in var_files]),
             repr(sorted((k, v) for k, v in env.items() if k.startswith("NOMAD_VAR_"))), str(root),
             str(file.resolve()), own]
    secret = "\0".join(parts).encode()
    return EntryKey(hashlib.sha256(b"name\0" + secret).hexdigest(), secret)


def _entry_key(key: EntryKey, deps: list[tuple[str, str]]) -> bytes:
    listed = "\0".join(f"{p}\0{d}" for p, d in deps).encode()
    return hashlib.sha256(b"key\0" + key.secret + b"\0" + listed).digest()


def seal(key: bytes, plain: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, None)


def unseal(key: bytes, sealed: bytes) -> bytes | None:
    """None when the key does not open it (a dependency changed) or the entry was tampered with."""
    if len(sealed) < 12 + 16:
        return None
    try:
        return AESGCM(key).decrypt(sealed[:12], sealed[12:], None)
    except InvalidTag:
        return None


@dataclass
class Cache:
    directory: Path

    def _path(self, key: EntryKey) -> Path:
        return self.directory / f"{key.name}.entry"

    def load(self, key: EntryKey) -> Any:
        """The stored value, or None (absent, unreadable, or a dependency changed)."""
        try:
            listed, sealed = self._path(key).read_text().split("\n", 1)
            deps = []
            for path in json.loads(listed):
                digest = file_digest(Path(path))
                if digest is None:
                    return None
                deps.append((path, digest))
            plain = unseal(_entry_key(key, deps), base64.b64decode(sealed))
            return None if plain is None else pickle.loads(plain)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, TypeError, AttributeError, ImportError):
            return None

    def store(self, key: EntryKey, value: Any, looked_at: list[Path]) -> None:
        deps = []
        for path in sorted({str(p) for p in looked_at}):
            digest = file_digest(Path(path))
            if digest is None:
                return  # a dependency that cannot be checked again (a pipe): not cached
            deps.append((path, digest))
        sealed = seal(_entry_key(key, deps), pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        text = json.dumps([p for p, _ in deps]) + "\n" + base64.b64encode(sealed).decode() + "\n"
        write_entry(self._path(key), text)

    def prune(self, used: set[str]) -> None:
        """Drop the entries this run did not use (jobspecs removed or changed since)."""
        prune_entries(self.directory, ".entry", used)


def write_entry(path: Path, text: str) -> None:
    """One cache entry, written whole (a temporary file renamed: no torn entry; 0600) into a git-ignored
    directory, so a committed output does not take the entries along."""
    directory = path.parent
    if not (directory / ".gitignore").exists():
        directory.mkdir(parents=True, exist_ok=True)
        (directory / ".gitignore").write_text("# nomad2k8s conversion cache: safe to delete\n*\n")
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def prune_entries(directory: Path, suffix: str, used: set[str]) -> None:
    """Drop the `*suffix` entries of `directory` whose name this run did not use."""
    if not directory.is_dir():
        return
    for path in directory.glob(f"*{suffix}"):
        if path.stem not in used:
            path.unlink(missing_ok=True)

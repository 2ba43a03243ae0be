"""What the tool wrote under an output directory, so that a re-run never loses a user's file.

OUT/.nomad2k8s/written.json records each generated file (path relative to OUT -> sha256) and each
service directory. On a re-run a file is replaced only when the tool may: it is absent, already holds
the new text, or still holds what the tool wrote (its hash matches the record). A generated file edited
since, or a file the tool never wrote at a path it wants, is left alone and reported (`--force`
overwrites it). Every other file is the user's and is carried over untouched. A service directory of a
job no longer converted is removed when it holds nothing but unedited generated files, else kept and
reported. Writes happen with Ctrl-C deferred, so a service and its record entries change together."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .emit.files import recover, stage_pieces, write_file, write_tree

TOOL_DIR = Path(".nomad2k8s")  # the tool's own files under an output (this record, the caches)
RECORD = TOOL_DIR / "written.json"
RECORD_VERSION = 1


CHUNK = 1 << 20  # an estate's report.json is large: hashed a slice at a time, never encoded whole


def digest(text: str) -> str:
    """sha256 of the UTF-8 text (slices of a str encode to the slices of its encoding)."""
    h = hashlib.sha256()
    for start in range(0, len(text), CHUNK):
        h.update(text[start:start + CHUNK].encode("utf-8"))
    return h.hexdigest()


def file_digest(path: Path) -> str | None:
    """sha256 of a plain file; None when nothing is there; "-" for a directory or a symlink."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return "-"
    if not path.exists():
        return None
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) waits until the block is done, then acts as it would have (KeyboardInterrupt).
    The Python handler is swapped, not the signal blocked: a signal sent to the process reaches any thread
    that does not block it (a worker pool's manager thread), and Python runs its handler in the main
    thread at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            _deliver(previous)


def _deliver(handler: Any) -> None:
    """What SIGINT would have done under `handler`."""
    if callable(handler):
        handler(signal.SIGINT, None)  # Python's default one raises KeyboardInterrupt
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signal.SIGINT)


class FileRecord(dict[str, str]):
    """Relative path -> sha256 of what the tool wrote, also indexed by each directory above a path: the
    files under one service directory are found without a scan of the whole record (a scan per service
    made writing an estate quadratic: 4,000 services, 40,000 files)."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._under: dict[str, dict[str, None]] = {}  # directory -> its files (an ordered set)
        for rel, sha in (items or {}).items():
            self[rel] = sha

    def __setitem__(self, rel: str, sha: str) -> None:
        if rel not in self:
            for directory in _parents(rel):
                self._under.setdefault(directory, {})[rel] = None
        super().__setitem__(rel, sha)

    def __delitem__(self, rel: str) -> None:
        super().__delitem__(rel)
        for directory in _parents(rel):
            self._under[directory].pop(rel, None)

    def under(self, directory: str) -> list[str]:
        """The recorded files below `directory` (relative, without a trailing slash), in record order."""
        return list(self._under.get(directory, ()))


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


@dataclass
class Kept:
    directory: str  # relative to OUT
    files: list[str]  # the files that are not unedited generated ones


@dataclass
class Ownership:
    root: Path
    force: bool = False
    files: FileRecord = field(default_factory=FileRecord)  # relative path -> sha256 of what the tool wrote
    services: set[str] = field(default_factory=set)
    edited: list[str] = field(default_factory=list)  # not overwritten this run
    blocked: list[str] = field(default_factory=list)  # a directory where a file goes: never replaced
    removed: list[str] = field(default_factory=list)  # stale service directories removed
    kept: list[Kept] = field(default_factory=list)  # stale service directories kept
    warnings: list[str] = field(default_factory=list)
    _written: set[str] = field(default_factory=set)
    _seen: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, root: Path, force: bool = False) -> Ownership:
        owner = cls(root, force)
        path = root / RECORD
        if not path.exists():
            return owner
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            owner.files = FileRecord({str(k): str(v) for k, v in data["files"].items()})
            owner.services = {str(s) for s in data["services"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            owner.warnings.append(f"warning: {path}: unreadable record of written files ({exc}); "
                                  "every existing file is treated as the user's")
        return owner

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _may_write(self, rel: str, new: str, current: str | None) -> bool:
        """`new`: the digest of the text to write; `current`: the file's on disk (file_digest)."""
        path = self.root / rel
        if path.is_dir() and not path.is_symlink():  # even --force never replaces a directory with a file
            self.blocked.append(rel)
            return False
        if current is None or current == new or current == self.files.get(rel) or self.force:
            return True
        self.edited.append(rel)
        return False

    def write_service(self, target: Path, files: dict[str, str]) -> None:
        """`target` (a service directory) gets `files`; the user's files in it stay."""
        rel_dir = self._rel(target)
        self._seen.add(rel_dir)
        prefix = f"{rel_dir}/"
        new = {name: digest(text) for name, text in files.items()}
        on_disk = {name: file_digest(self.root / (prefix + name)) for name in files}
        writable = {name: text for name, text in files.items() if self._may_write(prefix + name, new[name],
                                                                                 on_disk[name])}
        stale = [rel for rel in self.files.under(rel_dir) if rel[len(prefix):] not in files
                 and not self._inside_other_service(rel, rel_dir)]
        # A generated file this run no longer produces goes when unedited; edited, it becomes the user's.
        drop = [rel[len(prefix):] for rel in stale if file_digest(self.root / rel) in (self.files[rel], None)]
        # Every file on disk already holds the new text (an unchanged re-run): nothing to swap in.
        same = not stale and target.is_dir() and all(on_disk[name] == new[name] for name in files)
        with interrupts_deferred():
            if same:
                recover(target)
            else:
                write_tree(target, writable, drop)
            for rel in stale:
                del self.files[rel]
            for name in writable:
                self.files[prefix + name] = new[name]
                self._written.add(prefix + name)

    def _inside_other_service(self, rel: str, rel_dir: str) -> bool:
        return any(d in self.services and d.startswith(f"{rel_dir}/") for d in _parents(rel))

    def write_file(self, path: Path, text: str) -> None:
        """One file outside the service directories (SUMMARY.md, kustomization.yaml, main.tf)."""
        rel = self._rel(path)
        new, current = digest(text), file_digest(path)
        if not self._may_write(rel, new, current):
            return
        with interrupts_deferred():
            if current != new:  # already there (an unchanged re-run): not written again
                write_file(path, text)
            self.files[rel] = new
            self._written.add(rel)

    def write_pieces(self, path: Path, pieces: Iterable[str]) -> str:
        """write_file for a text in pieces (staged beside `path`, then moved in when the record allows);
        returns the text's digest (written or not)."""
        rel = self._rel(path)
        tmp, new = stage_pieces(path, pieces)
        try:
            current = file_digest(path)
            if not self._may_write(rel, new, current):
                return new
            with interrupts_deferred():
                if current != new:
                    os.replace(tmp, path)
                self.files[rel] = new
                self._written.add(rel)
            return new
        finally:
            tmp.unlink(missing_ok=True)

    def keep_files(self, digests: dict[Path, str]) -> bool:
        """When every path (outside the service directories) already holds the text of its digest, record
        them as written this run and return True; else change nothing (the caller writes them)."""
        rels = {self._rel(path): d for path, d in digests.items()}
        if not all(file_digest(self.root / rel) == d for rel, d in rels.items()):
            return False
        for rel, d in rels.items():
            self.files[rel] = d
            self._written.add(rel)
        return True

    def finish(self) -> None:
        """Remove what the last run wrote and this one did not (when unedited), then save the record."""
        with interrupts_deferred():
            for rel_dir in sorted(self.services - self._seen):
                self._retire_service(rel_dir)
            in_service = self._seen | {k.directory for k in self.kept}
            for rel in [r for r in self.files if r not in self._written
                        and not any(d in in_service for d in _parents(r))]:
                path = self.root / rel
                if file_digest(path) in (self.files[rel], None):
                    path.unlink(missing_ok=True)
                del self.files[rel]
            self.save()

    def _retire_service(self, rel_dir: str) -> None:
        directory = self.root / rel_dir
        mine = {rel: self.files[rel] for rel in self.files.under(rel_dir)}
        if directory.is_dir():
            on_disk = {self._rel(p): p for p in sorted(directory.rglob("*")) if not p.is_dir() or p.is_symlink()}
            foreign = [rel for rel, p in on_disk.items() if mine.get(rel) is None or file_digest(p) != mine[rel]]
            if foreign:
                self.kept.append(Kept(rel_dir, foreign))
                return
            shutil.rmtree(directory)
            self.removed.append(rel_dir)
            self._prune_empty(directory.parent)
        for rel in mine:
            del self.files[rel]

    def _prune_empty(self, directory: Path) -> None:
        while directory != self.root and self.root in directory.parents and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent

    def save(self, keep_unseen: bool = False) -> None:
        """`keep_unseen` (an interrupted run, or one that wrote a part only): the services this run did not
        reach stay recorded, their files are still on disk."""
        services = sorted(self._seen | {k.directory for k in self.kept} | (self.services if keep_unseen else set()))
        data = {"tool": "nomad2k8s", "version": RECORD_VERSION, "services": services,
                "files": dict(sorted(self.files.items()))}
        with interrupts_deferred():
            write_file(self.root / RECORD, json.dumps(data, indent=1) + "\n")

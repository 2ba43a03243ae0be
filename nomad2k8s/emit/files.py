"""Writing a service directory atomically: build it beside the target, then swap it in.

The new directory is the generated files plus every other entry of the old one (the user's notes,
overlays/, an edited file the run must not overwrite), carried over as hard links (a copy where the
file system has none), so the user's files are never moved: an interruption before the swap leaves
the old directory untouched, and the staging directory holds nothing that is not also elsewhere."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path

STAGING_MARK = ".n2k-tmp-"  # staging and swapped-out directories: .<name>.n2k-tmp-*, never the user's


def write_tree(target: Path, files: dict[str, str], drop: Collection[str] = ()) -> None:
    """Make directory `target` hold `files` (relative name -> text) and keep every other entry it holds,
    except the relative names in `drop` (stale generated files); atomic: readers see the old directory
    or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging, aside = _beside(target, "new"), _beside(target, "old")
    recover(target)
    staging.mkdir()
    made = {staging}  # each sub-directory made once (not a failing mkdir per file: ~3,000 for the corpus)
    try:
        for rel, text in sorted(files.items()):
            path = staging / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_text(text, encoding="utf-8")
        if target.is_dir():
            _carry_over(target, staging, set(files) | set(drop), "")
        moved = target.exists()
        if moved:
            os.replace(target, aside)
        os.replace(staging, target)
        if moved:
            shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _beside(target: Path, role: str) -> Path:
    """Fixed names (not mkdtemp's), so that finding a killed run's leftovers costs two lookups."""
    return target.parent / f".{target.name}{STAGING_MARK}{role}"


def recover(target: Path) -> None:
    """Undo what a killed run (SIGKILL, power loss: nothing a handler sees) left beside `target`. The
    staging directory holds only new files and links, so it goes; the swapped-out old directory is the
    user's only copy when the swap had not finished (no `target`), so it comes back, else it goes."""
    staging, aside = _beside(target, "new"), _beside(target, "old")
    if aside.exists():
        if not target.exists():
            os.replace(aside, target)
        else:
            shutil.rmtree(aside, ignore_errors=True)
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


def _carry_over(source: Path, staging: Path, replaced: set[str], prefix: str) -> None:
    """Link every entry of `source` not in `replaced` into `staging` (recursing into directories)."""
    for entry in sorted(source.iterdir()):
        rel = f"{prefix}{entry.name}"
        dest = staging / entry.name
        if rel in replaced:
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        elif entry.is_dir():
            dest.mkdir(exist_ok=True)
            shutil.copystat(entry, dest)
            _carry_over(entry, dest, replaced, f"{rel}/")
        elif not dest.exists():
            try:
                os.link(entry, dest)
            except OSError:  # no hard links here (some network or FAT file systems)
                shutil.copy2(entry, dest)


def write_file(path: Path, text: str) -> None:
    """Write one file atomically (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{STAGING_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for start in range(0, len(text), 1 << 20):  # a large page is never encoded whole
                handle.write(text[start:start + (1 << 20)])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stage_pieces(path: Path, pieces: Iterable[str]) -> tuple[Path, str]:
    """Write `pieces` to a temporary file beside `path` (for os.replace, or unlink); returns it and the
    sha256 of the text. A page built in pieces is never held whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{STAGING_MARK}", dir=path.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                data = piece.encode("utf-8")
                digest.update(data)
                handle.write(data)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest()


def write_pieces(path: Path, pieces: Iterable[str]) -> str:
    """write_file for a text in pieces; returns its sha256."""
    tmp, digest = stage_pieces(path, pieces)
    os.replace(tmp, path)
    return digest

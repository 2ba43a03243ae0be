"""Nomad's jobspec file functions: `file`, `filebase64`, `fileexists`, `fileset`.

The Nomad CLI parses a jobspec with no base directory of its own, so a relative name is relative to the
directory `nomad job run` runs in (for a repository deployed from its root, the repo root): the evaluator's
`base_dir` (--base-dir, default the current directory; fileaccess.jobspec_places). When the file is not
there but exists beside the jobspec (`fallback_dir`), it is read from there and a N2K-FILE-BESIDE-JOBSPEC note
says so; when neither place has it, N2K-FILE-NOT-FOUND names both paths and the call stays unresolved. Every
read goes through fileaccess (confinement to the root, symlinks, /proc, size cap, UTF-8).

`templatefile()` is not among them: it is Terraform's, and Nomad refuses a jobspec calling it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from .. import fileaccess
from ..errors import ConversionError

BESIDE = "N2K-FILE-BESIDE-JOBSPEC"
NOT_FOUND = "N2K-FILE-NOT-FOUND"
MAX_FILESET = 1000  # names one fileset() call returns
MAX_FILESET_VISITS = 20_000  # paths one fileset() call looks at


def _places(ev: Any) -> tuple[Path, Path, Path | None]:
    base = Path(ev.base_dir) if ev.base_dir is not None else Path.cwd()
    root = Path(ev.root) if ev.root is not None else base
    fallback = getattr(ev, "fallback_dir", None)
    if fallback is not None and os.path.realpath(fallback) == os.path.realpath(base):
        fallback = None
    return base, root, fallback


def _under_root(candidate: Path, root: Path) -> bool:
    real, real_root = os.path.realpath(candidate), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _shown(path: Path) -> str:
    """A path for a report: relative to the current directory when under it (reports travel with the repo)."""
    real = os.path.realpath(path)
    here = os.path.realpath(os.getcwd())
    return os.path.relpath(real, here) if real.startswith(here.rstrip(os.sep) + os.sep) else real


def _note(ev: Any, code: str, message: str) -> None:
    notes = getattr(ev, "file_notes", None)
    if notes is not None:
        notes.append((code, message))


def locate(ev: Any, name: str, call: str, want_dir: bool = False) -> Path | None:
    """The real path `call` reads for `name`, or None (and a N2K-FILE-NOT-FOUND note) when neither the base
    directory nor the jobspec's directory has it. A refused path (outside the root, /proc...) raises."""
    base, root, fallback = _places(ev)
    exists = os.path.isdir if want_dir else os.path.lexists
    if Path(name).is_absolute() or fallback is None:
        real = fileaccess.confined_path(name, base, root, call)
        if exists(real):
            return real
        _note(ev, NOT_FOUND, f"{call}: {_shown(real)} does not exist")
        return None
    first = base / name
    if _under_root(first, root):  # a base directory outside the root is not read (fileaccess)
        real = fileaccess.confined_path(name, base, root, call)
        if exists(real):
            return real
    beside = fileaccess.confined_path(name, fallback, root, call)
    if exists(beside):
        _note(ev, BESIDE, f"{call}: read beside the jobspec ({_shown(beside)}), not from the base directory "
              f"({_shown(first)}" + ("" if _under_root(first, root) else ", outside the repository being converted")
              + "), where `nomad job run` would look")
        return beside
    _note(ev, NOT_FOUND, f"{call}: neither {_shown(first)} (the base directory) nor {_shown(beside)} "
          "(beside the jobspec) exists")
    return None


def file_fn(ev: Any, name: str) -> str:
    from .expr import Unresolved

    call = f"file({name!r})"
    real = locate(ev, name, call)
    if real is None:
        raise Unresolved(f"{call} cannot be read: no such file")
    try:
        return fileaccess.decode_utf8(fileaccess.read_bytes_capped(real, "the file", regular_only=True), name,
                                      "the file")
    except ConversionError as exc:
        raise ConversionError(f"file() {name!r}: {exc.message}") from None


def filebase64_fn(ev: Any, name: str) -> str:
    from .expr import Unresolved

    call = f"filebase64({name!r})"
    real = locate(ev, name, call)
    if real is None:
        raise Unresolved(f"{call} cannot be read: no such file")
    try:
        data = fileaccess.read_bytes_capped(real, "the file", regular_only=True)
    except ConversionError as exc:
        raise ConversionError(f"filebase64() {name!r}: {exc.message}") from None
    return base64.b64encode(data).decode("ascii")


def fileexists_fn(ev: Any, name: str) -> bool:
    """True when the file exists at the base directory, or beside the jobspec (noted); a directory is an
    error, as in Nomad. A missing file is simply false."""
    call = f"fileexists({name!r})"
    base, root, fallback = _places(ev)
    for where in [base] + ([fallback] if fallback is not None and not Path(name).is_absolute() else []):
        if where is base and not _under_root(where / name, root) and fallback is not None:
            continue
        real = fileaccess.confined_path(name, where, root, call)
        if os.path.isdir(real):
            raise ConversionError(f"{call}: {real} is a directory, not a file")
        if os.path.exists(real):
            if where is not base:
                _note(ev, BESIDE, f"{call}: found beside the jobspec ({_shown(real)}), not in the base directory "
                      f"({_shown(base)}), where `nomad job run` would look")
            return True
    return False


def fileset_fn(ev: Any, path: str, pattern: str) -> list[str]:
    """The files under `path` matching the glob (`**` included), relative to `path`, sorted; none when the
    directory is at neither place (as Nomad: an empty set, noted)."""
    call = f"fileset({path!r}, {pattern!r})"
    real = locate(ev, path, call, want_dir=True)
    if real is None:
        return []
    _, root, _ = _places(ev)
    found = []
    for seen, match in enumerate(real.glob(pattern)):
        if seen >= MAX_FILESET_VISITS:  # a `**` over a huge tree: bounded work, not a hang
            raise ConversionError(f"{call} walks more than {MAX_FILESET_VISITS:,} paths")
        if match.is_file() and _under_root(match, root):
            found.append(match.relative_to(real).as_posix())
            if len(found) > MAX_FILESET:
                raise ConversionError(f"{call} matches more than {MAX_FILESET:,} files")
    return sorted(found)


def templatefile_fn(_ev: Any, *_args: Any) -> Any:
    raise ConversionError("templatefile() is a Terraform function, not one of Nomad's jobspec functions (Nomad "
                          "refuses this jobspec): convert the Terraform root that renders and deploys it, or use "
                          "file() in a template block's data")


FILE_FUNCTIONS: dict[str, Any] = {
    "file": file_fn, "filebase64": filebase64_fn, "fileexists": fileexists_fn, "fileset": fileset_fn,
    "templatefile": templatefile_fn,
}

"""The one file-access policy: how the tool reads files it did not write.

Two kinds of file:

- files a *jobspec* names (`file("...")`, `template { source = "..." }`): the jobspec is input
  to judge, not an instruction, so it may only read inside the repository being converted --
  the *root*. The root is the directory given to `convert` (for a directory run) or the
  jobspec's own directory (for a single file). Symlinks are resolved before the check, and
  `/proc`, `/dev` and `/sys` are refused even when the root lies below them;
  Nomad's file functions (`file`, `filebase64`, `fileexists`, `fileset`) resolve relative names from the
  *base directory* -- where `nomad job run` runs: `--base-dir`, default the current directory -- and then
  beside the jobspec (parse/files.py). The base directory is read only inside the root, or it becomes the
  root (`jobspec_places`): given with `--base-dir` and holding the repository, or, as the default, when it
  lies in the git work tree holding the repository (running from the repo root, as Nomad users do). A
  current directory elsewhere (`$HOME`, another checkout) widens nothing;
- files the *operator* names (`--var-file`, `--profile`, `nomad2k8s.yaml`, `--vault-token-file`,
  intentions files): not confined (the operator chose them), but read the same way.

Both are size-capped (a `file("/dev/zero")` must not exhaust memory: at most cap+1 bytes are
read) and decoded as UTF-8; every failure is one ConversionError naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ConversionError

MAX_BYTES = 4 * 1024 * 1024  # far above any real template or variables file
JOBSPEC_MAX_BYTES = 512 * 1024 * 1024  # jobspecs are the input itself; only a guard against /dev/zero
NEVER = (Path("/proc"), Path("/dev"), Path("/sys"))  # kernel and device files: never content


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def _within(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


# The files a conversion looked at (read, or looked up and found missing): the dependencies of a
# cached conversion (nomad2k8s/cache.py). None when nothing records.
_recording: list[Path] | None = None


@contextmanager
def recording_reads() -> Iterator[list[Path]]:
    global _recording
    previous, _recording = _recording, []
    try:
        yield _recording
    finally:
        _recording = previous


def _note(path: Path | str) -> None:
    if _recording is not None:
        _recording.append(Path(path))


def confined_path(name: str | Path, relative_to: Path, root: Path, what: str) -> Path:
    """The real path a jobspec names, checked against the root. Relative names are taken from
    `relative_to` (the jobspec's directory)."""
    raw = Path(name)
    if "\x00" in str(name):
        raise ConversionError(f"{what} {str(name)!r}: path contains a NUL byte")
    candidate = raw if raw.is_absolute() else Path(relative_to) / raw
    real = Path(os.path.realpath(candidate))  # symlinks first, then the checks
    real_root = Path(os.path.realpath(root))
    if any(_within(real, never) for never in NEVER):
        raise ConversionError(f"{what} {str(name)!r} is a kernel or device file ({real}); it is never read")
    if not _within(real, real_root):
        shown = f" (resolves to {real})" if real != candidate else ""
        raise ConversionError(
            f"{what} {str(name)!r}{shown} is outside the repository being converted ({real_root}); "
            "only files under it are read")
    _note(real)
    return real


def _git_top(path: Path) -> Path | None:
    return next((d for d in (path, *path.parents) if (d / ".git").exists()), None)


def jobspec_places(jobspec: Path, root: Path | None, base_dir: Path | None) -> tuple[Path, Path]:
    """(base directory, root) for the file functions of `jobspec`: `root` is the repository being converted
    (None: the jobspec's directory), `base_dir` the operator's --base-dir (None: the current directory).
    A --base-dir holding the repository becomes the root; one neither inside nor holding it is an error."""
    first = Path(root) if root is not None else Path(jobspec).parent
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    real_base, real_root = Path(os.path.realpath(base)), Path(os.path.realpath(first))
    if _within(real_base, real_root):
        return base, first
    if _within(real_root, real_base):
        git = _git_top(real_root)
        if base_dir is not None or (git is not None and _within(real_base, git)):
            return base, base  # the directory `nomad job run` runs in holds the repository: read from it
        return base, first
    if base_dir is not None:
        raise ConversionError(f"--base-dir {base} neither holds nor lies inside the repository being converted "
                              f"({first}); files a jobspec names are read only there")
    return base, first  # the current directory is elsewhere: only the jobspec's side is read


def read_bytes_capped(path: Path, what: str, max_bytes: int = MAX_BYTES, regular_only: bool = False) -> bytes:
    """At most `max_bytes` of a file; anything larger is an error. Operator files may be pipes
    (`--var-file <(...)`); jobspec-named files must be regular files (a FIFO would block)."""
    _note(path)
    try:
        if Path(path).is_dir():
            raise ConversionError(f"cannot read {what}: it is a directory", path)
        if regular_only and not Path(path).is_file():
            raise ConversionError(f"cannot read {what}: " + (
                "no such file" if not os.path.lexists(path) else "not a regular file"), path)
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ConversionError(f"cannot read {what}: {exc.strerror or type(exc).__name__}", path) from None
    if len(data) > max_bytes:
        raise ConversionError(f"{what} is larger than {_mib(max_bytes)}; not read", path)
    return data


def decode_utf8(data: bytes, path: Path | str, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConversionError(f"{what} is not UTF-8 text (byte {exc.start})", path) from None


def read_text_confined(name: str | Path, relative_to: Path, root: Path, what: str,
                       max_bytes: int = MAX_BYTES) -> str:
    """A file a jobspec names: confined to `root`, capped, UTF-8."""
    real = confined_path(name, relative_to, root, what)
    try:
        return decode_utf8(read_bytes_capped(real, "the file", max_bytes, regular_only=True), name, "the file")
    except ConversionError as exc:
        # Located by the caller (jobspec:line); the message names the file instead.
        raise ConversionError(f"{what} {str(name)!r}: {exc.message}") from None


def jobspec_file_text(name: str, jobspec: str | Path, root: str | Path | None, what: str,
                      nomad_path: str = "", line: int | None = None) -> str | None:
    """A file a jobspec setting names (e.g. a template `source`), relative to the jobspec's
    directory: its text, or None when it does not exist here (it may be on the Nomad client).
    A refused or unreadable file is a ConversionError at `jobspec:line`."""
    jobspec = Path(jobspec)
    base = jobspec.parent
    try:
        real = confined_path(name, base, Path(root) if root else base, what)
        if not os.path.lexists(real):
            return None
        return read_text_confined(name, base, Path(root) if root else base, what)
    except ConversionError as exc:
        raise ConversionError(f"{nomad_path}: {exc.message}" if nomad_path else exc.message, jobspec, line) from None


def read_operator_text(path: Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """A file the operator named on the command line or in site settings: capped, UTF-8."""
    return decode_utf8(read_bytes_capped(Path(path), what, max_bytes), path, what)


__all__ = ["MAX_BYTES", "confined_path", "read_text_confined", "read_operator_text", "read_bytes_capped"]

"""Checks of the paths the CLI writes to (--output DIR of convert/intentions, init -o FILE), made before
anything is written, so a bad path is one line and no half-written output; OSError text never decides
what the user reads."""

from __future__ import annotations

import os
from pathlib import Path


def _first_existing(path: Path) -> Path:
    """`path` or its nearest ancestor that exists (or is a symlink, dangling or not)."""
    current = path
    while not (current.exists() or current.is_symlink()) and current.parent != current:
        current = current.parent
    return current


def _dangling(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def _ancestor_problem(path: Path) -> str | None:
    """Why the directories leading to `path` cannot be created or written, or None."""
    base = _first_existing(path.parent)
    if _dangling(base):
        return f"{base} is a symbolic link to {os.readlink(base)}, which does not exist"
    if not base.is_dir():
        return f"{base} is not a directory"
    if not os.access(base, os.W_OK | os.X_OK):
        return f"{base} is not writable"
    return None


def output_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be the output directory, or None (it may not exist yet)."""
    if _dangling(path):
        return f"--output {path} is a symbolic link to {os.readlink(path)}, which does not exist"
    if path.exists() and not path.is_dir():
        return f"--output {path} exists and is not a directory"
    if path.is_dir():
        return None if os.access(path, os.W_OK | os.X_OK) else f"--output {path} is not writable"
    problem = _ancestor_problem(path)
    return f"--output {path}: {problem}" if problem else None


def output_file_problem(path: Path) -> str | None:
    """Why `path` cannot be written as one file (init -o FILE), or None; --force never makes a
    directory or a dangling link writable."""
    if _dangling(path):
        return f"{path} is a symbolic link to {os.readlink(path)}, which does not exist"
    if path.is_dir():
        return f"{path} is a directory; give a file name (e.g. {path / 'nomad2k8s.yaml'})"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    parent = path.parent
    if not (parent.exists() or parent.is_symlink()):
        return f"{parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is not a directory"
    return None if os.access(parent, os.W_OK | os.X_OK) else f"{parent} is not writable"

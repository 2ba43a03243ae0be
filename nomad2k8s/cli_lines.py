"""The lines a `convert` run prints on stderr (part of the CLI: only the CLI prints): one per service,
the errors for files not overwritten, and the closing summary; --quiet keeps the errors only."""

from __future__ import annotations

from collections.abc import Callable

import typer

from .convert import ServiceResult
from .ledger import STATUS_ORDER
from .ownership import Ownership


def _err(message: str) -> None:
    typer.echo(message, err=True)


def service_line(result: ServiceResult, label: str) -> str:
    counts = result.ledger.counts()
    parts = [f"{counts[s]} {s.value}" for s in reversed(STATUS_ORDER)]
    return f"{label}: {len(result.objects)} objects; " + ", ".join(parts)


def quiet_filter(quiet: bool) -> Callable[[str], None]:
    """--quiet keeps the errors (a file that failed, a usage problem) and drops the rest."""
    def warn(message: str) -> None:
        if not quiet or not message.startswith(INFO_PREFIXES):
            _err(message)
    return warn


INFO_PREFIXES = ("warning:", "site settings:", "skipped ", "removed ")


def report_edited(owner: Ownership | None) -> list[str]:
    """The generated files the run did not overwrite (edited since, or not the tool's): errors, exit 1."""
    if owner is None:
        return []
    for rel in owner.edited:
        _err(f"error: {owner.root / rel}: changed since nomad2k8s wrote it (or not written by it); "
             "not overwritten (--force overwrites)")
    for rel in owner.blocked:
        _err(f"error: {owner.root / rel}: is a directory where nomad2k8s writes a file; not written "
             "(move the directory away)")
    return owner.edited + owner.blocked



"""What a decisions file holds: one `Decision` per entry, and the file they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConversionError

FILE_NAME = "nomad2k8s.decisions.yaml"
DONE, ACCEPTED, ANSWERED = "done", "accepted", "answered"
RESOLUTIONS = (DONE, ACCEPTED, ANSWERED)

# StaleDecision.reason values (the review lists them; the warning line repeats them).
NO_ROW = "matches no row"
CHANGED = "setting changed since the decision (reopened)"


class DecisionsError(ConversionError):
    """A bad decisions file, or a `decide` that names nothing real: a usage error (exit 2)."""


@dataclass(frozen=True)
class Decision:
    service: str
    code: str
    path: str | None  # None: every row of `code` in the service
    resolution: str
    reason: str
    answer: dict[str, str] = field(default_factory=dict)  # hint name (no prefix) -> value, as written
    fingerprint: str | None = None  # of the settings it was recorded against; None: never reopened
    line: int = 0

    def describe(self) -> str:
        return f"{self.service} {self.code}" + (f" at {self.path}" if self.path else "")


@dataclass(frozen=True)
class DecisionsFile:
    path: Path
    decisions: tuple[Decision, ...]
    shown: str  # how reports name it: relative to the repository root when there is one

    def where(self, decision: Decision) -> str:
        return f"{self.shown}:{decision.line}"


def repo_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git`."""
    directory = (start if start.is_dir() else start.parent).resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def shown_name(path: Path) -> str:
    path = path.resolve()
    root = repo_root(path)
    return path.relative_to(root).as_posix() if root is not None else path.as_posix()

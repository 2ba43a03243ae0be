"""The one domain exception. Only the CLI prints it and turns it into an exit code."""

from __future__ import annotations

from pathlib import Path


class ConversionError(Exception):
    """Bad input: carries where it happened so the CLI can print `file:line:col: message`."""

    def __init__(
        self,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.col = col

    def location(self) -> str:
        parts = [p for p in (self.file, self.line, self.col) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        loc = self.location()
        # Newlines would break the one-line error contract.
        msg = " ".join(self.message.split())
        return f"{loc}: {msg}" if loc else msg

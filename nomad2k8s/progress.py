"""A progress bar for a batch on a terminal (files done/total, the current file, elapsed time), on stderr.

Off on a pipe or a file (stderr not a terminal) and with --quiet, so logs and CI output stay plain lines.
While it runs, rich prints the run's stderr lines above the bar."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any


class BatchProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BatchProgress:
        if self.enabled:
            from rich.console import (
                Console,  # only on a terminal: rich's import is not free
            )
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("converting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.fields[current]}"), console=Console(stderr=True), transient=True)
            self._progress.start()
        return self

    def on_file(self, file: Path, done: int, total: int) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task("convert", total=total, current="")
        self._progress.update(self._task, completed=done, current=str(file))

    def converted(self) -> None:
        """Every file is converted (the bar shows total/total while the services are written)."""
        if self._progress is not None and self._task is not None:
            total = self._progress.tasks[0].total
            self._progress.update(self._task, completed=total, current="writing")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

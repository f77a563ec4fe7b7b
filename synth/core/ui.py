"""Console output: progress bars on a terminal, silence on pipes, errors always on stderr."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")


class UI:
    def __init__(self, quiet: bool = False) -> None:
        self.err = Console(stderr=True)
        self.silent = quiet  # asked for (--quiet, --json): warnings too are left to the files that record them
        self.quiet = quiet or not self.err.is_terminal

    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(message, highlight=False)

    def warn(self, message: str) -> None:
        """One line on stderr, also when stderr is not a terminal: something was repaired or skipped."""
        if not self.silent:
            self.err.print(f"Warning: {message}", highlight=False, markup=False, soft_wrap=True)

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        if self.quiet:
            yield from items
            return
        if total is None and isinstance(items, Sized):
            total = len(items)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=True) as progress:
            task = progress.add_task(description, total=total)
            for item in items:
                yield item
                progress.advance(task)

"""Console output: progress on a terminal, a log line every few seconds on a pipe, errors always on stderr.

Long work reports through :meth:`UI.meter`: items done, rate and ETA, advanced once per batch. On a terminal that is
a live bar (several nested meters share one display); under a pipe or in a cluster log, where a bar would be
either invisible or a flood of control characters, each meter prints one plain line at most every
:data:`LOG_EVERY_S` seconds and one when it ends, and a stage that reports nothing for that long prints a
heartbeat line naming itself, so a log is never silent for long. ``--quiet`` (and ``--json``) silence all of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

T = TypeVar("T")
Advance = Callable[[int], None]
LOG_EVERY_S = 5.0  # seconds between two log lines of one meter (or heartbeats of one stage) under a pipe


class _Rate(ProgressColumn):
    """Items per second over the recent batches (rich's own speed estimate)."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s")


def describe_rate(done: int, total: int | None, elapsed: float) -> str:
    """``512/1,075 (48%), 21.3/s, ETA 26 s`` (what a log line says of a meter)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    parts = [f"{done:,}/{total:,} ({100 * done / total:.0f}%)" if total else f"{done:,}"]
    parts.append(f"{rate:,.1f}/s")
    if total and rate > 0 and done < total:
        parts.append(f"ETA {_duration((total - done) / rate)}")
    elif total and done >= total:
        parts.append(f"in {_duration(elapsed)}")
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class UI:
    def __init__(self, quiet: bool = False, log_every_s: float = LOG_EVERY_S) -> None:
        self.err = Console(stderr=True)
        self.silent = quiet  # asked for (--quiet, --json): warnings too are left to the files that record them
        self.live = not quiet and self.err.is_terminal  # progress bars
        self.logging = not quiet and not self.err.is_terminal  # plain, throttled lines (a pipe, a cluster log)
        self.quiet = not self.live  # no live display
        self.log_every_s = log_every_s
        self._progress: Progress | None = None
        self._open = 0
        self._lock = threading.Lock()
        self._stage: str | None = None
        self._last_line = time.monotonic()

    # -- lines -------------------------------------------------------------------------------------
    def info(self, message: str) -> None:
        if self.silent:
            return
        with self._lock:
            self._last_line = time.monotonic()
            self.err.print(message, highlight=False)

    def warn(self, message: str) -> None:
        """One line on stderr, also when stderr is not a terminal: something was repaired or skipped."""
        if not self.silent:
            with self._lock:
                self._last_line = time.monotonic()
                self.err.print(f"Warning: {message}", highlight=False, markup=False, soft_wrap=True)

    def _log(self, message: str) -> None:
        prefix = f"{self._stage}: " if self._stage else ""
        with self._lock:
            self._last_line = time.monotonic()
            self.err.print(prefix + message, highlight=False, markup=False, soft_wrap=True)

    # -- progress ----------------------------------------------------------------------------------
    @contextmanager
    def meter(self, description: str, total: int | None) -> Iterator[Advance]:
        """A progress meter over ``total`` items; the caller advances it (once per batch) by the items done."""
        if self.silent or (not self.live and not self.logging):
            yield lambda n: None
            return
        if self.live:
            with self._live_task(description, total) as step:
                yield step
            return
        started = time.monotonic()
        state = {"done": 0, "logged": started}

        def advance(n: int) -> None:
            state["done"] += n
            now = time.monotonic()
            if now - state["logged"] >= self.log_every_s:
                state["logged"] = now
                self._log(f"{description} {describe_rate(int(state['done']), total, now - started)}")

        yield advance
        elapsed = time.monotonic() - started
        if elapsed >= self.log_every_s:  # a meter that logged along the way also says how it ended
            self._log(f"{description} {describe_rate(int(state['done']), total, elapsed)}")

    @contextmanager
    def _live_task(self, description: str, total: int | None) -> Iterator[Advance]:
        if self._progress is None:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            )
            self._progress = Progress(*columns, console=self.err, transient=True)
            self._progress.start()
        progress = self._progress
        task = progress.add_task(description, total=total)
        self._open += 1
        try:
            yield lambda n: progress.advance(task, n)
        finally:
            progress.remove_task(task)
            self._open -= 1
            if self._open == 0:
                progress.stop()
                self._progress = None

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        """``items``, advancing a meter by one per item."""
        if total is None and isinstance(items, Sized):
            total = len(items)
        with self.meter(description, total) as advance:
            for item in items:
                yield item
                advance(1)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """While a stage runs: its name prefixes log lines, and under a pipe a heartbeat line says it is still running
        whenever nothing was printed for :attr:`log_every_s` seconds."""
        self._stage = name
        stop = threading.Event()
        beat: threading.Thread | None = None
        if self.logging:
            started = time.monotonic()

            def heartbeat() -> None:
                while not stop.wait(max(0.05, min(1.0, self.log_every_s))):
                    now = time.monotonic()
                    if now - self._last_line >= self.log_every_s:
                        self._log(f"running, {_duration(now - started)}")

            beat = threading.Thread(target=heartbeat, name=f"synth-heartbeat-{name}", daemon=True)
            beat.start()
        try:
            yield
        finally:
            stop.set()
            if beat is not None:
                beat.join()
            self._stage = None

"""Progress: a bar on a terminal, a throttled log line (done, rate, ETA) under a pipe, a heartbeat, silence when asked."""

from __future__ import annotations

import io
import time

from rich.console import Console

from synth.core.ui import UI, describe_rate


def _ui(quiet: bool = False, terminal: bool = False, every: float = 0.0) -> tuple[UI, io.StringIO]:
    out = io.StringIO()
    ui = UI(quiet=quiet, log_every_s=every)
    ui.err = Console(file=out, force_terminal=terminal, width=200)
    ui.live = not quiet and terminal
    ui.logging = not quiet and not terminal
    ui.quiet = not ui.live
    return ui, out


def test_describe_rate_says_done_rate_and_eta() -> None:
    assert describe_rate(512, 1075, 25.6) == "512/1,075 (48%), 20.0/s, ETA 28 s"
    assert describe_rate(1075, 1075, 95.0) == "1,075/1,075 (100%), 11.3/s, in 1 min 35 s"
    assert describe_rate(3, None, 1.0) == "3, 3.0/s"


def test_under_a_pipe_a_meter_logs_lines_with_its_stage() -> None:
    ui, out = _ui(every=0.0)
    with ui.stage("04_index"), ui.meter("embedding chunks", 100) as advance:
        for _ in range(4):
            time.sleep(0.01)
            advance(25)
    lines = [line for line in out.getvalue().splitlines() if "running" not in line]  # heartbeats aside
    assert lines and all(line.startswith("04_index: embedding chunks ") for line in lines)
    assert "100/100 (100%)" in lines[-1] and "/s" in lines[-1]
    assert any("ETA" in line for line in lines[:-1])


def test_lines_are_throttled_and_a_silent_stage_gets_a_heartbeat() -> None:
    ui, out = _ui(every=0.2)
    with ui.stage("05_claims"):
        with ui.meter("NLI pairs", 1000) as advance:
            for _ in range(100):
                advance(10)  # fast: no line (less than 0.2 s between them)
        assert out.getvalue() == ""
        time.sleep(0.7)
    lines = out.getvalue().splitlines()
    assert lines and all(line.startswith("05_claims: running, ") for line in lines)


def test_quiet_prints_nothing_and_a_terminal_gets_a_live_display() -> None:
    ui, out = _ui(quiet=True)
    with ui.stage("x"), ui.meter("embedding", 10) as advance:
        advance(10)
    ui.info("hello")
    assert out.getvalue() == ""
    live, _ = _ui(terminal=True)
    with live.meter("outer", 2) as outer:
        with live.meter("inner", 3) as inner:  # nested meters share one display
            inner(3)
        outer(2)
    assert live._progress is None  # the display stops when the last meter ends
    assert list(live.track([1, 2, 3], "items")) == [1, 2, 3]


def test_warnings_show_under_a_pipe_and_not_when_silent() -> None:
    ui, out = _ui()
    ui.warn("dropped a damaged cache entry")
    assert out.getvalue() == "Warning: dropped a damaged cache entry\n"
    silent, out2 = _ui(quiet=True)
    silent.warn("x")
    assert out2.getvalue() == ""

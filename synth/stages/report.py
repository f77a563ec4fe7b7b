"""Stage 7: render the report (Markdown, HTML, PDF, JSON), claims.csv and references.bib from the run's records."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "07_report"
VERSION = "1"
UPSTREAM = ("01_search", "02_parse", "05_claims", "06_verify")


def inputs(ctx: StageContext) -> dict[str, Any]:
    from synth.report import RENDERER_VERSION

    return {"settings": ctx.settings.report, "renderer": RENDERER_VERSION}


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    from synth.report import render_report
    from synth.report.data import load_run

    data = load_run(ctx.store.root)
    written = render_report(data, out, ctx.settings.report.formats)
    return {"files": sorted(p.name for p in written)}

"""Stage 8: render the report (Markdown, HTML, PDF, JSON), claims.csv and references.bib from the run's records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.stage_ids import CLAIMS, PARSE, REPORT, SEARCH, SYNTHESIS, VERIFY
from synth.pipeline.base import Stage, StageContext


class ReportStage(Stage):
    name = REPORT
    version = "2"
    upstream = (SEARCH, PARSE, CLAIMS, VERIFY, SYNTHESIS)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        from synth.report import RENDERER_VERSION

        return {"settings": ctx.settings.report, "renderer": RENDERER_VERSION}

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        from synth.report import render_report
        from synth.report.data import load_run

        data = load_run(ctx.store.root)
        written = render_report(data, out, ctx.settings.report.formats)
        return {"files": sorted(p.name for p in written)}

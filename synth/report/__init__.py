"""The report stage's renderers: a short paper (Markdown, HTML, PDF, JSON), claims.csv and references.bib.

Importing this package is cheap (no torch, faiss, sentence-transformers or fitz): the CLI imports
``synth.cli.report_cmds`` at start-up, and ``synth table`` must answer in well under a second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synth.report.data import RunData

RENDERER_VERSION = "7"  # 6: limitations name papers by citation; mean confidence of verified findings only; 7: a
# claim's other sources are cited as the references name them, not by run id
REPORT_NAME = "report"
FORMATS = ("md", "html", "pdf", "json", "csv", "bib")


def render_report(data: RunData, out_dir: Path, formats: Sequence[str], *, remeasure: Any = "auto") -> list[Path]:
    """Write the report in each of ``formats`` (md, html, pdf, json, csv, bib) into ``out_dir``; returns the paths.

    ``remeasure``: ``"auto"`` shows the experiment re-measurements the verify stage stored in the verdicts; a callable
    ``(claim_text, numbers) -> dict | None`` asks it instead (tests); ``None`` leaves the re-measured section empty.
    """
    from synth.core.errors import UsageError
    from synth.core.io import atomic_write_text
    from synth.report.compose import build_report
    from synth.report.model import Claims, References

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown report format(s): {', '.join(unknown)}", hint=f"Use any of: {', '.join(FORMATS)}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(data, remeasure=remeasure, renderer_version=RENDERER_VERSION)
    written: list[Path] = []
    if "md" in formats:
        from synth.report.markdown import render_markdown

        written.append(out_dir / f"{REPORT_NAME}.md")
        atomic_write_text(written[-1], render_markdown(report))
    if "html" in formats:
        from synth.report.html import render_html

        written.append(out_dir / f"{REPORT_NAME}.html")
        atomic_write_text(written[-1], render_html(report))
    if "pdf" in formats:
        from synth.report.pdf import render_pdf

        written.append(render_pdf(report, out_dir / f"{REPORT_NAME}.pdf"))
    if "json" in formats:
        written.append(out_dir / f"{REPORT_NAME}.json")
        atomic_write_text(written[-1], json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    if "csv" in formats:
        from synth.report.table import to_csv

        written.append(out_dir / "claims.csv")
        atomic_write_text(written[-1], to_csv(report.section(Claims).rows))
    if "bib" in formats:
        from synth.report.bibtex import render_bibtex

        written.append(out_dir / "references.bib")
        atomic_write_text(written[-1], render_bibtex(report.section(References).references))
    return written


__all__ = ["FORMATS", "RENDERER_VERSION", "REPORT_NAME", "render_report"]

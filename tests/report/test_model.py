"""The typed report: every model reads back from its JSON unchanged, and section numbers follow the section order."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from synth.report.compose import build_report
from synth.report.data import load_run
from synth.report.html import render_html
from synth.report.markdown import render_markdown
from synth.report.model import (
    Abstract,
    Answer,
    AnswerLine,
    AnswerPart,
    ClaimRow,
    Claims,
    CoverageRow,
    Introduction,
    Limitations,
    Methodology,
    Outline,
    PaperScore,
    Quality,
    QueryLine,
    References,
    Remeasured,
    Remeasurement,
    Report,
    Results,
    Review,
    Section,
)
from tests.report_helpers import FIXTURE


def _report() -> Report:
    def remeasure(text: str, numbers: object) -> dict[str, object] | None:
        return {"claimed": 1.5, "measured": {"mean": 1.2, "sd": 0.3, "n": 3}, "verdict": "agrees"} if "Robust" in text else None

    return build_report(load_run(FIXTURE), remeasure=remeasure, renderer_version="test")


def _parts(report: Report) -> list[BaseModel]:
    """One instance of every model a report is made of."""
    meth, results = report.section(Methodology), report.section(Results)
    row = report.section(Claims).rows[0]
    assert row.evidence is not None
    parts: list[BaseModel] = [report, report.run, *report.sections, row, row.source, row.evidence]
    parts += [meth.papers, meth.models[0], results.claims, results.by_kind[0], results.quality, results.quality.reviews[0]]
    parts += [report.section(Remeasured).rows[0], report.section(References).references[0], QueryLine(query="ti:xnli", note="")]
    parts += [report.answer[0], report.answer[0].sentences[0], report.coverage[0]]
    parts += [meth.paper_scores[0]]
    return parts


def test_every_report_model_round_trips() -> None:
    parts = _parts(_report())
    kinds = {type(p) for p in parts}
    assert {Report, Abstract, ClaimRow, Quality, Review, Remeasurement} <= kinds and len(kinds) == len(parts)
    assert {Answer, AnswerPart, AnswerLine, CoverageRow, PaperScore} <= kinds
    for part in parts:
        assert type(part).model_validate_json(part.model_dump_json()) == part, type(part).__name__


def test_report_models_reject_unknown_fields_and_are_frozen() -> None:
    report = _report()
    with pytest.raises(ValidationError):
        Report.model_validate({**report.model_dump(mode="json"), "surprise": 1})
    with pytest.raises(ValidationError):
        report.section(Limitations).items = []  # type: ignore[misc]


def test_numbers_come_from_the_order() -> None:
    outline = Outline([Abstract, Introduction, Limitations, Methodology, References])
    assert [outline.number(k) for k in (Abstract, Introduction, Limitations, Methodology, References)] == [None, 1, 2, 3, None]
    assert outline.ref(Methodology, "Models") == "Section 3.4"
    with pytest.raises(ValueError, match="Abstract section is not numbered"):
        outline.ref(Abstract)
    with pytest.raises(ValueError, match="appears twice"):
        Outline([Introduction, Introduction])


def test_a_section_numbered_against_its_place_is_refused() -> None:
    data = _report().model_dump(mode="json")
    data["sections"][1]["number"] = 2  # Answer, the first numbered section
    with pytest.raises(ValidationError, match="Answer section is numbered 2"):
        Report.model_validate(data)


def test_renderers_number_sections_from_the_report() -> None:
    """Moving Limitations before Methodology renumbers headings, subsections and references in every renderer."""
    report = _report()
    order: list[type[Section]] = [
        Abstract, Introduction, Limitations, Methodology, Results, Answer, Claims, Remeasured, References
    ]  # fmt: skip
    outline = Outline(order)
    moved = [report.section(k).model_copy(update={"number": outline.number(k)}) for k in order]
    reordered = Report.model_validate({**report.model_dump(), "sections": [s.model_dump() for s in moved]})
    md = render_markdown(reordered)
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads[1:4] == ["## 1 Introduction", "## 2 Limitations", "## 3 Methodology"]
    assert "### 3.1 Sources and queries" in md and "### 4.2 Quality score" in md
    quality = reordered.section(Results).quality.overall
    assert "(named in Section 2)" in md and f"**Quality score: {quality:.1f}/10** (Section 4.2)" in md
    html = render_html(reordered)
    assert '<h2 id="limitations">2 Limitations</h2>' in html and "<h3>4.2 Quality score</h3>" in html and "(Section 4.2)" in html

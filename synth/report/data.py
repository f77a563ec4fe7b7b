"""Everything a report, table or audit needs, read from one run directory's files and nothing else.

The synthesis stage's ``synthesis.json`` (relevance, facets, coverage, the answer and the verifier's measured
figures) is read when the run has it; an older run without it still renders, saying the stage has not run.

No model is loaded and no setting is resolved here: a run directory copied to another machine (with every
model unavailable) still renders, tables and audits. A stage that has not run yet leaves its part ``None``
and :meth:`RunData.require` names the missing stage with the command that makes it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from synth.core.errors import MissingStageOutput, RunNotFound
from synth.core.io import read_json, read_jsonl
from synth.core.records import ArxivSearch, Claim, Failure, Paper, SearchPlan, Synthesis, Verdict
from synth.core.stage_ids import CLAIMS, MADE_BY, PARSE, SEARCH, SYNTHESIS, VERIFY
from synth.core.store import FAILURES, MANIFEST

_FILES = {
    SEARCH: "papers.jsonl",
    PARSE: "docs.jsonl",
    CLAIMS: "claims.jsonl",
    VERIFY: "verdicts.jsonl",
    SYNTHESIS: "synthesis.json",
}


@dataclass(frozen=True)
class DocInfo:
    """What the report uses of a parsed document (its text blocks are never loaded)."""

    paper_id: str
    n_pages: int
    pages_read: int
    references: list[str]
    warnings: list[str]
    language: str


@dataclass
class RunData:
    """One run's records. A part is ``None`` when its stage has not finished (see :meth:`require`)."""

    root: Path
    manifest: dict[str, Any]
    plan: SearchPlan | None = None
    papers: list[Paper] | None = None
    docs: list[DocInfo] | None = None
    claims: list[Claim] | None = None
    verdicts: list[Verdict] | None = None
    synthesis: Synthesis | None = None
    failures: list[Failure] = field(default_factory=list)

    # -- identity -------------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return str(self.manifest.get("id") or self.root.name)

    @property
    def question(self) -> str:
        return str(self.manifest.get("question", ""))

    @property
    def created(self) -> dt.datetime | None:
        """When the run was made: the date the report's ages and dates are measured against."""
        raw = self.manifest.get("created")
        if not raw:
            return None
        try:
            stamp = dt.datetime.fromisoformat(str(raw))
        except ValueError:
            return None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)

    # -- lookups --------------------------------------------------------------------------------
    def missing(self) -> list[str]:
        """Stages whose output this run lacks, in pipeline order."""
        parts = {
            SEARCH: self.papers,
            PARSE: self.docs,
            CLAIMS: self.claims,
            VERIFY: self.verdicts,
            SYNTHESIS: self.synthesis,
        }
        return [name for name, part in parts.items() if part is None]

    def require(self, *stages: str) -> None:
        """Raise :class:`MissingStageOutput` naming the first of ``stages`` this run has not finished."""
        for name in stages:
            if name in self.missing():
                raise MissingStageOutput(
                    f"run {self.run_id} has no finished {name} stage ({self.root / name / _FILES[name]} missing)",
                    hint=f"Run `{MADE_BY[name]}` first, or the whole pipeline with `synth run --resume {self.root}`.",
                )

    def paper(self, paper_id: str) -> Paper | None:
        return self._papers_by_id().get(paper_id)

    def _papers_by_id(self) -> dict[str, Paper]:
        return {p.id: p for p in self.papers or []}

    def verdict_for(self, claim_id: str) -> Verdict | None:
        return {v.claim_id: v for v in self.verdicts or []}.get(claim_id)

    def verdict_map(self) -> dict[str, Verdict]:
        return {v.claim_id: v for v in self.verdicts or []}


def load_run(run_dir: Path, *, docs: bool = True) -> RunData:
    """Read a run directory. ``docs=False`` skips the parsed documents (the largest file) for fast tables."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / MANIFEST
    if not manifest_path.is_file():
        raise RunNotFound(f"{run_dir} is not a run directory ({MANIFEST} missing)")
    data = RunData(root=run_dir.resolve(), manifest=read_json(manifest_path))
    plan_path = run_dir / SEARCH / "plan.json"
    if plan_path.is_file():
        data.plan = read_plan(read_json(plan_path), plan_path)
    elif isinstance(data.manifest.get("search_plan"), dict):
        data.plan = read_plan(data.manifest["search_plan"], manifest_path)
    data.papers = _maybe(run_dir / SEARCH / _FILES[SEARCH], Paper)
    data.claims = _maybe(run_dir / CLAIMS / _FILES[CLAIMS], Claim)
    data.verdicts = _maybe(run_dir / VERIFY / _FILES[VERIFY], Verdict)
    synthesis = run_dir / SYNTHESIS / _FILES[SYNTHESIS]
    if synthesis.is_file():
        data.synthesis = read_synthesis(synthesis)
    if docs:
        data.docs = _doc_infos(run_dir / PARSE / _FILES[PARSE])
    if (run_dir / FAILURES).is_file():
        data.failures = read_jsonl(run_dir / FAILURES, Failure)
    return data


def read_synthesis(path: Path) -> Synthesis:
    """``synthesis.json``; one this synth cannot read is named, with the command that makes it again."""
    try:
        return Synthesis.model_validate(read_json(path))
    except ValidationError as err:
        raise MissingStageOutput(
            f"{path}: not a synthesis this synth can read ({err.error_count()} problem(s), first: {err.errors()[0]['msg']})",
            hint=f"Make it again with `{MADE_BY[SYNTHESIS]}`.",
        ) from None


def read_plan(raw: dict[str, Any], path: Path) -> SearchPlan:
    """The search plan, also from runs made before it was typed (a flat dict, one shape per source)."""
    try:
        return SearchPlan.model_validate(raw if "location" in raw else _typed_plan(raw))
    except (KeyError, TypeError, ValidationError) as err:
        raise MissingStageOutput(
            f"{path}: not a search plan this synth can read ({type(err).__name__}: {err})",
            hint=f"Search again with `{MADE_BY[SEARCH]}`.",
        ) from None


def _typed_plan(flat: dict[str, Any]) -> dict[str, Any]:
    """A plan as the local and arXiv sources wrote it before it was typed, in SearchPlan's shape."""
    if flat["source"] == "local":
        return {"source": "local", "location": flat["folder"], "candidates": flat["files"], "kept": flat["papers"]}
    arxiv = {k: flat[k] for k in ArxivSearch.model_fields if k in flat and k != "ranking"}
    arxiv["ranking"] = flat["ranking"]["candidates"]
    return {
        "source": flat["source"],
        "location": flat["api"],
        "candidates": flat["candidates"],
        "kept": flat["kept"],
        "queries": flat["queries"],
        "summary": flat.get("summary", ""),
        "arxiv": arxiv,
    }


def _maybe(path: Path, model: Any) -> list[Any] | None:
    return read_jsonl(path, model) if path.is_file() else None


def _doc_infos(path: Path) -> list[DocInfo] | None:
    if not path.is_file():
        return None
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(
                DocInfo(
                    paper_id=row["paper_id"],
                    n_pages=int(row.get("n_pages", 0)),
                    pages_read=int(row.get("pages_read", row.get("n_pages", 0))),
                    references=list(row.get("references") or []),
                    warnings=list(row.get("warnings") or []),
                    language=str(row.get("language") or "en"),
                )
            )
    return out

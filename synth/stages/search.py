"""Stage 1: find papers for the question (arXiv or a local folder) and record exactly what was searched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.errors import SourceError
from synth.core.io import write_json, write_jsonl
from synth.core.stage_ids import SEARCH
from synth.pipeline.base import Stage, StageContext
from synth.sources import Source, clean_paper


def _source(ctx: StageContext) -> Source:
    name = ctx.settings.search.source
    if name == "arxiv":
        from synth.sources.arxiv import ArxivSource

        return ArxivSource(rank=_embedding_ranker(ctx), ranked_by=f"embedding similarity ({ctx.settings.embedding_model})")
    from synth.sources.local import LocalSource

    return LocalSource(Path(name))


def _embedding_ranker(ctx: StageContext):  # -> Callable[[str, list[str]], list[float]]
    """Cosine similarity of each text to the question; the model loads only if there is something to rank."""

    def rank(question: str, texts: list[str]) -> list[float]:
        embedder = ctx.embedder()
        vectors, _ = ctx.cache.embed(embedder.key, [question, *texts], embedder.encode)
        return [float(x) for x in vectors[1:] @ vectors[0]]

    return rank


class SearchStage(Stage):
    name = SEARCH
    version = "9"  # 2: local papers dated by their first arXiv version; incomplete metadata recorded; 3: abstracts
    # read from the first page join line-end hyphens; 4: journal mastheads, running headers, glued affiliation marks;
    # 5: the title is the large text its author lines follow; "To appear in:" cover pages; 6: a name broken over lines;
    # 7: surnames in capitals, e-mail beside names, places are no names, Elsevier/Portland/BMJ headers, notices in
    # abstracts; 8: a DOI in the title field is no title, article-type labels, Hindawi headers, the copyright year;
    # 9: authors' accents drawn after their letters ("González"), "a,1,∗" after a name is an affiliation mark

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        s = ctx.settings.search
        extra: dict[str, Any] = {}
        if s.source != "arxiv":
            from synth.sources.local import folder_signature

            extra["folder"] = folder_signature(Path(s.source))  # a changed folder re-runs the search
        return {"question": ctx.question, "settings": s, "embedding_model": ctx.settings.embedding_model, **extra}

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        found = _source(ctx).find(ctx.question, ctx.settings.search, ctx.cache, ctx.ui)
        ctx.store.set_failures("search", found.failures)
        if not found.papers and not found.failures and ctx.settings.search.source != "arxiv":
            raise SourceError(f"no PDFs found in {ctx.settings.search.source}")
        papers = [clean_paper(p) for p in found.papers]  # whatever a PDF or a feed says, safe to show
        write_jsonl(out / "papers.jsonl", papers)
        plan = found.plan.model_dump(mode="json")
        write_json(out / "plan.json", plan)
        # where the papers came from, by absolute path and digest: `--resume` refuses a source that differs
        source = {"source": ctx.settings.search.source, "files": found.inputs}
        ctx.store.update_manifest(search_plan=plan, corpus={p.id: p.sha256 for p in papers}, source=source)
        return {"papers": len(papers), "failed": sum(1 for f in found.failures if f.left_out)}

"""Stage 7: what the papers say about the question (:mod:`synth.synthesis`): relevance, facets, coverage, the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.io import read_jsonl, write_json
from synth.core.records import Chunk, Claim, Failure, Paper, Verdict
from synth.core.stage_ids import CHUNK, CLAIMS, SEARCH, SYNTHESIS, VERIFY
from synth.pipeline.base import Stage, StageContext


class SynthesisStage(Stage):
    name = SYNTHESIS
    version = "2"
    upstream = (SEARCH, CHUNK, CLAIMS, VERIFY)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        settings = ctx.settings.synthesis
        extra: dict[str, Any] = {}
        if settings.writer == "llm":
            from synth.synthesis.writer import answer_prompt

            extra = {
                "llm": {k: v for k, v in ctx.settings.claims.model_dump().items() if k.startswith("llm_")},
                "prompt": answer_prompt().digest,
                "nli_model": ctx.nli_key,
            }
        from synth.synthesis.verifier import read_figures

        figures = read_figures(ctx.settings.nli_model)
        return {
            "question": ctx.question,
            "settings": settings,
            "embedding_model": ctx.embedding_key,
            "verifier_figures": figures.model_dump(mode="json") if figures else None,  # re-calibrated: re-stated
            **extra,
        }

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        from synth.synthesis.synthesize import RunRecords, synthesize
        from synth.synthesis.verifier import read_figures

        store = ctx.store
        run = RunRecords(
            question=ctx.question,
            papers=read_jsonl(store.output(SEARCH, "papers.jsonl"), Paper),
            chunks=read_jsonl(store.output(CHUNK, "chunks.jsonl"), Chunk),
            claims=read_jsonl(store.output(CLAIMS, "claims.jsonl"), Claim),
            verdicts={v.claim_id: v for v in read_jsonl(store.output(VERIFY, "verdicts.jsonl"), Verdict)},
        )
        embedder = ctx.embedder()

        def embed(texts: list[str]):  # -> np.ndarray
            return ctx.cache.embed(embedder.key, texts, embedder.encode)[0]

        settings = ctx.settings.synthesis
        result = synthesize(run, settings, embed, embedder.key, read_figures(ctx.settings.nli_model))
        failures: list[Failure] = []
        if settings.writer == "llm" and result.answer:
            result, failures = _rewrite(ctx, result, run)
        store.set_failures("synthesis", failures)
        write_json(out / "synthesis.json", result.model_dump(mode="json"))
        return {
            "papers_relevant": sum(p.relevant for p in result.papers),
            "papers": len(result.papers),
            "findings": sum(c.finding for c in result.claims),
            "facets": len(result.facets),
            "facets_addressed": sum(r.addressed for r in result.coverage),
            "answer_sentences": sum(len(p.sentences) for p in result.answer),
            "writer": result.writer,
            "dropped_sentences": result.dropped_sentences,
        }


def _rewrite(ctx: StageContext, result: Any, run: Any) -> tuple[Any, list[Failure]]:
    """The answer rewritten by the configured LLM, sentence by sentence checked by the run's verifier."""
    from synth.core.errors import SynthError
    from synth.core.records import NLI_LABELS
    from synth.synthesis.writer import answer_prompt, chat_client, rewrite

    nli = ctx.nli()
    entailment = NLI_LABELS.index("entailment")

    def entails(premise: str, hypothesis: str) -> float:
        return float(nli.predict_proba([(premise, hypothesis)])[0][entailment])

    chat = chat_client(ctx.settings.claims)
    prompt = answer_prompt()
    claims = {c.id: c for c in run.claims}
    paragraphs, dropped = [], 0
    try:
        for paragraph in result.answer:
            new, n = rewrite(
                result.question, paragraph, claims, run.verdicts, chat, entails, ctx.settings.synthesis.min_entailment, prompt
            )
            paragraphs.append(new)
            dropped += n
    except SynthError as err:  # the server is down: the extractive answer stands, and the report says why
        failure = Failure(stage="synthesis", item="answer", error=type(err).__name__, message=str(err))
        return result, [failure]
    return result.model_copy(update={"answer": paragraphs, "writer": "llm", "dropped_sentences": dropped}), []

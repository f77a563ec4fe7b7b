"""Stage 6: one verdict per claim from evidence in other papers (see :mod:`synth.verification.verify`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synth.core.io import read_jsonl, write_jsonl
from synth.core.records import Claim, Sentence
from synth.core.stage_ids import CHUNK, CLAIMS, INDEX, PARSE, VERIFY
from synth.pipeline.base import Stage, StageContext


def _languages(docs_path: Path) -> dict[str, str]:
    """paper id -> the language its parser detected (the parsed blocks themselves are not loaded)."""
    out: dict[str, str] = {}
    with docs_path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                out[row["paper_id"]] = row.get("language") or "en"
    return out


class VerifyStage(Stage):
    name = VERIFY
    version = "3"
    upstream = (PARSE, CHUNK, INDEX, CLAIMS)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        remeasurer = ctx.remeasurer()
        return {
            "settings": ctx.settings.verify,
            "nli_model": ctx.nli_key,
            "embedding_model": ctx.embedding_key,
            "remeasurements": remeasurer.identity() if remeasurer else None,  # a new re-run re-verifies
        }

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        from synth.retrieval.hybrid import HybridIndex
        from synth.verification.evidence import retrieved_candidates
        from synth.verification.verify import load_decider, verify_claims
        from synth.verification.windows import premise_budget

        settings = ctx.settings.verify
        claims = read_jsonl(ctx.store.output(CLAIMS, "claims.jsonl"), Claim)
        if not claims:
            write_jsonl(out / "verdicts.jsonl", [])
            return {"claims": 0}
        index = HybridIndex.load(ctx.store.stage_dir(INDEX), ctx.store.output(CHUNK, "chunks.jsonl"))
        sentences = {s.id: s for s in read_jsonl(ctx.store.output(CHUNK, "sentences.jsonl"), Sentence)}
        languages = _languages(ctx.store.output(PARSE, "docs.jsonl"))
        nli = ctx.nli()
        embedder = ctx.embedder()
        index.dense.check(embedder.key, embedder.dim)

        def embed(texts: list[str]):  # -> np.ndarray
            return ctx.cache.embed(embedder.key, texts, embedder.encode)[0]

        texts = [c.text for c in claims]
        candidates = retrieved_candidates(
            texts,
            embed(texts),
            [{s.paper_id for s in c.sources} for c in claims],
            index,
            sentences,
            settings.top_k,
            lambda text: premise_budget(nli.count_tokens(text), nli.max_tokens, settings.max_premise_tokens),
            nli.count_tokens,
        )
        verdicts, counts = verify_claims(
            claims,
            candidates,
            nli,
            embed,
            settings,
            load_decider(ctx.settings.nli_model, settings),
            ctx.remeasurer(),
            language_of=lambda _text, chunk: languages.get(chunk.paper_id) if chunk else None,
        )
        write_jsonl(out / "verdicts.jsonl", verdicts)
        return {**counts, "retrieval": index.kind}

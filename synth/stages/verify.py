"""Stage 6: one verdict per claim from evidence in other papers (see :mod:`synth.verification.verify`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.io import read_jsonl, write_jsonl
from synth.core.modelref import model_key
from synth.core.records import Claim, Sentence
from synth.core.stage_ids import CHUNK, CLAIMS, INDEX, VERIFY
from synth.pipeline.base import Stage, StageContext
from synth.retrieval.index import PassageIndex


class VerifyStage(Stage):
    name = VERIFY
    version = "2"
    upstream = (CHUNK, INDEX, CLAIMS)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        remeasurer = ctx.remeasurer()
        return {
            "settings": ctx.settings.verify,
            "nli_model": model_key(ctx.settings.nli_model),
            "embedding_model": model_key(ctx.settings.embedding_model),
            "remeasurements": remeasurer.identity() if remeasurer else None,  # a new re-run re-verifies
        }

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        from synth.verification.verify import load_calibration, rule_parameters, verify_claims

        claims = read_jsonl(ctx.store.output(CLAIMS, "claims.jsonl"), Claim)
        if not claims:
            write_jsonl(out / "verdicts.jsonl", [])
            return {"claims": 0}
        index = PassageIndex.load(ctx.store.stage_dir(INDEX), ctx.store.output(CHUNK, "chunks.jsonl"))
        sentences = {s.id: s for s in read_jsonl(ctx.store.output(CHUNK, "sentences.jsonl"), Sentence)}
        nli = ctx.nli()
        embedder = ctx.embedder()
        index.check(embedder.key, embedder.dim)

        def embed(texts: list[str]):  # -> np.ndarray
            return ctx.cache.embed(embedder.key, texts, embedder.encode)[0]

        rule = rule_parameters(ctx.settings.verify, load_calibration(ctx.settings.nli_model))
        verdicts, counts = verify_claims(claims, index, sentences, nli, embed, ctx.settings.verify, rule, ctx.remeasurer())
        write_jsonl(out / "verdicts.jsonl", verdicts)
        return counts

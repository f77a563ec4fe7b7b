"""Stage 5: the run's claims, extracted, ranked and de-duplicated by :mod:`synth.claims.selection`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.claims import get_extractor
from synth.claims.base import Candidate
from synth.claims.decontext import PaperContext, paper_context
from synth.claims.faithfulness import check_rewrites, rewrite_pairs
from synth.claims.selection import extract_all, rank
from synth.core.abbreviations import expand
from synth.core.io import read_jsonl, write_jsonl
from synth.core.records import NLI_LABELS, Paper, ParsedDoc, Sentence
from synth.core.stage_ids import CHUNK, CLAIMS, PARSE, SEARCH
from synth.pipeline.base import Stage, StageContext
from synth.synthesis.facets import QuestionGate


def question_gate(
    question: str,
    papers: dict[str, Paper],
    sentences: dict[str, list[Sentence]],
    contexts: dict[str, PaperContext] | None = None,
) -> tuple[QuestionGate, Callable[[Candidate], bool]]:
    """The gate of :class:`QuestionGate` bound to this run's papers: a candidate's own text is the claim and its
    sentence, and the paper's title too when the claim is about the paper's own method or its authors ("BIDAF
    outperforms …" is about "Bi-Directional Attention Flow for Machine Comprehension"); its context is the sentence's
    section and the paper's title and abstract. ``contexts``: each paper's name and abbreviations as its extractor read
    them (from its first page's lines too), so that the gate and the claims name a paper alike."""
    gate = QuestionGate.of(question)
    about = {p.id: f"{p.title}. {p.abstract}" for p in papers.values()}
    own_names: dict[str, list[str]] = {}
    defined: dict[str, dict[str, str]] = {}  # the abbreviations each paper defines: "TJ" is read as "tunnel junction"
    for p in papers.values():
        ctx = (contexts or {}).get(p.id) or paper_context(p, sentences.get(p.id, []))
        own_names[p.id] = [n for n in (ctx.name, ctx.ref.split(" (")[0] if p.authors else None) if n]
        defined[p.id] = ctx.abbreviations

    def answers(c: Candidate) -> bool:
        pid = c.sentence.paper_id
        own = f"{c.text} {c.sentence.text}"
        if pid in papers and any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", own) for n in own_names[pid]):
            own += f" {papers[pid].title}"
        short = defined.get(pid, {})
        return gate.admits(expand(own, short), expand(f"{c.sentence.section or ''} {about.get(pid, '')}", short))

    return gate, answers


class ClaimsStage(Stage):
    name = CLAIMS
    # 17: speculation of what would be possible, results between cited sentences, "De Marchis et al."; 18: passive
    # procedures in Methods; 19: results in the words of the life sciences ("dependent on", "did not predict"); 20:
    # "outperforms all baselines" with none named is not self-contained; 21: "could be used to", ongoing work, a mechanism
    # ("is used to compute") and a definition are not findings; the verb after "Which … models" is no facet; 22: a
    # description is no finding, an abstract's opening is background, measures of other fields, abbreviations the
    # paper defines read in the question gate; 23: "Author contribution" is back matter; 24: cited results with a
    # hyphenated surname or told with "they concluded", a participant's quoted words, "Accordingly", "both <things>";
    # where data came from and how a quantity is got; 25: the question gate names a paper as its extractor read it (the
    # title from the first page's lines too); 26: the authors' earlier study ("We previously identified") is cited, a
    # quoted "we" is the speaker's, "our understanding of" is the field's; 27: "the intervention", "this new record",
    # "these are the only studies", "The opposite also holds" lean on the text before
    version = "27"
    upstream = (SEARCH, PARSE, CHUNK)

    def inputs(self, ctx: StageContext) -> dict[str, Any]:
        settings = ctx.settings.claims
        extra: dict[str, Any] = {}
        if settings.extractor == "llm":
            from synth.claims.prompts import load_prompt

            extra["prompt"] = load_prompt("extract_claims").digest  # an edited prompt re-runs the stage
        return {
            "question": ctx.question,
            "settings": settings,
            "embedding_model": ctx.embedding_key,
            **extra,
        }

    def run(self, ctx: StageContext, out: Path) -> dict[str, Any]:
        papers = {p.id: p for p in read_jsonl(ctx.store.output(SEARCH, "papers.jsonl"), Paper)}
        docs = {d.paper_id: d for d in read_jsonl(ctx.store.output(PARSE, "docs.jsonl"), ParsedDoc)}
        by_paper: dict[str, list[Sentence]] = {}
        for s in read_jsonl(ctx.store.output(CHUNK, "sentences.jsonl"), Sentence):
            by_paper.setdefault(s.paper_id, []).append(s)
        settings = ctx.settings.claims
        extractor = get_extractor(settings)
        found = extract_all(extractor, papers, docs, by_paper)
        refused = 0
        if found.candidates:
            nli = ctx.nli()
            entailment = NLI_LABELS.index("entailment")
            # every rewrite against its source in one batched call (length-sorted batches, cached pairs read back)
            pairs = rewrite_pairs(found.candidates)
            scored = dict(zip(pairs, (float(p[entailment]) for p in nli.predict_proba(pairs)), strict=True)) if pairs else {}

            def entails(premise: str, rewrite: str) -> float:
                if (premise, rewrite) in scored:
                    return scored[(premise, rewrite)]
                return float(nli.predict_proba([(premise, rewrite)])[0][entailment])

            found.candidates, refused = check_rewrites(found.candidates, entails)
        ctx.store.set_failures("claims", found.failures)
        counts: dict[str, Any] = {
            "extractor": extractor.name,
            "candidates": len(found.candidates),
            "not_self_contained": found.not_self_contained,
            "rejected": found.rejected,
            "failed_papers": len(found.failures),
            "rewrites_refused": refused,
        }
        if not found.candidates:
            write_jsonl(out / "claims.jsonl", [])
            return {**counts, "claims": 0, "merged_duplicates": 0}
        gate, answers = question_gate(ctx.question, papers, by_paper, found.contexts)
        if settings.min_similarity > 0:  # the relevance cut is on (see synth.claims.selection)
            counts["off_question"] = sum(not answers(c) for c in found.candidates)
            counts["question_gate"] = gate.describe()
        embedder = ctx.embedder()
        vectors, _ = ctx.cache.embed(embedder.key, [c.text for c in found.candidates], embedder.encode)
        question = embedder.encode([ctx.question])[0]
        claims, merged = rank(
            found.candidates,
            vectors,
            question,
            settings.max_claims,
            settings.per_paper,
            extractor.name,
            settings.min_similarity,
            answers,
        )
        write_jsonl(out / "claims.jsonl", claims)
        return {**counts, "claims": len(claims), "merged_duplicates": merged}

"""Fit the verifier's claim-level aggregator and operating point on SciFact's ``fit`` part; measure on ``eval``.

The same functions as ``synth verify`` build the evidence (:mod:`synth.verification.evidence`), score it and turn it
into features (:mod:`synth.verification.aggregate`), so what is fitted is what runs. Fit claims appear twice:

- with their cited abstracts as evidence (oracle), labelled with SciFact's gold verdict;
- with passages retrieved (dense + BM25) from the other 5,000 abstracts, their cited ones removed, labelled "not
  enough evidence": this is what most claims of a real run meet — related but not deciding text — and without it
  the aggregator would learn only from evidence that always bears on the claim.

The ``eval`` part (see :func:`synth.training.data.scifact_split`) is never used for fitting or for choosing the
operating point. Today's max-over-windows rule with an isotonic calibration (:mod:`synth.verification.calibration`)
is fitted and measured beside it as the baseline.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.records import VERDICT_LABELS, Chunk, Sentence
from synth.core.settings import DEFAULT_EMBEDDING_MODEL, load_settings
from synth.retrieval.hybrid import HybridIndex
from synth.retrieval.index import PassageIndex, build_index
from synth.retrieval.lexical import LexicalIndex
from synth.training.data import SciFactClaim, load_scifact_claims, load_scifact_corpus
from synth.verification.aggregate import Aggregator, features, precision_coverage
from synth.verification.calibration import Calibration
from synth.verification.decision import judge
from synth.verification.evidence import Embed, Window, document_candidates, rank_windows, retrieved_candidates
from synth.verification.metrics import expected_calibration_error
from synth.verification.nli import NLIModel, load_nli
from synth.verification.numbers import NumberCheck
from synth.verification.windows import premise_budget

THRESHOLDS = [round(x, 2) for x in np.arange(0.30, 0.951, 0.05)]
MARGINS = [round(x, 2) for x in np.arange(0.0, 0.601, 0.05)]
WINDOWS_PER_CLAIM = 16
TOP_K = 8
MAX_PREMISE_TOKENS = 200
# distractor-evidence examples count this much in the fit: they teach "related text is not evidence" without making
# "not enough evidence" the prior of every claim
DISTRACTOR_WEIGHT = 0.5


# ----------------------------------------------------------------------------------------------- evidence
def corpus_index(corpus: dict[int, dict], embed: Embed, model_key: str) -> tuple[HybridIndex, dict[str, Sentence]]:
    """SciFact's abstracts as one chunk each (sentences kept), indexed dense + BM25 like a run's papers."""
    chunks: list[Chunk] = []
    sentences: dict[str, Sentence] = {}
    for doc_id, doc in sorted(corpus.items()):
        paper = f"scifact:{doc_id}"
        ids = []
        offset = 0
        for i, text in enumerate(doc["abstract"]):
            sid = f"{paper}#s{i}"
            sentences[sid] = Sentence(
                id=sid, paper_id=paper, page=1, section="abstract", char_start=offset, char_end=offset + len(text), text=text
            )
            ids.append(sid)
            offset += len(text) + 1
        text = " ".join(doc["abstract"])
        chunks.append(
            Chunk(
                id=f"{paper}#c0",
                paper_id=paper,
                page_start=1,
                page_end=1,
                section="abstract",
                char_start=0,
                char_end=len(text),
                sentence_ids=ids,
                text=text,
            )
        )
    vectors = embed([c.text for c in chunks])
    dense, _ = build_index(vectors, flat_max=10**7, dim=int(vectors.shape[1]))
    index = PassageIndex(dense, chunks, {"model_key": model_key, "dim": int(vectors.shape[1])})
    return HybridIndex(index, LexicalIndex.build([c.text for c in chunks])), sentences


def claim_evidence(
    nli: NLIModel, embed: Embed, texts: list[str], candidates: list[list[tuple[str, Chunk | None]]]
) -> tuple[list[list[Window]], list[np.ndarray]]:
    """Re-ranked windows and their NLI probabilities, per claim (one batched, length-sorted model call)."""
    windows = rank_windows(texts, embed(texts), candidates, embed, WINDOWS_PER_CLAIM)
    pairs = [(w.text, t) for t, ws in zip(texts, windows, strict=True) for w in ws]
    probs = nli.predict_proba(pairs) if pairs else np.zeros((0, 3))
    out, offset = [], 0
    for ws in windows:
        out.append(probs[offset : offset + len(ws)])
        offset += len(ws)
    return windows, out


def feature_matrix(windows: list[list[Window]], probs: list[np.ndarray]) -> np.ndarray:
    """Features per claim (SciFact claims carry no structured numbers: the number check stays silent)."""
    return np.array([features(p, w, NumberCheck("unrelated")) for w, p in zip(windows, probs, strict=True)])


# ----------------------------------------------------------------------------------------------- metrics
def verdict_metrics(gold: Sequence[str], probs: np.ndarray, min_confidence: float) -> dict[str, Any]:
    """3-class accuracy and macro-F1 of the most probable verdict, its ECE, and precision/coverage at the operating point."""
    from sklearn.metrics import f1_score

    probs = np.asarray(probs)
    pred = [VERDICT_LABELS[i] for i in probs.argmax(axis=1)]
    correct = [p == g for p, g in zip(pred, gold, strict=True)]
    per = f1_score(gold, pred, labels=list(VERDICT_LABELS), average=None, zero_division=0)
    return {
        "n_claims": len(gold),
        "accuracy": round(float(np.mean(correct)), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=list(VERDICT_LABELS), average="macro", zero_division=0)), 4),
        "f1": {v: round(float(x), 4) for v, x in zip(VERDICT_LABELS, per, strict=True)},
        "pred_dist": {v: pred.count(v) for v in VERDICT_LABELS},
        "gold_dist": {v: list(gold).count(v) for v in VERDICT_LABELS},
        "ece_15": round(expected_calibration_error(probs.max(axis=1).tolist(), correct, 15), 4),
        "at_operating_point": {"min_confidence": min_confidence, **precision_coverage(probs, list(gold), min_confidence)},
    }


def rule_metrics(gold: Sequence[str], probs: list[np.ndarray], cal: Calibration) -> dict[str, Any]:
    """The baseline: max-over-windows rule, confidence from its isotonic calibration."""
    from sklearn.metrics import f1_score

    js = [judge(p, threshold=cal.threshold, margin=cal.margin) for p in probs]
    pred = [j.label for j in js]
    conf = [cal.apply(j.label, j.score) for j in js]
    correct = [p == g for p, g in zip(pred, gold, strict=True)]
    called = [i for i, p in enumerate(pred) if p == "supported"]
    return {
        "accuracy": round(float(np.mean(correct)), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=list(VERDICT_LABELS), average="macro", zero_division=0)), 4),
        "ece_15": round(expected_calibration_error(conf, correct, 15), 4),
        "precision_supported": round(float(np.mean([gold[i] == "supported" for i in called])), 4) if called else None,
        "pred_dist": {v: pred.count(v) for v in VERDICT_LABELS},
    }


def choose_rule(gold: Sequence[str], probs: Sequence[np.ndarray]) -> tuple[float, float, float]:
    """(threshold, margin, macro-F1) of the baseline rule maximising claim-level macro-F1 on the fit claims."""
    from sklearn.metrics import f1_score

    best = (0.5, 0.0, -1.0)
    for t, m in itertools.product(THRESHOLDS, MARGINS):
        pred = [judge(p, threshold=t, margin=m).label for p in probs]
        f1 = float(f1_score(gold, pred, labels=list(VERDICT_LABELS), average="macro", zero_division=0))
        if f1 > best[2] + 1e-9:
            best = (t, m, f1)
    return best


# ----------------------------------------------------------------------------------------------- the recipe
def calibrate(
    model_dir: str | Path, scifact_root: str | Path, embedding_model: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64
) -> dict[str, Any]:
    """Fit and write ``<model_dir>/aggregator.json`` (and the baseline's ``calibration.json``); returns the figures."""
    from synth.core.cache import Cache
    from synth.retrieval.embedding import load_embedder

    t0 = time.time()
    nli = load_nli(str(model_dir), device="cpu", batch_size=batch_size)
    embedder = load_embedder(embedding_model, "cpu")
    cache = Cache(load_settings().cache_dir)

    def embed(texts: list[str]) -> np.ndarray:
        return cache.embed(embedder.key, texts, embedder.encode)[0]

    def budget(text: str) -> int:
        return premise_budget(nli.count_tokens(text), nli.max_tokens, MAX_PREMISE_TOKENS)

    corpus = load_scifact_corpus(scifact_root)
    index, sentences = corpus_index(corpus, embed, embedder.key)
    parts = {part: load_scifact_claims(scifact_root, part) for part in ("fit", "eval")}

    def oracle(claims: list[SciFactClaim]) -> tuple[list[list[Window]], list[np.ndarray]]:
        texts = [c.claim for c in claims]
        docs = [[corpus[d]["abstract"] for d in c.cited_doc_ids] for c in claims]
        return claim_evidence(nli, embed, texts, document_candidates(texts, docs, budget, nli.count_tokens))

    def retrieved(claims: list[SciFactClaim], drop_cited: bool) -> tuple[list[list[Window]], list[np.ndarray]]:
        texts = [c.claim for c in claims]
        own = [{f"scifact:{d}" for d in c.cited_doc_ids} if drop_cited else set() for c in claims]
        candidates = retrieved_candidates(texts, embed(texts), own, index, sentences, TOP_K, budget, nli.count_tokens)
        return claim_evidence(nli, embed, texts, candidates)

    fit, ev = parts["fit"], parts["eval"]
    sets = {
        "fit_oracle": oracle(fit),
        "fit_distract": retrieved(fit, drop_cited=True),
        "eval_oracle": oracle(ev),
        "eval_retrieval": retrieved(ev, drop_cited=False),
    }
    evidence = Evidence(
        features={k: feature_matrix(*v) for k, v in sets.items()},
        probs={k: v[1] for k, v in sets.items()},
        fit_gold=[c.label for c in fit],
        eval_gold=[c.label for c in ev],
    )
    evidence.save(Path(model_dir) / "calibration_evidence.npz")
    model = {"path": str(model_dir), "revision": nli.revision, "embedding_model": embedder.key}
    figures = fit_and_evaluate(evidence, model_dir, model)
    return {**figures, "seconds": round(time.time() - t0, 1)}


class Evidence:
    """Features and window probabilities of every calibration set, so that fitting can be redone without the model.

    Saved as plain numpy arrays (``.npz``; the ragged per-claim probabilities concatenated with their offsets).
    """

    def __init__(
        self, features: dict[str, np.ndarray], probs: dict[str, list[np.ndarray]], fit_gold: list[str], eval_gold: list[str]
    ):
        self.features, self.probs, self.fit_gold, self.eval_gold = features, probs, fit_gold, eval_gold

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"fit_gold": np.array(self.fit_gold), "eval_gold": np.array(self.eval_gold)}
        for name in self.features:
            arrays[f"x_{name}"] = self.features[name]
            arrays[f"p_{name}"] = np.vstack([*self.probs[name], np.zeros((0, 3))])
            arrays[f"n_{name}"] = np.array([len(p) for p in self.probs[name]])
        np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy stubs type the first keyword as allow_pickle

    @classmethod
    def load(cls, path: Path) -> Evidence:
        data = np.load(path, allow_pickle=False)
        names = [k[2:] for k in data.files if k.startswith("x_")]
        probs = {}
        for name in names:
            flat, sizes = data[f"p_{name}"], data[f"n_{name}"]
            probs[name] = np.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) else []
        return cls({n: data[f"x_{n}"] for n in names}, probs, data["fit_gold"].tolist(), data["eval_gold"].tolist())


def fit_and_evaluate(
    evidence: Evidence, model_dir: str | Path, model: dict[str, Any], distractor_weight: float = DISTRACTOR_WEIGHT
) -> dict[str, Any]:
    """Fit the aggregator (and the baseline rule's calibration) on the fit sets; measure both on the eval sets."""
    fit_gold = evidence.fit_gold
    x_fit = np.vstack([evidence.features["fit_oracle"], evidence.features["fit_distract"]])
    y_fit: list[str] = [*fit_gold, *(["not_enough_evidence"] * len(fit_gold))]
    weights = np.array([1.0] * len(fit_gold) + [distractor_weight] * len(fit_gold))
    aggregator = Aggregator.fit(
        x_fit,
        y_fit,
        sample_weight=weights,
        fit_data={
            "dataset": "SciFact claims_train.jsonl",
            "part": "fit",
            "split": "synth.training.data.scifact_split (sha256 of claim id; 60/20/20 train/fit/eval)",
            "n_claims": len(fit_gold),
            "examples": len(y_fit),
            "evidence": "each fit claim twice: its cited abstracts (gold label), and passages retrieved from the other "
            f"abstracts with its cited ones removed (not enough evidence, weight {distractor_weight:g})",
            "windows_per_claim": WINDOWS_PER_CLAIM,
            "top_k": TOP_K,
        },
        model=model,
    )
    threshold, margin, fit_f1 = choose_rule(fit_gold, evidence.probs["fit_oracle"])
    fit_j = [judge(p, threshold=threshold, margin=margin) for p in evidence.probs["fit_oracle"]]
    baseline = Calibration.fit(
        [j.label for j in fit_j],
        [j.score for j in fit_j],
        [j.label == g for j, g in zip(fit_j, fit_gold, strict=True)],
        threshold=threshold,
        margin=margin,
        fit_data={"dataset": "SciFact claims_train.jsonl", "part": "fit", "n_claims": len(fit_gold),
                  "premises": "oracle abstracts", "rule_selection": f"grid search, fit macro-F1 {fit_f1:.4f}"},
        model=model,
    )  # fmt: skip
    gold = evidence.eval_gold
    settings: dict[str, Any] = {}
    for name in ("oracle", "retrieval"):
        probs = evidence.probs[f"eval_{name}"]
        p = aggregator.predict_proba(evidence.features[f"eval_{name}"])
        settings[name] = {
            "aggregator": verdict_metrics(gold, p, aggregator.min_confidence),
            "baseline_rule": rule_metrics(gold, probs, baseline),
            "n_pairs": int(sum(len(x) for x in probs)),
        }
    aggregator.eval = {"part": "eval", "n_claims": len(gold), **settings}
    aggregator.save(Path(model_dir) / "aggregator.json")
    baseline.save(Path(model_dir) / "calibration.json")
    return {"operating_point": aggregator.operating_point, **aggregator.eval}


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(json.dumps(calibrate(sys.argv[1], sys.argv[2]), indent=2))

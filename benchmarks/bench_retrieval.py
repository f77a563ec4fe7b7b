"""Benchmark arXiv retrieval against the local arXiv-compatible server (tests/arxiv_server.py, 17 real papers).

For a few research questions, the papers a researcher would expect (judged from their titles, see QUESTIONS)
are compared with what ``ArxivSource`` keeps:

- precision@k for k = 3 and k = R (R = number of expected papers; P@R is also recall@R), for the real
  embedding ranker (all-MiniLM-L6-v2 from its PyPI package, as ``synth run`` uses) and the word-overlap fallback;
- candidate recall: the share of expected papers the planned queries found at all (query planning, before ranking);
- time: seconds spent waiting (rate limit + retry backoff) vs in HTTP calls vs everything else, per question,
  with arXiv's real spacing of 3 s by default, on a cold cache and again on a warm one (cached PDFs cost nothing).

Usage: ``python benchmarks/bench_retrieval.py [--interval 3.0] [--max-papers 5] [--no-embedding]``.
Writes ``reports/benchmarks/retrieval.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the local arXiv server lives with the tests

from synth.core.cache import Cache  # noqa: E402
from synth.core.settings import SearchSettings  # noqa: E402
from synth.core.ui import UI  # noqa: E402
from synth.sources.arxiv import ArxivClient, ArxivSource, RateLimiter, lexical_rank  # noqa: E402
from tests.arxiv_server import ArxivTestServer, shared_corpus  # noqa: E402

EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"

# Expected papers, judged from the titles of the local corpus (ids without version):
QUESTIONS: list[dict[str, object]] = [
    {
        "question": "How well do multilingual pretrained models such as mBERT and XLM-R transfer across languages?",
        "expected": {
            "1911.01464": "Emerging Cross-lingual Structure in Pretrained Language Models: why mBERT-style models transfer",
            "2005.00396": "Identifying Elements Essential for BERT's Multilinguality: what makes mBERT multilingual",
            "2101.11112": "Cross-lingual NER with XLM-RoBERTa alignment: zero-shot transfer of XLM-R",
            "1809.05053": "XNLI: the cross-lingual transfer benchmark these models are measured on",
        },
    },
    {
        "question": "Which neural network architectures work best for natural language inference?",
        "expected": {
            "1609.06038": "ESIM: Enhanced LSTM for Natural Language Inference",
            "1802.05577": "DR-BiLSTM: Dependent Reading Bidirectional LSTM for Natural Language Inference",
            "1708.02312": "Shortcut-Stacked Sentence Encoders for Multi-Domain Inference (MultiNLI)",
            "1702.03814": "BiMPM: sentence matching, evaluated on SNLI",
        },
    },
    {
        "question": "Do general-purpose sentence embeddings transfer to downstream tasks?",
        "expected": {
            "1705.02364": "InferSent: universal sentence representations, evaluated on transfer tasks",
            "1803.11175": "Universal Sentence Encoder: sentence embeddings for transfer",
            "1511.08198": "Towards Universal Paraphrastic Sentence Embeddings",
            "2004.09813": "Making monolingual sentence embeddings multilingual",
        },
    },
    {
        "question": "Can word embeddings be learned efficiently from very large text corpora?",
        "expected": {
            "1301.3781": "word2vec: Efficient Estimation of Word Representations in Vector Space",
            "1607.01759": "fastText: Bag of Tricks for Efficient Text Classification (fast word-vector training)",
        },
    },
]


def _base(arxiv_id: str) -> str:
    return arxiv_id.rsplit("v", 1)[0] if "v" in arxiv_id.split("/")[-1] else arxiv_id


def precision_at(ranked: Sequence[str], expected: set[str], k: int) -> float:
    return sum(1 for i in ranked[:k] if i in expected) / k


def embedding_ranker() -> Callable[[str, list[str]], list[float]]:
    from synth.retrieval.embedding import load_embedder

    t0 = time.perf_counter()
    embedder = load_embedder(EMBEDDER, "cpu")
    embedding_ranker.load_s = time.perf_counter() - t0  # type: ignore[attr-defined]

    def rank(question: str, texts: list[str]) -> list[float]:
        vectors = embedder.encode([question, *texts])
        return [float(x) for x in vectors[1:] @ vectors[0]]

    return rank


def run_question(server: ArxivTestServer, settings: SearchSettings, cache: Cache, q: dict, rank, ranked_by: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    client = ArxivClient(settings, limiter=RateLimiter())
    seen = len(server.requests)
    t0 = time.perf_counter()
    found = ArxivSource(rank=rank, ranked_by=ranked_by, client=client).find(q["question"], settings, cache, UI(quiet=True))
    total = time.perf_counter() - t0
    expected = set(q["expected"])
    arxiv = found.plan.arxiv
    assert arxiv is not None
    ranked = [_base(c.id) for c in arxiv.ranking]
    r = len(expected)
    return {
        "ranked_by": ranked_by,
        "kept": [p.id for p in found.papers],
        "candidates": len(ranked),
        "candidate_recall": round(len(expected & set(ranked)) / r, 3),
        "p@3": round(precision_at(ranked, expected, 3), 3),
        f"p@R (R={r})": round(precision_at(ranked, expected, r), 3),
        "p@R": round(precision_at(ranked, expected, r), 3),
        "queries": [{"name": x.name, "total_results": x.total_results} for x in found.plan.queries],
        "requests": len(server.requests) - seen,
        "pdf_requests": sum(1 for x in server.requests[seen:] if x.route == "pdf"),
        "from_cache": arxiv.from_cache,
        "failed": arxiv.failed,
        "time_s": {
            "total": round(total, 3),
            "waiting": round(client.stats.waited_s, 3),
            "http": round(client.stats.http_s, 3),
            "other (planning, parsing, ranking, PDF checks)": round(total - client.stats.waited_s - client.stats.http_s, 3),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--interval", type=float, default=SearchSettings().request_interval_s, help="Seconds between requests (arXiv: 3)."
    )
    ap.add_argument("--max-papers", type=int, default=5)
    ap.add_argument("--no-embedding", action="store_true", help="Only the word-overlap ranker (no model load).")
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks" / "retrieval.json")
    args = ap.parse_args()

    rankers: list[tuple[str, Callable[[str, list[str]], Sequence[float]]]] = [("word overlap", lexical_rank)]
    if not args.no_embedding:
        rankers.insert(0, (f"embedding similarity ({EMBEDDER})", embedding_ranker()))
    results: list[dict] = []  # type: ignore[type-arg]
    with ArxivTestServer(docs=shared_corpus()) as server, tempfile.TemporaryDirectory() as tmp:
        settings = SearchSettings(
            arxiv_api_url=server.api_url,
            arxiv_pdf_url=server.pdf_url,
            request_interval_s=args.interval,
            max_papers=args.max_papers,
        )
        for ranked_by, rank in rankers:
            cache = Cache(Path(tmp) / ranked_by.split()[0])
            for q in QUESTIONS:
                row = {"question": q["question"], "expected": sorted(q["expected"])}  # type: ignore[call-overload]
                row["cold"] = run_question(server, settings, cache, q, rank, ranked_by)
                if ranked_by.startswith("embedding"):  # the same question again: every PDF is in the cache now
                    row["warm"] = run_question(server, settings, cache, q, rank, ranked_by)
                results.append(row)
                print(
                    f"  {ranked_by[:20]:<20} {q['question'][:56]:<56} P@3 {row['cold']['p@3']:.2f} P@R {row['cold']['p@R']:.2f} "
                    f"wait {row['cold']['time_s']['waiting']:.1f}s / http {row['cold']['time_s']['http']:.2f}s",
                    flush=True,
                )

    summary: dict[str, dict[str, float]] = {}
    for ranked_by, _ in rankers:
        rows = [r["cold"] for r in results if r["cold"]["ranked_by"] == ranked_by]
        summary[ranked_by] = {
            "mean_p@3": round(sum(r["p@3"] for r in rows) / len(rows), 3),
            "mean_p@R": round(sum(r["p@R"] for r in rows) / len(rows), 3),
            "mean_candidate_recall": round(sum(r["candidate_recall"] for r in rows) / len(rows), 3),
            "cold_total_s": round(sum(r["time_s"]["total"] for r in rows), 2),
            "cold_waiting_s": round(sum(r["time_s"]["waiting"] for r in rows), 2),
            "cold_http_s": round(sum(r["time_s"]["http"] for r in rows), 2),
            "cold_requests": sum(r["requests"] for r in rows),
        }
        warm = [r["warm"] for r in results if "warm" in r and r["warm"]["ranked_by"] == ranked_by]
        if warm:
            summary[ranked_by].update(
                warm_total_s=round(sum(r["time_s"]["total"] for r in warm), 2),
                warm_waiting_s=round(sum(r["time_s"]["waiting"] for r in warm), 2),
                warm_requests=sum(r["requests"] for r in warm),
                warm_pdf_requests=sum(r["pdf_requests"] for r in warm),
            )
    out = {
        "benchmark": "retrieval",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "server": "tests/arxiv_server.py on 127.0.0.1 (17 arXiv papers of ../shared/data/pdfs)",
        "request_interval_s": args.interval,
        "max_papers": args.max_papers,
        "embedding_model_load_s": round(getattr(embedding_ranker, "load_s", 0.0), 2),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus_note": "2 cores shared with a training job",
        },
        "summary": summary,
        "questions": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

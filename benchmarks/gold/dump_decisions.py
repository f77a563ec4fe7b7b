"""A finished run's claim–passage decisions, with the labels the gold set already holds attached.

The gold set (``verify_decisions.jsonl``) stores each labelled decision by the sha256 of its claim and of its
passage (with the paper, page and first words to find them), never the text: the arXiv papers' licences do not
allow copying their sentences into this repository. This tool rebuilds the full rows from a run over the same
PDFs: every passage synth showed for a claim becomes ``{"question", "claim", "passage", "paper_id", "page",
"shown_as", "label", "note"}``, where ``label`` is the gold label when the gold set has this claim and passage, and
null when it does not yet — those are the decisions to read and label (supported / refuted / neither: does *this
passage*, read in its paper, establish the claim, contradict it, or neither?), then add with ``--add``.

Usage:
  python benchmarks/gold/dump_decisions.py RUN_DIR [RUN_DIR …] > decisions.jsonl    (full rows, local use only)
  python benchmarks/gold/dump_decisions.py --add labelled.jsonl                       (store new labels, hashed)
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from synth.core.io import read_jsonl
from synth.core.records import Claim, Verdict

GOLD = Path(__file__).resolve().parent / "verify_decisions.jsonl"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _start(text: str) -> str:
    return " ".join(text.split()[:6])


def gold_labels(path: Path = GOLD) -> dict[tuple[str, str], dict]:
    """(claim sha256, passage sha256) -> the gold row."""
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["claim_sha256"], r["passage_sha256"]): r for r in rows}


def dump(runs: list[Path], gold: dict[tuple[str, str], dict]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for run in runs:
        question = json.loads((run / "manifest.json").read_text())["question"]
        claims = {c.id: c for c in read_jsonl(run / "05_claims" / "claims.jsonl", Claim)}
        for v in read_jsonl(run / "06_verify" / "verdicts.jsonl", Verdict):
            claim = claims[v.claim_id]
            for e in v.evidence:
                key = (sha(claim.text), sha(e.text))
                if key in seen:
                    continue
                seen.add(key)
                known = gold.get(key, {})
                out.append(
                    {
                        "question": question,
                        "claim": claim.text,
                        "claim_source": claim.sources[0].paper_id if claim.sources else None,
                        "passage": e.text,
                        "paper_id": e.paper_id,
                        "page": e.page,
                        "shown_as": e.role,
                        "label": known.get("label"),
                        "note": known.get("note", ""),
                    }
                )
    return out


def add(labelled: Path, path: Path = GOLD) -> int:
    """Store the labelled rows of ``labelled`` (full text) in the gold set by hash; returns how many were new."""
    gold = gold_labels(path)
    new = 0
    for line in labelled.read_text(encoding="utf-8").splitlines():
        r = json.loads(line) if line.strip() else None
        if not r or r.get("label") not in ("supported", "refuted", "neither"):
            continue
        key = (sha(r["claim"]), sha(r["passage"]))
        new += key not in gold
        gold[key] = {
            "question": r["question"],
            "claim_sha256": key[0],
            "passage_sha256": key[1],
            "claim_source": r.get("claim_source"),
            "claim_start": _start(r["claim"]),
            "paper_id": r.get("paper_id"),
            "page": r.get("page"),
            "passage_start": _start(r["passage"]),
            "label": r["label"],
            "note": r.get("note", ""),
        }
    path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold.values()), encoding="utf-8")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="*")
    parser.add_argument("--add", type=Path, help="A labelled full-row file whose labels join the gold set.")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args()
    if args.add:
        print(f"{add(args.add, args.gold)} new labelled decisions stored in {args.gold}")
        return
    for row in dump(args.runs, gold_labels(args.gold)):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()

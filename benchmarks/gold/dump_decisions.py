"""List a finished run's claim–passage decisions that the gold set does not label yet, for labelling by reading.

Every passage synth showed for a claim (deciding, best supporting, best contradicting, closest) becomes one row:
``{"question", "claim", "passage", "paper_id", "page", "shown_as", "model_probs", "label": null, "note": ""}``. A
reader fills ``label`` with supported / refuted / neither (does *this passage*, read in its paper, establish the
claim, contradict it, or neither?) and appends the row to ``verify_decisions.jsonl``. Rows already labelled
(same claim and passage) are skipped, so re-running after a model change lists only what is new.

Usage: ``python benchmarks/gold/dump_decisions.py RUN_DIR [--gold benchmarks/gold/verify_decisions.jsonl]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from synth.core.io import read_jsonl
from synth.core.records import Claim, Verdict

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--gold", type=Path, default=HERE / "verify_decisions.jsonl")
    args = parser.parse_args()
    manifest = json.loads((args.run / "manifest.json").read_text())
    claims = {c.id: c for c in read_jsonl(args.run / "05_claims" / "claims.jsonl", Claim)}
    verdicts = read_jsonl(args.run / "06_verify" / "verdicts.jsonl", Verdict)
    done = set()
    if args.gold.is_file():
        done = {(r["claim"], r["passage"]) for r in map(json.loads, args.gold.read_text().splitlines()) if r}
    for v in verdicts:
        claim = claims[v.claim_id]
        for e in v.evidence:
            if (claim.text, e.text) in done:
                continue
            done.add((claim.text, e.text))
            row = {
                "question": manifest["question"],
                "claim": claim.text,
                "claim_source": claim.sources[0].paper_id if claim.sources else None,
                "passage": e.text,
                "paper_id": e.paper_id,
                "page": e.page,
                "shown_as": e.role,
                "verdict": v.label,
                "model_probs": e.probs,
                "label": None,
                "note": "",
            }
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""``synth check``: a researcher's own claims, one JSON object a line, verified on the same path as ``synth verify``.

Input lines: ``{"id": "...", "claim": "...", "evidence": [["sentence", ...], ...]}`` where ``evidence`` (optional)
is a list of documents, each a list of sentences; without it, evidence is retrieved from a run's papers. A line
that is not JSON or lacks a ``claim`` is reported with its line number and the other lines are still scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.claims.numbers import extract_numbers
from synth.core.records import Claim, Verdict


@dataclass
class CheckInput:
    """The parsed lines: claims (with the line they came from), their given evidence, and the lines refused."""

    claims: list[Claim] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    evidence: list[list[list[str]] | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _documents(value: Any) -> list[list[str]] | None:
    """``evidence`` as a list of documents of sentences (a flat list of strings is one document)."""
    if not isinstance(value, list):
        return None
    if all(isinstance(s, str) for s in value):
        return [[s for s in value if s.strip()]]
    if all(isinstance(d, list) and all(isinstance(s, str) for s in d) for d in value):
        return [[s for s in d if s.strip()] for d in value]
    return None


def read_claims(path: Path) -> CheckInput:
    """Parse a claims file; every refused line is named by its number, the rest are kept."""
    out = CheckInput()
    seen: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as err:
                out.errors.append(f"{path}:{n}: not JSON ({err.msg} at column {err.colno})")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("claim"), str) or not row["claim"].strip():
                out.errors.append(f'{path}:{n}: no "claim" (a non-empty string) in this line')
                continue
            if "evidence" in row and _documents(row["evidence"]) is None:
                out.errors.append(f'{path}:{n}: "evidence" must be a list of documents, each a list of sentences')
                continue
            claim_id = str(row.get("id", f"line-{n}"))
            if claim_id in seen:
                out.errors.append(f"{path}:{n}: id {claim_id!r} repeats an earlier line")
                continue
            seen.add(claim_id)
            text = " ".join(row["claim"].split())
            out.claims.append(
                Claim(
                    id=claim_id, text=text, kind="finding", sources=[], numbers=extract_numbers(text), relevance=0.0,
                    extractor="user",
                )
            )  # fmt: skip
            out.lines.append(n)
            out.evidence.append(_documents(row["evidence"]) if "evidence" in row else None)
    return out


def result_row(verdict: Verdict) -> dict[str, Any]:
    """One output line: the verdict as ``synth check`` reports it (the same fields ``synth verify`` stores)."""
    return {
        "id": verdict.claim_id,
        "label": verdict.label,
        "confidence": verdict.confidence,
        "leaning": verdict.leaning,
        "probs": verdict.probs,
        "reason": verdict.reason,
        "numeric": verdict.numeric,
        "operating_point": verdict.operating_point,
        "evidence": [
            {"text": e.text, "role": e.role, "probs": e.probs, "paper_id": e.paper_id, "page": e.page} for e in verdict.evidence
        ],
        "model": f"{verdict.model_id}@{verdict.model_revision or 'hub'}",
    }

"""`synth audit`: per-claim derivations, the confidence distribution, and metrics against gold labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.core.errors import MissingStageOutput, UsageError
from synth.core.records import VerdictLabel
from synth.report.audit import Audit, build_audit, expected_calibration_error, load_labels, score_labels
from synth.report.data import RunData, load_run
from tests.report_helpers import FIXTURE, LABELS_CSV, copy_run, mini_app

GOLD: dict[str, VerdictLabel] = {
    "C001": "supported",
    "C002": "supported",
    "C003": "not_enough_evidence",
    "C004": "refuted",
    "C005": "supported",
    "C006": "not_enough_evidence",
}


def invoke(*args: str) -> str:
    result = CliRunner().invoke(mini_app(), ["audit", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_audit_explains_every_verdict() -> None:
    out = invoke(str(FIXTURE))
    for cid in ("C001", "C002", "C003", "C004", "C005", "C006"):
        assert f"### {cid} " in out
    assert "Raw score 0.9312 → calibrated confidence 0.8814" in out
    assert "c = 0.862 ≥ 0.5 and c − e = 0.787 ≥ 0.1 → refuted" in out
    assert "no evidence window was retrieved" in out
    assert "| 1 | – | Huang et al. 2021 p. 1 | 0.778 | 0.931 | 0.055 | 0.014 |" in out  # papers named as the report names them
    assert "- Source: " in out and "local:" not in out
    assert "## Distribution of confidences" in out and "[0.8, 0.9)    2 " in out


def test_audit_json() -> None:
    text = invoke(str(FIXTURE), "--format", "json")
    audit = json.loads(text)
    assert audit["distribution"]["counts"] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 0]
    assert audit["metrics"] is None
    c4 = next(c for c in audit["claims"] if c["id"] == "C004")
    assert c4["max_contradiction"] == 0.8622 and len(c4["evidence"]) == 2
    assert Audit.model_validate_json(text) == build_audit(load_run(FIXTURE))


def test_audit_with_metrics_round_trips() -> None:
    """Every audit model (claims, evidence, histograms, metrics, reliability bins, gold checks) reads back unchanged."""
    audit = build_audit(load_run(FIXTURE))
    audit = audit.model_copy(update={"metrics": score_labels(audit, GOLD), "figure": "audit_reliability.png"})
    assert audit.metrics is not None and audit.metrics.reliability and audit.metrics.per_claim
    assert any(c.verdict is None for c in build_audit(_unverified_claim_run()).claims)
    assert Audit.model_validate_json(audit.model_dump_json()) == audit
    for record in (audit.claims[0], audit.claims[0].evidence[0], audit.distribution, audit.metrics.per_label["supported"]):
        assert type(record).model_validate_json(record.model_dump_json()) == record


def _unverified_claim_run() -> RunData:
    data = load_run(FIXTURE)
    data.verdicts = (data.verdicts or [])[1:]
    return data


def test_labels_csv_and_jsonl_agree(tmp_path: Path) -> None:
    jsonl = tmp_path / "gold.jsonl"
    jsonl.write_text("".join(json.dumps({"claim_id": k, "label": v}) + "\n" for k, v in GOLD.items()), encoding="utf-8")
    assert load_labels(LABELS_CSV) == GOLD == load_labels(jsonl)


def test_metrics_by_hand() -> None:
    m = score_labels(build_audit(load_run(FIXTURE)), GOLD)
    assert m.n_scored == 6
    assert m.accuracy == pytest.approx(4 / 6)
    # supported P=R=2/3, refuted P=R=1, nee P=R=1/2
    assert m.macro_f1 == pytest.approx((2 / 3 + 1 + 1 / 2) / 3)
    conf = [0.8814, 0.7903, 0.4612, 0.8105, 0.6244, 0.5531]
    ok = [True, True, False, True, False, True]
    by_hand = sum(abs(float(o) - c) for c, o in zip(conf, ok, strict=True)) / 6  # every claim falls in its own 1/15 bin
    assert m.ece == pytest.approx(by_hand)
    assert expected_calibration_error(conf, ok) == pytest.approx(by_hand)


def test_ece_is_the_weighted_gap_between_confidence_and_accuracy() -> None:
    # two bins of two claims: 0.1 confident and both wrong (gap 0.1), 0.9 confident and half right (gap 0.4)
    assert expected_calibration_error([0.1, 0.1, 0.9, 0.9], [False, False, True, False]) == pytest.approx(0.25)
    assert expected_calibration_error([], []) == 0.0


def test_audit_with_labels_writes_png_html_pdf_beside_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run copied elsewhere, with every model unavailable."""
    monkeypatch.setenv("SYNTH_NLI_MODEL", "/nonexistent")
    monkeypatch.setenv("SYNTH_EMBEDDING_MODEL", "/nonexistent")
    run = copy_run(tmp_path)
    out = invoke(str(run), "--labels", str(LABELS_CSV))
    assert "Accuracy: 0.667" in out and "Macro-F1: 0.722" in out and "Expected calibration error (15 bins): 0.342" in out
    folder = run / "audit"
    png = folder / "audit_reliability.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="audit_reliability.png"' in (folder / "audit.html").read_text(encoding="utf-8")
    import pymupdf

    doc = pymupdf.open(folder / "audit.pdf")
    assert sum(len(page.get_images()) for page in doc) >= 1
    assert "Macro-F1" in doc[0].get_text()


def test_output_path_puts_everything_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "out" / "gold-audit.json"
    target.parent.mkdir()
    invoke(str(FIXTURE), "--labels", str(LABELS_CSV), "--format", "json", "--output", str(target))
    audit = json.loads(target.read_text(encoding="utf-8"))
    assert audit["metrics"]["n_scored"] == 6
    assert {p.name for p in target.parent.iterdir()} == {
        "gold-audit.json",
        "gold-audit.html",
        "gold-audit.pdf",
        "gold-audit_reliability.png",
    }
    assert not (FIXTURE / "audit").exists()


def test_bad_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("claim_id,label\nC001,probably\n", encoding="utf-8")
    with pytest.raises(UsageError, match="probably"):
        load_labels(bad)
    with pytest.raises(UsageError, match="not found"):
        load_labels(tmp_path / "missing.csv")
    other = tmp_path / "other.csv"
    other.write_text("X9,supported\n", encoding="utf-8")
    with pytest.raises(UsageError, match="none of the 1 gold labels"):
        invoke(str(FIXTURE), "--labels", str(other))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"claim_id": "C001", "label": "supported"}\n{oops\n', encoding="utf-8")
    with pytest.raises(UsageError, match="broken.jsonl:2"):
        load_labels(broken)


def test_partial_labels_are_reported() -> None:
    partial: dict[str, VerdictLabel] = {"C001": "supported", "C004": "supported", "C999": "refuted"}
    m = score_labels(build_audit(load_run(FIXTURE)), partial)
    assert m.n_scored == 2 and m.unknown_ids == ["C999"] and "C002" in m.unlabelled_claims
    assert m.accuracy == 0.5


def test_audit_needs_verdicts(tmp_path: Path) -> None:
    import shutil

    run = copy_run(tmp_path)
    shutil.rmtree(run / "06_verify")
    with pytest.raises(MissingStageOutput, match="06_verify"):
        invoke(str(run))


def test_audit_shows_claim_level_probabilities_leaning_reason_and_roles(tmp_path: Path) -> None:
    """A run verified with the learned decision: per claim its P(verdict), the operating point, the leaning, the
    reason it is not verified, and the role of each passage."""
    from synth.core.io import read_jsonl, write_jsonl
    from synth.core.records import Verdict
    from synth.report.audit import build_audit
    from synth.report.audit_render import render_audit_md
    from synth.report.data import load_run

    run = copy_run(tmp_path)
    path = run / "06_verify" / "verdicts.jsonl"
    verdicts = read_jsonl(path, Verdict)
    c005 = verdicts[4]
    ev = c005.evidence[0].model_copy(update={"role": "closest"})
    verdicts[4] = c005.model_copy(
        update={
            "probs": {"supported": 0.41, "refuted": 0.07, "not_enough_evidence": 0.52},
            "leaning": "supported",
            "operating_point": 0.44,
            "reason": "the numbers conflict",
            "evidence": [ev],
        }
    )
    write_jsonl(path, verdicts)
    audit = build_audit(load_run(run, docs=False))
    claim = next(c for c in audit.claims if c.id == "C005")
    assert claim.probs == {"supported": 0.41, "refuted": 0.07, "not_enough_evidence": 0.52}
    assert (claim.leaning, claim.reason, claim.operating_point) == ("supported", "the numbers conflict", 0.44)
    assert claim.evidence[0].role == "closest" and claim.shown_as == "not verified (leans supported)"
    md = render_audit_md(audit)
    assert "### C005 (numeric): ? not verified (leans supported)" in md
    assert "operating point 0.44" in md and "Leaning: supported · reason: the numbers conflict" in md
    assert "| 1 | closest | " in md

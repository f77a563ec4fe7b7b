"""The per-claim path shared by `synth verify` and `synth check`: bad input never becomes a verdict."""

from __future__ import annotations

from synth.claims.numbers import extract_numbers
from synth.core.records import Claim
from synth.core.settings import VerifySettings
from synth.verification.verify import Decider, verify_claims
from tests.conftest import FakeEmbedder, FakeNLI


def claim(text: str, cid: str = "c1") -> Claim:
    return Claim(id=cid, text=text, kind="finding", sources=[], numbers=extract_numbers(text), relevance=0.0, extractor="t")


def run(claims: list[Claim], windows: list[list[str]], languages: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    decider = Decider(aggregator=None, min_confidence=0.5, threshold=0.5, margin=0.1)
    candidates = [[(w, None) for w in ws] for ws in windows]
    lang = (lambda text, _chunk: (languages or {}).get(text)) if languages is not None else None
    embedder = FakeEmbedder()
    verdicts, counts = verify_claims(claims, candidates, FakeNLI(), embedder.encode, VerifySettings(), decider, language_of=lang)
    return verdicts, counts


def test_a_claim_with_no_evidence_is_not_verified_and_says_why() -> None:
    (v,), _ = run([claim("the cat sat on the mat")], [[]])
    assert v.label == "not_enough_evidence" and v.leaning is None and "no passage" in (v.reason or "") and not v.evidence


def test_evidence_in_a_language_the_model_was_not_trained_on_is_not_used() -> None:
    de = "die Katze sass auf der Matte"
    (v,), _ = run([claim("the cat sat on the mat")], [[de]], languages={de: "de"})
    assert v.label == "not_enough_evidence" and "language" in (v.reason or "") and "en only" in (v.reason or "")


def test_a_claim_too_long_for_the_model_is_not_verified() -> None:
    long = " ".join(["the cat sat on the mat"] * 400)  # 2,400 words
    (v,), _ = run([claim(long)], [["the cat sat on the mat"]])
    assert v.label == "not_enough_evidence" and "longer than the verifier's window" in (v.reason or "")


def test_a_conflicting_number_never_supports() -> None:
    text = "XLM-R reaches 79.2% accuracy on XNLI."
    # the fake NLI reads word overlap: the passage covers the claim's words, so it leans "supported"
    (v,), _ = run([claim(text)], [["XLM-R reaches 75.0% accuracy on XNLI, 79.2 on another."]])
    assert v.label != "supported"
    assert v.numeric and "conflicts" in v.numeric


def test_supported_verdicts_show_the_deciding_passage_first() -> None:
    (v,), counts = run([claim("the cat sat on the mat")], [["nothing to see here", "the cat sat on the mat today"]])
    assert v.label == "supported" and v.evidence[0].role == "deciding" and v.evidence[0].text == "the cat sat on the mat today"
    assert counts["supported"] == 1

"""`synth check` input: a bad line is named by its number and the others are still read."""

from __future__ import annotations

from pathlib import Path

from synth.verification.check import read_claims


def test_bad_lines_are_named_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"id": "a", "claim": "XLM-R reaches 79.2% accuracy on XNLI."}\n'
        "not json\n"
        '{"id": "b"}\n'
        "\n"
        '{"id": "c", "claim": "Cats sit.", "evidence": ["The cat sat.", "It sat on the mat."]}\n'
        '{"id": "d", "claim": "Dogs run.", "evidence": [["Dogs ran."], ["A dog runs."]]}\n'
        '{"id": "e", "claim": "Birds fly.", "evidence": "not a list"}\n'
        '{"id": "a", "claim": "again"}\n'
    )
    parsed = read_claims(path)
    assert [c.id for c in parsed.claims] == ["a", "c", "d"] and parsed.lines == [1, 5, 6]
    assert [e.split(":")[1] for e in parsed.errors] == ["2", "3", "7", "8"]
    assert parsed.evidence == [None, [["The cat sat.", "It sat on the mat."]], [["Dogs ran."], ["A dog runs."]]]
    assert parsed.claims[0].numbers and parsed.claims[0].numbers[0].value == 79.2

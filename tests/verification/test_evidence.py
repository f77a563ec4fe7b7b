"""Evidence windows: each window once, a generic passage near every claim pushed down, only the best kept."""

from __future__ import annotations

import numpy as np

from synth.verification.evidence import document_candidates, overlap, rank_windows


def words(text: str) -> int:
    return len(text.split())


def embed_by_topic(texts: list[str]) -> np.ndarray:
    """Axis 0: cats; axis 1: markets; axis 2: a generic 'in this paper' direction shared by everything."""
    out = []
    for t in texts:
        low = t.lower()
        v = np.array([1.0 if "cat" in low else 0.0, 1.0 if "market" in low else 0.0, 0.6 if "paper" in low else 0.1])
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


def test_the_same_window_reached_twice_is_kept_once() -> None:
    docs = [[["The cat sat.", "The cat sat."], ["The cat sat."]]]
    (windows,) = document_candidates(["cats sit"], docs, lambda _t: 50, words)
    assert [w for w, _ in windows].count("The cat sat.") == 1


def test_a_generic_passage_close_to_every_claim_is_pushed_down() -> None:
    claims = ["In this paper the cat sat.", "In this paper the market fell."]
    generic = "In this paper we study many things."
    cands = [[(generic, None), ("The cat sat on the mat.", None)], [(generic, None), ("The market fell sharply.", None)]]
    ranked = rank_windows(claims, embed_by_topic(claims), cands, embed_by_topic, keep=1)
    assert ranked[0][0].text == "The cat sat on the mat." and ranked[1][0].text == "The market fell sharply."


def test_overlap_counts_the_claims_content_words() -> None:
    assert overlap("XLM-R reaches 79.2 on XNLI", "On XNLI, XLM-R reaches 79.2") == 1.0
    assert overlap("XLM-R reaches 79.2 on XNLI", "XNLI results: XLM-R 79.2") == 0.75  # "reaches" is missing
    assert overlap("XLM-R reaches 79.2 on XNLI", "nothing shared") == 0.0


def test_a_passage_is_cited_with_the_page_it_is_printed_on() -> None:
    from synth.core.records import Chunk, Sentence
    from synth.verification.evidence import _narrowed

    s1 = Sentence(id="p#s0", paper_id="p", page=3, section="s", char_start=0, char_end=20, text="The cat sat on the mat.")
    s2 = Sentence(id="p#s1", paper_id="p", page=4, section="s", char_start=21, char_end=45, text="Markets fell on Monday.")
    chunk = Chunk(id="p#c0", paper_id="p", page_start=3, page_end=4, section="s", char_start=0, char_end=45,
                  sentence_ids=[s1.id, s2.id], text=f"{s1.text} {s2.text}")  # fmt: skip
    assert _narrowed(chunk, [s1, s2], s2.text).page_start == 4
    assert (_narrowed(chunk, [s1, s2], f"{s1.text} {s2.text}").page_start, _narrowed(chunk, [s1, s2], s1.text).page_end) == (3, 3)

"""Glyph repair, hyphen decisions and span handling on small made-up inputs (the real-PDF cases are in
test_faithful_text.py)."""

from __future__ import annotations

from typing import Any

import pytest

from synth.ingest.glyphs import clean_glyphs
from synth.ingest.hyphens import Vocabulary, keep_hyphen
from synth.ingest.pdf import SOFT, _split_at_gutter, line_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Vuli´c", "Vulić"),
        ("ˇSuster", "Šuster"),
        ("Rockt¨aschel", "Rocktäschel"),
        ("Lo¨ıc", "Loïc"),  # an accent on a dotless i
        ("Tom´aˇs", "Tomáš"),
        ("Fran¸cois", "François"),
        ("Efﬁcient classiﬁers", "Efficient classifiers"),
        ("http://ttic.uchicago.edu/˜wieting", "http://ttic.uchicago.edu/~wieting"),
        ("don´t", "don´t"),  # no precomposed t with an acute: an apostrophe, left alone
        ("the model ˆ M such", "the model ˆ M such"),  # a maths hat before a space
        ("Vulic\u0301", "Vulić"),  # combining marks composed (NFC)
    ],
)
def test_accents_and_ligatures(raw: str, clean: str) -> None:
    assert clean_glyphs(raw) == clean


WORDS = {"moreover": 1283, "more": 90000, "over": 90000, "low": 85325, "resource": 3331, "state": 151139, "of": 900000,
         "train": 140566, "all": 900000, "cross": 88529, "lingually": 50, "consensus": 2027, "fine": 225090,
         "tuning": 3041, "outperforms": 50, "out": 6230933, "performs": 2224}  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "keep"),
    [
        ("More", "over", False),  # "Moreover" is a word
        ("con", "sensus", False),
        ("out", "performs", False),  # a word the list holds is joined, however rare
        ("low", "resource", True),  # "lowresource" is no word, both halves are
        ("state", "of", True),  # state-|of-the-art
        ("train", "all", True),  # translate-train-|all
        ("fine", "tuning", True),
        ("tok", "enization", False),  # a syllable of a word the list lacks
        ("multi", "and", True),  # suspended: "multi- and cross-lingual"
        ("MLM", "score", True),  # an acronym is a compound's part
    ],
)
def test_line_end_hyphens_by_the_word_list(a: str, b: str, keep: bool) -> None:
    assert keep_hyphen(a, b, Vocabulary([], SOFT), WORDS) is keep


def test_the_papers_own_vocabulary_decides_first() -> None:
    vocab = Vocabulary(["we use cross-lingual and cross-domain data", "a pretrained model, pretrained twice"], SOFT)
    assert keep_hyphen("cross", "lingually", vocab, WORDS)  # the paper writes "cross-" compounds
    assert not keep_hyphen("pre", "trained", vocab, WORDS)  # the paper writes "pretrained" solid
    written = Vocabulary(["more-over is how this paper spells it"], SOFT)
    assert keep_hyphen("More", "over", written, WORDS)


def _span(text: str, size: float = 10.0, y: float = 100.0, flags: int = 0, font: str = "Times") -> dict[str, Any]:
    return {"text": text, "size": size, "origin": (0.0, y), "flags": flags, "font": font}


def test_footnote_marks_and_scripts_in_a_line() -> None:
    sup = {"size": 7.0, "y": 97.0, "flags": 1}
    sub = {"size": 7.0, "y": 102.0}
    assert line_text([_span("a uniform distribution"), _span("4", **sup), _span(" over words")]) == (
        "a uniform distribution over words"
    )
    assert line_text([_span("as in (Smith, 2015)."), _span("5", **sup), _span(" We then")]) == "as in (Smith, 2015). We then"
    assert line_text([_span("a rate of 10"), _span("−4", **sup), _span(" is used")]) == "a rate of 10^−4 is used"
    assert line_text([_span("the model Unicoder"), _span("xDAE", **sub), _span("SC", **sup), _span(" wins")]) == (
        "the model Unicoder_xDAE^SC wins"
    )
    assert line_text([_span("Shijie Wu"), _span("♠∗", **sup), _span("Alexis Conneau")], separator=", ") == (
        "Shijie Wu, Alexis Conneau"
    )
    assert line_text([_span("an F"), _span("1", **sub), _span(" of 80.2")]) == "an F1 of 80.2"
    # a residue's position raised after its amino acid (Douglas et al. 2014) is part of its name, not a footnote
    assert line_text([_span("stacking with His"), _span("388", **sup), _span(" and a bond")]) == "stacking with His388 and a bond"
    # an orbital's hybridisation and a unit's power are exponents, and a formula's counts are no index (Gerber et al.
    # 2025: "The H/C, CH2CH3, and sp2/sp3 ratios show an evolution with the proton fluence")
    sub_low = {"size": 7.3, "y": 101.7}
    line = [_span("The H/C, CH"), _span("2", **sub_low), _span("CH"), _span("3", **sub_low), _span(", and sp"),
            _span("2", **sup), _span("/sp"), _span("3", **sup), _span(" ratios show")]  # fmt: skip
    assert line_text(line) == "The H/C, CH2CH3, and sp2/sp3 ratios show"
    assert line_text([_span("an area of 3 km"), _span("2", **sup), _span(" in all")]) == "an area of 3 km2 in all"
    assert line_text([_span("the base log"), _span("2", **sub), _span(" of n")]) == "the base log_2 of n"
    assert line_text([_span("as in BERT"), _span("2", **sup), _span(" we")]) == "as in BERT we"  # still a footnote
    # a bullet set in an ornament font is no letter: LCIRCLE10's "r" opened each point of a summary box
    assert line_text([_span("r", font="LCIRCLE10"), _span(" A molecule incorporating a tetrazole")]) == (
        " A molecule incorporating a tetrazole"
    )


def _line(x0: float, x1: float, y: float, text: str) -> dict[str, Any]:
    return {"bbox": (x0, y, x1, y + 10), "dir": (1.0, 0.0), "spans": [_span(text, y=y + 8)]}


def test_a_block_spanning_both_columns_is_split_at_the_gutter() -> None:
    left = [_line(72, 298, 100 + 12 * i, "left column text of a paragraph") for i in range(3)]
    right = [_line(313, 540, 100 + 12 * i, "right column text of another one") for i in range(3)]
    block = {"bbox": (72, 100, 540, 140), "lines": left + right}
    parts = _split_at_gutter(block, 612)
    assert [len(p["lines"]) for p in parts] == [3, 3]
    assert parts[0]["lines"] == left and parts[1]["lines"] == right
    # a justified single-column line that MuPDF cut into words is not split (no left edge on the right side)
    words = [_line(72 + 40 * i, 100 + 40 * i, 100, "word") for i in range(10)]
    assert _split_at_gutter({"bbox": (72, 100, 460, 110), "lines": words}, 612) == [{"bbox": (72, 100, 460, 110), "lines": words}]


def test_an_equals_sign_read_as_a_quarter_is_restored() -> None:
    from synth.ingest.glyphs import clean_glyphs

    # Huang et al. 2010 (BMJ): "The bias coefficient of the SF studies was 1.32 (p¼0.586)"
    assert clean_glyphs("was 1.32 (p¼0.586), which showed") == "was 1.32 (p=0.586), which showed"
    assert clean_glyphs("a sample (n ¼ 20)") == "a sample (n = 20)"
    assert clean_glyphs("it took 1¼ hours") == "it took 1¼ hours"  # a real quarter after a number stays


def _draw(page: Any, x: float, y: float, pieces: list[tuple[str, tuple[str, str] | None]]) -> None:
    """Draw ``pieces`` on one baseline; a piece with an accent draws it centred over its letter, in the content
    stream before the letter (as TeX does) or after it (as Elsevier's fonts do)."""
    import pymupdf

    for text, accent in pieces:
        width = pymupdf.get_text_length(text, "helv", 11)
        if accent is not None:
            order, mark = accent
            at = (x + (width - pymupdf.get_text_length(mark, "helv", 11)) / 2, y)
            draws = [(at, mark), ((x, y), text)] if order == "before" else [((x, y), text), (at, mark)]
            for point, glyph in draws:
                page.insert_text(point, glyph, fontsize=11, fontname="helv")
        else:
            page.insert_text((x, y), text, fontsize=11, fontname="helv")
        x += width


def test_an_accent_drawn_after_its_letter_is_composed_with_that_letter(tmp_path: Any) -> None:
    """Elsevier's fonts draw "á" as "a" then "´" (PyMuPDF reads "Gonza´lez", which text alone would compose into
    "Gonzaĺez"); TeX draws "ć" as "´" then "c". Where the accent stands decides which letter it belongs to."""
    import pymupdf

    from synth.ingest.pdf import parse_pdf

    doc = pymupdf.open()
    _draw(
        doc.new_page(),
        72,
        100,
        [("We thank Juan L. Gonz", None), ("a", ("after", "´")), ("lez, Torbj", None), ("o", ("after", "¨")),
         ("rn T", None), ("o", ("after", "¨")), ("rnqvist and Ivan Vuli", None), ("c", ("before", "´")),
         (" for their comments on the methods and the data of this study.", None)],
    )  # fmt: skip
    doc[0].insert_text((72, 130), "All remaining errors are ours, and the data are available from the authors.", fontsize=11)
    pdf = tmp_path / "accents.pdf"
    doc.save(pdf)
    text = " ".join(b.text for b in parse_pdf(pdf, "p", "local").blocks)
    assert "Juan L. González, Torbjörn Törnqvist and Ivan Vulić" in text


class _Page:
    """A page as ``get_text("dict")`` reports it: spans of text with their fonts."""

    def __init__(self, spans: list[tuple[str, str]]) -> None:
        self.spans = spans

    def get_text(self, mode: str, flags: int | None = None) -> dict[str, Any]:
        assert mode == "dict"
        return {"blocks": [{"lines": [{"spans": [{"text": t, "font": f} for t, f in self.spans]}]}]}


def test_advent_symbol_fonts_read_as_what_they_show() -> None:
    """Elsevier's Advent 3B2 symbol fonts put an en dash on "e", a tilde on "w" and "=" on "¼" (González and
    Törnqvist 2009, "between w1000 and 1200 AD"; Zhang et al. 2015, "1663e1672"); the same letters in the text's
    own font stay letters."""
    from synth.ingest.glyphs import page_dict

    page = _Page(
        [("between ", "AdvOT863180fb"), ("w", "AdvPS3FDD77"), ("1000 AD, pages 1663", "AdvOT863180fb"),
         ("e", "ABCDEF+AdvPS44A44B"), ("1672, ", "AdvOT863180fb"), ("m t", "AdvOT863180fb"), ("ð Þ ¼", "AdvP4C4E74"),
         (" m0, where we", "AdvOT863180fb")]
    )  # fmt: skip
    spans = page_dict(page)["blocks"][0]["lines"][0]["spans"]
    assert "".join(s["text"] for s in spans) == "between ∼1000 AD, pages 1663–1672, m t( ) = m0, where we"

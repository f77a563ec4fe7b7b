"""references.bib is written with pybtex and reads back with pybtex as exactly what the papers say: specials
escaped (``&`` as ``\\&``, never ``/\\&``), braces kept, names whole, no internal ids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pybtex.database import parse_string

from synth.core.records import Paper
from synth.core.text import sanitize
from synth.report.bibtex import balanced, cite_keys, decode_field, render_bibtex
from synth.report.model import Reference


def _ref(title: str, authors: list[str], key: str = "k2020", **extra: object) -> Reference:
    fields: dict[str, object] = {"year": 2020, "venue": None, "doi": None, "url": None, "arxiv": None, **extra}
    return Reference(key=key, id="local:8f83aa", cite="x", title=title, authors=authors, **fields)  # type: ignore[arg-type]


def _read(bib: str, key: str = "k2020") -> tuple[str, list[str]]:
    entry = parse_string(bib, "bibtex").entries[key]
    title = entry.fields["title"]
    assert title.startswith("{") and title.endswith("}")  # one more pair of braces: styles never lower-case it
    return decode_field(title[1:-1]), [decode_field(str(p)) for p in entry.persons.get("author", [])]


def test_specials_braces_and_accents_round_trip() -> None:
    title = "{BERT} & Friends: 50% of $x$ in a_b #1 ~ ^ \\ — Café"
    bib = render_bibtex([_ref(title, ["José Camacho-Collados", "Mohammad Taher Pilehvar"], venue="Proc. of A & B")])
    assert r"\&" in bib and "/\\&" not in bib and "{BERT}" in bib
    assert "local:" not in bib and "synth id" not in bib
    back, authors = _read(bib)
    assert back == title
    assert authors == ["Camacho-Collados, José", "Pilehvar, Mohammad Taher"]
    assert decode_field(parse_string(bib, "bibtex").entries["k2020"].fields["booktitle"]) == "Proc. of A & B"


def test_arxiv_papers_have_their_eprint() -> None:
    bib = render_bibtex(
        [_ref("Robust training", ["Kuan-Hao Huang"], arxiv="2104.08645v1", url="https://arxiv.org/abs/2104.08645v1")]
    )
    entry = parse_string(bib, "bibtex").entries["k2020"]
    assert entry.type == "article" and entry.fields["eprint"] == "2104.08645v1" and entry.fields["archiveprefix"] == "arXiv"


def test_unbalanced_braces_and_an_and_inside_a_name_still_parse() -> None:
    bib = render_bibtex([_ref("A {broken} title}", ["Research and Development Lab", "Ann Lee"])])
    back, authors = _read(bib)
    assert back == "A {broken} title" and authors == ["{Research and Development Lab}", "Lee, Ann"]


def test_cite_keys_are_unique() -> None:
    papers = [
        Paper(id=f"local:{i}", title="Transfer learning", authors=["Ann Lee"], year=2020, source="local") for i in range(30)
    ]
    keys = cite_keys(papers)
    assert len(set(keys.values())) == 30 and keys["local:0"] == "lee2020transfera" and keys["local:26"] == "lee2020transferaa"


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80)


@given(title=TEXT, authors=st.lists(st.from_regex(r"[A-Z][a-zé\-]{1,10} [A-Z][a-zü'\-]{1,12}", fullmatch=True), max_size=4))
def test_any_title_round_trips(title: str, authors: list[str]) -> None:
    """Whatever a PDF says, references.bib parses, and reads back as the title made safe (one line, braces balanced)."""
    expected = " ".join(balanced(sanitize(title, keep_newlines=False)).split()) or None
    bib = render_bibtex([_ref(title, authors)])
    back, names = _read(bib)
    if expected is not None:
        assert back == expected
    assert len(names) == len(authors)

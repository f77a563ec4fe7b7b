"""Fuzzing the PDF parser's entry point on mutated bytes of a real sample paper: parse_pdf returns a document or
raises ParseError (recorded as a per-paper failure), never any other exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.core.errors import ParseError
from synth.core.records import ParsedDoc
from synth.ingest.pdf import parse_pdf
from tests.paths import SAMPLE

PDF = (SAMPLE / "acl_semeval2017_task2_multilingual_word_similarity.pdf").read_bytes()

mutations = st.lists(
    st.one_of(
        st.tuples(st.just("overwrite"), st.integers(0, len(PDF) - 1), st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("truncate"), st.integers(0, len(PDF) - 1), st.just(b"")),
        st.tuples(st.just("insert"), st.integers(0, len(PDF) - 1), st.binary(min_size=1, max_size=64)),
    ),
    min_size=1,
    max_size=5,
)


def _mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, junk in edits:
        at %= max(1, len(out))
        if kind == "overwrite":
            out[at : at + len(junk)] = junk
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = junk
    return bytes(out)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=mutations, tail=st.sampled_from([b"", b"\n%%EOF\n"]))
def test_mutated_pdf_parses_or_raises_parse_error(tmp_path: Path, edits: list[tuple[str, int, bytes]], tail: bytes) -> None:
    path = tmp_path / "mutated.pdf"
    path.write_bytes(_mutate(PDF, edits) + tail)
    try:
        doc = parse_pdf(path, "fuzz", "0" * 64, max_pages=3)
    except ParseError as err:
        assert "mutated.pdf" in str(err) or "fuzz" in str(err)  # names the file or the paper
        return
    assert isinstance(doc, ParsedDoc) and doc.pages_read <= 3


@pytest.mark.parametrize("data", [b"", b"%PDF-", b"%PDF-1.7\n%%EOF", PDF[:1000], b"\x00" * 4096, PDF[:-5000]])
def test_classic_broken_files(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    try:
        parse_pdf(path, "broken", "0" * 64, max_pages=3)
    except ParseError:
        pass

"""Fuzzing the Atom reader: whatever bytes a server sends, parse_feed returns a feed or raises MalformedXML /
UnsafeXML (both one-line errors), never anything else; and no control character survives into an entry."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from synth.core.errors import MalformedXML, UnsafeXML
from synth.sources.atom import Feed, parse_feed
from tests.paths import ARXIV_API

FEEDS = [json.loads(p.read_text(encoding="utf-8"))["body"].encode() for p in sorted((ARXIV_API / "recorded").glob("id_*.json"))]
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\x1b]")


def _read(data: bytes) -> Feed | None:
    try:
        feed = parse_feed(data)
    except (MalformedXML, UnsafeXML) as err:
        assert "\n" not in str(err)
        return None
    for e in feed.entries:
        for text in (e.id, e.title, e.abstract, e.published, *e.authors):
            assert not UNSAFE.search(text)
    return feed


@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _read(data)


@settings(max_examples=150 if settings().max_examples < 150 else settings().max_examples)
@given(st.sampled_from(FEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=0, max_size=8)), max_size=6))
def test_mutated_real_feeds(feed: bytes, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(feed)
    for at, junk in edits:
        at %= max(1, len(data))
        data[at : at + len(junk)] = junk
    _read(bytes(data))


@given(st.text(max_size=200))
def test_hostile_text_inside_a_real_feed_is_made_safe(text: str) -> None:
    from xml.sax.saxutils import escape

    feed = FEEDS[3]  # one entry
    # XML 1.0 cannot carry C0 controls at all; everything else (C1 controls, bidi overrides) is text to clean
    title = escape("".join(ch for ch in text if ch >= " " or ch in "\t\n"))
    replacement = f"<title>{title}</title>".encode()
    body = re.sub(rb"<title>[^<]*</title>(?=\s*<updated>)", lambda _: replacement, feed, count=2)
    parsed = _read(body)
    assert parsed is not None and parsed.entries


def test_an_unknown_encoding_is_a_malformed_feed() -> None:
    """Found by the fuzzer: a declared encoding Python has no codec for raised LookupError ("unexpected …")."""
    import pytest

    with pytest.raises(MalformedXML, match="encoding that does not exist"):
        parse_feed(b"<?xml version='1.0' encoding='U-F-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom'/>")

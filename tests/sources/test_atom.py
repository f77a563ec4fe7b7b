"""The Atom reader on 17 real recorded arXiv responses (current and 2016 formats, in tests/data), and on hostile XML."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from synth.core.arxiv_ids import split_id
from synth.core.errors import MalformedXML, RetrievalError, UnsafeXML
from synth.sources.arxiv import _feed_of, merge
from synth.sources.atom import Entry, id_from_url, parse_feed, parse_xml
from tests.paths import ARXIV_API

RECORDED = sorted((ARXIV_API / "recorded").glob("*.json"))
LEGACY = sorted((ARXIV_API / "legacy-2016").glob("*.xml"))


def _body(name: str) -> bytes:
    """The Atom body of the recorded response whose file name starts with ``name``."""
    (path,) = [p for p in RECORDED if p.name.startswith(name)]
    return str(json.loads(path.read_text(encoding="utf-8"))["body"]).encode("utf-8")


def test_all_recorded_files_are_present() -> None:
    assert len(RECORDED) == 12 and len(LEGACY) == 5


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_recorded_response_replays(path: Path) -> None:
    """Each recorded GET, replayed as the httpx response it was, reads back as the feed it describes."""
    rec = json.loads(path.read_text(encoding="utf-8"))
    response = httpx.Response(rec["status_code"], content=rec["body"].encode("utf-8"), request=httpx.Request("GET", rec["url"]))
    if rec["status_code"] == 400:
        with pytest.raises(RetrievalError, match="incorrect id format for abc"):
            _feed_of(response, "id_list abc")
        return
    feed = _feed_of(response, "recorded")
    name = path.stem
    if name.startswith(("id_0000.0000", "id_0808.05394_s0")):
        assert feed.total_results == 0 and feed.entries == []
    elif name.startswith("id_0808.05394_1707.08567"):
        assert [e.id for e in feed.entries] == ["1707.08567v1"]
    elif name.startswith("id_"):
        assert len(feed.entries) == 1
        entry = feed.entries[0]
        assert entry.title and entry.abstract and entry.authors and entry.published[:4].isdigit() and entry.categories
        assert split_id(entry.id) is not None
    else:  # q_testing_s{start}_m{max}
        start, max_results = (int(x[1:]) for x in name.split("_")[2:4])
        assert feed.total_results == 214881
        assert feed.start_index == start
        assert 0 < len(feed.entries) <= max_results
        assert all(e.title and e.abstract and e.id for e in feed.entries)
    assert parse_feed(rec["body"].encode("utf-8")) == feed


def test_old_style_ids_from_recorded_feeds() -> None:
    rec = json.loads(next(p for p in RECORDED if "astro-ph" in p.name).read_text())
    entry = parse_feed(rec["body"].encode()).entries[0]
    assert entry.id == "astro-ph/0601001v1" and entry.base_id == "astro-ph/0601001" and entry.version == 1
    rec = json.loads(next(p for p in RECORDED if "quant-ph" in p.name).read_text())
    entry = parse_feed(rec["body"].encode()).entries[0]
    assert entry.base_id == "quant-ph/0201082" and entry.categories[0] == "quant-ph"


def test_paging_fields_of_recorded_pages_chain() -> None:
    """Pages s0_m10, s10_m10, s20_m10 … continue one another: startIndex advances by the page length."""
    pages = {start: parse_feed(_body(f"q_testing_s{start}_m10_")) for start in (0, 5, 10)}
    assert {s: p.start_index for s, p in pages.items()} == {0: 0, 5: 5, 10: 10}
    ids_0 = [e.id for e in pages[0].entries]
    ids_5 = [e.id for e in pages[5].entries]
    ids_10 = [e.id for e in pages[10].entries]
    assert ids_0[5:] == ids_5[:5] and ids_5[5:] == ids_10[:5]  # overlapping windows agree


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_legacy_2016_format(path: Path) -> None:
    feed = parse_feed(path.read_bytes())
    assert feed.total_results >= len(feed.entries) > 0
    for e in feed.entries:
        assert "\n" not in e.title and "  " not in e.title  # wrapped titles are joined
        assert e.categories and e.categories[0].startswith("cond-mat")  # per-element namespace declarations read
        assert split_id(e.id) is not None


def test_legacy_entry_fields() -> None:
    entry = parse_feed((ARXIV_API / "legacy-2016" / "id_list_1111.2011v2.xml").read_bytes()).entries[0]
    assert entry.id == "1111.2011v2" and entry.version == 2
    assert entry.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert entry.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert entry.doi == "10.1103/PhysRevB.85.115117" and entry.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert entry.categories == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert entry.published.startswith("2011-11-08")


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>'
    ).encode()
    with pytest.raises(UnsafeXML):
        parse_xml(body)
    response = httpx.Response(200, content=body, request=httpx.Request("GET", "http://x/api/query"))
    with pytest.raises(RetrievalError) as err:
        _feed_of(response, "query 'x'")
    assert "TOP-SECRET" not in str(err.value)


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><feed>&lol2;</feed>',  # billion laughs
        b'<!DOCTYPE feed SYSTEM "http://127.0.0.1:1/evil.dtd"><feed/>',  # external DTD
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x">%p;]><feed/>',  # parameter entity
    ],
    ids=["entity-expansion", "external-dtd", "parameter-entity"],
)
def test_dtds_and_entities_are_refused(body: bytes) -> None:
    with pytest.raises(UnsafeXML):
        parse_xml(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x</entry>",
        b"<html><body>Bad gateway</body></html>",
        b"\x00\xff garbage",
    ],
    ids=["empty", "truncated", "html", "binary"],
)
def test_malformed_feeds_raise_a_clear_error(body: bytes) -> None:
    with pytest.raises(MalformedXML):
        parse_feed(body)
    response = httpx.Response(200, content=body, request=httpx.Request("GET", "http://x/api/query"))
    with pytest.raises(RetrievalError, match="malformed or truncated Atom XML for query 'q'"):
        _feed_of(response, "query 'q'")


def test_a_400_without_a_feed_names_the_status() -> None:
    response = httpx.Response(400, content=b"Bad Request", request=httpx.Request("GET", "http://x/api/query"))
    with pytest.raises(RetrievalError, match="HTTP 400"):
        _feed_of(response, "query 'q'")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2104.08645", ("2104.08645", 0)),
        ("2104.08645v2", ("2104.08645", 2)),
        ("0704.0001v1", ("0704.0001", 1)),
        ("hep-th/9901001", ("hep-th/9901001", 0)),
        ("hep-th/9901001v3", ("hep-th/9901001", 3)),
        ("math.AG/0309136v1", ("math.AG/0309136", 1)),
        ("../../etc/passwd", None),
        ("2104.08645/../../x", None),
        ("abc", None),
    ],
)
def test_split_id(raw: str, expected: tuple[str, int] | None) -> None:
    assert split_id(raw) == expected


def test_id_from_url() -> None:
    assert id_from_url("http://arxiv.org/abs/hep-th/9901001v1") == "hep-th/9901001v1"
    assert id_from_url(" https://arxiv.org/abs/2104.08645v2\n") == "2104.08645v2"


def _entry(arxiv_id: str) -> Entry:
    base, version = split_id(arxiv_id) or (arxiv_id, 0)
    return Entry(arxiv_id, base, version, f"T {arxiv_id}", "A", ["X"], "2020-01-01T00:00:00Z", "", ["cs.CL"])


def test_merge_keeps_the_newest_version_and_records_queries() -> None:
    merged = merge(
        [
            ("phrases", [_entry("2104.08645v1"), _entry("hep-th/9901001v1")]),
            ("terms", [_entry("2104.08645v3"), _entry("hep-th/9901001v2")]),
        ],
        seeds=[_entry("2104.08645v2")],
    )
    assert set(merged) == {"2104.08645", "hep-th/9901001"}
    assert merged["2104.08645"].entry.id == "2104.08645v3"
    assert merged["2104.08645"].queries == ["id_list", "phrases", "terms"] and merged["2104.08645"].seed
    assert merged["hep-th/9901001"].entry.id == "hep-th/9901001v2" and not merged["hep-th/9901001"].seed

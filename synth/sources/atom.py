"""arXiv API Atom feeds → plain entries, with an XML parser that never resolves an entity or reads a DTD.

arXiv's feeds never declare a DTD, so any ``<!DOCTYPE`` or entity declaration is refused outright (what
defusedxml's ``forbid_dtd``/``forbid_entities`` do) instead of being expanded: an external entity can therefore
never make synth read a local file or fetch a URL, and no "billion laughs" expansion can happen.

Every text field is made safe to show (``synth.core.text.sanitize``): no control character or terminal escape
sequence from a feed reaches a report or a terminal. Both feed shapes arXiv has served are read: the current one
(namespaces declared on ``<feed>``, https links)
and the 2016 one (namespaces declared per element, titles wrapped over lines, http links).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.parsers import expat

from synth.core.arxiv_ids import split_id
from synth.core.errors import MalformedXML, UnsafeXML
from synth.core.text import sanitize

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def parse_xml(data: bytes) -> ET.Element:
    """Parse ``data`` with expat, refusing DTDs, entity declarations and external references."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(name(tag), {name(k): v for k, v in attrs.items()})

    def refuse(*_: object) -> None:
        raise UnsafeXML("the XML declares a DTD or entities (refused: arXiv feeds never do)")

    def refuse_external(*_: object) -> int:
        raise UnsafeXML("the XML references an external entity (refused)")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse_external
    parser.SkippedEntityHandler = refuse  # an undeclared entity reference
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise MalformedXML(f"{expat.errors.messages[err.code]} at line {err.lineno}, column {err.offset}") from None
    except LookupError as err:  # <?xml encoding="…"?> naming a codec Python does not know (found by fuzzing)
        raise MalformedXML(f"the XML declares an encoding that does not exist ({err})") from None
    return builder.close()


@dataclass
class Entry:
    """One paper as the API describes it (id without version in ``base_id``)."""

    id: str  # with version when the feed gives one
    base_id: str
    version: int
    title: str
    abstract: str
    authors: list[str]
    published: str  # ISO 8601 as given
    updated: str
    categories: list[str]  # primary first
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None


@dataclass
class Feed:
    total_results: int
    start_index: int
    items_per_page: int
    entries: list[Entry] = field(default_factory=list)
    error: str | None = None  # the message of arXiv's error feed (<entry><title>Error</title>)


def id_from_url(url: str) -> str:
    """``http://arxiv.org/abs/hep-th/9901001v1`` → ``hep-th/9901001v1`` (the text after ``/abs/``)."""
    url = url.strip()
    marker = "/abs/"
    return url[url.index(marker) + len(marker) :] if marker in url else url


def _text(el: ET.Element | None) -> str:
    """An element's text on one line, without control characters or terminal escapes (feeds are untrusted input)."""
    return sanitize(el.text or "", keep_newlines=False) if el is not None else ""


def _int(el: ET.Element | None, default: int = 0) -> int:
    try:
        return int(_text(el))
    except ValueError:
        return default


def parse_feed(data: bytes) -> Feed:
    """Read an API response; raises MalformedXML / UnsafeXML, or ValueError if it is XML but not an Atom feed."""
    root = parse_xml(data)
    if root.tag != f"{ATOM}feed":
        raise MalformedXML(f"expected an Atom <feed>, got <{root.tag}>")
    feed = Feed(
        total_results=_int(root.find(f"{OPENSEARCH}totalResults")),
        start_index=_int(root.find(f"{OPENSEARCH}startIndex")),
        items_per_page=_int(root.find(f"{OPENSEARCH}itemsPerPage")),
    )
    for el in root.findall(f"{ATOM}entry"):
        raw_id = _text(el.find(f"{ATOM}id"))
        title = _text(el.find(f"{ATOM}title"))
        if title == "Error" and "/api/errors" in raw_id:
            feed.error = _text(el.find(f"{ATOM}summary")) or raw_id
            continue
        arxiv_id = id_from_url(raw_id)
        parts = split_id(arxiv_id)
        base, version = parts if parts else (arxiv_id, 0)
        primary = el.find(f"{ARXIV}primary_category")
        cats = [primary.get("term", "")] if primary is not None else []
        cats += [c.get("term", "") for c in el.findall(f"{ATOM}category") if c.get("term") not in cats]
        feed.entries.append(
            Entry(
                id=arxiv_id,
                base_id=base,
                version=version,
                title=title,
                abstract=_text(el.find(f"{ATOM}summary")),
                authors=[_text(a.find(f"{ATOM}name")) for a in el.findall(f"{ATOM}author")],
                published=_text(el.find(f"{ATOM}published")),
                updated=_text(el.find(f"{ATOM}updated")),
                categories=[c for c in cats if c],
                doi=_text(el.find(f"{ARXIV}doi")) or None,
                journal_ref=_text(el.find(f"{ARXIV}journal_ref")) or None,
                comment=_text(el.find(f"{ARXIV}comment")) or None,
            )
        )
    return feed

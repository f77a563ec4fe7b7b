"""Who wrote a paper, what it is called, where and when it appeared: read from its first page and its PDF metadata.

A local PDF comes with no record of its own, so its reference in the report is rebuilt from what a reader sees on
page 1:

- **title**: the title block, the largest text near the top of the page (its lines joined; an all-capitals or
  small-capitals title is put in title case). The arXiv stamp in the margin is rotated text and never a
  candidate. The PDF's own ``title`` field is used instead when it says the same thing with better casing, or
  when the page has no title block; where the page prints that field word for word, its rows are the title block
  (a journal's masthead, "future internet" at 28 pt, can be the largest text);
- **authors**: the lines between the title and the abstract that read as lists of personal names (two to five
  capitalised words, initials and particles allowed), with footnote and affiliation marks dropped (also those set
  in the body size and glued to the name: "Zheren Wang1,2,a"); rows of
  affiliations, addresses and e-mail addresses are skipped. The PDF's ``author`` field is the fallback;
- **venue** and **year**: the venue line printed on page 1 ("Published as a conference paper at ICLR 2016",
  "Proceedings of the …", "Findings of the Association for Computational Linguistics: EMNLP 2020", "31st
  Conference on Neural Information Processing Systems (NIPS 2017)"), else a journal's running header in the top lines
  ("Middle-East Journal of Scientific Research 23 (11): 2805-2810, 2015"), else the year of the paper's first arXiv
  version (its id's ``YYMM``, as arXiv's own metadata dates a paper; the stamp shows the date of the version
  downloaded, "1705.02364v5 … 8 Jul 2018" for a 2017 paper), else the PDF's creation date;
- **arXiv id** and **category**: from the stamp ("arXiv:1911.02116v2 [cs.CL] 8 Apr 2020").

Whatever cannot be found is left empty (None, []), never guessed, so the caller can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.core.arxiv_ids import STAMP, first_year
from synth.core.names import PARTICLES
from synth.ingest.glyphs import clean_glyphs, page_dict
from synth.ingest.hyphens import Vocabulary, resolve_break
from synth.ingest.pdf import line_text  # the parser's own span handling: marks dropped, scripts apart

_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to via with vs versus".split())
_AFFILIATION = re.compile(
    r"universit|institut|college|school|department|dept\b|laborator|\blab\b|research|\bcent(?:er|re)\b|\binc\b|"
    r"\bcorp|\bltd\b|google|facebook|microsoft|\bibm\b|amazon|\bmeta\b|\bbrain\b|deepmind|openai|\bgroup\b|faculty|"
    r"academy|foundation|street|\broad\b|avenue|\busa\b|canada|china|germany|france|italy|india|japan|korea|"
    r"\buk\b|technolog|science|engineering|informatics|linguistics|\bnlp\b|\bai\b|\btech\b|polytechn|hospital|"
    r"\bdated\b|\bemail\b|abstract",
    re.I,
)
_FUNCTION = frozenset("the of is we in to for this that are with our which by".split())
_VENUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Published as a (?:conference|workshop) paper at ([A-Z][A-Za-z]+ ?\d{4})"), "{0}"),
    (re.compile(r"Conference on Neural Information Processing Systems \(((?:NeurIPS|NIPS) \d{4})\)"), "{0}"),
    (re.compile(r"\d+(?:st|nd|rd|th) (Conference on [A-Z][\w ]{5,80}?) \(([A-Z][A-Za-z\-]* ?\d{4})\)"), "{1}"),
    (re.compile(r"Findings of the Association for Computational Linguistics: ([A-Z][A-Za-z\-]* \d{4})"), "Findings of {0}"),
    (re.compile(r"Proceedings of (?:the )?(.{5,160}?),?\s+pages\s+\d"), "Proceedings of the {0}"),
    (re.compile(r"(?:Accepted|To appear|Appeared) (?:as an? (?:long |short )?paper )?(?:at|in) ([A-Z][A-Za-z]+ ?\d{4})"), "{0}"),
    # an accepted manuscript's cover page (Elsevier): "To appear in: Journal of the Mechanical Behavior of …"
    (
        re.compile(
            r"To appear in: ?([A-Z][\w&\-]*(?: (?!Received|Revised|Accepted|Please)(?:[A-Z][\w&\-]*|of|the|and|in|on|for|&))"
            r"{1,14})"
        ),
        "{0}",
    ),
)
# a journal's running header on page 1, read only from the page's first lines (a reference in the text reads alike):
# "Middle-East Journal of Scientific Research 23 (11): 2805-2810, 2015", "Future Internet 2014, 6, 61-75; doi:…",
# "De Marchis et al. Journal of NeuroEngineering and Rehabilitation (2016) 13:22"
_JOURNAL_HEADERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"([A-Z][\w&\-]+(?: (?:of|and|in|for|on|the|&|[A-Z][\w&\-]+)){1,10}) \d+ ?\(\d+\): ?\d+ ?[-–] ?\d+,"),
    re.compile(r"([A-Z][\w\-]+(?: [A-Z][\w\-]+){0,5}) (?:19|20)\d\d, \d+, \d+ ?[-–] ?\d+"),
    re.compile(
        r"((?:Journal|Annals|Archives|Bulletin|Transactions|Letters)(?: (?:of|on|in|for|and|&|[A-Z][\w&\-]+)){1,10})"
        r" \((?:19|20)\d\d\) \d+:"
    ),
    # "Postgrad Med J 2010;86:272e278" (BMJ, a footer: "e" is the font's dash)
    re.compile(r"([A-Z][a-z]+(?: [A-Z][a-z]*){0,6}) (?:19|20)\d\d;\d+:\d+ ?[-–e] ?\d+"),
    # "Solar Energy Materials & Solar Cells 137 (2015) 1–5" (Elsevier), "Clinical Science (2014) 126, 305–313"
    re.compile(r"([A-Z][\w&\-]+(?: (?:of|and|in|for|on|the|&|[A-Z][\w&\-]+)){0,10}) \d+ \((?:19|20)\d\d\) \d+ ?[-–] ?\d+"),
    re.compile(r"([A-Z][\w&\-]+(?: (?:of|and|in|for|on|the|&|[A-Z][\w&\-]+)){0,10}) \((?:19|20)\d\d\) \d+, \d+ ?[-–] ?\d+"),
    # "Hindawi Publishing Corporation Rehabilitation Research and Practice Volume 2010, Article ID 157939, 6 pages"
    re.compile(
        r"(?:Hindawi Publishing Corporation )?([A-Z][\w&\-]+(?: (?:of|and|in|for|on|the|&|[A-Z][\w&\-]+)){0,10})"
        r" Volume (?:19|20)\d\d, Article ID"
    ),
)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?((?:19|20)\d\d)\b")
# places of more than one word, which read like a personal name on an affiliation's last line ("7935, South Africa")
_PLACES = frozenset(
    place.strip()
    for place in """
    south africa|south korea|north korea|new zealand|hong kong|saudi arabia|united states|united kingdom|sri lanka|
    costa rica|puerto rico|el salvador|czech republic|dominican republic|burkina faso|sierra leone|san marino|
    new york|new jersey|new mexico|new south wales|north carolina|south carolina|rhode island|west virginia|
    los angeles|san francisco|san diego|santa barbara|santa cruz|tel aviv|buenos aires|rio de janeiro|são paulo|
    cape town|abu dhabi|kuala lumpur|ho chi minh city|mexico city|quebec city|salt lake city|college park|
    chapel hill|palo alto|menlo park|mountain view|ann arbor|baton rouge|las vegas|st. louis|saint petersburg
    """.split("|")
)


@dataclass(frozen=True)
class FrontMatter:
    """What page 1 and the PDF metadata say about a paper; empty where they say nothing."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    arxiv_id: str | None = None
    category: str | None = None
    abstract: str = ""


@dataclass
class _Row:
    """Lines of page 1 that stand on one baseline (a title line, or the names of two authors side by side)."""

    y0: float
    y1: float
    size: float
    texts: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def read_front_matter(path: Path) -> FrontMatter:
    """The front matter of the PDF at ``path``; an empty one when the file cannot be read (parse reports why)."""
    import pymupdf

    try:
        doc = pymupdf.open(path)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the parse stage, with the reason
        return FrontMatter()
    try:
        if doc.needs_pass or doc.page_count == 0:
            return FrontMatter()
        return front_matter(doc[0], doc.metadata or {})
    except Exception:  # noqa: BLE001 - a damaged first page leaves the metadata unknown, not the paper unread
        return FrontMatter()
    finally:
        doc.close()


def front_matter(page: Any, info: dict[str, Any]) -> FrontMatter:
    """Title, authors, year, venue and arXiv stamp of a paper from its first ``page`` and PDF ``info``."""
    text = clean_glyphs(page.get_text())
    rows = _rows(page)
    stamp = STAMP.search(text)
    title_rows = _title_rows(rows, page.rect.height)
    meta_title = clean_glyphs((info.get("title") or "").strip())
    printed = _printed_rows(meta_title, rows) if _plausible_title(meta_title) else []
    if printed:
        title_rows = printed  # the largest text was a journal's name ("future internet"), the title is printed below it
    layout_title = _title_case(_join_title([r.text for r in title_rows])) if title_rows else None
    title = _choose_title(layout_title, meta_title)
    authors = _authors(rows, title_rows, page.rect.height) if title_rows else []
    if not authors:
        authors = _metadata_authors(info.get("author") or "")
    margins = [r.text for r in rows if r.y0 < 0.15 * page.rect.height or r.y0 > 0.9 * page.rect.height]  # header, footer
    venue, venue_year = _venue(text, " ".join(margins))
    year = venue_year
    if year is None and stamp:  # the first version's year (the id's prefix), not the stamped version's date
        year = first_year(stamp.group(1).strip()) or (int(stamp.group(5)) if stamp.group(5) else None)
    if year is None and (printed_year := _COPYRIGHT_YEAR.search(text)):
        year = int(printed_year.group(1))  # "© 2009 American Psychological Association", "Copyright © 2010 N. E. Tully"
    if year is None:
        created = re.match(r"(?:D:)?((?:19[89]|20[0-4])\d)", info.get("creationDate") or "")  # "D:20240726064749Z"
        year = int(created.group(1)) if created else None
    return FrontMatter(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        arxiv_id=stamp.group(1) if stamp else None,
        category=stamp.group(3).strip() if stamp else None,
        abstract=_abstract(text),
    )


# -- layout -----------------------------------------------------------------------------------------------------


def _rows(page: Any) -> list[_Row]:
    """Horizontal lines of the top of page 1 grouped by baseline, top to bottom, each with its main font size."""
    lines: list[tuple[float, float, float, float, str]] = []
    for block in page_dict(page)["blocks"]:
        for ln in block.get("lines", ()):
            if abs(ln["dir"][0] - 1) > 1e-3 or abs(ln["dir"][1]) > 1e-3:
                continue  # the arXiv stamp, rotated in the margin
            spans = [s for s in ln["spans"] if s["text"].strip()]
            if not spans:
                continue
            size = max((s["size"] for s in spans if not s["flags"] & 1), default=spans[0]["size"])
            text = clean_glyphs(" ".join(line_text(ln["spans"], separator=", ").split()))
            if text:
                lines.append((ln["bbox"][1], ln["bbox"][3], ln["bbox"][0], size, text))
    rows: list[_Row] = []
    for y0, y1, _x0, size, text in sorted(lines, key=lambda t: (round(t[0] / 3), t[2])):
        if rows and abs(rows[-1].y0 - y0) < 3:
            rows[-1].texts.append(text)
            rows[-1].size = max(rows[-1].size, size)
            rows[-1].y1 = max(rows[-1].y1, y1)
        else:
            rows.append(_Row(y0, y1, size, [text]))
    return rows


# a journal's label of the article's type, set above the title in the title's size ("Research Article", Hindawi)
_ARTICLE_TYPE = re.compile(
    r"(?i:(?:original |review |research |short |brief )?(?:research )?(?:article|paper|report|communication|letter)|"
    r"original research(?: article)?|review|perspective|commentary|editorial)"
)


def _is_header(text: str) -> bool:
    return bool(
        STAMP.search(text)
        or re.match(r"^(?:Published as|Under review|Accepted|To appear|Preprint|Proceedings of|Findings of|arXiv)", text)
        or _ARTICLE_TYPE.fullmatch(text)
        or re.fullmatch(r"[\d\s.]+", text)
    )


def _title_rows(rows: list[_Row], height: float) -> list[_Row]:
    """The title block: the rows set in the largest size in the top 40 % of the page, contiguous."""
    top = [r for r in rows if r.y0 < 0.4 * height and not _is_header(r.text) and re.search(r"[A-Za-z]{2}", r.text)]
    if not top:
        return []
    biggest = max(r.size for r in top)
    body = sorted(r.size for r in rows)[len(rows) // 2]
    if biggest < body + 0.9:
        return []  # nothing stands out: no title block to read
    blocks = []
    for size in sorted({round(r.size, 1) for r in top if r.size >= body + 0.9}, reverse=True):
        start = next(i for i, r in enumerate(top) if abs(round(r.size, 1) - size) < 0.05)  # not a larger neighbour
        block = [top[start]]
        for r in top[start + 1 :]:
            if abs(r.size - size) < 0.6 and r.y0 - block[-1].y1 < 1.6 * r.size:
                block.append(r)
            else:
                break
        blocks.append(block)
    # the title is the large text the author lines follow; the largest text can be a figure's label above the abstract
    # ("Paper Search" at 20 pt under PaSa's 14 pt title and its authors)
    return next((b for b in blocks if _names_follow(b, rows)), blocks[0])


def _names_follow(block: list[_Row], rows: list[_Row]) -> bool:
    """Author names among the three rows under ``block``, with no text of the block's size between them (a masthead
    just above the title is followed by the title, then the names)."""
    for r in [r for r in rows if r.y0 > block[-1].y1][:3]:
        if _names(r):
            return True
        if r.size > 0.9 * block[0].size:
            return False
    return False


def _join_title(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out.endswith("-") and out[-2:-1].isalpha():
            out += line  # "Multi-" / "Sense": the hyphen is the title's own
        else:
            out = f"{out} {line}".strip()
    return " ".join(out.split())


def _title_case(title: str) -> str:
    """An all-capitals title (``BI-DIRECTIONAL ATTENTION FLOW FOR …``) in title case; any other title as printed."""
    letters = [ch for ch in title if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) / len(letters) < 0.9:
        return title
    words = []
    for i, word in enumerate(title.split()):
        parts = [p[:1].upper() + p[1:].lower() for p in word.split("-")]
        cased = "-".join(parts)
        words.append(cased.lower() if i and cased.lower() in _SMALL_WORDS else cased)
    return " ".join(words)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _plausible_title(meta: str) -> bool:
    """The PDF's ``title`` field reads as a title, not a file name, a word processor's default or the arXiv stamp."""
    return (
        8 <= len(meta) <= 300
        and not meta.lower().endswith((".dvi", ".pdf", ".tex", ".doc", ".docx", ".xps"))
        and "untitled" not in meta.lower()
        and not re.match(r"^(?:microsoft word|arxiv:|paper\b|main\b|manuscript\b|doi:|https?://|10\.\d{4,9}/)", meta, re.I)
        and not STAMP.search(meta)
    )


def _printed_rows(meta: str, rows: list[_Row]) -> list[_Row]:
    """The consecutive rows of page 1 that print the PDF's ``title`` field word for word; none if it is not printed."""
    want = re.findall(r"[a-z0-9]+", meta.lower())
    for i in range(len(rows)):
        got: list[str] = []
        for j in range(i, min(i + 4, len(rows))):
            got += re.findall(r"[a-z0-9]+", rows[j].text.lower())
            if got != want[: len(got)]:
                break
            if len(got) == len(want):
                return rows[i : j + 1]
    return []


def _choose_title(layout: str | None, meta: str) -> str | None:
    plausible = _plausible_title(meta)
    if layout and plausible:
        a, b = _words(layout), _words(meta)
        if a and len(a & b) / len(a | b) >= 0.6:
            return " ".join(meta.split())  # the same title, as its authors typed it (casing, accents)
        return layout
    return layout or (" ".join(meta.split()) if plausible else None)


# -- authors ----------------------------------------------------------------------------------------------------


def is_person_name(text: str) -> bool:
    """Two to five capitalised words (initials and particles such as "van", "de" allowed): a personal name."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or _AFFILIATION.search(text) or re.search(r"[\d@{}()/:]", text):
        return False
    if " ".join(tokens).lower() in _PLACES:
        return False
    given = any(len(t) > 1 and t[0].isupper() and not t.replace("-", "").isupper() for t in tokens[:-1])
    for n, t in enumerate(tokens):
        if t.lower() in PARTICLES:
            continue
        if re.fullmatch(r"[^\W\d_]\.(?:-?[^\W\d_]\.)?", t):
            continue  # "R.", "J.-P."
        if not t[0].isupper() or not re.fullmatch(r"[^\W\d_](?:[^\W\d_]|['’.\-])*", t):
            return False
        if len(t) > 1 and t.replace("-", "").isupper() and not (n == len(tokens) - 1 and given and len(t) > 2):
            return False  # "UNC", "LIUM": an acronym, not a name; a surname in capitals after a given name is one
            # ("Ross G. DOUGLAS", Portland Press)
    return tokens[0][0].isupper() and tokens[-1][0].isupper() and tokens[-1].lower() not in PARTICLES


def _split_names(text: str) -> list[str]:
    # affiliation marks set in the body size, glued to the name: "Zheren Wang1,2,a, Kevin Cruse1,2,a", "Kononova1,*,b"
    text = re.sub(r"(?<=[a-z])\d+(?:\s?,\s?(?:\d+|[a-z∗*†‡](?![\w.])))*|\^[\w,∗*†‡]+", "", text)  # and "Weinan E^2"
    text = re.sub(r"\{[^{}]*\}@[\w.\-]+|[\w.,+\-]+@[\w.\-]+", "", text)  # e-mail: "JDF38,SH360,KH204@DUKE.EDU"
    text = re.sub(r"[∗*†‡§¶⋆♠♥♦♣#]", ",", text)
    parts = re.split(r"\s*(?:,|;|&|\band\b|\s{3,})\s*", text)
    parts = [p.strip(" .") if not re.search(r"\b[A-Z]\.$", p.strip()) else p.strip() for p in parts]
    return [p for p in parts if re.search(r"[^\W\d_]", p)]  # marks and numbers left by the split are no parts


def _authors(rows: list[_Row], title_rows: list[_Row], height: float) -> list[str]:
    """Names in the rows between the title block and the abstract (or the first prose)."""
    authors: list[str] = []
    after = title_rows[-1].y1
    carry = ""  # a given name that ended the row before: "… Aditi Seshadri, and Andrew" | "D. White"
    for row in rows:
        if row.y0 <= after or row in title_rows:
            continue
        if row.y0 > 0.5 * height or row.size > title_rows[0].size + 0.5:
            break  # past the front matter, or at text larger than the title (a figure's label: "Paper Search")
        plain = re.sub(r"[^a-z]", "", row.text.lower())
        if plain in {"abstract", "summary"} or plain.startswith("abstract"):
            break
        words = row.text.split()
        if len(words) >= 8 and sum(w.lower().strip(",.;") in _FUNCTION for w in words) >= 2 and not _AFFILIATION.search(row.text):
            break  # prose: the abstract without a heading, or the first paragraph
        parts = _parts(row)
        if carry and parts:
            parts[0] = f"{carry} {parts[0]}"
        last = parts.pop() if len(parts) > 1 and re.fullmatch(r"[A-Z][a-z]+", parts[-1]) else ""
        names = _names_in(parts)
        carry = last if names else ""  # an affiliation's last word ("…, Observatory" | "7935, South Africa") is no name
        authors.extend(n for n in names if n not in authors)
    return authors


def _parts(row: _Row) -> list[str]:
    """The row's comma-, "and"- or mark-separated parts, marks and e-mail addresses left out: candidate names."""
    return [p for t in row.texts for p in _split_names(t)]


def _names(row: _Row) -> list[str]:
    """The personal names of a row that reads as a list of them (most of its parts are names), else none."""
    return _names_in(_parts(row))


def _names_in(parts: list[str]) -> list[str]:
    names = [_name_case(p) for p in parts if is_person_name(p)]
    return names if names and len(names) >= 0.6 * len(parts) else []


def _name_case(name: str) -> str:
    """A surname set in capitals as a journal's style ("Ross G. DOUGLAS") as the name is written: "Ross G. Douglas"."""
    *given, last = name.split()
    if len(last) > 2 and last.replace("-", "").isupper():
        last = "-".join(p[:1] + p[1:].lower() for p in last.split("-"))
    return " ".join([*given, last])


def _metadata_authors(field_text: str) -> list[str]:
    text = clean_glyphs(field_text.strip())
    if not text or len(text) > 400:
        return []
    parts = [p.strip() for p in re.split(r";|,|\band\b|&", text) if p.strip()]
    names = [p for p in parts if is_person_name(p)]
    return names if names and len(names) == len(parts) else []


# -- venue and abstract ----------------------------------------------------------------------------------------------


def _venue(text: str, head: str = "") -> tuple[str | None, int | None]:
    """The venue line anywhere on page 1, else a journal's running header among its top lines (``head``)."""
    flat = " ".join(text.split())
    for pattern, template in _VENUES:
        m = pattern.search(flat)
        if m:
            venue = template.format(*m.groups()).strip(" ,.")
            years = _YEAR.findall(venue) or _YEAR.findall(flat[m.start() : m.end() + 120])
            return venue, int(years[0]) if years else None
    for pattern in _JOURNAL_HEADERS:
        m = pattern.search(head)
        if m:
            years = _YEAR.findall(head[m.end(1) : m.end() + 12])
            return m.group(1), int(years[0]) if years else None
    return None, None


# a publisher's notice inside the abstract: "This is a preprint of an article to be published in … Copyright © 2009 …;
# available online at http://…", "© 2015 Elsevier B.V. All rights reserved."
_NOTICE = re.compile(
    r"^This is an? (?:pre-?print|post-?print|author'?s?'? (?:version|manuscript))\b.{0,200}?"
    r"(?:(?:https?:\s?)?//\s?[\w./\-]+|www\.[\w./\-]+)\.?\s*"
    r"|(?:©|\(c\)|&|Copyright)\s*(?:©\s*)?(?:19|20)\d\d\b[^.]{0,80}?(?:\.[^.]{0,40}?){0,3}All rights reserved\.?",
    re.I | re.S,
)


def _abstract(first_page: str) -> str:
    m = re.search(
        r"(?:\bA\s?(?:bstract|BSTRACT)\b|\ba b s t r a c t\b)[\s.:—-]*(.+?)"
        r"(?:\n\s*(?:1|I)\.?\s+I\s?(?:ntroduction|NTRODUCTION)|\n\s*Introduction\b"
        r"|\n\s*(?:Keywords|KEYWORDS|Key ?words|Index Terms|Categories and Subject Descriptors|General Terms)\b"
        r"|\n\s*Subjects (?=[A-Z][a-z]+(?:,| [A-Z]))|\n\s*(?:INTRODUCTION|Background|BACKGROUND)\s*\n)",
        first_page,
        re.S,
    )
    if not m:
        return ""
    return " ".join(_NOTICE.sub("", _join_line_hyphens(m.group(1), first_page)).split())[:2000]


_LINE_HYPHEN = re.compile(r"([^\W\d_]+)[-\u2010]\s*\n\s*([^\W\d_]+)")


def _join_line_hyphens(text: str, page: str) -> str:
    """Line-end hyphens decided as the parser decides them (:func:`synth.ingest.hyphens.resolve_break`, the page's own
    vocabulary): "repre-|sentations" → "representations", "low-|resource" stays, "mono-|as well as" → "mono- as",
    "English-|to-German" → "English-to-German"."""
    vocab = Vocabulary([page], "\u00ad")
    return _LINE_HYPHEN.sub(
        lambda m: resolve_break(m.group(1), m.group(2), vocab, chained=m.string[m.end() : m.end() + 1] in ("-", "\u2010")),
        text,
    )

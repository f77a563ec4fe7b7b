"""PDF → blocks of clean text with page, section and role (PyMuPDF).

Why not plain ``page.get_text()``: scientific PDFs are two-column, carry running headers, page numbers and an
arXiv stamp in the margin, hyphenate across lines, put tables, figures, equations and footnotes in the middle
of the prose, and end with a references list that must never be read as findings. Each of those is handled
here, and each block keeps its page and character offset so a claim can be traced to where it stands.

The document's text is ``doc_text(doc)``: the blocks' texts joined by ``BLOCK_SEP``; ``Block.char_start`` is an
offset into it, so ``doc_text(doc)[b.char_start : b.char_start + len(b.text)] == b.text`` for every block.

Why not pymupdf4llm: it reads columns and headings well, but (2.0, with its layout model) it takes ~1.4 s per
page on two CPU cores (17 s for the 12-page XNLI paper; the whole 22-paper corpus would take minutes, not the
10 s budget), and it returns Markdown per page, with no character offsets to map a sentence back to its block
and page. The heuristics below use the same signals it uses (font size and weight, geometry, repetition across
pages) straight from ``page.get_text("dict")``, at about 30-50 pages per second.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.core.errors import ParseError
from synth.core.records import Block, ParsedDoc
from synth.ingest.glyphs import clean_glyphs, fix_accents, page_dict
from synth.ingest.hyphens import Vocabulary, resolve_break

PARSER_VERSION = "14"  # 8: headings in a face not flagged bold (BMC back matter, subsections); 9: manuscript line numbers;
# 10: a letter-spaced heading ("a b s t r a c t"); 11: a residue's raised number ("His³⁸⁸") is not a footnote mark;
# bullets in ornament fonts are not letters; "Author contribution" is back matter; 12: "p¼0.586" reads "p=0.586"
# 13: "sp²/sp³" and "km²" keep their powers, "CH₂" reads "CH2", raised affiliation letters "a,c," are marks; numbered
# headings in capitals in the text's face ("1. INTRODUCTION", AASTeX); 14: an accent drawn after its letter
# ("Gonza´lez") is composed with it, "a,1,∗" is an affiliation mark, Advent symbol fonts read as drawn ("1663–1672"),
# "(Continued on next page)" dropped, a short name in capitals over its paragraph and a numbered subsection that
# states its finding ("5.2. Crown height in camels is not correlated …") are headings
BLOCK_SEP = "\n\n"

KNOWN_SECTIONS = (
    "abstract", "introduction", "related work", "related works", "background", "preliminaries", "method", "methods",
    "methodology", "approach", "experiments", "experimental setup", "experimental results",
    "results", "evaluation", "discussion", "conclusion", "conclusions", "limitations",
    "acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment", "references", "bibliography",
    "appendix", "appendices", "ethics statement", "ethical considerations", "broader impact", "future work",
    "conclusion and future work", "conclusions and future work", "supplementary material",
    # the back matter of journal articles (BMC, Springer, Elsevier, MDPI)
    "competing interests", "conflict of interest", "conflicts of interest", "funding", "abbreviations",
    "authors' contributions", "author contributions", "author contribution", "authors contributions",
    "availability of data and materials", "data availability",
)  # fmt: skip
# ("model", "data", "setup", "analysis" count only when numbered: unnumbered they are table headers as often)
_SUBSECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[A-Z][a-z]+(?:\s+[\w()-]+)*$")
_CAPITALS_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+(?=[A-Z0-9 ,:&'’()/-]*[A-Z]{4})[A-Z][A-Z0-9 ,:&'’()/-]+$")
_NUMBER_PREFIX = r"(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2}){0,2}\.?)"
NUMBERED_HEADING = re.compile(rf"^{_NUMBER_PREFIX}\s+[A-Z][^\n]{{1,90}}$")
# an unnumbered bold run-in heading on a line of its own ("Comparison with SkipThought"): 1–8 words, capitalised,
# no sentence punctuation inside, ending without a comma
PARAGRAPH_HEADING = re.compile(r"^(?![A-Z\d]+(?: [A-Z\d-]+){2,}$)[A-Z][\w'’-]*(?: [\w'’()/-]+){0,7}[:.]?$")  # not "EN DE ES IT"
LETTER_HEADING = re.compile(r"^[A-H](?:\.\d{1,2}){0,2}\.?\s+[A-Z]")
# "Table 2: …", "Figure 1. …", "Fig. 3: …" (but not "Table 4 shows that …", which is prose)
CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Tab\.|Algorithm|Listing)\s*[A-Z]?\d+(?:\.\d+)?\s*[:.|]", re.I)
PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
NUMBERED_REF = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}\.\s|\d{1,3}\s?[A-Z][a-z]?\.\s)")  # [12] / 12. / 12 R. Smith
# a bibliography without a heading (REVTeX puts it after the text, unannounced): numbered entries ending in a year
_BIB_ENTRY = re.compile(r"(?:^|\s)\d{1,3}\s?[A-Z][a-z]?\.\s[^()]{3,160}?\(\d{4}\)[.;]")
REFERENCE_START = re.compile(
    r"\n(?=\[\d{1,3}\]\s|[A-Z][A-Za-z\u00c0-\u017f'\-]+,\s+(?:[A-Z]\.|[A-Z][a-z]+)|[A-Z][a-z]+ [A-Z][a-z]+,? (?:and|&) )"
)
MATH_FONT = re.compile(r"CMMI|CMSY|CMEX|MSBM|MSAM|CMR\d|Math|Symbol|rsfs|esint|stmary|wasy|TeX-cmex", re.I)
BOLD_FONT = re.compile(r"Bold|Medi|Semibold|Demi|Black|Heavy|\.B$|-B$", re.I)
MARGIN = 0.1  # fraction of page height treated as the header / footer band (repeated text there is dropped)
SOFT = "\u00ad"  # marks a line-end hyphen whose fate (keep or join) is decided once the whole paper is read

# Internal roles are finer than models.BlockKind; until BlockKind grows "figure", "equation" and "footnote" they
# map onto the nearest kind that keeps them out of the prose (the chunker only reads "prose").
PageTracker = Callable[[Iterable[int], str, int], Iterable[int]]


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    size: float
    bold: bool
    font: str = ""  # the face most of its characters are set in


@dataclass
class _Raw:
    """One text block of one page, before roles and sections are decided."""

    lines: list[_Line]
    bbox: tuple[float, float, float, float]
    page_w: float
    page_h: float
    size: float  # character-weighted mean font size
    max_size: float  # largest font size on it (small-caps headings average below the body size)
    footnote_mark: bool  # starts with a superscript number or symbol (¹, *, †): a footnote
    bold_frac: float  # share of characters in a bold face
    fonts: Counter[str] = field(default_factory=Counter)  # characters per font name
    col: int = -1  # 0 left column, 1 right column, -1 full width

    @property
    def n_lines(self) -> int:
        return len(self.lines)


def parse_pdf(path: Path, paper_id: str, sha: str, max_pages: int = 1000, track: PageTracker | None = None) -> ParsedDoc:
    """Parse one PDF into clean, sectioned, role-marked blocks.

    Args:
        path: the PDF file.
        paper_id: id recorded on the result.
        sha: the file's sha256 (recorded; the parsed-document cache is keyed by it).
        max_pages: pages read at most; a longer document is cut and the cut is recorded in ``warnings``.
        track: optional progress wrapper ``track(iterable, description, total)`` over page numbers (the
            pipeline passes ``ctx.ui.track``), so a 1,000-page PDF shows progress.

    Returns:
        The parsed document.

    Raises:
        ParseError: one line naming the file, for anything that is not a readable, text-bearing PDF (empty,
            HTML or other non-PDF bytes, truncated, damaged, encrypted, no pages, no text layer).
    """
    import pymupdf

    if not path.is_file():
        raise ParseError(f"{path.name}: no such file ({path})")
    size = path.stat().st_size
    if size == 0:
        raise ParseError(f"{path.name}: empty file (0 bytes)")
    with path.open("rb") as f:
        head = f.read(1024)
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%PDF-" not in head:
        low = head.lower()
        kind = "HTML" if b"<html" in low or b"<!doctype" in low or b"<head" in low else "not a PDF"
        raise ParseError(f"{path.name}: not a PDF ({kind}; starts with {head[:16]!r})")
    if b"%%EOF" not in tail:
        raise ParseError(f"{path.name}: truncated PDF (no %%EOF marker at the end of its {size} bytes)")
    try:
        doc = pymupdf.open(path)
    except Exception as err:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise ParseError(f"{path.name}: cannot open PDF ({_one_line(err)})") from err
    warnings: list[str] = []
    try:
        if doc.needs_pass or doc.is_encrypted:
            raise ParseError(f"{path.name}: encrypted PDF (needs a password)")
        n_pages = doc.page_count
        if n_pages == 0:
            raise ParseError(f"{path.name}: PDF has no pages")
        pages_read = min(n_pages, max_pages)
        pages: list[list[_Raw]] = []
        numbers: Iterable[int] = range(pages_read)
        if track is not None:
            numbers = track(numbers, f"parsing {path.name}", pages_read)
        for number in numbers:
            try:
                pages.append(_page_blocks(doc[number]))
            except Exception as err:  # noqa: BLE001 - one broken page must not lose the paper
                warnings.append(f"page {number + 1}: unreadable ({_one_line(err)})")
                pages.append([])
            if number % 64 == 63:
                pymupdf.TOOLS.store_shrink(100)  # keep MuPDF's object cache bounded on very long documents
        if pages_read < n_pages:
            warnings.append(f"read {pages_read} of {n_pages} pages (parse.max_pages)")
    except RuntimeError as err:
        raise ParseError(f"{path.name}: damaged PDF ({_one_line(err)})") from err
    finally:
        doc.close()
    total_chars = sum(len(ln.text) for page in pages for b in page for ln in b.lines)
    empty = sum(1 for page in pages if not page)
    if total_chars < 100 or (pages_read >= 4 and empty > 0.8 * pages_read):
        raise ParseError(
            f"{path.name}: no text layer, looks scanned ({total_chars} characters, {empty} of {pages_read} pages"
            " without text); run OCR first"
        )
    blocks, references = _assemble(_drop_running(pages))
    if not any(b.kind == "prose" for b in blocks):
        warnings.append("no prose found (only headings, tables or references)")
    return ParsedDoc(
        paper_id=paper_id,
        sha256=sha,
        n_pages=n_pages,
        pages_read=pages_read,
        blocks=blocks,
        references=references,
        language=guess_language(" ".join(b.text for b in blocks if b.kind == "prose")[:5000]),
        warnings=warnings,
    )


def doc_text(doc: ParsedDoc) -> str:
    """The document's full text, the string ``Block.char_start`` (and sentence and chunk spans) index into."""
    return BLOCK_SEP.join(b.text for b in doc.blocks)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


# -- one page -----------------------------------------------------------------------------------------------


def _page_blocks(page: Any) -> list[_Raw]:
    """Text blocks of one page in reading order: full-width bands top to bottom, columns left then right."""
    import pymupdf

    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    width, height = page.rect.width, page.rect.height
    out: list[_Raw] = []
    blocks = page_dict(page, flags)["blocks"]
    numbered = _line_numbered(blocks, width)
    for block in blocks:
        for part in _split_at_gutter(block, width):
            raw = _raw_block(part, width, height, numbered)
            if raw is not None:
                out.extend(_split_run_in_heading(raw))
    return _reading_order(out)


def _split_at_gutter(block: dict[str, Any], width: float) -> list[dict[str, Any]]:
    """A text block whose lines stand in both columns of a two-column page, as two blocks (left, right).

    MuPDF sometimes groups the last lines of the left column with lines of the right column into one block; read
    as one, a sentence would run on into the other column. The block is split only where it has a real gutter:
    no line crosses the page's middle, and each side has at least two lines starting at its own left edge (a
    justified single-column line that MuPDF cut into words has no such edge on the right).
    """
    lines = block.get("lines", ())
    mid = width / 2
    if len(lines) < 4 or any(ln["bbox"][0] < mid - 2 and ln["bbox"][2] > mid + 2 for ln in lines):
        return [block]
    left = [ln for ln in lines if ln["bbox"][2] <= mid]
    right = [ln for ln in lines if ln["bbox"][0] >= mid]
    if len(left) + len(right) != len(lines):
        return [block]

    def aligned(group: list[dict[str, Any]]) -> bool:
        """At least two full column-width lines starting at the group's left edge (text, not table cells)."""
        edge = min((ln["bbox"][0] for ln in group), default=0.0)
        return sum(1 for ln in group if abs(ln["bbox"][0] - edge) < 1.5 and ln["bbox"][2] - ln["bbox"][0] > 0.3 * width) >= 2

    if not (aligned(left) and aligned(right)):
        return [block]
    parts = []
    for group in (left, right):
        x0 = min(ln["bbox"][0] for ln in group)
        y0 = min(ln["bbox"][1] for ln in group)
        x1 = max(ln["bbox"][2] for ln in group)
        y1 = max(ln["bbox"][3] for ln in group)
        parts.append({**block, "lines": group, "bbox": (x0, y0, x1, y1)})
    return parts


_BOLD_CACHE: dict[str, bool] = {}
_FOOTNOTE_MARK = re.compile(r"[\d∗*†‡§¶⋆]{1,2}")
# what a raised mark after a word is: a footnote, citation or affiliation marker ("distribution⁴", "Seo¹∗", "(2015).⁵")
# "¹,²", "∗", "a", "a,c," and "a,1,∗" (affiliations, then a footnote or the corresponding author's star)
_MARKER = re.compile(r"[\d,–\-∗*†‡§¶⋆♠♥♦♣\s]+|[a-h](?:,\s?(?:[a-h]|\d{1,2}|[∗*†‡]))*,?")
_ORDINAL = re.compile(r"st|nd|rd|th")
_MATH_CHARS = frozenset("=≈−∑∏∫≤≥∈∼×·")


def _is_bold_font(font: str) -> bool:
    bold = _BOLD_CACHE.get(font)
    if bold is None:
        bold = _BOLD_CACHE[font] = BOLD_FONT.search(font) is not None
    return bold


def _script(span: dict[str, Any], main: dict[str, Any]) -> str:
    """``"sup"`` for a raised span, ``"sub"`` for a lowered one (both smaller than the line's main text), else ``""``."""
    if span is main:
        return ""
    size, main_size = span["size"], main["size"]
    dy = span["origin"][1] - main["origin"][1]
    if (span["flags"] & 1 and size < main_size) or (size < 0.85 * main_size and dy < -0.15 * main_size):
        return "sup"
    if size < 0.85 * main_size and dy > 0.1 * main_size:
        return "sub"
    return ""


_SCRIPT_MATH_FONT = re.compile(r"CMMI|CMSY|CMEX|MSBM|MSAM|Math|Symbol", re.I)


# what a raised number after two or more letters is part of, not a note on: an amino acid's three-letter code
# (biochemistry raises a residue's position after it: "His³⁸⁸" is residue 388), an orbital's hybridisation
# ("sp²/sp³"), a unit's power ("cm²", "km²", "µm³")
_RAISED_NUMBER_OF = re.compile(
    r"(?<![A-Za-z])(?:Ala|Arg|Asn|Asp|Cys|Gln|Glu|Gly|His|Ile|Leu|Lys|Met|Phe|Pro|Ser|Thr|Trp|Tyr|Val"
    r"|sp|cm|mm|km|nm|µm|μm|dm)$"
)
# a chemical formula of two or more element symbols ("CH", "SiO", "CH2CH"): a lowered number after it is its count
# ("CH₂" reads "CH2"), where after any other name it is an index ("log_2")
_ELEMENT = (
    "He|Li|Be|Ne|Na|Mg|Al|Si|Cl|Ar|Ca|Ti|Cr|Mn|Fe|Co|Ni|Cu|Zn|Ga|Ge|As|Se|Br|Sr|Zr|Mo|Ag|Cd|Sn|Sb|Ba|Pt|Au|Hg|Pb|Bi"
    "|H|B|C|N|O|F|P|S|K|V|I|U|W"
)
_FORMULA = re.compile(rf"(?:^|[^\w])(?:(?:{_ELEMENT})\d*){{2,}}$")


def _is_marker(core: str, prev: str, math: bool) -> bool:
    """Whether a raised ``core`` after ``prev`` is a footnote, citation or affiliation mark (not an exponent)."""
    if not prev or not _MARKER.fullmatch(core):
        return False
    if math or (core.isdigit() and _RAISED_NUMBER_OF.search(prev)):
        return False  # an exponent, or a number that belongs to the letters before it: "His³⁸⁸", "sp²", "km²"
    if re.search(r"[^\W\d_]{2,}$", fix_accents(prev[-12:])):
        return True  # after a word: "distribution⁴", "Cer^a", "Seo¹∗"
    if core.isalpha():
        return False  # a letter after a symbol or bracket is an exponent: "(2π)^d"
    if prev[-1] in ".,;:'\"’”∗*†‡§¶⋆♠♥♦♣":
        return True  # "(2015).⁵", "Murray,¹"
    if prev[-1] in ")]":
        depth, i = 0, len(prev) - 1
        while i >= 0:  # the bracket's content: "(mUSE)¹⁰" is a note, "(k + q)²" a square
            depth += prev[i] in ")]"
            depth -= prev[i] in "(["
            if depth == 0:
                break
            i -= 1
        inner = prev[i + 1 : -1]
        return not re.search(r"[+\-−=/×·^_α-ωΑ-Ω]|(?:^|[^\w])[^\W\d_](?:$|[^\w])", inner)
    return False


# fonts of bullets and ornaments: their one-letter glyphs read as letters ("r" in LCIRCLE10 is a bullet)
_BULLET_FONT = re.compile(r"dingbat|wingding|webding|lcircle|zapf", re.I)


def line_text(spans: list[dict[str, Any]], separator: str = " ") -> str:
    """One line's text from its spans, with superscripts and subscripts kept apart from the words around them.

    A raised footnote, citation or affiliation mark after a word or punctuation is left out ("distribution⁴ the"
    → "distribution the", "(2015).⁵" → "(2015)."); other raised text after a number or a one-letter symbol is
    an exponent (``10^6``, ``x^2``); ordinals stay as written (``4th``); lowered text after a word or symbol is a
    subscript (``log_2``, ``Unicoder_xDAE^SC``), so it is not read as part of the name before it. Where a dropped
    mark stood between two words, ``separator`` keeps them apart (", " for author lines: "Wu♠∗Alexis Conneau").
    """
    spans = [s for s in spans if not (len(s["text"].strip()) == 1 and _BULLET_FONT.search(s.get("font", "")))]
    visible = [s for s in spans if s["text"].strip()]
    if len(visible) < 2:
        return "".join(s["text"] for s in spans)
    main = max(visible, key=lambda s: (len(s["text"].strip()), s["size"]))
    math = any(ch in s["text"] for s in visible for ch in _MATH_CHARS)  # after ")" a raised 2 is a square, not a note
    out = ""
    pending_space = False
    last = prev_font = ""
    for span in spans:
        text = span["text"]
        core = text.strip()
        role = _script(span, main) if core else ""
        if not role:
            if pending_space and core:
                if text[:1] in ".,;:)]" and out.endswith(" "):
                    out = out.rstrip()  # "quality ¹." → "quality."
                elif (text[:1].isalnum() or text[:1] in "([") and out and not out[-1].isspace():
                    out += separator
                elif separator.strip() and text[:1].isspace() and text.strip()[:1].isalnum() and out:
                    out = out.rstrip() + separator.rstrip()
                pending_space = False
            out += text
            last = ""
            if core:
                prev_font = span["font"]
            continue
        prev = out.rstrip()
        tight = bool(out) and not out[-1].isspace()
        if role == last or last == "dropped":
            # the rest of one raised or lowered group, in several spans ("e^(k)", "d_ℓ1,ℓ2")
            if last != "dropped":
                out += core
            continue
        if role == "sup":
            if core in "′″‴":
                out += core  # a prime
            elif _is_marker(core, prev, math or _SCRIPT_MATH_FONT.search(prev_font) is not None):
                pending_space = True  # a marker: dropped, the words on either side kept apart
                last = "dropped"
                continue
            elif tight and prev[-1:].isdigit() and _ORDINAL.fullmatch(core):
                out += core
            elif tight and (prev[-1:].isdigit() or re.search(r"(?:^|[^\w])[^\W_]$", prev) or last == "sub" or prev[-1] in ")]"):
                out += "^" + core
            else:
                out += text
        elif tight and re.search(r"(?:^|\W)F$", prev) and core == "1":
            out += core  # F₁ is the metric F1
        elif tight and core.isdigit() and _FORMULA.search(prev):
            out += core  # a formula's count: "CH₂" is CH2
        else:
            out += ("_" + core) if tight and (prev[-1].isalpha() or prev[-1] in ")]") else text
        last = role
    return out


def _raw_block(block: dict[str, Any], width: float, height: float, numbered: bool = False) -> _Raw | None:
    lines: list[_Line] = []
    fonts: Counter[str] = Counter()
    size_sum = chars = bold_chars = max_size = 0.0
    footnote_mark = False
    for ln in block.get("lines", ()):
        direction = ln["dir"]
        if abs(direction[0] - 1) > 1e-3 or abs(direction[1]) > 1e-3:
            continue  # rotated text: the arXiv stamp in the margin, axis labels
        if numbered and _margin_number(ln, width):
            continue  # a manuscript's line number ("237" beside "As the gap size increased …")
        text = clean_glyphs(line_text(ln["spans"]).replace(SOFT, "")).strip()
        if _CONTINUED.fullmatch(text):
            continue  # page furniture: "(Continued on next page)" would open the sentence after it
        n, bold, weighted, x0, x1 = 0, 0, 0.0, 1e9, -1e9
        faces: Counter[str] = Counter()
        first: tuple[str, float] | None = None
        second_size = 0.0
        for span in ln["spans"]:
            raw_text = span["text"]
            k = len(raw_text.strip())
            if not k:
                continue
            size = span["size"]
            if first is None:
                first = (raw_text.strip(), size)
            elif not second_size:
                second_size = size
            font = span["font"]
            fonts[font] += k
            faces[font] += k
            weighted += size * k
            n += k
            if span["flags"] & 16 or _is_bold_font(font):
                bold += k
            if size > max_size and not raw_text.strip().isdigit():
                max_size = size
            bbox = span["bbox"]
            x0, x1 = min(x0, bbox[0]), max(x1, bbox[2])
        if not n:
            continue
        if not lines and first is not None and second_size:
            footnote_mark = _FOOTNOTE_MARK.fullmatch(first[0]) is not None and first[1] < 0.8 * second_size
        chars += n
        bold_chars += bold
        size_sum += weighted
        face = faces.most_common(1)[0][0]
        lines.append(_Line(text=text, x0=x0, x1=x1, size=weighted / n, bold=bold >= 0.8 * n, font=face))
    if not lines:
        return None
    x0 = min(ln.x0 for ln in lines)
    x1 = max(ln.x1 for ln in lines)
    y0, y1 = block["bbox"][1], block["bbox"][3]
    col = 0 if x1 <= width * 0.55 else 1 if x0 >= width * 0.45 else -1
    return _Raw(
        lines=lines,
        bbox=(x0, y0, x1, y1),
        page_w=width,
        page_h=height,
        size=size_sum / chars,
        max_size=max_size or size_sum / chars,
        footnote_mark=footnote_mark,
        bold_frac=bold_chars / chars,
        fonts=fonts,
        col=col,
    )


# a box or abstract broken over pages says so (BMC, Elsevier): "(Continued on next page)", "(Continued from previous page)"
_CONTINUED = re.compile(r"\(?continued (?:(?:on|from) (?:the )?(?:next|previous|following) page|overleaf)\)?\.?", re.I)


def _line_numbered(blocks: list[dict[str, Any]], width: float) -> bool:
    """Whether the page carries a manuscript's line numbers: ten or more numbers in a margin, mostly counting up by one
    (a section number set out in the margin, "1" beside "Introduction", is not)."""
    numbers = sorted(
        (ln["bbox"][1], int("".join(s["text"] for s in ln["spans"]).strip()))
        for b in blocks
        for ln in b.get("lines", ())
        if _margin_number(ln, width)
    )
    steps = [b - a for (_, a), (_, b) in zip(numbers, numbers[1:], strict=False)]
    return len(numbers) >= 10 and sum(step == 1 for step in steps) >= 0.7 * len(steps)


def _margin_number(line: dict[str, Any], width: float) -> bool:
    """A bare number in the left or right page margin: the line numbering of a submitted or accepted manuscript."""
    text = "".join(span["text"] for span in line["spans"]).strip()
    x0, _, x1, _ = line["bbox"]
    return bool(re.fullmatch(r"\d{1,4}", text)) and (x1 < 0.12 * width or x0 > 0.88 * width)


def _split_run_in_heading(raw: _Raw) -> list[_Raw]:
    """``4.2.2 Universal Sentence Embeddings Most of the …``: a bold heading set on the first line(s) of its
    paragraph becomes its own block, so the section starts where the heading stands."""
    if raw.n_lines >= 2 and _known(raw.lines[0].text) and raw.lines[0].font != raw.lines[1].font:
        # "References" / "1. Quandt F, …": a known section name on a line of its own, in another face than the text
        # under it (BMC sets its back-matter headings in a face PyMuPDF does not flag as bold)
        return _split_at(raw, 1, raw.bbox[1] + raw.size * 1.2)
    first, second = raw.lines[0], raw.lines[min(1, raw.n_lines - 1)]
    if (
        raw.n_lines >= 3
        and first.font != second.font
        and second.font == raw.lines[2].font
        and first.x1 < second.x1 - 0.2 * (second.x1 - second.x0)  # a short line: it does not run on into the text
        and PARAGRAPH_HEADING.match(first.text)
        and not first.text.endswith((".", ":"))
        # column names ("Model Yelp'13 Yelp'14 IMDB") are no heading; a short name in capitals ("Healthy Eating Index")
        # over prose in the text's own face is one
        and not (_looks_like_header_row(first.text, False) and (len(first.text.split()) > 4 or re.search(r"\d", first.text)))
        and len(re.findall(r"\b[a-z]{2,}\b", second.text)) >= 4  # prose follows, not a table's numbers
    ):
        # "Optimal patterns vs control measurements" / "The behavioral outcome …": a subsection heading on a line of
        # its own, set in another face than its paragraph but not flagged bold (BMC, Springer)
        return _split_at(raw, 1, raw.bbox[1] + raw.size * 1.2)
    if raw.n_lines < 2 or not raw.lines[0].bold or raw.bold_frac > 0.9:
        return [raw]
    k = 0
    while k < raw.n_lines and raw.lines[k].bold and k < 12:  # PyMuPDF may give each word of a heading its own line
        k += 1
    if k == 0 or k >= raw.n_lines:
        return [raw]
    head_text = " ".join(ln.text for ln in raw.lines[:k])
    heading = heading_of(head_text, 1)
    if heading is not None and re.match(r"^\d{1,2}\.\s", heading) and not _known(heading):
        return [raw]  # "1. Character Embedding Layer maps …": an enumerated paragraph, not a section
    y_split = raw.bbox[1] + (raw.bbox[3] - raw.bbox[1]) * k / raw.n_lines
    if heading is None:
        if not PARAGRAPH_HEADING.match(head_text) or _looks_like_header_row(head_text, False):
            return [raw]
        y_split = raw.bbox[1] + raw.size * 1.2  # a run-in \paragraph{} heading: one line, whatever PyMuPDF made of it
    return _split_at(raw, k, y_split)


def _split_at(raw: _Raw, k: int, y_split: float) -> list[_Raw]:
    """The block as its first ``k`` lines, a heading, and the rest, its text."""
    head = _Raw(raw.lines[:k], (raw.bbox[0], raw.bbox[1], raw.bbox[2], y_split), raw.page_w, raw.page_h,
                raw.size, raw.max_size, False, 1.0, Counter(raw.fonts), raw.col)  # fmt: skip
    body = _Raw(raw.lines[k:], (raw.bbox[0], y_split, raw.bbox[2], raw.bbox[3]), raw.page_w, raw.page_h,
                raw.size, raw.size, False, 0.0, Counter(raw.fonts), raw.col)  # fmt: skip
    return [head, body]


def _reading_order(blocks: list[_Raw]) -> list[_Raw]:
    ordered: list[_Raw] = []
    band: list[_Raw] = []
    for b in sorted(blocks, key=lambda b: (b.bbox[1], b.bbox[0])):
        if b.col == -1:
            ordered.extend(sorted(band, key=lambda x: (x.col, x.bbox[1], x.bbox[0])))
            band = []
            ordered.append(b)
        else:
            band.append(b)
    ordered.extend(sorted(band, key=lambda x: (x.col, x.bbox[1], x.bbox[0])))
    return ordered


def _join_lines(lines: list[_Line]) -> str:
    """Lines → one string; a line-end hyphen before a lower-case letter becomes SOFT (decided later)."""
    text = ""
    for ln in lines:
        line = ln.text
        if not text:
            text = line
        elif len(text) > 1 and text[-1] in "-\u2010" and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + SOFT + line
        elif len(text) > 1 and text[-1] == "-" and text[-2].isalpha() and line[:1].isupper():
            # "Wide-" / "Coverage" (a compound), or "biL-" / "STM" (a name broken): decided with the other hyphens
            text = text[:-1] + SOFT + line
        elif len(text) > 1 and text[-1] in "-\u2010" and text[-2].isdigit() and line[:1].isalpha():
            text += line  # "0-" / "shot", "50-" / "dimensional": a number's hyphen is never a syllable break
        else:
            text += " " + line
    return re.sub(r"[ \t\r\f\v\u00a0]+", " ", text).strip()


# -- the whole document --------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _drop_running(pages: list[list[_Raw]]) -> list[list[_Raw]]:
    """Remove page numbers and headers/footers that repeat across pages in the top or bottom band."""

    def in_margin(b: _Raw) -> bool:
        return b.bbox[3] < b.page_h * MARGIN or b.bbox[1] > b.page_h * (1 - MARGIN)

    def key(b: _Raw) -> str:
        return _norm(" ".join(ln.text for ln in b.lines))

    counts = Counter(key(b) for page in pages for b in page if in_margin(b))
    threshold = max(2, int(0.3 * len(pages)))
    cleaned = []
    for page in pages:
        kept = []
        for b in page:
            text = " ".join(ln.text for ln in b.lines)
            if in_margin(b) and (PAGE_NUMBER.match(text) or (counts[key(b)] >= threshold and b.n_lines <= 2)):
                continue
            kept.append(b)
        cleaned.append(kept)
    return cleaned


def heading_of(text: str, lines: int) -> str | None:
    """The heading ``text`` names (a known section or a numbered title), else None."""
    text = " ".join(text.split())
    if lines > 3 or len(text) > 100 or not text:
        return None
    if text.endswith((",", ";", "-")) or (text.endswith(".") and not NUMBERED_HEADING.match(text)):
        return None
    if _known(text):
        return text.rstrip(":")
    stripped = re.sub(rf"^{_NUMBER_PREFIX}\s+", "", text).strip().rstrip(":.").strip()
    if re.match(r"^appendix\b", text, re.I) and len(text.split()) <= 10:
        return text.rstrip(":")
    if (
        NUMBERED_HEADING.match(text)
        and 1 <= len(stripped.split()) <= 12
        and not re.search(r"\d\s*%|=|,|\(\d{4}\)|\d{4}[a-z]?\.", stripped)
        and not re.search(r"\b(?:and|et al)\b\.?$", stripped)
    ):
        return text
    return None


def _known(text: str) -> bool:
    """``Abstract``, ``1 Introduction``, ``VII. CONCLUSION``, ``References:``: a section every paper may have."""
    stripped = re.sub(rf"^{_NUMBER_PREFIX}\s+", "", text).strip().rstrip(":.").strip().lower()
    return stripped in KNOWN_SECTIONS or text.lower().rstrip(":.") in KNOWN_SECTIONS


@dataclass
class _Style:
    body_size: float
    body_font: str


def _style(pages: list[list[_Raw]]) -> _Style:
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for page in pages:
        for b in page:
            n = sum(len(ln.text) for ln in b.lines)
            sizes[round(b.size * 2) / 2] += n
            fonts.update(b.fonts)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    return _Style(body_size=body, body_font=fonts.most_common(1)[0][0] if fonts else "")


_MATH_CACHE: dict[tuple[str, str], bool] = {}


def _is_math_font(font: str, body_font: str) -> bool:
    """A maths font other than the body's own family (papers set in Computer Modern use CMR for prose)."""
    key = (font, body_font)
    math = _MATH_CACHE.get(key)
    if math is None:
        family = re.sub(r"\d+$", "", font)
        math = _MATH_CACHE[key] = family != re.sub(r"\d+$", "", body_font) and MATH_FONT.search(font) is not None
    return math


_STATED_SUBSECTION = re.compile(r"\d+\.\d+(?:\.\d+)*\.?(?: [A-Za-z][\w'’/-]*,?){4,30}")


def _role(b: _Raw, text: str, style: _Style, refs_started: bool, in_body: bool) -> str:
    """prose, heading, paragraph heading, caption, table, figure, equation, footnote (references are decided by
    section); ``in_body``: past the front matter and outside the bibliography, where a bold line may head a paragraph."""
    small = b.size < style.body_size * 0.86
    tiny = b.size < style.body_size * 0.72
    math_chars = sum(n for f, n in b.fonts.items() if _is_math_font(f, style.body_font))
    all_chars = sum(b.fonts.values()) or 1
    heading_like = (
        b.bold_frac >= 0.8
        or b.size >= style.body_size + 0.8
        or b.max_size >= style.body_size + 1.5
        # "3.1.1 Radiographic and microCT assessment of healing": a subsection number on a line of its own, in the
        # text's own face (a manuscript set for review)
        or (b.n_lines == 1 and _SUBSECTION_NUMBER.match(text) is not None and len(text.split()) <= 14)
        # "1. INTRODUCTION", "4. THE SIZE DISTRIBUTION OF NEOS": a numbered heading in capitals, set in the text's own
        # face or smaller (AASTeX)
        or (b.n_lines == 1 and _CAPITALS_HEADING.match(text) is not None and len(text.split()) <= 12)
    )
    if b.n_lines <= 3 and style.body_font not in b.fonts and _STATED_SUBSECTION.fullmatch(text):
        # "5.2. Crown height in camels is not correlated with an increase in grass consumption": a subsection that states
        # its finding, over up to three lines in another face than the text's (Elsevier's italic subsection headings);
        # as prose it was read into the sentence under it
        return "heading"
    if heading_like and heading_of(text, b.n_lines) and (not refs_started or b.bold_frac >= 0.8):
        return "heading"  # inside or after the bibliography only bold headings count ("A. Smith" is an author)
    if b.n_lines == 1 and _known(text) and (abs(b.size - style.body_size) >= 0.5 or style.body_font not in b.fonts):
        # a known section name alone on its line, set apart from the prose by size or face alone: BMC sets
        # "References" and "Competing interests" smaller than the body, in a face PyMuPDF does not flag as bold
        return "heading"
    if CAPTION.match(text):
        return "caption"
    if (
        b.bold_frac >= 0.95
        and b.bbox[3] - b.bbox[1] < b.size * 1.6  # one line on the page (PyMuPDF may split it at word gaps)
        and abs(b.size - style.body_size) < 0.6
        and in_body  # not a bold title or author line, nor a bold entry of the bibliography
        and not refs_started
        and PARAGRAPH_HEADING.match(text)
        and not _looks_like_header_row(text, False)  # "System Score Official Rank" heads a table's columns
    ):
        return "paragraph heading"
    if math_chars / all_chars > 0.4:
        return "equation"
    if b.bbox[1] > b.page_h * 0.6 and (
        (small and (re.match(r"^[\d∗*†‡§¶⋆]", text) or b.bbox[3] > b.page_h * 0.85))
        or (b.footnote_mark and b.size < style.body_size * 0.95)
    ):
        return "footnote"
    if tiny:
        return "figure"
    if _looks_tabular(text):
        return "table"
    col_w = b.page_w * (0.37 if b.col >= 0 else 0.75)
    widest = max(ln.x1 - ln.x0 for ln in b.lines)
    sentence_end = bool(re.search(r"[a-z)\]\d]{2,}[.!?:][\"')\]]?$", text))
    if small and not sentence_end:
        return "table"  # small, ragged, unpunctuated: table cells or row labels
    if widest < col_w * 0.45 and not sentence_end and len(text.split()) <= 8 and b.n_lines <= 2:
        return "figure"  # short labels scattered over a drawing
    if _EQUATION_NUMBER.search(text) and (_MATH_SYMBOL.search(text) or len(text) < 60):
        return "equation"  # a displayed equation with its number: "… = softmax(W h) (8)"
    if re.match(r"^\([a-h]\)\s", text) and len(text) < 90 and b.n_lines <= 2:
        return "caption"  # a sub-figure caption: "(a) Results on the SQuAD test set"
    if re.match(r"^\d{1,2}:\s", text):
        return "figure"  # a numbered algorithm line: "8: Renormalize z using softmax"
    if _looks_like_header_row(text, sentence_end):
        return "table"
    return "prose"


def _assemble(pages: list[list[_Raw]]) -> tuple[list[Block], list[str]]:
    style = _style(pages)
    items: list[tuple[int, str, str, str, _Raw]] = []  # (page, section, role, text, raw)
    section = "Front matter"
    in_refs = refs_seen = appendix = False
    ref_lines: list[tuple[int, _Raw]] = []
    for number, page in enumerate(pages, start=1):
        for b in page:
            text = _join_lines(b.lines)
            if re.fullmatch(r"(?:[A-Za-z] ){3,}[A-Za-z]", text):
                text = text.replace(" ", "").capitalize()  # a heading set letter-spaced: "a b s t r a c t" (Elsevier)
            role = _role(b, text, style, refs_seen, in_body=section != "Front matter" and not in_refs)
            if role == "heading" and section == "Front matter" and not _known(text):
                if not re.match(r"^(?:1|I)\.?\s", text):
                    role = "prose" if b.n_lines > 1 else "table"  # an address line or a title, not section 7
            prev = items[-1] if items else None
            if (
                role != "heading"
                and prev is not None
                and prev[2] == "heading"
                and prev[0] == number
                and b.bold_frac >= 0.8
                and b.n_lines <= 2
                and len(prev[3]) + len(text) < 110
                and not re.search(r"[.:;,]$", text)
                and 0 <= b.bbox[1] - prev[4].bbox[3] < style.body_size * 1.2
            ):
                # a heading set on two blocks ("II. SELF-CONSISTENT ACTION IN THE" / "LARGE z LIMIT")
                merged = " ".join(f"{prev[3]} {text}".split())
                section = merged if not section.startswith("Appendix ") else f"Appendix {merged}"
                items[-1] = (prev[0], section, "heading", merged, prev[4])
                continue
            if role == "paragraph heading":
                # a LaTeX \paragraph{}: it ends the paragraph before it and names what follows inside its section
                # ("5.2 Task transfer › Comparison with SkipThought"); its text is never glued to the next sentence
                parent = section.split(" › ")[0]
                role, section = "heading", f"{parent} › {' '.join(text.replace(SOFT, '').split()).rstrip(':.')}"
                items.append((number, section, role, text, b))
                continue
            if role == "heading":
                heading = " ".join(text.replace(SOFT, "").split()).rstrip(":")
                low = re.sub(rf"^{_NUMBER_PREFIX}\s+", "", heading.lower()).strip()
                if low.startswith(("references", "bibliography")):
                    in_refs = refs_seen = True
                elif low.startswith(("appendix", "appendices", "supplementary")) or in_refs:
                    in_refs, appendix = False, True  # after the bibliography only a (bold) appendix heading ends it
                section = heading
                if appendix and "appendix" not in low and LETTER_HEADING.match(heading):
                    section = f"Appendix {heading}"
            elif in_refs or (role in ("prose", "caption", "footnote") and len(_BIB_ENTRY.findall(text)) >= 3):
                role = "references"
            if role == "references":
                ref_lines.append((number, b))
            items.append((number, section, role, text, b))
    items = _fix_cross_block_hyphens(items)
    vocab = _hyphen_vocabulary(text for _, _, _, text, _ in items)
    blocks: list[Block] = []
    offset = 0
    for number, sec, role, text, _ in items:
        text = _resolve_soft(text, vocab)
        if not text:
            continue
        kind = role
        blocks.append(Block(page=number, section=sec, kind=kind, text=text, char_start=offset))  # type: ignore[arg-type]
        offset += len(text) + len(BLOCK_SEP)
    return blocks, [_resolve_soft(r, vocab) for r in _split_references(ref_lines)]


def _fix_cross_block_hyphens(
    items: list[tuple[int, str, str, str, _Raw]],
) -> list[tuple[int, str, str, str, _Raw]]:
    """``… consen-`` | (column or page break) | ``sus for 93% …``: move the word's tail back to its head."""
    out = list(items)
    prose = [i for i, it in enumerate(out) if it[2] == "prose"]
    for a, b in zip(prose, prose[1:], strict=False):
        head, tail = out[a][3], out[b][3]
        if len(head) > 2 and head[-1] in "-\u2010" and head[-2].isalpha() and tail[:1].islower():
            word, _, rest = tail.partition(" ")
            out[a] = (*out[a][:3], head[:-1] + SOFT + word, out[a][4])
            out[b] = (*out[b][:3], rest.lstrip(), out[b][4])
    return out


def _hyphen_vocabulary(texts: Iterable[str]) -> Vocabulary:
    """How the paper writes its words (hyphenated mid-line, or solid), to decide its line-end hyphens."""
    return Vocabulary(texts, SOFT)


_SOFT_WORD = re.compile(rf"([^\W\d_]*)(?:{SOFT})([^\W\d_]*)")


def _resolve_soft(text: str, vocab: Vocabulary) -> str:
    """Join a line-end hyphenation (``consen-sus``, ``More-over``) unless it is a real hyphen (``low-resource``,
    ``state-of-the-art``): see :mod:`synth.ingest.hyphens` for the evidence used."""

    def fix(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if not a or not b:
            return a + b
        return resolve_break(a, b, vocab, chained=m.string[m.end() : m.end() + 1] in ("-", "\u2010"))

    return _SOFT_WORD.sub(fix, text).replace(SOFT, "")


_EQUATION_NUMBER = re.compile(r"\(\d{1,3}[a-z]?\)$")
_MATH_SYMBOL = re.compile(r"[=�∑∏∫→←≈≤≥±×·∈∀∃∂∇√∞]")
_FUNCTION_WORDS = frozenset(
    "the a an of and or to in on for with is are was were we our this that these by as at from be it its has have"
    " can not which than".split()
)


def _looks_like_header_row(text: str, sentence_end: bool) -> bool:
    """``Model Yelp'13 Yelp'14 IMDB``, ``System Score Official Rank``: column names, not a sentence."""
    tokens = text.split()
    if sentence_end or not 2 <= len(tokens) <= 16 or text.endswith((",", ";")):
        return False
    if any(t.lower().strip("(),") in _FUNCTION_WORDS for t in tokens):
        return False
    capital = sum(1 for t in tokens if t.lstrip("(•")[:1].isupper() or t.lstrip("(")[:1].isdigit())
    return capital / len(tokens) >= 0.7


_NUMERIC = re.compile(r"[-+±]?\d+(?:[.,]\d+)?%?[*†‡]?")


def _looks_tabular(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 5:
        return False
    numeric = sum(1 for t in tokens if _NUMERIC.fullmatch(t.strip("()[],;")))
    if numeric / len(tokens) > 0.4 and not re.search(r"[a-z]{3,}[.!?](?:\s|$)", text):
        return True
    function = sum(1 for t in tokens if t.lower().strip("(),.;:") in _FUNCTION_WORDS)
    if numeric >= 4 and numeric / len(tokens) >= 0.25 and function * 8 < len(tokens):
        return True  # rows of a results table read as a line: "(16) 600D ESIM 4.3M 92.6 88.0 (17) HIM …"
    # a header row: many very short tokens (language codes, column names) and no sentence punctuation
    short = sum(1 for t in tokens if len(t) <= 3)
    return len(tokens) >= 6 and short / len(tokens) > 0.8 and not re.search(r"[a-z]{3,}[.!?](?:\s|$)", text)


def _split_references(ref_blocks: list[tuple[int, _Raw]]) -> list[str]:
    """Reference entries from the bibliography's lines.

    Entries are found by layout first: in a hanging-indent bibliography an entry starts on a line at the
    column's left edge and continues on indented lines; numbered styles (``[12]``, ``12.``) start with their
    number. When neither pattern is present, fall back to author-name patterns.
    """
    entries: list[list[str]] = []
    # the left edge of each (page, column) of the bibliography
    left: dict[tuple[int, int], float] = {}
    for page, b in ref_blocks:
        key = (page, b.col)
        left[key] = min(left.get(key, 1e9), min(ln.x0 for ln in b.lines))
    indented = sum(1 for page, b in ref_blocks for ln in b.lines if ln.x0 > left[(page, b.col)] + 3)
    total = sum(b.n_lines for _, b in ref_blocks) or 1
    numbered = sum(1 for _, b in ref_blocks for ln in b.lines if NUMBERED_REF.match(ln.text))
    bracketed = sum(1 for _, b in ref_blocks for ln in b.lines if re.match(r"^\s*\[\d{1,3}\]", ln.text))
    if bracketed >= 3:
        mode = "numbered"  # "[12] …" is unambiguous; "12. …" also ends page ranges, so layout goes first
    elif indented / total > 0.2:
        mode = "hanging"
    elif numbered >= 3:
        mode = "numbered"
    else:
        mode = "patterns"
    if mode == "patterns":
        text = "\n".join(_join_lines(b.lines) for _, b in ref_blocks)
        parts = [" ".join(p.split()) for p in REFERENCE_START.split("\n" + text)]
        return [p for p in parts if len(p) > 20]
    for page, b in ref_blocks:
        edge = left[(page, b.col)]
        for ln in b.lines:
            if mode == "numbered":
                starts = re.match(r"^\s*\[\d{1,3}\]" if bracketed >= 3 else NUMBERED_REF, ln.text) is not None
            else:
                starts = ln.x0 <= edge + 3
            if starts or not entries:
                entries.append([ln.text])
            else:
                entries[-1].append(ln.text)
    out = []
    for lines in entries:
        joined = _join_lines([_Line(t, 0, 0, 0, False) for t in lines])
        if len(joined) > 20:
            out.append(joined)
    return out


_SCRIPTS = (
    ("zh", r"[\u4e00-\u9fff]"), ("ja", r"[\u3040-\u30ff]"), ("ko", r"[\uac00-\ud7af]"), ("ru", r"[\u0400-\u04ff]"),
    ("ar", r"[\u0600-\u06ff]"), ("hi", r"[\u0900-\u097f]"), ("el", r"[\u0370-\u03ff]"), ("th", r"[\u0e00-\u0e7f]"),
)  # fmt: skip
_EN = {"the", "of", "and", "to", "in", "is", "that", "we", "for", "this", "with", "are", "on", "by", "as", "be"}
_DE = {"der", "die", "und", "das", "ist", "nicht", "mit", "von", "wir", "eine"}
_FR = {"le", "la", "les", "et", "des", "est", "une", "pour", "dans", "nous"}
_ES = {"el", "los", "las", "y", "que", "es", "una", "para", "con", "por"}


def guess_language(text: str) -> str:
    """A coarse language tag (script, then stop-word counts); good enough to flag non-English papers and claims."""
    if not text.strip():
        return "unknown"
    for code, pattern in _SCRIPTS:
        if len(re.findall(pattern, text)) > 0.2 * len(text.replace(" ", "")):
            return code
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if not words:
        return "unknown"
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in (("en", _EN), ("de", _DE), ("fr", _FR), ("es", _ES))}
    best = max(scores, key=lambda k: scores[k])
    if best != "en" and scores["en"] and scores[best] < max(3, 1.5 * scores["en"]):
        best = "en"  # "de la Torre", "et al.", "Le et al.": a few foreign stop words in English prose are names
    return best if scores[best] >= 0.05 * len(words) else "unknown"

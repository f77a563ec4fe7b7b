"""PDF → blocks of clean text with page, section and role (PyMuPDF).

Why not plain ``page.get_text()``: scientific PDFs are two-column, carry running headers, page numbers and an
arXiv stamp in the margin, hyphenate across lines, and end with a references list that must never be read as
findings. Each of those is handled here, and each block keeps its page and character offset so a claim can be
traced to where it stands.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from synth.errors import ParseError
from synth.models import Block, ParsedDoc

PARSER_VERSION = "1"

KNOWN_SECTIONS = (
    "abstract", "introduction", "related work", "background", "method", "methods", "methodology", "approach",
    "model", "experiments", "experimental setup", "results", "evaluation", "analysis", "discussion",
    "conclusion", "conclusions", "limitations", "acknowledgements", "acknowledgments", "references",
    "bibliography", "appendix", "ethics statement", "future work", "conclusion and future work",
)  # fmt: skip
NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2})?\.?)\s+[A-Z][^\n]{1,80}$")
CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Algorithm)\s*[A-Z]?\d+[.:]?", re.I)
PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}\s*$", re.I)
REFERENCE_START = re.compile(r"\n(?=\[\d{1,3}\]\s|[A-Z][A-Za-z\u00c0-\u017f'\-]+,\s+(?:[A-Z]\.|[A-Z][a-z]+)|[A-Z][a-z]+ [A-Z][a-z]+,? (?:and|&) )")
MARGIN = 0.06  # fraction of page height treated as header/footer band


def parse_pdf(path: Path, paper_id: str, sha: str, max_pages: int = 1000) -> ParsedDoc:
    """Parse one PDF; raises ParseError (naming the file) for anything that is not a readable, text-bearing PDF."""
    import pymupdf

    head = path.read_bytes()[:1024] if path.is_file() else b""
    if not head:
        raise ParseError(f"{path.name}: empty file (0 bytes)")
    if b"%PDF-" not in head:
        kind = "HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "not a PDF"
        raise ParseError(f"{path.name}: not a PDF ({kind}; starts with {head[:16]!r})")
    try:
        doc = pymupdf.open(path)
    except Exception as err:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise ParseError(f"{path.name}: cannot open PDF ({err})") from err
    try:
        if doc.needs_pass or doc.is_encrypted:
            raise ParseError(f"{path.name}: encrypted PDF (needs a password)")
        n_pages = doc.page_count
        if n_pages == 0:
            raise ParseError(f"{path.name}: PDF has no pages")
        pages_read = min(n_pages, max_pages)
        raw: list[list[dict[str, Any]]] = []
        warnings: list[str] = []
        for number in range(pages_read):
            try:
                raw.append(_page_blocks(doc[number]))
            except Exception as err:  # noqa: BLE001 - one broken page must not lose the paper
                warnings.append(f"page {number + 1}: unreadable ({err})")
                raw.append([])
        if pages_read < n_pages:
            warnings.append(f"read {pages_read} of {n_pages} pages (parse.max_pages)")
    except RuntimeError as err:
        raise ParseError(f"{path.name}: damaged PDF ({err})") from err
    finally:
        doc.close()
    total_chars = sum(len(b["text"]) for page in raw for b in page)
    if total_chars < 100:
        raise ParseError(f"{path.name}: no text layer ({total_chars} characters in {pages_read} pages; scanned? run OCR first)")
    blocks, references = _assemble(_drop_running(raw))
    return ParsedDoc(
        paper_id=paper_id,
        sha256=sha,
        n_pages=n_pages,
        pages_read=pages_read,
        blocks=blocks,
        references=references,
        language=guess_language(" ".join(b.text for b in blocks[:40])),
        warnings=warnings,
    )


def _page_blocks(page: Any) -> list[dict[str, Any]]:
    """Text blocks of one page in reading order: full-width bands top to bottom, columns left then right."""
    import pymupdf

    flags = pymupdf.TEXT_DEHYPHENATE | pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    width, height = page.rect.width, page.rect.height
    out = []
    for block in page.get_text("dict", flags=flags)["blocks"]:
        lines = [ln for ln in block.get("lines", []) if abs(ln["dir"][0] - 1) < 1e-3]  # drops rotated margin stamps
        if not lines:
            continue
        text_lines, sizes, bold = [], [], 0
        for ln in lines:
            t = "".join(s["text"] for s in ln["spans"])
            if t.strip():
                text_lines.append(t.strip())
                sizes.extend(s["size"] for s in ln["spans"] if s["text"].strip())
                bold += sum(1 for s in ln["spans"] if s["flags"] & 16 and s["text"].strip())
        if not text_lines:
            continue
        x0, y0, x1, y1 = block["bbox"]
        out.append(
            {
                "text": _join_lines(text_lines),
                "lines": len(text_lines),
                "size": sum(sizes) / len(sizes),
                "bold": bold > 0,
                "bbox": (x0, y0, x1, y1),
                "page_h": height,
                "col": 0 if x1 <= width * 0.55 else 1 if x0 >= width * 0.45 else -1,
            }
        )
    return _reading_order(out)


def _reading_order(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered: list[dict[str, Any]] = []
    band: list[dict[str, Any]] = []
    for b in sorted(blocks, key=lambda b: b["bbox"][1]):
        if b["col"] == -1:
            ordered.extend(sorted(band, key=lambda x: (x["col"], x["bbox"][1])))
            band = []
            ordered.append(b)
        else:
            band.append(b)
    ordered.extend(sorted(band, key=lambda x: (x["col"], x["bbox"][1])))
    return ordered


def _join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("-") and line[:1].islower():
            text = text[:-1] + line  # hyphenation the dehyphenate flag missed (line ends inside a span)
        else:
            text += " " + line
    return re.sub(r"\s+", " ", text).strip()


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _drop_running(pages: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Remove page numbers and headers/footers that repeat across pages in the top or bottom band."""
    def in_margin(b: dict[str, Any]) -> bool:
        return b["bbox"][3] < b["page_h"] * MARGIN * 1.5 or b["bbox"][1] > b["page_h"] * (1 - MARGIN * 1.5)

    counts = Counter(_norm(b["text"]) for page in pages for b in page if in_margin(b))
    threshold = max(2, int(0.3 * len(pages)))
    cleaned = []
    for page in pages:
        kept = []
        for b in page:
            if in_margin(b) and (PAGE_NUMBER.match(b["text"]) or counts[_norm(b["text"])] >= threshold):
                continue
            kept.append(b)
        cleaned.append(kept)
    return cleaned


def heading_of(text: str, lines: int) -> str | None:
    if lines > 2 or len(text) > 90 or text.endswith((".", ",", ";")) and not NUMBERED_HEADING.match(text):
        return None
    stripped = re.sub(r"^(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2})?\.?)\s+", "", text).strip()
    if stripped.lower().rstrip(":") in KNOWN_SECTIONS or text.lower().rstrip(":") in KNOWN_SECTIONS:
        return text.rstrip(":")
    if NUMBERED_HEADING.match(text) and len(stripped.split()) <= 8 and not re.search(r"\d\s*%|=", stripped):
        return text
    return None


def _assemble(pages: list[list[dict[str, Any]]]) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    section = "Front matter"
    in_refs = False
    offset = 0
    ref_text: list[str] = []
    body_size = _body_font_size(pages)
    for number, page in enumerate(pages, start=1):
        for b in page:
            text = b["text"]
            heading = heading_of(text, b["lines"]) if (b["bold"] or b["size"] > body_size + 0.5 or b["lines"] == 1) else None
            if heading:
                section = heading
                low = re.sub(r"^[\dA-Z.\s]{0,6}", "", heading.lower()).strip()
                in_refs = low.startswith(("references", "bibliography"))
                if low.startswith("appendix") or (in_refs is False and re.match(r"^[A-H]\.?\s", heading)):
                    in_refs = False
                kind = "heading"
            elif in_refs:
                kind = "references"
                ref_text.append(text)
            elif CAPTION.match(text):
                kind = "caption"
            elif _looks_tabular(text):
                kind = "table"
            else:
                kind = "prose"
            blocks.append(Block(page=number, section=section, kind=kind, text=text, char_start=offset))  # type: ignore[arg-type]
            offset += len(text) + 2
    return blocks, _split_references("\n".join(ref_text))


def _body_font_size(pages: list[list[dict[str, Any]]]) -> float:
    sizes = Counter(round(b["size"]) for page in pages for b in page for _ in range(max(1, len(b["text"]) // 100)))
    return float(sizes.most_common(1)[0][0]) if sizes else 10.0


def _looks_tabular(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 6:
        return False
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-+±]?\d+(?:[.,]\d+)?%?", t.strip("()[],;")))
    return numeric / len(tokens) > 0.4 and not re.search(r"[a-z]{3,}[.!?](?:\s|$)", text)


def _split_references(text: str) -> list[str]:
    if not text.strip():
        return []
    parts = [" ".join(p.split()) for p in REFERENCE_START.split("\n" + text)]
    return [p for p in parts if len(p) > 20]


_SCRIPTS = (("zh", r"[\u4e00-\u9fff]"), ("ja", r"[\u3040-\u30ff]"), ("ko", r"[\uac00-\ud7af]"), ("ru", r"[\u0400-\u04ff]"),
            ("ar", r"[\u0600-\u06ff]"), ("hi", r"[\u0900-\u097f]"), ("el", r"[\u0370-\u03ff]"), ("th", r"[\u0e00-\u0e7f]"))  # fmt: skip
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
    return best if scores[best] >= 0.05 * len(words) else "unknown"

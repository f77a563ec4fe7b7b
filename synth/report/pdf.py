"""report.pdf: the HTML report laid out on A4 by PyMuPDF's Story (MuPDF's HTML engine), with page footers.

Layout is done block by block rather than by handing MuPDF the whole document: MuPDF 1.26 loses content when
a page break falls inside some tables (a whole page of the fixture report vanished: the rest of a table, two
sections and a claim), so every paragraph, table row and list item is its own small Story, a block that does
not fit moves to the next page whole, headings stay with what follows, and long tables repeat their header.

DejaVu Sans (shipped with matplotlib, a synth dependency) is embedded so the verdict marks ✓ × ? and other
non-Latin-1 characters render. pymupdf is imported inside functions so importing synth.report stays light.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.report.html import Part, Rows

if TYPE_CHECKING:
    from synth.report.model import Report

MARGIN = 42  # points (~15 mm)
GAP_AFTER_ROWS = 5  # points between a table/list and the next block


def font_dir() -> Path | None:
    """matplotlib's bundled DejaVu fonts, when present."""
    try:
        import matplotlib
    except ImportError:
        return None
    path = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    return path if (path / "DejaVuSans.ttf").is_file() else None


class _Pager:
    """Places HTML blocks one after another on A4 pages."""

    def __init__(self, css: str, archive: Any) -> None:
        import pymupdf

        self.pymupdf = pymupdf
        self.css = css
        self.archive = archive
        self.mediabox = pymupdf.paper_rect("a4")
        self.area = self.mediabox + (MARGIN, MARGIN, -MARGIN, -MARGIN - 8)
        self.sink = io.BytesIO()
        self.writer = pymupdf.DocumentWriter(self.sink)
        self.device: Any = None
        self.y = self.area.y0
        self.pages = 0

    def _new_page(self) -> None:
        if self.device is not None:
            self.writer.end_page()
        self.device = self.writer.begin_page(self.mediabox)
        self.y = self.area.y0
        self.pages += 1

    def _story(self, html: str) -> Any:
        return self.pymupdf.Story(html=f"<html><body>{html}</body></html>", user_css=self.css, archive=self.archive)

    def put(self, html_for: Callable[[bool], str]) -> int:
        """Place one block (``html_for(at_page_top)``) here if it fits whole, else at the top of a new page; returns the
        1-based page it starts on."""
        if self.device is None:
            self._new_page()
        at_top = self.y <= self.area.y0 + 0.5
        story = self._story(html_for(at_top))
        more, filled = story.place(self.pymupdf.Rect(self.area.x0, self.y, self.area.x1, self.area.y1))
        if (more or filled[3] > self.area.y1 + 0.5) and not at_top:
            self._new_page()
            story = self._story(html_for(True))
            more, filled = story.place(self.area)
        story.draw(self.device)
        self.y = filled[3]
        start = self.pages
        while more:  # a block taller than a page: MuPDF splits it
            self._new_page()
            more, filled = story.place(self.area)
            story.draw(self.device)
            self.y = filled[3]
        return start

    def skip(self, points: float) -> None:
        self.y += points

    def finish(self) -> bytes:
        if self.device is None:
            self._new_page()
        self.writer.end_page()
        self.writer.close()
        return self.sink.getvalue()


def _is_heading(part: Part) -> bool:
    return isinstance(part, str) and part.lstrip().startswith(("<h1", "<h2", "<h3", "<h4"))


def _same(html: str, at_top: bool) -> str:
    return html


def _row_html(part: Rows, row: str, lead: str | None, at_top: bool) -> str:
    """One row of a table or list as a block; the first row (``lead`` not None) and a page's first repeat the header."""
    header = part.header if lead is not None or at_top else ""
    return (lead or "") + part.open + header + row + part.close


_HEADING = re.compile(r"<h([1-4])[^>]*>(.*?)</h\1>", re.S)


def _headings(html: str) -> list[tuple[int, str]]:
    """(level, plain text) of each heading in ``html``: h2 is level 1 of the outline, h3 level 2 (h1 is the title)."""
    out = []
    for level, inner in _HEADING.findall(html):
        if level == "1":
            continue
        text = unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        out.append((int(level) - 1, text))
    return out


def layout(parts: list[Part], pager: _Pager) -> list[list[Any]]:
    """Place ``parts`` in order (a heading is glued to the first block after it); returns the outline, PyMuPDF
    ``set_toc`` style: ``[level, title, page]`` per h2/h3 heading."""
    toc: list[list[Any]] = []
    pending = ""

    def note(html: str, page: int) -> None:
        toc.extend([level, title, page] for level, title in _headings(html))

    for part in parts:
        if _is_heading(part):
            pending += str(part)
            continue
        lead, pending = pending, ""
        if isinstance(part, Rows):
            rows = part.rows or [""]
            for i, row in enumerate(rows):
                page = pager.put(functools.partial(_row_html, part, row, lead if i == 0 else None))
                if i == 0:
                    note(lead, page)
            pager.skip(GAP_AFTER_ROWS)
        else:
            note(lead, pager.put(functools.partial(_same, lead + part)))
    if pending:
        note(pending, pager.put(functools.partial(_same, pending)))
    # an outline must start at level 1 and never go down more than one level at a time
    fixed: list[list[Any]] = []
    for level, title, page in toc:
        level = min(level, (fixed[-1][0] + 1) if fixed else 1)
        fixed.append([level, title, page])
    return fixed


def parts_to_pdf(
    parts: list[Part], css: str, path: Path, *, title: str = "", footer: str = "", images: Path | None = None
) -> Path:
    """Lay ``parts`` out on A4 with ``css`` and write ``path`` atomically; ``images``: a folder ``img src`` reads from."""
    import pymupdf

    from synth.core.io import atomic_write_bytes

    fonts = font_dir()
    archive = pymupdf.Archive()
    if fonts is not None:
        archive.add(str(fonts))
    else:  # no DejaVu: drop the @font-face rules and let MuPDF use its built-in fonts
        css = "\n".join(line for line in css.splitlines() if "@font-face" not in line and "font-family: DV" not in line)
    if images is not None:
        archive.add(str(images))
    pager = _Pager(css, archive)
    toc = layout(parts, pager)
    doc = pymupdf.open("pdf", pager.finish())
    if toc:
        doc.set_toc(toc)  # the PDF's outline (bookmarks): every section and subsection
        link_citations(doc, next((page for _, title, page in reversed(toc) if title.endswith("References")), None))
    n = doc.page_count
    for i in range(n):
        page = doc[i]
        text = f"{footer} · page {i + 1} of {n}" if footer else f"page {i + 1} of {n}"
        page.insert_text((MARGIN, pager.mediabox.height - MARGIN / 2), text, fontsize=7, fontname="helv", color=(0.4, 0.4, 0.4))
    doc.set_metadata({"title": title, "creator": "synth", "producer": f"PyMuPDF {pymupdf.VersionBind}"})
    try:
        doc.subset_fonts()  # the embedded DejaVu faces are ~1 MB whole; subsets are a few kB
    except Exception:  # noqa: BLE001 - subsetting is an optimisation; a full-font PDF is still correct
        pass
    atomic_write_bytes(path, doc.tobytes(garbage=3, deflate=True))
    doc.close()
    return path


_CITE_WORD = re.compile(r"^\(?\[?(\d+)[,\]]")


def link_citations(doc: Any, references_page: int | None) -> int:
    """Make every numbered citation ("[13]", "[19, 14]") a link to its entry in the reference list; returns how many.

    The PDF is laid out block by block, so anchors cannot cross blocks: the links are added afterwards from the
    words on the pages. Reference entries are the "[n]" words that start a line at the left margin from the
    References page on; citations are the numbers inside brackets everywhere before it.
    """
    import pymupdf

    if references_page is None:
        return 0
    targets: dict[str, tuple[int, Any]] = {}
    for index in range(references_page - 1, doc.page_count):
        for w in doc[index].get_text("words"):
            m = re.fullmatch(r"\[(\d+)\]", w[4])
            if m and w[0] <= MARGIN + 2:
                targets.setdefault(m.group(1), (index, pymupdf.Point(w[0], w[1])))
    made = 0
    for index in range(references_page - 1 if references_page else doc.page_count):
        page = doc[index]
        inside = False
        for w in page.get_text("words"):
            word = w[4]
            opens = "[" in word
            if opens or inside:
                m = _CITE_WORD.match(word.lstrip("(")) if opens else re.match(r"^(\d+)[,\]]", word)
                if m and m.group(1) in targets:
                    target_page, point = targets[m.group(1)]
                    page.insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(w[:4]), "page": target_page, "to": point})
                    made += 1
                inside = (opens or inside) and "]" not in word
    return made


def render_pdf(report: Report, path: Path) -> Path:
    """Write the report as a PDF."""
    from synth.report.html import PDF_CSS, html_parts

    footer = f"synth report · run {report.run.id}"
    return parts_to_pdf(html_parts(report, for_pdf=True), PDF_CSS, path, title=report.title, footer=footer)

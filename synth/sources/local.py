"""A folder of PDFs as a source, with metadata read from each PDF and an optional sidecar file.

Sidecar: ``<name>.json`` beside ``<name>.pdf`` with any of title, authors, year, arxiv_id, doi, venue,
abstract, url. What the sidecar says wins over what is guessed from the PDF.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from synth.core.arxiv_ids import FILE_STEM, STAMP
from synth.core.cache import Cache
from synth.core.errors import SourceError
from synth.core.io import sha256_file
from synth.core.records import Failure, Paper, SearchPlan
from synth.core.settings import SearchSettings
from synth.core.ui import UI
from synth.sources import Found

YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


def list_pdfs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")


def folder_signature(folder: Path) -> list[tuple[str, int, int]]:
    """Cheap identity of a folder's PDFs (name, size, mtime) so a changed folder re-runs the search stage."""
    if not folder.is_dir():
        return []
    return [(str(p.relative_to(folder)), p.stat().st_size, int(p.stat().st_mtime)) for p in list_pdfs(folder)]


class LocalSource:
    name = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find(self, question: str, settings: SearchSettings, cache: Cache, ui: UI) -> Found:
        if not self.folder.exists():
            raise SourceError(f"--source folder does not exist: {self.folder}")
        if not self.folder.is_dir():
            raise SourceError(f"--source is not a folder: {self.folder}")
        pdfs = list_pdfs(self.folder)
        if not pdfs:
            raise SourceError(f"no PDF files in {self.folder}")
        papers: list[Paper] = []
        failures: list[Failure] = []
        seen: dict[str, Path] = {}
        for path in ui.track(pdfs, "reading PDF metadata"):
            if path.stat().st_size == 0:
                failures.append(
                    Failure(stage="search", item=str(path), error="EmptyFile", message=f"{path.name} is empty (0 bytes)")
                )
                continue
            sha = sha256_file(path)
            if sha in seen:
                failures.append(
                    Failure(
                        stage="search",
                        item=str(path),
                        error="Duplicate",
                        message=f"{path.name} is the same file as {seen[sha].name}",
                    )
                )
                continue
            seen[sha] = path
            papers.append(paper_from_pdf(path, sha))
        plan = SearchPlan(source="local", location=str(self.folder.resolve()), candidates=len(pdfs), kept=len(papers))
        return Found(papers=papers, plan=plan, failures=failures)


def paper_from_pdf(path: Path, sha: str) -> Paper:
    meta = _pdf_metadata(path)
    side = _sidecar(path)
    arxiv_id = side.get("arxiv_id") or meta.get("arxiv_id")
    if not arxiv_id and FILE_STEM.match(path.stem):
        arxiv_id = path.stem
    year = side.get("year") or meta.get("year")
    return Paper(
        id=str(arxiv_id) if arxiv_id else f"local:{sha[:12]}",
        title=str(side.get("title") or meta.get("title") or path.stem.replace("_", " ")),
        authors=list(side.get("authors") or meta.get("authors") or []),
        year=int(year) if year else None,
        abstract=str(side.get("abstract") or meta.get("abstract") or ""),
        url=side.get("url") or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
        pdf_path=str(path.resolve()),
        sha256=sha,
        source="local",
        categories=[meta["category"]] if meta.get("category") else [],
        doi=side.get("doi"),
        venue=side.get("venue"),
    )


def _sidecar(path: Path) -> dict[str, Any]:
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _pdf_metadata(path: Path) -> dict[str, Any]:
    """Best-effort title/authors/year/arXiv stamp; a PDF that cannot be opened yields {} (parse reports it)."""
    import pymupdf

    try:
        doc = pymupdf.open(path)
    except Exception:  # noqa: BLE001 - unreadable files are reported by the parse stage, with the reason
        return {}
    try:
        if doc.needs_pass or doc.page_count == 0:
            return {}
        meta: dict[str, Any] = {}
        info = doc.metadata or {}
        first = doc[0].get_text()
        stamp = STAMP.search(first)
        if stamp:
            meta["arxiv_id"] = stamp.group(1)
            meta["category"] = stamp.group(3).strip()
            if stamp.group(5):
                meta["year"] = int(stamp.group(5))
        title = (info.get("title") or "").strip()
        meta["title"] = title if _plausible_title(title) else _largest_text(doc[0])
        author = (info.get("author") or "").strip()
        if author and len(author) < 300:
            meta["authors"] = [a.strip() for a in re.split(r";|,| and ", author) if a.strip()]
        if "year" not in meta:
            years = YEAR.findall(first[:3000]) or YEAR.findall(info.get("creationDate") or "")
            if years:
                meta["year"] = int(years[0])
        meta["abstract"] = _abstract(first)
        return meta
    finally:
        doc.close()


def _plausible_title(title: str) -> bool:
    return (
        8 <= len(title) <= 250
        and not title.lower().endswith((".dvi", ".pdf", ".tex", ".doc"))
        and "untitled" not in title.lower()
    )


def _largest_text(page: Any) -> str:
    """The title is the largest text in the top half of page 1 (joined across its lines)."""
    spans = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if span["text"].strip() and span["bbox"][1] < page.rect.height / 2:
                    spans.append((round(span["size"], 1), span["bbox"][1], span["text"].strip()))
    if not spans:
        return ""
    size = max(s[0] for s in spans)
    parts = [t for s, _, t in sorted((x for x in spans if x[0] == size), key=lambda x: x[1])]
    return " ".join(parts)[:250]


def _abstract(first_page: str) -> str:
    m = re.search(r"\bAbstract\b[\s.:—-]*(.+?)(?:\n\s*(?:1|I)\.?\s+Introduction|\n\s*Introduction\b)", first_page, re.S | re.I)
    if not m:
        return ""
    return " ".join(m.group(1).split())[:2000]

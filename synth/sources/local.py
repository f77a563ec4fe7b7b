"""A folder of PDFs as a source, with metadata read from each PDF (see :mod:`synth.ingest.metadata`) and an optional
sidecar file.

Sidecar: ``<name>.json`` beside ``<name>.pdf`` with any of title, authors, year, arxiv_id, doi, venue,
abstract, url. What the sidecar says wins over what is guessed from the PDF.

One odd file never stops a run: an empty, unreadable (permission denied) or duplicate PDF and a symbolic link that
loops or points nowhere each become a ``Failure`` in ``failures.jsonl`` and the others go on. The sha256 of every
PDF read is returned with the papers (``Found.inputs``), so a run records what its source held and ``--resume``
can refuse a folder that changed since.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from synth.core.arxiv_ids import FILE_STEM, first_year
from synth.core.cache import Cache
from synth.core.errors import SourceError
from synth.core.io import sha256_file
from synth.core.records import MISSING_METADATA, Failure, Paper, SearchPlan
from synth.core.settings import SearchSettings
from synth.core.ui import UI
from synth.ingest.metadata import read_front_matter
from synth.sources import Found


def scan_pdfs(folder: Path) -> tuple[list[Path], list[Failure]]:
    """The PDF files under ``folder`` (sorted), and a Failure for each ``*.pdf`` link that loops or points nowhere.

    Links to directories are not followed (``rglob``), so a link back to the folder cannot make the walk endless.
    """
    pdfs: list[Path] = []
    failures: list[Failure] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() != ".pdf":
            continue
        if path.is_symlink():
            try:
                path.resolve(strict=True)
            except (OSError, RuntimeError) as err:  # RuntimeError: "Symlink loop" (Python 3.11/3.12)
                loop = isinstance(err, RuntimeError) or getattr(err, "errno", None) == errno.ELOOP
                why = "loops back on itself" if loop else "points to nothing"
                failures.append(
                    Failure(
                        stage="search",
                        item=str(path),
                        error="BrokenLink",
                        message=f"{_rel(path, folder)}: symbolic link that {why}",
                    )
                )
                continue
        if path.is_file():
            pdfs.append(path)
    return pdfs, failures


def list_pdfs(folder: Path) -> list[Path]:
    return scan_pdfs(folder)[0]


def _rel(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def folder_signature(folder: Path) -> list[tuple[str, int, int]]:
    """Cheap identity of a folder's PDFs (name, size, mtime) so a changed folder re-runs the search stage."""
    if not folder.is_dir():
        return []
    out = []
    for p in list_pdfs(folder):
        try:
            st = p.stat()
        except OSError:
            continue  # gone meanwhile: the search stage reports what it finds
        out.append((_rel(p, folder), st.st_size, int(st.st_mtime)))
    return out


def pdf_digests(folder: Path) -> dict[str, str]:
    """sha256 of every readable PDF under ``folder`` by relative path (what a run records of its source)."""
    out: dict[str, str] = {}
    for path in list_pdfs(folder):
        try:
            out[_rel(path, folder)] = sha256_file(path)
        except OSError:
            continue
    return out


def source_changes(folder: Path, recorded: dict[str, str]) -> list[str]:
    """How the PDFs under ``folder`` differ from ``recorded`` (relative path → sha256): changed, added, missing."""
    now = pdf_digests(folder) if folder.is_dir() else {}
    out = [f"{name} changed" for name in sorted(set(now) & set(recorded)) if now[name] != recorded[name]]
    out += [f"{name} added" for name in sorted(set(now) - set(recorded))]
    out += [f"{name} missing" for name in sorted(set(recorded) - set(now))]
    return out


class LocalSource:
    name = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find(self, question: str, settings: SearchSettings, cache: Cache, ui: UI) -> Found:
        if not self.folder.exists():
            raise SourceError(f"--source folder does not exist: {self.folder}")
        if not self.folder.is_dir():
            raise SourceError(f"--source is not a folder: {self.folder}")
        pdfs, failures = scan_pdfs(self.folder)
        if not pdfs and not failures:
            raise SourceError(f"no PDF files in {self.folder}")
        papers: list[Paper] = []
        seen: dict[str, Path] = {}
        digests: dict[str, str] = {}
        for path in ui.track(pdfs, "reading PDF metadata"):
            rel = _rel(path, self.folder)
            try:
                if path.stat().st_size == 0:
                    failures.append(
                        Failure(stage="search", item=str(path), error="EmptyFile", message=f"{rel} is empty (0 bytes)")
                    )
                    continue
                sha = sha256_file(path)
            except OSError as err:  # permission denied, a file removed meanwhile, an I/O error: this file only
                reason = (err.strerror or type(err).__name__).lower()
                failures.append(
                    Failure(stage="search", item=str(path), error="Unreadable", message=f"{rel} cannot be read ({reason})")
                )
                continue
            digests[rel] = sha
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
            paper, titled = _read_paper(path, sha)
            papers.append(paper)
            missing = missing_metadata(path, paper, titled)
            if missing is not None:  # kept, and said: the report's limitations explain "Unknown authors"
                failures.append(missing)
        plan = SearchPlan(source="local", location=str(self.folder.resolve()), candidates=len(pdfs), kept=len(papers))
        return Found(papers=papers, plan=plan, failures=failures, inputs=digests)


def paper_from_pdf(path: Path, sha: str) -> Paper:
    """The paper record of a local PDF: its sidecar file first, then what its first page and metadata say."""
    return _read_paper(path, sha)[0]


def _read_paper(path: Path, sha: str) -> tuple[Paper, bool]:
    """:func:`paper_from_pdf`'s record, and whether a title was read (else the file's name stands in for it)."""
    front = read_front_matter(path)
    side = _sidecar(path)
    arxiv_id = side.get("arxiv_id") or front.arxiv_id
    if not arxiv_id and FILE_STEM.match(path.stem):
        arxiv_id = path.stem
    year = side.get("year") or front.year or (first_year(str(arxiv_id)) if arxiv_id else None)
    paper = Paper(
        id=str(arxiv_id) if arxiv_id else f"local:{sha[:12]}",
        # no title anywhere: the file's name, which missing_metadata() reports as such
        title=str(side.get("title") or front.title or path.stem.replace("_", " ")),
        authors=list(side.get("authors") or front.authors),
        year=int(year) if year else None,
        abstract=str(side.get("abstract") or front.abstract or ""),
        url=side.get("url") or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
        pdf_path=str(path.resolve()),
        sha256=sha,
        source="local",
        categories=[front.category] if front.category else [],
        doi=side.get("doi"),
        venue=side.get("venue") or front.venue,
    )
    return paper, bool(side.get("title") or front.title)


def missing_metadata(path: Path, paper: Paper, titled: bool | None = None) -> Failure | None:
    """A ``MissingMetadata`` failure naming what could not be read for ``paper`` (title, authors, year), or None.

    Recorded in failures.jsonl it is stated in the report's limitations, so "Unknown authors" in a reference is
    explained rather than silent.
    """
    if titled is None:  # not told by the caller that read the paper: read its title again
        titled = bool(_sidecar(path).get("title") or read_front_matter(path).title)
    missing = []
    if not titled:
        missing.append("title (the file name is used)")
    if not paper.authors:
        missing.append("authors")
    if paper.year is None:
        missing.append("year")
    if not missing:
        return None
    return Failure(
        stage="search",
        item=str(path),
        error=MISSING_METADATA,
        message=f"{path.name}: could not read its {', '.join(missing)} from the first page or the PDF metadata",
    )


def _sidecar(path: Path) -> dict[str, Any]:
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # an unreadable or malformed sidecar: the PDF's own metadata is used
        return {}
    return data if isinstance(data, dict) else {}

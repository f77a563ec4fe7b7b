"""Where the tests find their files: fixtures shipped in the repository, and the large shared data beside it.

Everything the suite needs to pass on a fresh clone is in the repository (``tests/data``, ``tests/fixtures``, the
sample corpus in ``data/sample``). Only tests that need the large shared data (``SHARED``: real arXiv PDFs that may
not be redistributed, XNLI, SciFact, benchmark data) skip, each with its reason, when it is absent.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
DATA = TESTS / "data"
ARXIV_API = DATA / "arxiv-api"  # recorded arXiv API answers (CC0 metadata), see its README.md
SAMPLE = REPO / "data" / "sample"
SHARED = REPO.parent / "shared" / "data"
SHARED_PDFS = SHARED / "pdfs"

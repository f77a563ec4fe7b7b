"""Where the tests find their files: fixtures shipped in the repository, and the large shared data beside it.

Tests that need ``SHARED`` skip (with the reason) when it is absent, as on a user's machine.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
SAMPLE = REPO / "data" / "sample"
SHARED = REPO.parent / "shared" / "data"
SHARED_PDFS = SHARED / "pdfs"

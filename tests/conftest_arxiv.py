"""Fixtures for the arXiv tests: a local arXiv-compatible server and settings pointing at it.

Test modules import them (``from conftest_arxiv import arxiv_server_fixture, arxiv_settings_fixture``) and ask
for ``arxiv_server`` / ``arxiv_settings``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synth.core.settings import SearchSettings
from tests.arxiv_server import ArxivTestServer

TEST_INTERVAL_S = 0.25  # the rate limit in tests: small to keep them fast, large enough to measure


@pytest.fixture(name="arxiv_server")
def arxiv_server_fixture() -> Iterator[ArxivTestServer]:
    with ArxivTestServer() as server:
        yield server


@pytest.fixture(name="arxiv_settings")
def arxiv_settings_fixture(arxiv_server: ArxivTestServer) -> SearchSettings:
    return SearchSettings(
        arxiv_api_url=arxiv_server.api_url,
        arxiv_pdf_url=arxiv_server.pdf_url,
        request_interval_s=TEST_INTERVAL_S,
        timeout_s=2.0,
        max_retries=2,
        max_papers=5,
        candidates_per_query=25,
    )

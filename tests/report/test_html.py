"""report.html for reading: it opens with the answer, citations link to the references, references link to arXiv or
DOI, it fits a narrow screen, and its claims table sorts and filters with inline script (no network)."""

from __future__ import annotations

import re

import pytest

from synth.report.compose import build_report
from synth.report.data import load_run
from synth.report.html import render_html
from tests.report_helpers import FIXTURE


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(build_report(load_run(FIXTURE), remeasure=None))


def test_it_fits_a_narrow_screen(html: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media (max-width: 40em)" in html and 'class="wide"' in html  # wide tables scroll instead of overflowing


def test_it_opens_with_the_answer(html: str) -> None:
    heads = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert heads[:2] == ["Abstract", "1 Answer"]


def test_citations_link_to_the_reference_list(html: str) -> None:
    answer = html[html.index('id="answer"') : html.index('id="introduction"')]
    targets = set(re.findall(r'<a class="cite" href="#ref-(\d+)">', answer))
    assert targets, "the answer cites references"
    for n in targets:
        assert f'<p class="ref" id="ref-{n}">[{n}]' in html
    claims = set(re.findall(r'<a class="cid" href="#claim-(C\d+)">', answer))
    assert claims and all(f'<tr id="claim-{c}"' in html for c in claims)  # claim ids link to their table rows


def test_references_link_to_arxiv_or_doi() -> None:
    data = load_run(FIXTURE)
    data.papers = [
        p.model_copy(update={"id": "local:abc", "doi": "10.18653/v1/2021.semeval-1.3"}) if i == 0 else p
        for i, p in enumerate(data.papers or [])
    ]
    page = render_html(build_report(data, remeasure=None))
    assert '<a href="https://doi.org/10.18653/v1/2021.semeval-1.3">' in page
    assert '<a href="https://arxiv.org/abs/1911.02116v2">' in page


def test_the_claims_table_sorts_and_filters_without_network(html: str) -> None:
    assert 'id="claims-table"' in html and 'id="claims-filter"' in html and 'id="claims-verdict"' in html
    assert 'addEventListener("click"' in html and "aria-sort" in html  # click a header to sort
    assert 'data-verdict="not verified"' in html or 'data-verdict="not verified (leans' in html
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="http|@import', html)  # nothing fetched from anywhere


def test_the_pdf_has_no_script_and_keeps_plain_citations() -> None:
    pdf_html = render_html(build_report(load_run(FIXTURE), remeasure=None), for_pdf=True)
    assert "<script" not in pdf_html and 'class="cite"' not in pdf_html and "[3]" in pdf_html

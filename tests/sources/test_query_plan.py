"""Query planning: a question → arXiv search_query strings with synonyms, field prefixes and filters."""

from __future__ import annotations

import datetime as dt

import pytest

from synth.core.errors import SourceError
from synth.core.records import ArxivSearch, PlannedQuery, SearchPlan
from synth.core.settings import SearchSettings
from synth.sources.arxiv import _seed_ids
from synth.sources.query_plan import MAX_QUERIES, concepts, describe, filters, key_phrases, plan_queries

Q = "Does robust training improve cross-lingual transfer of XLM-R on PAWS-X?"


def test_key_phrases_drop_stop_words() -> None:
    assert key_phrases(Q) == ["robust training", "cross-lingual transfer", "XLM-R", "PAWS-X"]


def test_synonyms_and_abbreviations_expand() -> None:
    text = " ".join(q.search_query for q in plan_queries(Q, SearchSettings()))
    assert '"xlm-roberta"' in text and '"xlm-r"' in text
    assert "crosslingual" in text and "multilingual" in text
    nli = " ".join(q.search_query for q in plan_queries("Do sentence embeddings trained on NLI transfer?", SearchSettings()))
    assert '"natural language inference"' in nli and "nli" in nli


def test_queries_use_field_prefixes_and_are_distinct() -> None:
    queries = plan_queries(Q, SearchSettings())
    assert 2 <= len(queries) <= MAX_QUERIES
    assert len({q.search_query for q in queries}) == len(queries)
    assert all("ti:" in q.search_query or "abs:" in q.search_query for q in queries)
    assert not any(f"{p}:{w}" in q.search_query for q in queries for p in ("ti", "abs") for w in ("does", "of", "on", "improve"))


def test_named_things_are_recognised() -> None:
    named = {c.text for c in concepts(Q) if c.named}
    assert {"xlm-r", "paws-x"} <= named and "cross-lingual" not in named


def test_filters_from_settings() -> None:
    s = SearchSettings(categories=["cs.CL", "cs.LG"], since=dt.date(2019, 1, 1), until=dt.date(2021, 6, 30))
    assert filters(s) == ["(cat:cs.CL OR cat:cs.LG)", "submittedDate:[201901010000 TO 202106302359]"]
    for q in plan_queries(Q, s):
        assert q.search_query.endswith(" AND (cat:cs.CL OR cat:cs.LG) AND submittedDate:[201901010000 TO 202106302359]")


def test_open_ended_date_range() -> None:
    (clause,) = filters(SearchSettings(since=dt.date(2020, 1, 1)))
    assert clause.startswith("submittedDate:[202001010000 TO ") and clause.endswith("2359]")


def test_a_question_of_stop_words_plans_nothing() -> None:
    assert plan_queries("Is it the one of them?", SearchSettings()) == []


def test_seed_ids_are_normalised_and_checked() -> None:
    assert _seed_ids(["2104.08645", "arXiv:2104.08645v2", "https://arxiv.org/abs/hep-th/9901001", "2104.08645"]) == [
        "2104.08645",
        "2104.08645v2",
        "hep-th/9901001",
    ]
    with pytest.raises(SourceError, match=r"'\.\./\.\./etc/passwd' is not an arXiv id"):
        _seed_ids(["../../etc/passwd"])


def test_describe_states_what_was_searched() -> None:
    plan = SearchPlan(
        source="arxiv",
        location="https://export.arxiv.org/api/query",
        candidates=4,
        kept=3,
        queries=[PlannedQuery(name="core", why="w", query="ti:xnli", total_results=3, returned=3, pages=1)],
        arxiv=ArxivSearch(
            id_list=["2104.08645"],
            since=dt.date(2019, 1, 1),
            until=None,
            categories=["cs.CL"],
            filter_clauses=[],
            max_papers=15,
            candidates_per_query=25,
            ranked_by="embedding similarity (m)",
            filtered_out=0,
            downloaded=2,
            from_cache=1,
            failed=1,
            requests=4,
            retries=0,
            waited_s=9.0,
            http_s=0.3,
            elapsed_s=9.5,
            ranking=[],
        ),
    )
    text = describe(plan)
    assert "`ti:xnli` (3 matches, 3 read)" in text and "2104.08645" in text and "cs.CL" in text and "2019-01-01" in text
    assert "4 distinct candidates; 3 kept" in text and "1 failed" in text
    assert "No paper matched" in describe(plan.model_copy(update={"queries": [], "candidates": 0}))
    with pytest.raises(ValueError, match="not a local one"):
        describe(SearchPlan(source="local", location="/papers", candidates=1, kept=1))

"""ArxivSource and its client against the local arXiv-compatible server (the sample corpus under test ids):
politeness, retries, limits on time and size, and every bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from synth.core.cache import Cache
from synth.core.errors import ArxivUnavailable, RetrievalError
from synth.core.settings import SearchSettings
from synth.core.ui import UI
from synth.sources import Found
from synth.sources.arxiv import LIMITER, USER_AGENT, ArxivClient, ArxivSource, PdfIndex, RateLimiter
from tests.arxiv_server import ArxivTestServer, Doc, free_port
from tests.conftest_arxiv import TEST_INTERVAL_S, arxiv_server_fixture, arxiv_settings_fixture  # noqa: F401 - fixtures
from tests.paths import ARXIV_API

QUESTION = "Do multilingual word embeddings capture cross-lingual semantic similarity?"
TARGET = "1708.00103v1"  # SemEval-2017 Task 2, multilingual and cross-lingual word similarity: found for QUESTION
PARSER = "2010.00101v2"  # Bootstrapping a crosslingual semantic parser (2020)
# measured on the server: a request can only arrive after the previous answer left, so no slack is needed
SLACK_S = 0.0


def _find(settings: SearchSettings, tmp_path: Path, question: str = QUESTION, page_size: int = 100) -> tuple[Found, ArxivClient]:
    client = ArxivClient(settings, limiter=RateLimiter(), page_size=page_size)
    found = ArxivSource(client=client).find(question, settings, Cache(tmp_path / "cache"), UI(quiet=True))
    return found, client


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def test_default_interval_is_arxivs_three_seconds() -> None:
    assert SearchSettings().request_interval_s == 3.0
    assert ArxivClient(SearchSettings()).limiter is LIMITER  # one limiter for the whole process


def test_retrieves_ranks_and_downloads(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path) -> None:
    found, client = _find(arxiv_settings, tmp_path)
    ids = [p.id for p in found.papers]
    assert found.failures == []
    assert 1 <= len(ids) <= arxiv_settings.max_papers
    assert TARGET in ids
    sims = [p.similarity for p in found.papers]
    assert sims == sorted(sims, reverse=True)  # type: ignore[type-var]
    for p in found.papers:
        assert p.source == "arxiv" and p.pdf_path and Path(p.pdf_path).read_bytes()[:5] == b"%PDF-"
        assert Path(p.pdf_path) == Cache(tmp_path / "cache").pdf_path(p.sha256)  # type: ignore[arg-type]
        assert p.pdf_url == f"{arxiv_server.pdf_url}{p.id}"
    plan = found.plan
    assert plan.queries and all(q.returned <= q.total_results and q.pages >= 1 for q in plan.queries)
    assert plan.arxiv is not None and plan.arxiv.downloaded == len(ids)
    assert plan.kept == len(ids) and plan.candidates >= len(ids)
    assert plan.summary.startswith("Searched arXiv (") and "distinct candidates" in plan.summary
    sent = [r.query["search_query"][0] for r in arxiv_server.requests if r.route == "api"]
    assert sent == [q.query for q in plan.queries]  # the plan records exactly what was sent
    assert all(r.headers.get("User-Agent") == USER_AGENT for r in arxiv_server.requests)
    assert USER_AGENT.startswith("synth/")
    assert client.stats.requests == len(arxiv_server.requests)


def test_rate_limit_spacing_measured_on_the_server(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    found, client = _find(arxiv_settings, tmp_path)
    times = arxiv_server.times()
    assert len(times) >= 5  # queries and PDF downloads all go through the limiter
    assert min(_gaps(times)) >= TEST_INTERVAL_S - SLACK_S
    assert client.stats.waited_s > 0


def test_limiter_is_shared_between_clients(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    limiter = RateLimiter()
    a, b = ArxivClient(arxiv_settings, limiter=limiter), ArxivClient(arxiv_settings, limiter=limiter)
    for client in (a, b, a, b):
        client.search("ti:xnli", 1)
    assert min(_gaps(arxiv_server.times())) >= TEST_INTERVAL_S - SLACK_S


def test_threads_share_one_slot(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    """Concurrent callers never overlap or crowd arXiv: a single connection at a time, spaced by the interval."""
    import threading

    limiter = RateLimiter()
    clients = [ArxivClient(arxiv_settings, limiter=limiter) for _ in range(3)]
    threads = [threading.Thread(target=lambda c=c: [c.search("ti:inference", 2) for _ in range(2)]) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(arxiv_server.requests) == 6
    assert min(_gaps(arxiv_server.times())) >= TEST_INTERVAL_S


def test_503_then_success_is_retried_and_spacing_holds(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, caplog: pytest.LogCaptureFixture
) -> None:
    arxiv_server.script("api", "503", "503", "ok")
    client = ArxivClient(arxiv_settings, limiter=RateLimiter())
    with caplog.at_level("INFO", logger="synth.arxiv"):
        entries, counts = client.search("abs:multilingual", 10)
    assert entries and counts["total_results"] == len(entries)
    statuses = [r.status for r in arxiv_server.requests]
    assert statuses == [503, 503, 200]
    assert client.stats.retries == 2
    assert min(_gaps(arxiv_server.times())) >= TEST_INTERVAL_S - SLACK_S
    assert sum("retry 1 of 2" in m for m in caplog.messages) == 1 and sum("retry 2 of 2" in m for m in caplog.messages) == 1


def test_persistent_503_ends_as_arxiv_unavailable(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    arxiv_server.script("api", "503", "503", "503")
    with pytest.raises(ArxivUnavailable, match=r"arXiv cannot be reached .*HTTP 503.*after 3 attempts"):
        ArxivClient(arxiv_settings, limiter=RateLimiter()).search("ti:xnli", 5)
    assert len(arxiv_server.requests) == 3


def test_4xx_is_never_retried(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    arxiv_server.script("api", "error400")
    with pytest.raises(RetrievalError, match="incorrect id format for abc"):
        ArxivClient(arxiv_settings, limiter=RateLimiter()).search("ti:xnli", 5)
    assert [r.status for r in arxiv_server.requests] == [400]


def test_error_feed_400_names_the_message(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    client = ArxivClient(arxiv_settings, limiter=RateLimiter())
    with pytest.raises(RetrievalError) as err:
        client.by_ids(["abc"])
    assert "arXiv rejected id_list abc: incorrect id format for abc (HTTP 400)" in str(err.value)
    assert not isinstance(err.value, ArxivUnavailable)


def test_timeout_is_retried_then_unavailable(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    settings = arxiv_settings.model_copy(update={"timeout_s": 0.3, "max_retries": 1})
    arxiv_server.script("api", "delay:1.5", "delay:1.5")
    t0 = time.monotonic()
    with pytest.raises(ArxivUnavailable) as err:
        ArxivClient(settings, limiter=RateLimiter()).search("ti:xnli", 5)
    assert "arXiv cannot be reached at 127.0.0.1" in str(err.value) and "timed out" in str(err.value)
    assert "--source PATH" in err.value.hint
    assert len(arxiv_server.requests) == 2 and time.monotonic() - t0 < 3.0


def test_timeout_then_success(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    settings = arxiv_settings.model_copy(update={"timeout_s": 0.3})
    arxiv_server.script("api", "delay:1.0", "ok")
    entries, _ = ArxivClient(settings, limiter=RateLimiter()).search("ti:bootstrapping", 5)
    assert [e.id for e in entries] == [PARSER]


def test_connection_refused_is_unavailable_within_seconds(tmp_path: Path) -> None:
    port = free_port()
    settings = SearchSettings(
        arxiv_api_url=f"http://127.0.0.1:{port}/api/query",
        arxiv_pdf_url=f"http://127.0.0.1:{port}/pdf/",
        request_interval_s=TEST_INTERVAL_S,
        max_retries=2,
    )
    t0 = time.monotonic()
    with pytest.raises(ArxivUnavailable) as err:
        _find(settings, tmp_path)
    assert str(err.value).startswith(f"arXiv cannot be reached at 127.0.0.1:{port}:")
    assert "after 3 attempts" in str(err.value) and "\n" not in str(err.value)
    assert "--source PATH" in err.value.hint
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("fault", ["malformed", "truncated"])
def test_malformed_or_truncated_atom(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path, fault: str
) -> None:
    arxiv_server.script("api", fault)
    with pytest.raises(RetrievalError, match=r"malformed or truncated Atom XML for query '.+': .+ at line \d+"):
        _find(arxiv_settings, tmp_path)


def test_xxe_from_the_server_is_not_resolved(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    arxiv_server.xxe_target = secret
    arxiv_server.script("api", "xxe")
    with pytest.raises(RetrievalError, match="declares a DTD or entities") as err:
        _find(arxiv_settings, tmp_path)
    assert "TOP-SECRET" not in str(err.value)


def test_zero_results_is_an_empty_found_with_a_note(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    found, _ = _find(arxiv_settings, tmp_path, "Which superconducting qubits decohere fastest under cosmic rays?")
    assert found.papers == [] and found.failures == []
    assert found.plan.arxiv is not None and found.plan.arxiv.note and found.plan.arxiv.note.startswith("no results")
    assert found.plan.candidates == 0
    assert all(q.total_results == 0 for q in found.plan.queries) and found.plan.queries
    assert "No paper matched" in found.plan.summary


def test_html_instead_of_pdf_is_a_failure_and_the_run_goes_on(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    arxiv_server.pdf_faults[TARGET] = "html"
    found, _ = _find(arxiv_settings, tmp_path)
    assert TARGET not in [p.id for p in found.papers] and found.papers
    (failure,) = found.failures
    assert failure.stage == "search" and failure.item == TARGET and failure.error == "DownloadError"
    assert "not a PDF: the server sent text/html" in failure.message
    assert found.plan.arxiv is not None and found.plan.arxiv.failed == 1
    assert not list((tmp_path / "cache" / "pdfs" / "incoming").iterdir())  # no temp file left behind


@pytest.mark.parametrize(("fault", "reason"), [("truncated", "no %%EOF trailer"), ("cut", "cut off mid-stream")])
def test_truncated_pdf_is_a_failure(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path, fault: str, reason: str
) -> None:
    arxiv_server.pdf_faults[TARGET] = fault
    found, _ = _find(arxiv_settings, tmp_path)
    (failure,) = found.failures
    assert failure.item == TARGET and reason in failure.message
    assert found.papers  # the others still came
    cache = Cache(tmp_path / "cache")
    assert not list((cache.root / "pdfs" / "incoming").iterdir())
    assert PdfIndex(cache).get(TARGET) is None


def test_cut_stream_is_retried_and_can_recover(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    client = ArxivClient(arxiv_settings, limiter=RateLimiter())
    arxiv_server.script("pdf", "cut", "ok")
    cache = Cache(tmp_path / "cache")
    sha, path, cached = client.fetch_pdf(PARSER, cache, PdfIndex(cache))
    assert not cached and path.read_bytes() == next(d for d in arxiv_server.docs if d.id == PARSER).pdf.read_bytes()  # type: ignore[union-attr]
    assert [r.fault for r in arxiv_server.requests] == ["cut", "ok"]


def test_cached_paper_costs_no_request(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path) -> None:
    first, _ = _find(arxiv_settings, tmp_path)
    pdf_requests = len([r for r in arxiv_server.requests if r.route == "pdf"])
    assert pdf_requests == len(first.papers)
    second, _ = _find(arxiv_settings, tmp_path)
    assert [p.sha256 for p in second.papers] == [p.sha256 for p in first.papers]
    assert len([r for r in arxiv_server.requests if r.route == "pdf"]) == pdf_requests  # no new download
    assert second.plan.arxiv is not None and second.plan.arxiv.from_cache == len(second.papers)
    index = (tmp_path / "cache" / "arxiv" / "index.jsonl").read_text().splitlines()
    assert len(index) == len(first.papers)


def test_traversal_id_never_leaves_the_cache(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    evil = "../../../escaped"
    template = next(d for d in arxiv_server.docs if d.id == TARGET)
    arxiv_server.add(
        Doc(
            id=evil,
            title="Multilingual word embeddings capture cross-lingual semantic similarity",
            abstract=template.abstract,
            authors=["Mallory"],
            published=template.published,
            categories=["cs.CL"],
            pdf_bytes=template.pdf.read_bytes(),
        )
    )  # type: ignore[union-attr]
    before = {p for p in tmp_path.rglob("*")}
    found, _ = _find(arxiv_settings.model_copy(update={"max_papers": 20}), tmp_path)
    failure = next(f for f in found.failures if f.item == evil)
    assert "is not an arXiv id; nothing fetched" in failure.message
    assert not any(r.route == "pdf" and "escaped" in r.path for r in arxiv_server.requests)
    cache_root = (tmp_path / "cache").resolve()
    for path in {p for p in tmp_path.rglob("*")} - before:
        assert path.resolve().is_relative_to(cache_root), path
    assert not (tmp_path.parent / "escaped").exists() and not (tmp_path / "escaped").exists()
    # the index keeps ids as JSON strings only; looking one up or adding one creates no path from it
    index = PdfIndex(Cache(tmp_path / "cache"))
    index.add(evil, "0" * 64, "x")
    assert index.get(evil) == "0" * 64
    assert sorted(p.name for p in (tmp_path / "cache" / "arxiv").iterdir()) == ["index.jsonl"]


def test_seed_papers_are_fetched_by_id_and_always_kept(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    settings = arxiv_settings.model_copy(update={"papers": ["2108.00104", "1708.00102v1"], "max_papers": 2})
    found, _ = _find(settings, tmp_path, "Can a semantic parser be bootstrapped for another language?")
    ids = [p.id for p in found.papers]
    assert set(ids[:2]) == {"2108.00104v1", "1708.00102v1"}
    assert found.plan.arxiv is not None and found.plan.arxiv.id_list == ["2108.00104", "1708.00102v1"]
    id_requests = [r for r in arxiv_server.requests if r.route == "api" and r.query.get("id_list")]
    assert id_requests[0].query["id_list"] == ["2108.00104,1708.00102v1"]


def test_missing_seed_is_a_failure(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path) -> None:
    found, _ = _find(arxiv_settings.model_copy(update={"papers": ["0808.05394"]}), tmp_path)
    assert any(f.item == "0808.05394" and "not on arXiv" in f.message for f in found.failures)


def test_category_and_date_filters(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path) -> None:
    import datetime as dt

    settings = arxiv_settings.model_copy(
        update={"since": dt.date(2018, 1, 1), "until": dt.date(2020, 12, 31), "categories": ["cs.CL"], "max_papers": 20}
    )
    found, _ = _find(settings, tmp_path, "Can a semantic parser be bootstrapped for languages other than English?")
    assert [p.id for p in found.papers] == [PARSER]  # the only cs.CL paper of 2018-2020
    for p in found.papers:
        assert "2018-01-01" <= (p.published or "") <= "2020-12-31" and "cs.CL" in p.categories
    sent = [r.query["search_query"][0] for r in arxiv_server.requests if r.route == "api"]
    assert all(q.endswith("AND cat:cs.CL AND submittedDate:[201801010000 TO 202012312359]") for q in sent)
    assert found.plan.arxiv is not None
    assert found.plan.arxiv.categories == ["cs.CL"] and found.plan.arxiv.since == dt.date(2018, 1, 1)


def test_paging_follows_opensearch(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    client = ArxivClient(arxiv_settings, limiter=RateLimiter(), page_size=2)
    entries, counts = client.search("cat:cs.CL", 3)
    assert len(entries) == 3 and counts["pages"] == 2 and counts["total_results"] == 4
    assert [r.query["start"][0] for r in arxiv_server.requests] == ["0", "2"]
    assert [r.query["max_results"][0] for r in arxiv_server.requests] == ["2", "1"]
    assert len({e.id for e in entries}) == 3
    everything, counts = client.search("cat:cs.CL", 100)
    assert counts["returned"] == counts["total_results"] == len(everything) == 4  # stops at totalResults


def test_unknown_host_fails_at_once_without_retries() -> None:
    """No DNS (an offline machine) answers in one attempt; there is nothing a retry could change."""
    import socket

    import httpx

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as err:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from err

    settings = SearchSettings(request_interval_s=TEST_INTERVAL_S, max_retries=3)
    client = ArxivClient(settings, client=httpx.Client(transport=httpx.MockTransport(handler)), limiter=RateLimiter())
    t0 = time.monotonic()
    with pytest.raises(
        ArxivUnavailable,
        match=r"^arXiv cannot be reached at export\.arxiv\.org: .*Name or service not known \(after 1 attempt\)$",
    ):
        client.search("ti:xnli", 5)
    assert len(calls) == 1 and time.monotonic() - t0 < 1


def test_temporary_dns_failure_is_retried() -> None:
    import socket

    import httpx

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        if len(calls) == 1:
            try:
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            except socket.gaierror as err:
                raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request) from err
        record = json.loads((ARXIV_API / "recorded" / "id_1605.08386_s0_m100_199195aa31ad.json").read_text())
        body = record["body"].encode()
        return httpx.Response(200, content=body)

    settings = SearchSettings(request_interval_s=0.05, max_retries=2)
    client = ArxivClient(settings, client=httpx.Client(transport=httpx.MockTransport(handler)), limiter=RateLimiter())
    assert [e.id for e in client.by_ids(["1605.08386"])] == ["1605.08386v1"]
    assert len(calls) == 2 and client.stats.retries == 1


# -- limits: a hostile or broken server never holds synth forever, fills the disk, or floods it with entries ------
def _quick(settings: SearchSettings, **update: object) -> SearchSettings:
    return settings.model_copy(update={"max_retries": 0, **update})


def test_a_feed_sent_at_a_trickle_trips_the_total_deadline(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    """50 bytes/s: every read arrives well within timeout_s, so only the total deadline can stop it."""
    arxiv_server.script("api", "slow:50")
    settings = _quick(arxiv_settings, request_deadline_s=1.0, timeout_s=2.0)
    t0 = time.monotonic()
    with pytest.raises(ArxivUnavailable, match=r"did not finish answering query 'ti:xnli' within 1 s \(\d+ bytes received\)"):
        ArxivClient(settings, limiter=RateLimiter()).search("ti:xnli", 5)
    assert time.monotonic() - t0 < 3


def test_a_pdf_sent_at_a_trickle_is_a_failure_and_the_run_goes_on(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    arxiv_server.pdf_faults[TARGET] = "slow:200"
    t0 = time.monotonic()
    found, _ = _find(_quick(arxiv_settings, request_deadline_s=1.0), tmp_path)
    assert time.monotonic() - t0 < 15
    (failure,) = found.failures
    assert failure.item == TARGET and "took longer than 1 s" in failure.message
    assert found.papers and TARGET not in [p.id for p in found.papers]
    assert not list((tmp_path / "cache" / "pdfs" / "incoming").iterdir())


def test_an_endless_pdf_stops_at_the_size_limit(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    """No Content-Length and no end: the download stops at max_pdf_mb, the file goes, the other papers come."""
    arxiv_server.pdf_faults[TARGET] = "endless"
    found, _ = _find(_quick(arxiv_settings, max_pdf_mb=2), tmp_path)  # the largest sample paper is 1.2 MB
    (failure,) = found.failures
    assert failure.item == TARGET and "PDF larger than 2 MB" in failure.message
    assert len(found.papers) == 3
    assert not list((tmp_path / "cache" / "pdfs" / "incoming").iterdir())  # nothing left on disk


def test_an_announced_huge_pdf_is_refused_before_reading(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    arxiv_server.pdf_faults[TARGET] = "huge"
    found, _ = _find(_quick(arxiv_settings), tmp_path)
    (failure,) = found.failures
    assert failure.item == TARGET and "PDF larger than 100 MB (10737418240+ bytes)" in failure.message


def test_never_more_entries_than_asked_for(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    arxiv_server.script("api", "many:500", "many:500")
    client = ArxivClient(arxiv_settings, limiter=RateLimiter())
    entries, counts = client.search("ti:xnli", 5)
    assert len(entries) == 5 and counts["returned"] == 5 and counts["pages"] == 1
    assert len(client.by_ids(["2010.00101"])) == 1


def test_an_oversized_feed_is_refused(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    arxiv_server.script("api", "bloat:300000")
    with pytest.raises(RetrievalError, match=r"answer to query 'ti:xnli' is larger than 0.1 MB \(\d+ bytes\); refused"):
        ArxivClient(_quick(arxiv_settings, max_feed_mb=0.1), limiter=RateLimiter()).search("ti:xnli", 5)
    assert len(arxiv_server.requests) == 1  # not retried: the answer would be as large again


def test_429_is_retried_after_what_retry_after_asks(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings) -> None:
    arxiv_server.script("api", "429", "ok")
    client = ArxivClient(arxiv_settings, limiter=RateLimiter())
    entries, _ = client.search("cat:cs.CL", 2)
    assert len(entries) == 2 and [r.status for r in arxiv_server.requests] == [429, 200]
    assert _gaps(arxiv_server.times())[0] >= 1.0  # Retry-After: 1 (the backoff alone would be 0.25 s)
    assert client.stats.retries == 1


def test_429_on_a_pdf_is_retried(arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path) -> None:
    arxiv_server.script("pdf", "429", "ok")
    cache = Cache(tmp_path / "cache")
    sha, path, cached = ArxivClient(arxiv_settings, limiter=RateLimiter()).fetch_pdf(PARSER, cache, PdfIndex(cache))
    assert not cached and path.is_file() and [r.status for r in arxiv_server.requests] == [429, 200]


@pytest.mark.parametrize(("header", "seconds"), [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("1e9", 120.0), ("soon", None), ("", None)])
def test_retry_after_values(header: str, seconds: float | None) -> None:
    import httpx

    from synth.sources.arxiv import _retry_after

    assert _retry_after(httpx.Response(429, headers={"Retry-After": header})) == seconds


def test_retry_after_as_an_http_date() -> None:
    import email.utils

    import httpx

    from synth.sources.arxiv import _retry_after

    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (_retry_after(httpx.Response(503, headers={"Retry-After": when})) or 0) <= 30


def test_invalid_ids_never_take_a_paper_place(
    arxiv_server: ArxivTestServer, arxiv_settings: SearchSettings, tmp_path: Path
) -> None:
    """Two entries with ids that are not arXiv ids, ranked first for the question: all four real papers still come."""
    template = next(d for d in arxiv_server.docs if d.id == TARGET)
    for evil in ("../../etc/passwd", "javascript:alert(1)"):
        arxiv_server.add(Doc(**{**template.__dict__, "id": evil, "title": QUESTION}))
    found, _ = _find(arxiv_settings.model_copy(update={"max_papers": 4}), tmp_path)
    assert sorted(p.id for p in found.papers) == sorted(d.id for d in arxiv_server.docs[:4])
    assert {f.item for f in found.failures} == {"../../etc/passwd", "javascript:alert(1)"}
    assert all(f.error == "InvalidId" for f in found.failures)
    assert found.plan.kept == 4 and all(r.id != "../../etc/passwd" for r in found.plan.arxiv.ranking)  # type: ignore[union-attr]

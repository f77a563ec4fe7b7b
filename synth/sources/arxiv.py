"""arXiv as a source: planned queries → merged, filtered, ranked candidates → PDFs in the shared cache.

Politeness and robustness (arXiv's API terms: at most one request every 3 seconds):

- one ``httpx.Client`` per process with a User-Agent naming synth, a timeout on every call;
- one process-wide ``RateLimiter``: one request at a time (API pages and PDFs), each starting 3 s after
  the previous one ended;
- tenacity retries with exponential backoff on connection errors, timeouts, 5xx and 429 answers only (never on
  other 4xx), waiting at least what a ``Retry-After`` header asks, logging before each retry; when arXiv stays
  unreachable, ``ArxivUnavailable`` says so in one line;
- every answer is read as a stream within limits: a total deadline per request (``request_deadline_s``: a server
  trickling bytes cannot hold synth forever), a largest feed (``max_feed_mb``) and PDF (``max_pdf_mb``), and never
  more entries than were asked for;
- Atom is read by a parser that refuses DTDs and entities (``synth.sources.atom``); what a request asks for is
  an ``arxiv.Search`` (the ``arxiv`` package's model of the API's query, id list and sort order);
- PDFs stream into a temp file, are checked (``%PDF-`` magic, complete body, ``%%EOF`` trailer, opens in
  PyMuPDF), then renamed into the content-addressed cache. ``cache/arxiv/index.jsonl`` maps arXiv id → sha256,
  so an already-cached paper costs no request. Ids are only ever JSON values there, never path parts; an entry
  whose id is not an arXiv id is recorded as a failure and never takes one of the ``max_papers`` places.

A download that fails (HTML instead of a PDF, a body cut off mid-stream, …) becomes a ``Failure`` for that
paper and the run goes on without it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import arxiv
import httpx
import tenacity

from synth import __version__
from synth.core.arxiv_ids import split_id
from synth.core.cache import Cache
from synth.core.errors import ArxivUnavailable, DownloadError, MalformedXML, RetrievalError, ServerError, SourceError, UnsafeXML
from synth.core.records import ArxivSearch, Failure, Paper, PlannedQuery, RankedCandidate, SearchPlan
from synth.core.settings import SearchSettings
from synth.core.text import sanitize
from synth.core.ui import UI
from synth.sources import Found
from synth.sources.atom import Entry, Feed, parse_feed
from synth.sources.query_plan import describe, filters, plan_queries

log = logging.getLogger("synth.arxiv")

USER_AGENT = f"synth/{__version__} (literature-synthesis CLI; polite arXiv client, 1 request / 3 s)"
PAGE_SIZE = 100  # results per API request when a query asks for more (arXiv allows up to 2000)
CONNECT_TIMEOUT_S = 5.0  # a black-holed host costs 4 x 5 s + backoff (about 40 s), not 4 x the read timeout
MAX_RETRY_AFTER_S = 120.0  # a longer Retry-After is waited this long, then the request tried again
MB = 1_000_000

Ranker = Callable[[str, list[str]], Sequence[float]]  # (question, texts) -> similarity of each text


# -- politeness -----------------------------------------------------------------------------------------
class RateLimiter:
    """One arXiv request at a time in this process, each starting ``interval`` seconds after the previous *ended*.

    arXiv asks for "no more than one request every three seconds" and "a single connection at a time". Counting
    the interval from the end of the previous request (not its start) makes the spacing hold as arXiv sees it,
    whatever the network latency: a request can only arrive after the previous answer was sent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0
        self.waited_s = 0.0
        self.requests = 0

    @contextmanager
    def slot(self, interval: float) -> Iterator[float]:
        """Hold the one request slot; yields the seconds waited for it."""
        with self._lock:  # held for the whole request: requests queue up in order, never overlap
            delay = max(0.0, self._next - time.monotonic())
            if delay:
                time.sleep(delay)
            self.waited_s += delay
            self.requests += 1
            try:
                yield delay
            finally:
                self._next = time.monotonic() + interval


LIMITER = RateLimiter()
_client_lock = threading.Lock()
_client: httpx.Client | None = None


def shared_client() -> httpx.Client:
    """Return the process's one HTTP client (connection reuse; the timeout is set on every call)."""
    global _client
    with _client_lock:
        if _client is None or _client.is_closed:
            _client = httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=True)
        return _client


# connection problems and timeouts (including a body cut off mid-stream) and 5xx: worth another try
_TRANSIENT = (httpx.ConnectError, httpx.TimeoutException, httpx.ReadError, httpx.RemoteProtocolError, ServerError)
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout)


def _transient(err: BaseException) -> bool:
    """Worth another try: connection errors, timeouts, cut-off bodies and 5xx, but not an unknown host name.

    "Name or service not known" means there is no DNS (an offline machine) or the URL is wrong; retrying only
    delays the one-line answer. A *temporary* resolver failure (EAI_AGAIN) is retried like any other.
    """
    if not isinstance(err, _TRANSIENT):
        return False
    return not (isinstance(err, httpx.ConnectError) and _unknown_host(err))


def _unknown_host(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return seen.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        seen = seen.__cause__ or seen.__context__
    text = str(err).lower()
    return "name or service not known" in text or "nodename nor servname" in text


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), capped; None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _retry_worthy(status: int) -> bool:
    """5xx and 429 Too Many Requests: the server asks to be tried again later."""
    return status >= 500 or status == 429


class TooSlow(Exception):
    """An answer did not finish within the request's total deadline (however steadily bytes kept arriving)."""

    def __init__(self, received: int) -> None:
        super().__init__(f"{received} bytes received")
        self.received = received


class TooLarge(Exception):
    """An answer is larger than the limit for its kind."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, limit {limit}")
        self.size = size
        self.limit = limit


def _chunks(response: httpx.Response, limit: int, deadline: float) -> Iterator[bytes]:
    """The body of ``response`` in chunks, stopping with TooLarge past ``limit`` bytes or TooSlow past ``deadline``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(int(declared), limit)
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        if time.monotonic() > deadline:
            raise TooSlow(size)
        yield chunk
    if time.monotonic() > deadline:
        raise TooSlow(size)


def api_params(search: arxiv.Search, start: int, max_results: int) -> dict[str, Any]:
    """The query parameters of one API page of ``search`` (arXiv's API manual: search_query, id_list, paging, sort)."""
    params: dict[str, Any] = {}
    if search.query:
        params["search_query"] = search.query
    if search.id_list:
        params["id_list"] = ",".join(search.id_list)
    params.update(start=start, max_results=max_results)
    params.update(sortBy=search.sort_by.value, sortOrder=search.sort_order.value)
    return params


@dataclass
class ClientStats:
    """What one client spent: requests sent, retries, seconds waiting and seconds inside HTTP calls."""

    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0  # sleeping for the rate limit and retry backoff
    http_s: float = 0.0  # inside HTTP calls


class ArxivClient:
    """The arXiv API and PDF host, behind the shared client, the process-wide limiter and tenacity."""

    def __init__(
        self,
        settings: SearchSettings,
        client: httpx.Client | None = None,
        limiter: RateLimiter = LIMITER,
        page_size: int = PAGE_SIZE,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.notify = notify or (lambda message: None)  # progress for people at a terminal (UI.info)
        self.client = client or shared_client()
        self.limiter = limiter
        self.page_size = page_size
        self.stats = ClientStats()
        self.timeout = httpx.Timeout(settings.timeout_s, connect=min(settings.timeout_s, CONNECT_TIMEOUT_S))

    # -- retries ------------------------------------------------------------------------------------
    def _retrying(self) -> tenacity.Retrying:
        base = max(self.settings.request_interval_s, 0.05)

        def wait(state: tenacity.RetryCallState) -> float:
            backoff = min(base * 2 ** (state.attempt_number - 1), 60.0)
            err = state.outcome.exception() if state.outcome else None
            if isinstance(err, ServerError) and err.retry_after:
                backoff = max(backoff, err.retry_after)
            return backoff

        def before_sleep(state: tenacity.RetryCallState) -> None:
            err = state.outcome.exception() if state.outcome else None
            sleep = state.next_action.sleep if state.next_action else 0.0
            self.stats.retries += 1
            self.stats.waited_s += sleep
            n, of = state.attempt_number, self.settings.max_retries
            message = f"arXiv request failed ({_reason(err)}); retry {n} of {of} in {sleep:.1f} s"
            # INFO, not WARNING: a script's stderr gets the one-line error if all retries fail, not a log of each
            log.info(message)
            self.notify(message)

        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.max_retries + 1),
            wait=wait,
            retry=tenacity.retry_if_exception(_transient),
            before_sleep=before_sleep,
            reraise=True,
        )

    @contextmanager
    def _polite(self) -> Iterator[None]:
        """One request: wait for the process-wide slot, count it, time the HTTP part."""
        with self.limiter.slot(self.settings.request_interval_s) as waited:
            self.stats.waited_s += waited
            self.stats.requests += 1
            t0 = time.perf_counter()
            try:
                yield
            finally:
                self.stats.http_s += time.perf_counter() - t0

    def _unavailable(self, url: str, err: BaseException) -> ArxivUnavailable:
        host = urlsplit(url).netloc or url
        attempts = 1 if not _transient(err) else self.settings.max_retries + 1
        return ArxivUnavailable(
            f"arXiv cannot be reached at {host}: {_reason(err)} (after {attempts} attempt{'s' * (attempts > 1)})"
        )

    # -- API ------------------------------------------------------------------------------------------
    def get_feed(self, params: dict[str, Any], what: str, max_entries: int | None = None) -> Feed:
        """One API request (retried when transient) → parsed feed; every failure names ``what`` was asked.

        The answer is read within the request deadline and the feed size limit; at most ``max_entries`` entries
        are kept, whatever the server sent.
        """
        url = self.settings.arxiv_api_url
        limit = int(self.settings.max_feed_mb * MB)

        def attempt() -> httpx.Response:
            with self._polite():
                deadline = time.monotonic() + self.settings.request_deadline_s
                with self.client.stream("GET", url, params=params, timeout=self.timeout) as response:
                    if _retry_worthy(response.status_code):
                        raise ServerError(response.status_code, url, _retry_after(response))
                    body = b"".join(_chunks(response, limit, deadline))
                    return httpx.Response(response.status_code, headers=response.headers, content=body, request=response.request)

        host = urlsplit(url).netloc or url
        try:
            response = self._retrying()(attempt)
        except _TRANSIENT as err:
            raise self._unavailable(url, err) from None
        except TooSlow as err:
            raise ArxivUnavailable(
                f"arXiv at {host} did not finish answering {what} within {self.settings.request_deadline_s:g} s "
                f"({err.received} bytes received)"
            ) from None
        except TooLarge as err:
            raise RetrievalError(
                f"arXiv's answer to {what} is larger than {self.settings.max_feed_mb:g} MB ({err.size} bytes); refused"
            ) from None
        feed = _feed_of(response, what)
        if max_entries is not None and len(feed.entries) > max_entries:
            log.info(
                "%s: the answer held %d entries, %d were asked for; the rest are ignored", what, len(feed.entries), max_entries
            )
            feed.entries = feed.entries[:max_entries]
        return feed

    def search(self, search_query: str, wanted: int) -> tuple[list[Entry], dict[str, int]]:
        """Up to ``wanted`` results of one query, following opensearch paging; returns entries and counts."""
        search = arxiv.Search(
            query=search_query,
            max_results=wanted,
            sort_by=arxiv.SortCriterion.Relevance,
            sort_order=arxiv.SortOrder.Descending,
        )
        entries: list[Entry] = []
        start, pages, total = 0, 0, 0
        while len(entries) < wanted:
            n = min(self.page_size, wanted - len(entries))
            feed = self.get_feed(api_params(search, start, n), f"query {search_query!r}", max_entries=n)
            pages += 1
            total = feed.total_results
            entries.extend(feed.entries)
            if not feed.entries:
                break  # arXiv sometimes returns a short or empty page; never loop on it
            start = feed.start_index + len(feed.entries)
            if start >= total:
                break
        return entries, {"total_results": total, "returned": len(entries), "pages": pages}

    def by_ids(self, ids: list[str]) -> list[Entry]:
        """Entries for arXiv ids (with or without version) in one ``id_list`` request."""
        if not ids:
            return []
        search = arxiv.Search(id_list=list(ids), max_results=len(ids))
        feed = self.get_feed(api_params(search, 0, len(ids)), f"id_list {','.join(ids)}", max_entries=len(ids))
        return feed.entries

    # -- PDFs -----------------------------------------------------------------------------------------
    def fetch_pdf(self, arxiv_id: str, cache: Cache, index: PdfIndex) -> tuple[str, Path, bool]:
        """(sha256, cached path, came from cache); raises DownloadError or ArxivUnavailable."""
        if split_id(arxiv_id) is None:
            raise DownloadError(f"{arxiv_id!r} is not an arXiv id; nothing fetched")
        sha = index.get(arxiv_id)
        cached = cache.cached_pdf(sha) if sha else None  # checked against its sha256: a damaged copy is fetched again
        if sha and cached is not None:
            return sha, cached, True
        url = self.settings.arxiv_pdf_url.rstrip("/") + "/" + arxiv_id
        incoming = cache.root / "pdfs" / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        limit = int(self.settings.max_pdf_mb * MB)

        def attempt() -> tuple[str, Path]:
            with self._polite():
                deadline = time.monotonic() + self.settings.request_deadline_s
                return _stream_pdf(self.client, url, self.timeout, incoming, limit, deadline)

        try:
            sha, tmp = self._retrying()(attempt)
        except _UNREACHABLE as err:
            raise self._unavailable(url, err) from None
        except ServerError as err:
            raise DownloadError(f"{err} (after {self.settings.max_retries + 1} attempts)") from None
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.TimeoutException) as err:
            raise DownloadError(f"download cut off mid-stream: {_reason(err)}") from None
        except TooSlow as err:
            raise DownloadError(
                f"download took longer than {self.settings.request_deadline_s:g} s ({err.received} bytes received); skipped"
            ) from None
        except TooLarge as err:
            raise DownloadError(f"PDF larger than {self.settings.max_pdf_mb:g} MB ({err.size}+ bytes); not downloaded") from None
        try:
            _check_opens(tmp)
            dest = cache.pdf_path(sha)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        index.add(arxiv_id, sha, url)
        return sha, dest, False


def _reason(err: BaseException | None) -> str:
    if err is None:
        return "unknown error"
    text = str(err) or type(err).__name__
    if isinstance(err, httpx.TimeoutException):
        text = f"timed out ({text})" if "timed out" not in text.lower() else text
    return " ".join(text.split())[:200]


def _feed_of(response: httpx.Response, what: str) -> Feed:
    body = response.content
    try:
        feed = parse_feed(body)
    except UnsafeXML as err:
        raise RetrievalError(f"arXiv's answer to {what} was refused: {err}") from None
    except MalformedXML as err:
        if response.status_code >= 400:
            raise RetrievalError(f"arXiv answered HTTP {response.status_code} to {what}: {_snippet(body)}") from None
        raise RetrievalError(f"arXiv returned malformed or truncated Atom XML for {what}: {err}") from None
    if feed.error:
        raise RetrievalError(f"arXiv rejected {what}: {feed.error} (HTTP {response.status_code})")
    if response.status_code >= 400:
        raise RetrievalError(f"arXiv answered HTTP {response.status_code} to {what}")
    return feed


def _snippet(body: bytes) -> str:
    return " ".join(body[:160].decode("utf-8", "replace").split()) or "(empty body)"


def _stream_pdf(
    client: httpx.Client, url: str, timeout: httpx.Timeout, incoming: Path, limit: int, deadline: float
) -> tuple[str, Path]:
    """Stream one PDF into a temp file under ``incoming``, hashing as it goes; returns (sha256, temp path).

    Raises TooLarge past ``limit`` bytes and TooSlow past ``deadline`` (``time.monotonic()``); the temp file goes.
    """
    with client.stream("GET", url, timeout=timeout) as response:
        if _retry_worthy(response.status_code):
            raise ServerError(response.status_code, url, _retry_after(response))
        if response.status_code != 200:
            raise DownloadError(f"HTTP {response.status_code} from {url}")
        fd, name = tempfile.mkstemp(dir=incoming, suffix=".part")
        tmp = Path(name)
        h = hashlib.sha256()
        size, head, tail = 0, b"", b""
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in _chunks(response, limit, deadline):
                    if size < 1024:
                        head = (head + chunk)[:1024]
                        if len(head) >= 1024 or b"%PDF-" in head:
                            _check_magic(head, response)
                    f.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
                    tail = (tail + chunk)[-2048:]
            _check_magic(head, response)
            expected = response.headers.get("Content-Length")
            if expected and expected.isdigit() and int(expected) != size:
                raise DownloadError(f"download cut off mid-stream: {size} of {expected} bytes")
            if b"%%EOF" not in tail:
                raise DownloadError(f"PDF is truncated: {size} bytes and no %%EOF trailer")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return h.hexdigest(), tmp


def _check_magic(head: bytes, response: httpx.Response) -> None:
    if b"%PDF-" not in head[:1024]:
        kind = response.headers.get("Content-Type", "unknown type").split(";")[0]
        raise DownloadError(f"not a PDF: the server sent {kind} starting {_snippet(head[:60])!r}")


def _check_opens(path: Path) -> None:
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            if doc.page_count < 1:
                raise DownloadError("PDF has no pages")
    except DownloadError:
        raise
    except Exception as err:  # noqa: BLE001 - any PyMuPDF failure means the file is not a usable PDF
        raise DownloadError(f"PDF does not open in PyMuPDF: {err}") from None


# -- the id → sha index of downloaded PDFs ----------------------------------------------------------------
class PdfIndex:
    """``cache/arxiv/index.jsonl``: one JSON line per download; the last line for an id wins.

    Ids are stored as JSON strings only; the PDF itself lives at ``Cache.pdf_path(sha)``, a path made from the
    hex digest alone, so an id like ``../../etc/x`` can never name a file.
    """

    def __init__(self, cache: Cache) -> None:
        self.path = cache.root / "arxiv" / "index.jsonl"
        self._lock = threading.Lock()
        self._map: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._map is None:
            self._map = {}
            if self.path.is_file():
                for line in self.path.read_text(encoding="utf-8").splitlines():
                    try:
                        row = json.loads(line)
                        self._map[str(row["id"])] = str(row["sha256"])
                    except (ValueError, KeyError, TypeError):
                        continue  # a torn last line from a killed run is ignored, not fatal
        return self._map

    def get(self, arxiv_id: str) -> str | None:
        """The sha256 of the PDF downloaded for ``arxiv_id``, if any."""
        with self._lock:
            return self._load().get(arxiv_id)

    def add(self, arxiv_id: str, sha: str, url: str) -> None:
        """Record a finished download (appended; the last line for an id wins)."""
        row = {"id": arxiv_id, "sha256": sha, "url": url, "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        with self._lock:
            self._load()[arxiv_id] = sha
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:  # one short append per line: no torn rows in practice
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


# -- the source -------------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    entry: Entry
    queries: list[str] = field(default_factory=list)
    seed: bool = False


def merge(results: list[tuple[str, list[Entry]]], seeds: Sequence[Entry] = ()) -> dict[str, _Candidate]:
    """De-duplicate by arXiv id without version, keeping the newest version; remember which queries found each."""
    merged: dict[str, _Candidate] = {}
    tagged: list[tuple[str, Entry, bool]] = [("id_list", e, True) for e in seeds]
    tagged += [(name, e, False) for name, entries in results for e in entries]
    for name, entry, seed in tagged:
        current = merged.get(entry.base_id)
        if current is None:
            merged[entry.base_id] = _Candidate(entry, [name], seed)
            continue
        if entry.version > current.entry.version:
            current.entry = entry
        if name not in current.queries:
            current.queries.append(name)
        current.seed = current.seed or seed
    return merged


def _passes(entry: Entry, settings: SearchSettings) -> bool:
    """Client-side check of the filters (the API applies them too; this also covers seeds' neighbours and mirrors)."""
    day = entry.published[:10]
    if settings.since and day and day < settings.since.isoformat():
        return False
    if settings.until and day and day > settings.until.isoformat():
        return False
    if settings.categories:
        wanted = set(settings.categories)
        if not any(c in wanted or c.split(".")[0] in wanted for c in entry.categories):
            return False
    return True


def lexical_rank(question: str, texts: list[str]) -> list[float]:
    """Fallback ranker without a model: share of the question's content words found in each text."""
    from synth.sources.query_plan import STOP_WORDS

    words = {w for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in STOP_WORDS}
    out = []
    for text in texts:
        have = set(re.findall(r"[a-z0-9]+", text.lower()))
        out.append(len(words & have) / max(1, len(words)))
    return out


def paper_of(entry: Entry, settings: SearchSettings, similarity: float | None = None) -> Paper:
    """The Paper record of an API entry (no PDF yet); its PDF URL is built on ``settings.arxiv_pdf_url``."""
    year = int(entry.published[:4]) if entry.published[:4].isdigit() else None

    def line(text: str | None) -> str | None:
        return sanitize(text, keep_newlines=False) if text is not None else None

    return Paper(
        id=entry.id,
        title=sanitize(entry.title, keep_newlines=False),
        authors=[a for a in (sanitize(a, keep_newlines=False) for a in entry.authors) if a],
        year=year,
        published=entry.published[:10] or None,
        abstract=sanitize(entry.abstract, keep_newlines=False),
        url=f"https://arxiv.org/abs/{entry.id}",
        pdf_url=settings.arxiv_pdf_url.rstrip("/") + "/" + entry.id,
        source="arxiv",
        categories=[c for c in (sanitize(c, keep_newlines=False) for c in entry.categories) if c],
        doi=line(entry.doi),
        venue=line(entry.journal_ref),
        similarity=similarity,
    )


class ArxivSource:
    """Search arXiv for a question; ``rank`` scores title+abstract against it (embedding similarity in the pipeline)."""

    name = "arxiv"

    def __init__(self, rank: Ranker | None = None, ranked_by: str | None = None, client: ArxivClient | None = None) -> None:
        self.rank = rank or lexical_rank
        self.ranked_by = ranked_by or ("similarity" if rank else "word overlap")
        self._client = client

    def find(self, question: str, settings: SearchSettings, cache: Cache, ui: UI) -> Found:
        """Plan and run the queries, merge, filter, rank, keep the top ``max_papers`` and fetch their PDFs.

        Raises:
            ArxivUnavailable: arXiv's API could not be reached (after retries).
            RetrievalError: arXiv answered with an error feed, a 4xx, or XML that is malformed or unsafe.
            SourceError: a ``--paper`` value is not an arXiv id.
        """
        t0 = time.perf_counter()
        client = self._client or ArxivClient(settings, notify=ui.info)
        seeds = _seed_ids(settings.papers)
        queries = plan_queries(question, settings)
        planned: list[PlannedQuery] = []
        failures: list[Failure] = []

        seed_entries = []
        if seeds:
            ui.info(f"arXiv: {len(seeds)} seed paper(s) by id …")
            seed_entries = client.by_ids(seeds)
            found_ids = {e.base_id for e in seed_entries}
            for sid in seeds:
                parts = split_id(sid)
                if parts and parts[0] not in found_ids:
                    failures.append(
                        Failure(stage="search", item=sid, error="NotFound", message=f"seed paper {sid} is not on arXiv")
                    )
        results: list[tuple[str, list[Entry]]] = []
        for i, q in enumerate(queries, 1):
            ui.info(f"arXiv: query {i}/{len(queries)} ({q.name}) …")
            entries, counts = client.search(q.search_query, settings.candidates_per_query)
            planned.append(PlannedQuery(name=q.name, why=q.why, query=q.search_query, **counts))
            results.append((q.name, entries))

        merged = merge(results, seed_entries)
        for key, cand in list(merged.items()):
            if split_id(cand.entry.id) is None:  # never ranked, never given one of the max_papers places
                del merged[key]
                shown = sanitize(cand.entry.id, keep_newlines=False)[:100]
                failures.append(
                    Failure(
                        stage="search",
                        item=shown,
                        error="InvalidId",
                        message=f"{shown!r} is not an arXiv id; nothing fetched (the entry is ignored)",
                    )
                )
        kept_filter = {k: c for k, c in merged.items() if c.seed or _passes(c.entry, settings)}
        ranked = self._ranked(question, list(kept_filter.values()))
        seeds_first = [x for x in ranked if x[1].seed] + [x for x in ranked if not x[1].seed]
        chosen = seeds_first[: max(settings.max_papers, sum(1 for _, c in ranked if c.seed))]

        papers: list[Paper] = []
        index = PdfIndex(cache)
        unreachable: ArxivUnavailable | None = None
        from_cache = 0
        for score, cand in ui.track(chosen, "downloading PDFs"):
            paper = paper_of(cand.entry, settings, round(score, 4))
            if unreachable is not None:
                failures.append(
                    Failure(
                        stage="search",
                        item=paper.id,
                        error="ArxivUnavailable",
                        message=f"{paper.id}: not downloaded, {unreachable}",
                    )
                )
                continue
            try:
                sha, path, cached = client.fetch_pdf(paper.id, cache, index)
            except DownloadError as err:
                failures.append(Failure(stage="search", item=paper.id, error="DownloadError", message=f"{paper.id}: {err}"))
                continue
            except ArxivUnavailable as err:
                unreachable = err
                failures.append(Failure(stage="search", item=paper.id, error="ArxivUnavailable", message=f"{paper.id}: {err}"))
                continue
            from_cache += cached
            papers.append(paper.model_copy(update={"pdf_path": str(path), "sha256": sha}))

        note = None
        if not merged:
            note = (
                "no results: arXiv returned no paper for any query" if queries or seeds else "no searchable terms in the question"
            )
        plan = SearchPlan(
            source="arxiv",
            location=settings.arxiv_api_url,
            candidates=len(merged),
            kept=len(chosen),
            queries=planned,
            arxiv=ArxivSearch(
                id_list=seeds,
                since=settings.since,
                until=settings.until,
                categories=list(settings.categories),
                filter_clauses=filters(settings),
                max_papers=settings.max_papers,
                candidates_per_query=settings.candidates_per_query,
                ranked_by=self.ranked_by,
                filtered_out=len(merged) - len(kept_filter),
                downloaded=len(papers),
                from_cache=from_cache,
                failed=len(failures),
                requests=client.stats.requests,
                retries=client.stats.retries,
                waited_s=round(client.stats.waited_s, 3),
                http_s=round(client.stats.http_s, 3),
                elapsed_s=round(time.perf_counter() - t0, 3),
                ranking=[
                    RankedCandidate(id=c.entry.id, title=c.entry.title, similarity=round(s, 4), queries=c.queries, seed=c.seed)
                    for s, c in ranked
                ],
                note=note,
            ),
        )
        plan = plan.model_copy(update={"summary": describe(plan)})
        return Found(papers=papers, plan=plan, failures=failures)

    def _ranked(self, question: str, cands: list[_Candidate]) -> list[tuple[float, _Candidate]]:
        if not cands:
            return []
        texts = [f"{c.entry.title}. {c.entry.abstract}" for c in cands]
        scores = [float(s) for s in self.rank(question, texts)]
        order = sorted(range(len(cands)), key=lambda i: (-scores[i], cands[i].entry.base_id))
        return [(scores[i], cands[i]) for i in order]


def _seed_ids(ids: Sequence[str]) -> list[str]:
    """Seed ids as given (``arXiv:`` prefix and URLs tolerated); anything else is refused before a request."""
    out = []
    for raw in ids:
        value = raw.strip()
        value = re.sub(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", "", value, flags=re.I).removesuffix(".pdf")
        if split_id(value) is None:
            raise SourceError(
                f"--paper {raw!r} is not an arXiv id", hint="Give ids like 2104.08645, 2104.08645v2 or hep-th/9901001."
            )
        if value not in out:
            out.append(value)
    return out

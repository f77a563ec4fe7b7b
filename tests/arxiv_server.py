"""A local arXiv-compatible server for offline tests and benchmarks (stdlib ``http.server`` on 127.0.0.1).

It serves ``/api/query`` (Atom, current format) over a corpus of real PDFs and ``/pdf/<id>`` with their bytes,
answering ``search_query`` by term matching over titles and abstracts (``ti:`` ``abs:`` ``all:`` ``au:`` ``cat:``,
quoted phrases, AND / OR / ANDNOT, parentheses, ``submittedDate:[… TO …]``), ``id_list``, and paging with
``start``/``max_results``.

The corpus by default is the four CC BY 4.0 papers shipped in ``data/sample`` (:func:`sample_corpus`: titles and
authors from their sidecar files, abstracts from page 1), under the arXiv-style ids in :data:`SAMPLE_IDS`. Those
ids are the test server's own, not the papers' arXiv ids: the server is arXiv-*compatible*, not arXiv. The
benchmarks use the 17 arXiv papers of ``../shared/data/pdfs`` instead (:func:`shared_corpus`), which may not be
copied into the repository.

It can be told to misbehave, per request, in order: ``server.script("api", "503", "ok")`` makes the next API
request answer 503 and the one after behave. Faults: ``503``, ``429`` (with ``Retry-After: 1``), ``delay:<s>``,
``malformed``, ``truncated``, ``xxe``, ``error400``, ``empty``, ``slow:<bytes per s>`` (the answer trickles),
``many:<n>`` (n entries whatever was asked), ``bloat:<bytes>`` (a feed padded to that size) (API); ``html``,
``truncated``, ``cut``, ``503``, ``429``, ``delay:<s>``, ``slow:<bytes per s>``, ``endless`` (a PDF that never
ends, without Content-Length), ``huge`` (announces 10 GB) (PDF). ``server.pdf_faults[id] = "html"`` makes one
paper fail on every request. Every request is logged with its arrival time (``time.monotonic()``) so tests can
measure spacing on the server side.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from tests.paths import SAMPLE, SHARED_PDFS

STAMP = re.compile(r"arXiv:\s*(\S+?)\s*\[([^\]]+)\]\s*(\d{1,2}\s+\w{3}\s+\d{4})")
ID_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")


@dataclass
class Doc:
    id: str  # with version
    title: str
    abstract: str
    authors: list[str]
    published: str  # ISO datetime
    categories: list[str]
    pdf: Path | None = None
    pdf_bytes: bytes | None = None

    @property
    def base_id(self) -> str:
        return re.sub(r"v\d+$", "", self.id)


# the sample papers under arXiv-style ids of this test server (not their arXiv ids), with a first-version date
SAMPLE_IDS = {
    "acl_findings2020_bootstrapping_crosslingual_semantic_parser": ("2010.00101v2", "2020-10-01", ["cs.CL"]),
    "acl_repl4nlp2017_beyond_bilingual_multisense": ("1708.00102v1", "2017-08-03", ["cs.CL", "cs.LG"]),
    "acl_semeval2017_task2_multilingual_word_similarity": ("1708.00103v1", "2017-08-04", ["cs.CL"]),
    "acl_semeval2021_task2_mcl_wic": ("2108.00104v1", "2021-08-05", ["cs.CL"]),
}

_CORPUS: dict[Path, list[Doc]] = {}


def sample_corpus(folder: Path = SAMPLE) -> list[Doc]:
    """The four CC BY sample papers (shipped with synth), as the test server's arXiv corpus (cached per process)."""
    if folder in _CORPUS:
        return _CORPUS[folder]
    import pymupdf

    docs = []
    for stem, (arxiv_id, published, categories) in SAMPLE_IDS.items():
        path = folder / f"{stem}.pdf"
        side = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with pymupdf.open(path) as pdf:
            first = pdf[0].get_text()
        docs.append(
            Doc(
                id=arxiv_id,
                title=side["title"],
                abstract=_abstract(first),
                authors=list(side["authors"]),
                published=f"{published}T00:00:00Z",
                categories=categories,
                pdf=path,
            )
        )
    _CORPUS[folder] = docs
    return docs


def load_corpus(folder: Path = SAMPLE) -> list[Doc]:
    """The sample corpus (``data/sample``, the default) or the shared arXiv PDFs (a folder with ``pdfs.json``)."""
    return shared_corpus(folder) if (folder / "pdfs.json").is_file() else sample_corpus(folder)


def shared_corpus(folder: Path = SHARED_PDFS) -> list[Doc]:
    """The arXiv papers among the shared PDFs, with title, abstract, categories and date (cached per process)."""
    if folder in _CORPUS:
        return _CORPUS[folder]
    import pymupdf

    docs = []
    for row in json.loads((folder / "pdfs.json").read_text(encoding="utf-8")):
        if not row.get("arxiv_id") or row["arxiv_id"] == "-":
            continue
        path = folder / row["file"]
        with pymupdf.open(path) as pdf:
            first = pdf[0].get_text()
            author = (pdf.metadata or {}).get("author") or ""
        stamp = STAMP.search(first)
        cats = [stamp.group(2).strip()] if stamp else []
        # the stamp dates the version; "published" is the first version's date (only v1 stamps give it exactly)
        v1 = row["arxiv_id"].endswith("v1")
        when = dt.datetime.strptime(stamp.group(3), "%d %b %Y") if stamp and v1 else _date_of_id(row["arxiv_id"])
        docs.append(
            Doc(
                id=row["arxiv_id"],
                title=_clean_title(row["title"]),
                abstract=_abstract(first),
                authors=_authors(author, row["title"], first) or ["Unknown Author"],
                published=when.strftime("%Y-%m-%dT00:00:00Z"),
                categories=cats or ["cs.CL"],
                pdf=path,
            )
        )
    _CORPUS[folder] = docs
    return docs


def _clean_title(title: str) -> str:
    # pdfs.json titles carry notes: "XNLI: … (Conneau et al., EMNLP 2018)", "… [InferSent]"
    title = re.sub(r"\s*\[[^\]]*\]\s*$", "", title)
    return re.sub(r"\s*\([^()]*\d{4}[^()]*\)\s*$|\s*\(cond-mat;.*$", "", title).strip()


def _authors(meta: str, title: str, first_page: str) -> list[str]:
    """PDF metadata author, else the run of "Firstname Lastname" names after the title on page 1."""
    if meta.strip():
        return [a.strip() for a in re.split(r";|,| and ", meta) if a.strip()]
    names = []
    name = re.compile(r"^[A-Z][a-z\u00c0-\u017f'\-]+(?: [A-Z]\.)?(?: [A-Z][a-z\u00c0-\u017f'\-]+){1,2}$")
    lines = [ln.strip() for ln in first_page.splitlines()[:15]]
    for ln in lines[1:]:
        parts = [re.sub(r"[\u2020-\u2666*\d∗♠♥♣♦†‡§¶]+", "", x).strip() for x in re.split(r",| and |\s{2,}", ln)]
        good = [x for x in parts if x and name.match(x) and x.lower() not in title.lower()]
        if good and len(good) >= len([x for x in parts if x]) / 2:
            names += good
        elif names:
            break
    return names[:8]


def _date_of_id(arxiv_id: str) -> dt.datetime:
    m = re.match(r"(\d{2})(\d{2})\.", arxiv_id)
    return dt.datetime(2000 + int(m.group(1)), int(m.group(2)), 15) if m else dt.datetime(2000, 1, 1)


def _abstract(first: str) -> str:
    m = re.search(r"\bAbstract\b[\s.:—-]*(.+?)(?:\n\s*(?:1|I)\.?\s+Introduction|\n\s*Introduction\b)", first, re.S | re.I)
    text = m.group(1) if m else first[:1500]
    text = unicodedata.normalize("NFKC", " ".join(text.split()))
    return re.sub(r"(\w)- (\w)", r"\1\2", text)[:2000]  # undo line-break hyphenation: "un- supervised"


# -- search_query: a small parser and matcher for arXiv's syntax ----------------------------------------------
TOKEN = re.compile(
    r'\(|\)|\bANDNOT\b|\bAND\b|\bOR\b|(\w+):\[(\d{12})\s+TO\s+(\d{12})\]|(\w+):"([^"]*)"|(\w+):([^\s()]+)|"([^"]*)"|([^\s()]+)'
)


def _norm(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def _matches(doc: Doc, field_name: str, value: str) -> bool:
    if field_name == "cat":
        return any(c == value or c.startswith(value + ".") for c in doc.categories)
    texts = {
        "ti": [doc.title],
        "abs": [doc.abstract],
        "au": doc.authors,
        "all": [doc.title, doc.abstract, " ".join(doc.authors)],
    }.get(field_name, [doc.title, doc.abstract])
    needle = _norm(value).strip()
    if not needle:
        return False
    pattern = re.compile(r" " + re.escape(needle))  # word start; a trailing s/es still matches (like arXiv's stemming)
    return any(pattern.search(_norm(t)) for t in texts)


def _tokens(query: str) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for m in TOKEN.finditer(query):
        text = m.group(0)
        if text in ("(", ")", "AND", "OR", "ANDNOT"):
            out.append((text,))
        elif m.group(1):
            out.append(("range", m.group(1), m.group(2), m.group(3)))
        elif m.group(4):
            out.append(("term", m.group(4), m.group(5)))
        elif m.group(6):
            out.append(("term", m.group(6), m.group(7)))
        else:
            out.append(("term", "all", m.group(8) or m.group(9)))
    return out


def _parse(tokens: list[tuple[str, ...]], pos: int = 0) -> tuple[object, int]:
    node, pos = _atom(tokens, pos)
    while pos < len(tokens) and tokens[pos][0] != ")":
        op = tokens[pos][0]
        if op in ("AND", "OR", "ANDNOT"):
            pos += 1
        else:
            op = "AND"  # juxtaposition
        right, pos = _atom(tokens, pos)
        node = (op, node, right)
    return node, pos


def _atom(tokens: list[tuple[str, ...]], pos: int) -> tuple[object, int]:
    if pos >= len(tokens):
        raise ValueError("query ends too early")
    tok = tokens[pos]
    if tok[0] == "(":
        node, pos = _parse(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos][0] != ")":
            raise ValueError("unbalanced parentheses")
        return node, pos + 1
    if tok[0] in ("term", "range"):
        return tok, pos + 1
    raise ValueError(f"unexpected {tok[0]}")


def _eval(node: object, doc: Doc) -> bool:
    kind = node[0]  # type: ignore[index]
    if kind == "term":
        return _matches(doc, node[1], node[2])  # type: ignore[index]
    if kind == "range":
        stamp = doc.published[:10].replace("-", "") + "0000"
        return node[2] <= stamp <= node[3]  # type: ignore[index,operator]
    left, right = _eval(node[1], doc), _eval(node[2], doc)  # type: ignore[index]
    return {"AND": left and right, "OR": left or right, "ANDNOT": left and not right}[kind]


def _score(tokens: list[tuple[str, ...]], doc: Doc) -> int:
    score = 0
    for tok in tokens:
        if tok[0] == "term" and tok[1] != "cat":
            needle = _norm(tok[2]).strip()
            score += 3 * _norm(doc.title).count(" " + needle) + _norm(doc.abstract).count(" " + needle)
    return score


def search(docs: list[Doc], query: str) -> list[Doc]:
    tokens = _tokens(query)
    tree, pos = _parse(tokens)
    if pos != len(tokens):
        raise ValueError("unbalanced parentheses")
    hits = [d for d in docs if _eval(tree, d)]
    return sorted(hits, key=lambda d: (-_score(tokens, d), d.id))


# -- Atom -----------------------------------------------------------------------------------------------------
def entry_xml(doc: Doc, base: str) -> str:
    cats = "".join(f'\n    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in doc.categories)
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in doc.authors)
    return f"""  <entry>
    <id>http://arxiv.org/abs/{escape(doc.id)}</id>
    <title>{escape(doc.title)}</title>
    <updated>{doc.published}</updated>
    <link href="{base}/abs/{escape(doc.id)}" rel="alternate" type="text/html"/>
    <link href="{base}/pdf/{escape(doc.id)}" rel="related" type="application/pdf" title="pdf"/>
    <summary>{escape(doc.abstract)}</summary>{cats}
    <published>{doc.published}</published>
    <arxiv:primary_category term={quoteattr(doc.categories[0])}/>{authors}
  </entry>
"""


def feed_xml(entries: list[str], total: int, start: int, per_page: int, title: str) -> str:
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/local</id>
  <title>{escape(title)}</title>
  <updated>2026-11-25T00:00:00Z</updated>
  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
{"".join(entries)}</feed>
"""


def error_feed(message: str) -> str:
    anchor = re.sub(r"\W+", "_", message)
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/</id>
  <title>arXiv Search Results</title>
  <updated>2026-11-25T00:00:00Z</updated>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>https://arxiv.org/api/errors#{anchor}</id>
    <title>Error</title>
    <updated>2026-11-25T00:00:00Z</updated>
    <link href="https://arxiv.org/api/errors#{anchor}" rel="alternate" type="text/html"/>
    <summary>{escape(message)}</summary>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>arXiv - reCAPTCHA</title></head><body><p>Please verify you are a human.</p></body></html>
"""


@dataclass
class Request:
    at: float  # time.monotonic() when the request line arrived
    route: str  # "api" | "pdf" | "other"
    path: str
    query: dict[str, list[str]]
    status: int = 0
    fault: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ArxivTestServer:
    """Start with ``start()`` (or as a context manager); URLs in ``api_url`` and ``pdf_url``."""

    docs: list[Doc] = field(default_factory=sample_corpus)
    requests: list[Request] = field(default_factory=list)
    pdf_faults: dict[str, str] = field(default_factory=dict)
    xxe_target: Path | None = None  # the file an XXE payload points at
    _scripts: dict[str, list[str]] = field(default_factory=lambda: {"api": [], "pdf": []})
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    # -- control ----------------------------------------------------------------------------------------
    def script(self, route: str, *faults: str) -> None:
        """Queue faults for the next requests of ``route`` ("api" or "pdf"); ``ok`` is a normal answer."""
        with self._lock:
            self._scripts[route].extend(faults)

    def _next_fault(self, route: str) -> str:
        with self._lock:
            return self._scripts[route].pop(0) if self._scripts[route] else "ok"

    def add(self, doc: Doc) -> None:
        self.docs = [*self.docs, doc]

    @property
    def base(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/query"

    @property
    def pdf_url(self) -> str:
        return f"{self.base}/pdf/"

    def times(self, route: str | None = None) -> list[float]:
        return [r.at for r in self.requests if route is None or r.route == route]

    def start(self) -> ArxivTestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server._handle(self)

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="arxiv-test-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ArxivTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        at = time.monotonic()
        url = urlsplit(h.path)
        route = "api" if url.path == "/api/query" else "pdf" if url.path.startswith("/pdf/") else "other"
        req = Request(
            at=at, route=route, path=url.path, query=parse_qs(url.query, keep_blank_values=True), headers=dict(h.headers)
        )
        with self._lock:
            self.requests.append(req)
        fault = self._next_fault(route) if route in ("api", "pdf") else "ok"
        if route == "pdf":
            pid = unquote(url.path[len("/pdf/") :])
            fault = self.pdf_faults.get(pid, fault)
        req.fault = fault
        try:
            if fault.startswith("delay:"):
                time.sleep(float(fault.split(":", 1)[1]))
            if fault == "503":
                return self._send(h, req, 503, b"Service Unavailable", "text/plain", {"Retry-After": "0"})
            if fault == "429":
                return self._send(h, req, 429, b"Too Many Requests", "text/plain", {"Retry-After": "1"})
            if route == "api":
                return self._api(h, req, fault)
            if route == "pdf":
                return self._pdf(h, req, unquote(url.path[len("/pdf/") :]), fault)
            return self._send(h, req, 404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        req: Request,
        status: int,
        body: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
        length: int | None = None,
        rate: float | None = None,
    ) -> None:
        """Answer; with ``rate`` (bytes per second) the body trickles out a byte at a time, headers at once."""
        req.status = status
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if rate is None:
            h.wfile.write(body)
            h.wfile.flush()
            return
        for i in range(len(body)):
            h.wfile.write(body[i : i + 1])
            h.wfile.flush()
            time.sleep(1 / rate)

    def _endless(self, h: BaseHTTPRequestHandler, req: Request, head: bytes) -> None:
        """A 200 answer with no Content-Length that never ends (until the client hangs up)."""
        req.status = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        h.wfile.write(head)
        block = b"0" * 65536
        while True:  # a BrokenPipeError ends it when the client gives up
            h.wfile.write(block)

    def _api(self, h: BaseHTTPRequestHandler, req: Request, fault: str) -> None:
        q = {k: v[0] for k, v in req.query.items()}
        atom = "application/atom+xml; charset=utf-8"
        if fault == "error400":
            return self._send(h, req, 400, error_feed("incorrect id format for abc").encode(), atom)
        if fault == "malformed":
            return self._send(
                h,
                req,
                200,
                b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x</titl></entry>",
                atom,
            )
        if fault == "xxe":
            target = self.xxe_target or Path("/etc/hostname")
            body = (
                f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1809.05053v1</id>'
                "<title>&xxe;</title><summary>s</summary><published>2018-09-13T00:00:00Z</published></entry></feed>"
            )
            return self._send(h, req, 200, body.encode(), atom)
        start, per_page = int(q.get("start", 0) or 0), int(q.get("max_results", 10) or 10)
        ids = [i for i in q.get("id_list", "").split(",") if i]
        try:
            if ids:
                bad = [i for i in ids if not ID_RE.match(i)]
                if bad:
                    return self._send(h, req, 400, error_feed(f"incorrect id format for {bad[0]}").encode(), atom)
                hits = [d for i in ids for d in self.docs if d.id == i or d.base_id == i]
                if q.get("search_query"):
                    allowed = {d.id for d in search(self.docs, q["search_query"])}
                    hits = [d for d in hits if d.id in allowed]
            elif q.get("search_query"):
                hits = search(self.docs, q["search_query"])
            else:
                hits = []
        except ValueError as err:
            return self._send(h, req, 400, error_feed(f"malformed query: {err}").encode(), atom)
        if fault == "empty":
            hits = []
        page = hits[start : start + per_page]
        if fault.startswith("many:"):  # far more entries than were asked for
            n = int(fault.split(":", 1)[1])
            template = self.docs[0]
            page = [Doc(**{**template.__dict__, "id": f"{9000 + i // 99999:04d}.{i % 99999 + 1:05d}v1"}) for i in range(n)]
        body = feed_xml([entry_xml(d, self.base) for d in page], len(hits), start, per_page, f"arXiv Query: {req.path}").encode()
        if fault == "truncated":
            body = body[: len(body) // 2]
        if fault.startswith("bloat:"):  # padded with whitespace inside the feed: well-formed, just large
            size = int(fault.split(":", 1)[1])
            body = body.replace(b"</feed>", b" " * max(0, size - len(body)) + b"</feed>")
        rate = float(fault.split(":", 1)[1]) if fault.startswith("slow:") else None
        return self._send(h, req, 200, body, atom, rate=rate)

    def _pdf(self, h: BaseHTTPRequestHandler, req: Request, pid: str, fault: str) -> None:
        doc = next((d for d in self.docs if d.id == pid), None) or next(
            (d for d in sorted(self.docs, key=lambda d: d.id, reverse=True) if d.base_id == pid), None
        )
        if fault == "html":
            return self._send(h, req, 200, HTML_PAGE, "text/html; charset=utf-8")
        if doc is None:
            return self._send(h, req, 404, b"<html>not found</html>", "text/html")
        data = doc.pdf_bytes if doc.pdf_bytes is not None else doc.pdf.read_bytes()  # type: ignore[union-attr]
        if fault == "endless":
            return self._endless(h, req, data[:1024])
        if fault == "huge":  # announces 10 GB; sends what it has
            return self._send(h, req, 200, data, "application/pdf", length=10 * 1024**3)
        if fault.startswith("slow:"):
            return self._send(h, req, 200, data, "application/pdf", rate=float(fault.split(":", 1)[1]))
        if fault == "truncated":  # a short file, served completely: Content-Length matches
            return self._send(h, req, 200, data[: len(data) // 2], "application/pdf")
        if fault == "cut":  # announces the whole file, sends half, then drops the connection
            self._send(h, req, 200, data[: len(data) // 2], "application/pdf", length=len(data))
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        return self._send(h, req, 200, data, "application/pdf")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hang up on purpose (timeout and cut-off tests); never print into a test's captured stderr."""


def free_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":  # python tests/arxiv_server.py: serve until Ctrl-C, for trying synth by hand
    with ArxivTestServer() as srv:
        print(f"SYNTH_SEARCH__ARXIV_API_URL={srv.api_url} SYNTH_SEARCH__ARXIV_PDF_URL={srv.pdf_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass

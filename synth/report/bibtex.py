"""references.bib: one BibTeX entry per paper the run kept, keyed ``lastname<year><firstword>``.

Written with pybtex (the maintained BibTeX library of the Python world: its own parser reads every file it writes),
whose writer escapes LaTeX specials with latexcodec (``&`` becomes ``\\&``, ``%`` ``\\%``, ``_`` ``\\_``; letters
such as ``é`` stay UTF-8). Braces the metadata gives (``{BERT}``) are kept, so capitalisation survives; unbalanced
ones are dropped so an entry always parses; the characters latexcodec passes through (``\\``, ``$``, ``^``) are
escaped here. A title is wrapped in one more pair of braces so BibTeX styles never lower-case it.
Internal ids (``local:…``) never appear: an arXiv paper has its ``eprint``, any paper its DOI and URL.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import latexcodec  # noqa: F401 - registers the "ulatex" codec
from pybtex.database import BibliographyData, Entry, Person

from synth.core.names import surname
from synth.core.records import Paper
from synth.core.text import sanitize
from synth.report.model import Reference

_STOP = {"a", "an", "the", "on", "of", "for", "and", "to", "in", "with", "how", "is", "are", "do", "does"}
# characters pybtex's writer (latexcodec) passes through but LaTeX text mode cannot take as they are
_MANUAL = {"\\": r"\textbackslash{}", "$": r"\$", "^": r"\textasciicircum{}"}
_MANUAL_RE = re.compile(r"[\\$^]")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def cite_keys(papers: list[Paper]) -> dict[str, str]:
    """A stable, unique BibTeX key per paper id (``conneau2020unsupervised``; ``…a``/``…b`` on clashes)."""
    base: dict[str, str] = {}
    for p in papers:
        last = _ascii(surname(p.authors[0])).lower() if p.authors and p.authors[0].split() else "anon"
        words = [w for w in re.findall(r"[a-z0-9]+", _ascii(p.title).lower()) if w not in _STOP]
        base[p.id] = (re.sub(r"[^a-z0-9]", "", last) or "anon") + (str(p.year) if p.year else "") + (words[0] if words else "")
    counts: dict[str, int] = {}
    for key in base.values():
        counts[key] = counts.get(key, 0) + 1
    out: dict[str, str] = {}
    used: dict[str, int] = {}
    for pid, key in base.items():
        if counts[key] > 1:
            n = used.get(key, 0)
            used[key] = n + 1
            key = key + _suffix(n)
        out[pid] = key
    return out


def _suffix(n: int) -> str:
    """a, b, …, z, aa, ab, …: as many distinct suffixes as there are clashes."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def balanced(text: str) -> str:
    """``text`` with every brace that has no partner removed (BibTeX needs balanced braces to read a field)."""
    keep = [True] * len(text)
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "{":
            opened.append(i)
        elif ch == "}":
            if opened:
                opened.pop()
            else:
                keep[i] = False
    for i in opened:
        keep[i] = False
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k)


def field_text(text: str) -> str:
    """Plain text made ready for pybtex's writer: one line, braces balanced, and the characters its LaTeX encoding
    passes through (``\\ $ ^``) escaped; the writer escapes the rest (``& % # _ ~`` and accents)."""
    text = " ".join(balanced(sanitize(text, keep_newlines=False)).split())  # a removed brace leaves no stray space
    return _MANUAL_RE.sub(lambda m: _MANUAL[m.group(0)], text)


_ESCAPED = {r"\textbackslash{}": "\\", r"\$": "$", r"\textasciicircum{}": "^"}
_ESCAPED_RE = re.compile("|".join(re.escape(k) for k in _ESCAPED))
_HOLD = {k: chr(0xE000 + i) for i, k in enumerate(_ESCAPED)}  # private-use stand-ins latexcodec passes through


def decode_field(value: str) -> str:
    """A field as pybtex reads it back, decoded from LaTeX to plain text (what the round-trip test compares)."""
    held = _ESCAPED_RE.sub(lambda m: _HOLD[m.group(0)], value)
    text: str = codecs.decode(held, "ulatex")  # type: ignore[call-overload]  # latexcodec decodes str to str
    for escaped, stand_in in _HOLD.items():
        text = text.replace(stand_in, _ESCAPED[escaped])
    return text


def _raw(text: str) -> str:
    """A URL, DOI or id on one line, with no brace that could end the field."""
    return sanitize(text, keep_newlines=False).replace("{", "%7B").replace("}", "%7D")


def _person(name: str) -> Person:
    name = field_text(name)
    if re.search(r"\band\b", name, re.I):  # "and" separates authors in BibTeX: a name holding it is kept whole
        name = "{" + name + "}"
    return Person(name)


def bibliography(references: list[Reference]) -> BibliographyData:
    """The references as pybtex entries (what :func:`render_bibtex` writes)."""
    entries: dict[str, Entry] = {}
    for ref in references:
        arxiv = ref.arxiv
        kind = "inproceedings" if ref.venue else ("article" if arxiv else "misc")
        fields: list[tuple[str, str]] = [("title", "{" + field_text(ref.title) + "}")]
        if ref.year:
            fields.append(("year", str(ref.year)))
        if ref.venue:
            fields.append(("booktitle", field_text(ref.venue)))
        elif arxiv:
            fields.append(("journal", f"arXiv preprint arXiv:{_raw(arxiv)}"))
        if arxiv:
            fields += [("eprint", _raw(arxiv)), ("archiveprefix", "arXiv")]
        if ref.doi:
            fields.append(("doi", _raw(ref.doi)))
        if ref.url:
            fields.append(("url", _raw(ref.url)))
        persons = {"author": [_person(a) for a in ref.authors if a.strip()]} if ref.authors else None
        entries[ref.key] = Entry(kind, fields=fields, persons=persons)
    return BibliographyData(entries=entries)


def render_bibtex(references: list[Reference]) -> str:
    """BibTeX for the report's references."""
    if not references:
        return ""
    return bibliography(references).to_string("bibtex")

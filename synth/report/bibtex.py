"""references.bib: one BibTeX entry per paper the run kept, keyed ``lastname<year><firstword>``."""

from __future__ import annotations

import re
import unicodedata

from synth.core.records import Paper
from synth.report.model import Reference

_STOP = {"a", "an", "the", "on", "of", "for", "and", "to", "in", "with", "how", "is", "are", "do", "does"}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def cite_keys(papers: list[Paper]) -> dict[str, str]:
    """A stable, unique BibTeX key per paper id (``conneau2020unsupervised``; ``…a``/``…b`` on clashes)."""
    base: dict[str, str] = {}
    for p in papers:
        last = _ascii(p.authors[0].split()[-1]).lower() if p.authors and p.authors[0].split() else "anon"
        words = [w for w in re.findall(r"[a-z0-9]+", _ascii(p.title).lower()) if w not in _STOP]
        base[p.id] = re.sub(r"[^a-z0-9]", "", last) + (str(p.year) if p.year else "") + (words[0] if words else "")
    counts: dict[str, int] = {}
    for key in base.values():
        counts[key] = counts.get(key, 0) + 1
    out: dict[str, str] = {}
    used: dict[str, int] = {}
    for pid, key in base.items():
        if counts[key] > 1:
            n = used.get(key, 0)
            used[key] = n + 1
            key = key + chr(ord("a") + n)
        out[pid] = key
    return out


def bib_escape(text: str) -> str:
    """Escape BibTeX/LaTeX specials; braces in titles keep their capitalisation."""
    text = text.replace("{", "").replace("}", "").replace("\\", "/")
    for ch, rep in (("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("_", r"\_")):
        text = text.replace(ch, rep)
    return " ".join(text.split())


def render_bibtex(references: list[Reference]) -> str:
    """BibTeX for the report's references."""
    entries = []
    for ref in references:
        arxiv = ref.arxiv
        kind = "inproceedings" if ref.venue else ("article" if arxiv else "misc")
        fields: list[tuple[str, str]] = [("title", "{" + bib_escape(ref.title) + "}")]
        if ref.authors:
            fields.append(("author", " and ".join(bib_escape(a) for a in ref.authors)))
        if ref.year:
            fields.append(("year", str(ref.year)))
        if ref.venue:
            fields.append(("booktitle", bib_escape(ref.venue)))
        elif arxiv:
            fields.append(("journal", f"arXiv preprint arXiv:{arxiv}"))
        if arxiv:
            fields += [("eprint", arxiv), ("archiveprefix", "arXiv")]
        if ref.doi:
            fields.append(("doi", ref.doi))
        if ref.url:
            fields.append(("url", ref.url))
        if not arxiv:
            fields.append(("note", f"synth id {bib_escape(ref.id)}"))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        entries.append(f"@{kind}{{{ref.key},\n{body}\n}}\n")
    return "\n".join(entries)

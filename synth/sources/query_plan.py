"""A research question → a few arXiv API ``search_query`` strings, each with a reason.

The question's key phrases (runs of content words between stop-words) and terms are expanded with a small
table of synonyms and abbreviations of the field (XLM-R ↔ XLM-RoBERTa, cross-lingual ↔ crosslingual /
multilingual, NLI ↔ natural language inference, …), then combined into queries from precise to broad:

1. ``phrases``  every key phrase in the title or abstract (the paper is about exactly this);
2. ``terms``    the most specific terms, each in the abstract (catches other wordings of the phrases);
3. ``title``    any of the specific terms in the title, sorted by arXiv's relevance (recall);
4. ``core``     the core topic alone in title or abstract: named things (acronyms, datasets, models), else the
                most specific concept with its synonyms (recall for papers that word their title differently).

Filters apply to every query: ``cat:`` from the categories and ``submittedDate:[… TO …]`` from since/until.
Seed papers go in a separate ``id_list`` request. Ranking by embedding similarity happens after retrieval,
so the queries aim at recall and the ranker at precision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from synth.core.records import SearchPlan
from synth.core.settings import SearchSettings

STOP_WORDS = frozenset(
    """a about above across after again against all almost also am among an and any are as at be because been
    before being below between both but by can could did do does doing done down during each either else ever
    every few for from further had has have having he her here hers how however i if in into is it its itself
    just least less let like made make makes many may me might more most much must my neither no nor not of off
    often on once one only or other our out over own per rather same shall she should since so some such than
    that the their them then there these they this those through thus to too toward towards under until up upon
    us very via was we were what when where whether which while who whom whose why will with within without
    would yet you your
    actually affect affects approach approaches better compare compared comparison effect effects evidence
    help helps impact improve improved improves improving increase increases known method methods paper papers
    perform performance really result results reduce reduces state study studies use used uses using work works
    good bad new well need needs way ways make makes kind kinds different various other others capture learned learnt
    trained obtained based given best large small high low""".split()
)

# each group: spellings and abbreviations of one concept (lower case; matched as whole words/phrases)
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("xlm-r", "xlm-roberta", "xlmr"),
    ("cross-lingual", "crosslingual", "multilingual"),
    ("nli", "natural language inference", "textual entailment"),
    ("rte", "recognizing textual entailment"),
    ("mbert", "multilingual bert"),
    ("ner", "named entity recognition"),
    ("mt", "machine translation"),
    ("nmt", "neural machine translation"),
    ("qa", "question answering"),
    ("llm", "large language model", "large language models"),
    ("lm", "language model", "language models"),
    ("plm", "pretrained language model", "pre-trained language model"),
    ("pretrained", "pre-trained"),
    ("pretraining", "pre-training"),
    ("fine-tuning", "finetuning", "fine tuning"),
    ("sentence embeddings", "sentence embedding", "sentence representations", "sentence encoders"),
    ("word embeddings", "word vectors", "word representations"),
    ("paraphrase identification", "paraphrase detection"),
    ("adversarial training", "robust training"),
    ("zero-shot", "zero shot"),
    ("few-shot", "few shot"),
    ("transformer", "transformers", "self-attention"),
    ("lstm", "long short-term memory"),
    ("rnn", "recurrent neural network"),
    ("cnn", "convolutional neural network"),
    ("paws-x", "pawsx"),
    ("xnli", "cross-lingual nli"),
)
_GROUP_OF: dict[str, tuple[str, ...]] = {spelling: group for group in SYNONYMS for spelling in group}
_MULTIWORD = sorted((s for s in _GROUP_OF if " " in s), key=lambda s: -len(s.split()))

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-+]*[A-Za-z0-9+]|[A-Za-z0-9]")
MAX_QUERIES = 4


@dataclass(frozen=True)
class Concept:
    """One thing the question is about, with the spellings that may stand for it in a paper."""

    text: str
    spellings: tuple[str, ...]
    named: bool  # an acronym or a name with digits/hyphens/capitals: specific, worth searching alone

    @property
    def specificity(self) -> float:
        return (2.0 if self.named else 0.0) + len(self.text.split()) + min(len(self.text), 12) / 12


@dataclass(frozen=True)
class Query:
    name: str
    search_query: str
    why: str


def key_phrases(question: str) -> list[str]:
    """Runs of content words, in question order (RAKE-style: stop-words and punctuation split phrases)."""
    phrases: list[list[str]] = [[]]
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-+]*[A-Za-z0-9+]|[A-Za-z0-9]|[^\sA-Za-z0-9]", question):
        if not token[0].isalnum() or token.lower() in STOP_WORDS:
            if phrases[-1]:
                phrases.append([])
            continue
        phrases[-1].append(token)
    return [" ".join(p) for p in phrases if p]


def concepts(question: str) -> list[Concept]:
    """Known multi-word concepts first (from the synonym table), then the remaining content words."""
    found: list[Concept] = []
    seen: set[str] = set()
    lowered = " " + " ".join(TOKEN.findall(question)).lower() + " "
    for phrase in _MULTIWORD:
        if f" {phrase} " in lowered:
            group = _GROUP_OF[phrase]
            if group[0] not in seen:
                seen.add(group[0])
                found.append(Concept(phrase, group, named=False))
            lowered = lowered.replace(f" {phrase} ", " | ")
    for token in TOKEN.findall(lowered):
        original = _original_case(question, token)
        low = token.lower()
        if low in STOP_WORDS or len(low) < 2 or low.isdigit():
            continue
        group = _GROUP_OF.get(low, (low,))
        if group[0] in seen:
            continue
        seen.add(group[0])
        named = any(c.isdigit() for c in low) or (original.isupper() and len(original) > 1) or _mixed_case(original)
        found.append(Concept(low, group, named=named))
    return found


def _original_case(question: str, token: str) -> str:
    m = re.search(re.escape(token), question, re.I)
    return m.group(0) if m else token


def _mixed_case(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


def _term(field: str, spelling: str) -> str:
    # quote anything with a space or hyphen so arXiv's parser keeps it as one phrase
    return f'{field}:"{spelling}"' if re.search(r"[\s\-+]", spelling) else f"{field}:{spelling}"


def _any(fields: tuple[str, ...], spellings: tuple[str, ...]) -> str:
    parts = [_term(f, s) for s in spellings for f in fields]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def filters(settings: SearchSettings) -> list[str]:
    """The ``cat:`` and ``submittedDate:`` clauses every query is ANDed with."""
    out: list[str] = []
    if settings.categories:
        cats = [f"cat:{c}" for c in settings.categories]
        out.append(cats[0] if len(cats) == 1 else "(" + " OR ".join(cats) + ")")
    if settings.since or settings.until:
        since = settings.since or dt.date(1991, 1, 1)
        until = settings.until or dt.date.today()
        out.append(f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]")
    return out


def plan_queries(question: str, settings: SearchSettings) -> list[Query]:
    """Queries from precise to broad, de-duplicated, at most MAX_QUERIES (each costs one rate-limited request)."""
    cs = concepts(question)
    if not cs:
        return []
    specific = sorted(cs, key=lambda c: -c.specificity)
    extra = filters(settings)
    queries: list[Query] = []

    def add(name: str, clauses: list[str], why: str) -> None:
        if not clauses:
            return
        text = " AND ".join(clauses + extra)
        if all(q.search_query != text for q in queries):
            queries.append(Query(name, text, why))

    ta = ("ti", "abs")
    phrase_concepts = _phrase_concepts(question, cs)
    if len(phrase_concepts) >= 1:
        add(
            "phrases",
            [_any(ta, c.spellings) for c in phrase_concepts[:3]],
            "each key phrase of the question in title or abstract",
        )
    add("terms", [_any(("abs",), c.spellings) for c in specific[:3]], "the most specific terms, all in the abstract")
    broad = [s for c in specific[:5] for s in c.spellings[:3]]
    add(
        "title",
        ["(" + " OR ".join(_term("ti", s) for s in broad) + ")" if len(broad) > 1 else _term("ti", broad[0])],
        "any specific term in the title (recall; ranked afterwards)",
    )
    # the question's core topic alone, in title or abstract: named things (models, datasets) when it has them,
    # else the most specific known concept (e.g. "natural language inference" with its synonyms)
    named = [c for c in specific if c.named]
    known = [c for c in specific if len(c.spellings) > 1 or " " in c.text]
    core = named[:2] or known[:1] or specific[:1]
    add(
        "core",
        [_any(ta, c.spellings) for c in core],
        "the core topic (named models/datasets, else the most specific concept) in title or abstract",
    )
    return queries[:MAX_QUERIES]


def _phrase_concepts(question: str, cs: list[Concept]) -> list[Concept]:
    """Key phrases as concepts: a multi-word phrase is searched as a quoted phrase (plus its table synonyms)."""
    by_text = {c.text: c for c in cs}
    out: list[Concept] = []
    for phrase in key_phrases(question):
        low = phrase.lower()
        if low in _GROUP_OF:
            out.append(Concept(low, _GROUP_OF[low], named=False))
        elif low in by_text:
            out.append(by_text[low])
        elif len(low.split()) == 2 and not any(c.text in low and " " in c.text for c in cs):
            out.append(Concept(low, (low,), named=False))
        else:  # a longer run: use the concepts inside it (table phrases, else its most specific word)
            inside = [c for c in cs if f" {c.text} " in f" {low} " or any(f" {s} " in f" {low} " for s in c.spellings)]
            known = [c for c in inside if " " in c.text or c.named]
            out.extend(known or ([max(inside, key=lambda c: c.specificity)] if inside else []))
    unique: dict[str, Concept] = {}
    for c in out:
        unique.setdefault(c.spellings[0], c)
    out = list(unique.values())
    return sorted(out, key=lambda c: -c.specificity)


def describe(plan: SearchPlan) -> str:
    """One paragraph for a reader: what was searched on arXiv, with which filters, and what was found."""
    arxiv = plan.arxiv
    if arxiv is None:
        raise ValueError(f"describe() states an arXiv search, not a {plan.source} one")
    lines = [f"`{q.query}` ({q.total_results} matches, {q.returned} read)" for q in plan.queries]
    flt = []
    if arxiv.since or arxiv.until:
        flt.append(f"submitted {arxiv.since or '…'} to {arxiv.until or '…'}")
    if arxiv.categories:
        flt.append("categories " + ", ".join(arxiv.categories))
    text = f"Searched arXiv ({plan.location}) with {len(lines)} queries: " + "; ".join(lines) + "."
    if arxiv.id_list:
        text += f" Seed papers requested by id: {', '.join(arxiv.id_list)}."
    if flt:
        text += " Filters: " + "; ".join(flt) + "."
    text += (
        f" {plan.candidates} distinct candidates; {plan.kept} kept after ranking by"
        f" {arxiv.ranked_by} to the question (max {arxiv.max_papers});"
        f" {arxiv.downloaded} PDFs retrieved ({arxiv.from_cache} from cache), {arxiv.failed} failed."
    )
    if not plan.candidates:
        text += " No paper matched: the report has no evidence to draw on."
    return text

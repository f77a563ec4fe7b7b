"""The question's facets: its parts, each of which the literature may or may not address.

"What is the impact of multimodal pre-training (text + images/audio) on zero-shot cross-lingual transfer performance
for semantic similarity tasks in XTREME, compared to text-only models, and does multimodal alignment improve
robustness across low-resource languages?" has seven: multimodal pre-training; text + images/audio vs text-only
models; zero-shot cross-lingual transfer; semantic similarity; XTREME; multimodal alignment; robustness across
low-resource languages.

The method is a deterministic keyphrase split of the question, offline and model-free (in the spirit of RAKE, Rose et al. 2010):

- a parenthesis is set aside; "compared to / compared with / compare with / versus / vs. / rather than / relative to Y"
  makes a comparison facet "X vs Y", X being the parenthesis when the question has one (it names what is compared),
  else the facet just before;
- the rest is cut at punctuation, conjunctions, question words, auxiliaries, prepositions and the generic words
  of research questions ("impact", "effect", "improve", "performance", "tasks");
- a one-word phrase followed by "across / in / among / between / within" takes the phrase after it ("robustness
  across low-resource languages"); a word that can be a verb ending a longer phrase before such a preposition is
  split off first ("multilingual encoders | transfer across languages");
- "without" stays with its phrase ("without parallel data": the absence is the point);
- duplicates (the same content words) are dropped; :func:`dedupe` can also drop near-duplicates by embedding.

Each facet keeps its content words, lightly stemmed (:func:`terms`), which is what "a passage mentions it" checks.
:class:`QuestionGate` decides from the facets whether a claim can answer the question at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from synth.core.records import Facet

# cut points: question words, auxiliaries, articles, pronouns, conjunctions and prepositions
_FUNCTION = frozenset(
    """
    what which who whom whose why how when where whether is are was were be been being am do does did done doing has have
    had having can could may might must shall should will would the a an this that these those it its their there they
    them we our us you your i me my of on for to with by from at as into onto about over under than then so such and or
    nor but if also both either neither any some each every all more most less least much many very well too other
    others another
    """.split()
)
# generic words of research questions: they say how something is asked, not what it is about
_GENERIC = frozenset(
    """
    impact impacts effect effects effectiveness influence influences role roles improve improves improved improving
    improvement improvements affect affects affected help helps hurt hurts benefit benefits enhance enhances increase
    increases reduce reduces change changes lead leads cause causes make makes use uses used using compare compares
    compared comparing performance performances perform performs task tasks result results outcome outcomes matter matters
    work works
    good better best bad worse worst extent degree way ways level levels known evidence literature studies study
    exist exists existing there
    add adds added adding apply applies applied applying introduce introduces introduced introducing combine combines
    combined combining incorporate incorporates incorporated incorporating integrate integrates integrated integrating
    """.split()
)
# prepositions that may join a one-word phrase to the phrase after it ("robustness across languages")
_JOINING = frozenset({"across", "in", "among", "between", "within"})
# other prepositions: plain cut points
_PREPOSITIONS = frozenset({"on", "for", "to", "with", "by", "from", "at", "of", "into", "via", "through", "under", "over"})
# words that are verbs as often as nouns in research questions: split off a longer phrase before a joining preposition
_VERBISH = frozenset(
    "transfer transfers generalize generalise generalizes generalises scale scales align aligns adapt adapts learn learns".split()
)
_COMPARISON = re.compile(
    r"\b(?:(?:when\s+|as\s+)?compared\s+(?:to|with)|compares?\s+(?:to|with|against)|in\s+comparison\s+(?:to|with)|versus|vs\.?|rather\s+than|relative\s+to"
    r"|(?:better|worse|more|less|higher|lower|faster|slower|stronger|weaker)\s+than)\s+",
    re.IGNORECASE,
)
# words too general to be required when a facet has other terms ("text-only models" is matched by "text-only",
# "without parallel data" by "parallel")
_WEAK = frozenset({"model", "method", "approach", "system", "framework", "technique", "architecture", "data"})
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+/'’\-]*[A-Za-z0-9+]|[A-Za-z0-9+]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _stem(word: str) -> str:
    """Lower case, apostrophes dropped, a plural or possessive "s" removed ("languages" → "language", "BERT's" → "bert")."""
    w = word.lower().replace("’", "'").removesuffix("'s").replace("'", "")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def terms(text: str) -> list[str]:
    """The facet's content words, stemmed, in order (hyphenated words stay whole: "zero-shot", "low-resource")."""
    out: list[str] = []
    for word in _words(text):
        lw = word.lower()
        if lw in _FUNCTION or lw in _GENERIC or lw in _JOINING or lw in _PREPOSITIONS or lw in {"vs", "without"}:
            continue
        for part in re.split(r"[/+]", word):
            stem = _stem(part)
            if stem and stem not in out and stem not in _FUNCTION:
                out.append(stem)
    strong = [t for t in out if t not in _WEAK]
    return strong or out


def _normal(word: str) -> str:
    """A word as matching compares it: stemmed, hyphens dropped, "-ing"/"-ed" removed ("pre-trained" = "pretraining")."""
    w = _stem(word).replace("-", "")
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeious":  # "transferring" = "transfer"
                w = w[:-1]
            return w
    return w


def word_set(text: str) -> frozenset[str]:
    """Every word of ``text`` as :func:`mentions` compares it (hyphenated words also by their parts)."""
    out: set[str] = set()
    words = _words(text)
    for word in words:
        out.add(_normal(word))
        for part in re.split(r"[-/+]", word):
            if part:
                out.add(_normal(part))
    for a, b in zip(words, words[1:], strict=False):
        out.add(_normal(a + b))  # a compound written open: "scaffold hopping" names "scaffold-hopping"
    return frozenset(out)


def _need(n: int) -> int:
    """Terms of a facet a passage must contain: all of up to three, two thirds (rounded up) of more."""
    return n if n <= 3 else -(-2 * n // 3)


def mentions(facet: Facet, words: frozenset[str]) -> bool:
    """Whether a passage (its :func:`word_set`) names the facet: enough of its terms; for a comparison, of each side."""
    sides = facet.sides or [facet.terms]
    for side in sides:
        hits = sum(1 for t in side if _normal(t) in words)
        if hits < _need(len(side)):
            return False
    return True


def _plural_weak(word: str) -> bool:
    """A plural weak noun ("models", "methods"): in a question, a lower-case word right after it is the verb."""
    low = word.lower()
    return low != _stem(low) and _stem(low) in _WEAK


@cache
def _pos(word: str) -> frozenset[str]:
    """The parts of speech English uses ``word`` as (the lexicon of ``lemminflect``, loaded on first use: the question
    split runs in every stage that reads facets, and a command that reads none should not pay for it)."""
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word.lower()))


def _is_verb(token: str, alone: bool) -> bool:
    """A word English uses only as a verb, in a form that is no modifier: "differ", "consolidate", and a past
    participle standing alone ("When pasture is replaced by …"). A gerund names an activity ("sandwich priming"); a
    participle in a phrase modifies ("pretrained models") or qualifies it ("sentence embeddings learned from NLI data"
    are not all sentence embeddings: without "learned" the question's subject reads wider, and claims about other
    embeddings passed the question gate, measured with ``benchmarks/bench_claims.py``); a capitalised word is a name."""
    low = token.lower()
    if token[:1].isupper() or low.endswith(("ing", "s")) or (low.endswith(("ed", "de")) and not alone) or "-" in low:
        return False  # a word in -s is a plural noun far more often than a verb ("nuclear recoils", which the lexicon lacks)
    return _pos(low) == {"VERB"}


def _without_adverb(words: list[str]) -> list[str]:
    """``words`` without the adverbs that end them ("automated reliably", "electrode arrays selectively"): an adverb is
    no part of the thing asked about."""
    end = len(words)
    while end > 1 and _pos(words[end - 1]) == {"ADV"}:
        end -= 1
    return words[:end]


def _without_verbs(runs: list[list[str]], joiner: list[str | None]) -> tuple[list[list[str]], list[str | None]]:
    """The runs with their verbs taken out: a verb ends the phrase before it and starts none ("Do … Crenarchaeota
    differ between …" asks about "Crenarchaeota"; "people consolidate motor memory" is two phrases)."""
    out: list[list[str]] = []
    out_join: list[str | None] = []
    for run, join in zip(runs, joiner, strict=True):
        if run == ["without"]:
            out.append(run)
            out_join.append(join)
            continue
        run = _without_adverb(run)  # first, so that a participle the adverb followed stands alone ("automated")
        pieces: list[list[str]] = [[]]
        for tok in run:
            if _is_verb(tok, alone=len(run) == 1):
                pieces.append([])
            else:
                pieces[-1].append(tok)
        # "electrode arrays selectively" of "… arrays selectively stimulate …"
        pieces = [p for p in map(_without_adverb, pieces) if p and p != ["without"]]
        for n, piece in enumerate(pieces):
            out.append(piece)
            out_join.append(join if n == len(pieces) - 1 and piece[-1] == run[-1] else None)
    return out, out_join


def _phrases(text: str) -> list[str]:
    """Keyphrases of ``text`` (a question without its parenthesis and comparison), in order."""
    tokens: list[str] = []
    for piece in re.split(r"[,;:?!.]+|\s-\s|\s–\s", text):  # punctuation cuts (a hyphen inside a word does not)
        tokens += _words(piece) + ["|"]
    runs: list[list[str]] = []
    run: list[str] = []
    joiner: list[str | None] = []  # for each run, the joining preposition that followed it (None: a plain cut)
    without = False
    for tok in tokens:
        low = tok.lower()
        if tok == "|" or low in _FUNCTION or low in _PREPOSITIONS or low in _JOINING or low in _GENERIC or low == "without":
            if run:
                runs.append(run)
                joiner.append(low if low in _JOINING else None)
                run = []
            elif runs and joiner[-1] is None and low in _JOINING:
                joiner[-1] = None  # "X of in Y": never join across two cut words
            without = low == "without"
            if without:
                run = ["without"]
            continue
        if run and _plural_weak(run[-1]) and _stem(low) not in _WEAK and not tok[:1].isupper():
            runs.append(run)  # "Which models capture …", "Can XAI methods explain …": the word after is the verb
            joiner.append(None)
            run = [tok] if low in _VERBISH else []  # "transfer across languages" stays a phrase
            continue
        run.append(tok)
    if run and run != ["without"]:
        runs.append(run)
        joiner.append(None)
    runs, joiner = _without_verbs(runs, joiner)
    # a verb-like last word of a longer run before a joining preposition starts its own phrase
    split_runs: list[list[str]] = []
    split_join: list[str | None] = []
    for r, j in zip(runs, joiner, strict=True):
        if j is not None and len(r) >= 3 and r[-1].lower() in _VERBISH:
            split_runs += [r[:-1], r[-1:]]
            split_join += [None, j]
        else:
            split_runs.append(r)
            split_join.append(j)
    out: list[str] = []
    i = 0
    while i < len(split_runs):
        r = split_runs[i]
        if split_join[i] is not None and len(r) == 1 and i + 1 < len(split_runs) and split_runs[i + 1][0] != "without":
            out.append(f"{r[0]} {split_join[i]} {' '.join(split_runs[i + 1])}")
            i += 2
            continue
        if r != ["without"]:
            out.append(" ".join(r))
        i += 1
    return out


def facets(question: str) -> list[Facet]:
    """The question's facets in the order it asks them (see the module docstring for the method)."""
    text = " ".join(question.split())
    parens = [(m.start(), m.group(1).strip()) for m in re.finditer(r"\(([^()]*)\)", text)]
    body = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), text)  # same length: positions stay valid
    comparison = _COMPARISON.search(body)
    target, target_at = "", -1
    if comparison:
        rest = body[comparison.end() :]
        stop = re.search(r"[,;:?!.]|\s(?:and|or|but|while|whereas|on|for|in|across|at|with|without|when|under)\s", rest)
        target = " ".join(_words(rest[: stop.start()] if stop else rest))
        target_at = comparison.start()
        body = (
            body[: comparison.start()]
            + " , "
            + " " * (comparison.end() - comparison.start() - 3)
            + body[comparison.end() + (stop.start() if stop else len(rest)) :]
        )
    found: list[tuple[int, str, str, list[list[str]]]] = []  # (position in the question, text, kind, sides)
    pos = 0
    for phrase in _phrases(body):
        at = body.find(phrase.split()[0], pos)
        pos = at + 1 if at >= 0 else pos
        found.append((at if at >= 0 else len(body), phrase, "topic", []))
    if target:
        if parens:  # "X (A) …, compared to B": the parenthesis names what is compared with B
            at, subject = parens.pop(0)
            subject = " ".join(_words(subject))
        else:  # "A, compared to B" / "Is A better than B": the phrase just before the comparison
            before = [f for f in found if f[0] < target_at]
            if before:
                found.remove(before[-1])
                at, subject = before[-1][:2]
            else:
                at, subject = target_at, ""
        found.append((at, f"{subject} vs {target}" if subject else target, "comparison", [terms(subject), terms(target)]))
    for at, inner in parens:  # a parenthesis no comparison used is a facet of its own
        found.append((at, " ".join(_words(inner)), "topic", []))
    out: list[Facet] = []
    seen: set[tuple[str, ...]] = set()
    for _, phrase, kind, sides in sorted(found, key=lambda f: f[0]):
        key = tuple(sorted(terms(phrase)))
        if not key or key in seen:
            continue
        seen.add(key)
        sides = [side for side in sides if side]
        out.append(
            Facet(id=f"F{len(out) + 1}", text=phrase, terms=terms(phrase), kind=kind, sides=sides if len(sides) == 2 else [])  # type: ignore[arg-type]
        )
    return out


def dedupe(found: list[Facet], embed: Callable[[list[str]], np.ndarray], max_cosine: float = 0.9) -> list[Facet]:
    """Drop a facet whose embedding is at least ``max_cosine`` alike an earlier one's; ids are renumbered."""
    if len(found) < 2:
        return found
    vectors = embed([f.text for f in found])
    kept: list[int] = []
    for i in range(len(found)):
        if all(float(vectors[i] @ vectors[k]) < max_cosine for k in kept):
            kept.append(i)
    return [found[i].model_copy(update={"id": f"F{n + 1}"}) for n, i in enumerate(kept)]


_FACET_STOP = frozenset({"of", "the", "and", "for", "in", "on", "without", "across", "to", "with", "a", "an", "vs"})
# "Which X …" / "What X …": the wh-word is a determiner, X names the kind of answer asked for
_WH_DETERMINER = re.compile(r"\s*(?:which|what)\s+([A-Za-z][\w-]*)", re.IGNORECASE)


# a yes/no question: its first facet is what it asks about ("Does attention … improve …?")
_YES_NO = re.compile(r"\s*(?:do|does|did|is|are|was|were|can|could|will|would|has|have|should)\b", re.IGNORECASE)


def _after_on(question: str, facet: Facet) -> bool:
    """Whether the question introduces the facet with "on" or "for": the task or data set a result is asked for."""
    first = facet.text.split()[0]
    return bool(re.search(rf"\b(?:on|for)\s+(?:the\s+|a\s+|an\s+)?{re.escape(first)}\b", question, re.IGNORECASE))


def _joined(question: str, a: Facet, b: Facet) -> bool:
    """Whether the question lists facet ``b`` right after ``a`` with "and"/"or" ("on A and B", not "on A across B")."""
    last, first = a.text.split()[-1], b.text.split()[0]
    gap = re.search(rf"\b{re.escape(last)}\b(.*?)\b{re.escape(first)}\b", question, re.IGNORECASE)
    return gap is not None and gap.group(1).strip(" ,").lower() in {"and", "or", "and the", "or the", "and on", "or on"}


def focus(question: str, found: Sequence[Facet]) -> list[list[Facet]]:
    """What a claim must be about to answer ``question`` (see :class:`QuestionGate`): groups of facets, each group to
    be named by one of its facets. A comparison, when the question asks for one; else the subject of a yes/no question
    ("Does attention between the two sentences improve …") and the tasks it introduces with "on"/"for" ("… perform on
    semantic textual similarity", or on either of "A and B"), each a group; else, in "Which X …", any facet but X (X
    names the kind of answer: "neural architectures" does not make a claim about word analogies answer a question on
    inference); otherwise any facet."""
    comparison = [f for f in found if f.kind == "comparison"]
    if comparison:
        return [comparison]
    topics = [f for f in found if f.kind == "topic"]
    wh = _WH_DETERMINER.match(question)
    answer_type = wh is not None and len(topics) > 1 and topics[0].text.split()[0].lower() == wh.group(1).lower()
    groups = [[topics[0]]] if topics and _YES_NO.match(question) else []
    rest = topics[1 if answer_type or groups else 0 :]
    first_task = next((n for n, f in enumerate(rest) if _after_on(question, f)), None)
    if first_task is not None:
        tasks = [rest[first_task]]
        for f in rest[first_task + 1 :]:
            if not _joined(question, tasks[-1], f):
                break
            tasks.append(f)  # "on A and B": either
        groups.append(tasks)
    if groups:
        return groups
    return [topics[1:] if answer_type else list(found)]


def _forms(words: frozenset[str], terms: Sequence[str]) -> set[str]:
    """``words`` plus the facet terms they name by derivation: a comparative ("faster" names "fast"), a compound of two
    terms ("fastText": "fast" and "text"), "-lingual" ("cross-lingual", "multilingual": "language"), "-ity"
    ("multilinguality": "multilingual"), "-ness" ("robustness": "robust")."""
    out = set(words)
    normal = [_normal(t) for t in terms]
    for w in words:
        if w.endswith("lingual"):
            out.add("language")
        if len(w) > 6 and w.endswith("ity"):
            out.add(w[:-3])
        if len(w) > 7 and w.endswith("ness"):
            out.add(w[:-4])
        for t in normal:
            if len(t) < 3 or not w.startswith(t) or w == t:
                continue
            rest = w[len(t) :]
            if rest in ("er", "est"):
                out.add(t)
            elif rest in normal:
                out.update((t, rest))
    return out


def _acronym(phrase: str) -> str | None:
    """The initials of a phrase of two or more content words ("recurrent neural networks": "RNN"); weak words
    ("models") and function words do not count."""
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", phrase) if w.lower() not in _FACET_STOP and _stem(w) not in _WEAK]
    return "".join(w[0].upper() for w in words) if len(words) >= 2 else None


def _names_side(terms: Sequence[str], phrase: str, text: str, *, strict: bool = False) -> bool:
    """Half the side's terms, or with ``strict`` as many as :func:`mentions` asks of a passage (all of up to three); an
    "X-based" term by X alone; or its acronym, also ending a name ("NLI" in "MultiNLI"). The gate is strict with a
    claim's context (an abstract is long enough to hold "machine" of "machine translation" for "machine
    comprehension") and lenient with its own sentence (strict there lost more good claims than bad, measured with
    ``benchmarks/bench_claims.py``)."""
    terms = [t.removesuffix("-based") for t in terms]
    if terms:
        words = _forms(word_set(text), terms)
        if sum(_normal(t) in words for t in terms) >= (_need(len(terms)) if strict else -(-len(terms) // 2)):
            return True
    acronym = _acronym(phrase)
    return bool(acronym and re.search(rf"(?<![A-Za-z])[A-Za-z]{{0,6}}-?{acronym}(?![A-Za-z])", text))


def names_part(facet: Facet, text: str, *, subject: bool = False, strict: bool = False) -> bool:
    """Whether ``text`` names the facet (``strict``: see :func:`_names_side`): for a comparison either side, or
    (``subject``) its first side, what is compared."""
    if not facet.sides:
        return _names_side(facet.terms, facet.text, text, strict=strict)
    sides = list(zip(facet.sides, facet.text.split(" vs ", 1), strict=False))
    return any(_names_side(terms, phrase, text, strict=strict) for terms, phrase in (sides[:1] if subject else sides))


@dataclass(frozen=True)
class QuestionGate:
    """Whether a claim can answer the question: it, its section or its paper's title and abstract name the question's
    focus (:func:`focus`; of a comparison, what is compared: "attention-based" for "How do attention-based models compare
    with recurrent networks …", which the Transformer's "Attention Is All You Need" names) with all its terms (of up to
    three: an abstract is long enough to hold "machine" of "machine translation" for "machine comprehension"), and its
    own sentence names some part of the question (half a facet's terms). Similarity to the question cannot tell a claim
    on the question's subject from one of the same field on another (measured on the judged claims of
    ``benchmarks/bench_claims.py``); naming can, and misses a finding worded differently from the question. A question
    with no facet admits every claim."""

    facets: tuple[Facet, ...]
    groups: tuple[tuple[Facet, ...], ...]  # the focus (:func:`focus`): every group named, each by one of its facets

    @classmethod
    def of(cls, question: str) -> QuestionGate:
        found = facets(question)
        return cls(tuple(found), tuple(tuple(group) for group in focus(question, found)))

    def admits(self, own: str, context: str) -> bool:
        if not self.facets:
            return True
        around = f"{own} {context}"
        if not all(any(names_part(f, around, subject=True, strict=True) for f in group) for group in self.groups):
            return False
        return any(names_part(f, own) for f in self.facets)

    def describe(self) -> str:
        parts = " and ".join(
            " or ".join(f"{f.id} {f.text.split(' vs ', 1)[0] if f.sides else f.text}" for f in group) for group in self.groups
        )
        return (
            f"a claim is kept when it, its section or its paper's title and abstract name {parts}, and its own sentence "
            "names a part of the question"
        )

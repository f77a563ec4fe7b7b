"""Line-end hyphens: a word broken across lines (``More-|over``) is joined, a real hyphen (``low-|resource``) kept.

The decision is made from evidence, in this order:

1. the paper's own vocabulary: how often it writes the pair with a hyphen mid-line (``low-resource``) and how
   often solid (``lowresource``), counting the plural/singular variant too;
2. an English word list with frequencies (the dictionary shipped by the ``pyspellchecker`` package, ~160k words
   counted over subtitles and books): ``moreover`` is a word, ``lowresource`` and ``stateof`` are not;
3. when the joined form is no word (a word the list holds is joined, however rare: ``outperforms``): the hyphen
   is kept when the paper writes other compounds with the same first part (``cross-lingual`` makes
   ``cross-|lingually`` a compound) or both halves are common words (``fine``/``tuning``, ``low``/``resource``);
   else the break was inside a word the list does not know (``tok-enization``, ``Fell-baum``) and is joined.

Without evidence from the paper, an acronym before the hyphen or a name after a word (``MLM-|score``,
``non-|mBERT``) keeps it.

A pair that is a part of a longer hyphenated compound is decided the same way on the two pieces beside the break
(``state-|of-the-art``: ``stateof`` is no word, so the hyphen stays; ``translate-train-|all`` likewise), and a
digit before the hyphen (``0-|shot``, ``50-|dimensional``) always keeps it (handled where lines are joined).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

# a hyphen before these is a suspended compound ("multi- and cross-lingual"), unless the joined form is a word
SUSPENDED = frozenset({"and", "or", "to", "vs", "versus", "nor"})
# both halves at least this frequent in the word list: two words, so a compound ("low-resource", "fine-tuning");
# a rarer half is more likely a syllable of a word the list lacks or a name ("Fell-baum", "per-formant")
COMMON = 500


@lru_cache(maxsize=1)
def english_words() -> Mapping[str, int]:
    """Lower-case English words → frequency, from pyspellchecker's bundled English dictionary."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary  # type: ignore[no-any-return]


class Vocabulary:
    """How one document writes its words: hyphenated compounds seen mid-line, and solid words."""

    def __init__(self, texts: Iterable[str], soft: str) -> None:
        self.hyphenated: Counter[str] = Counter()
        self.solid: Counter[str] = Counter()
        self.heads: Counter[str] = Counter()  # first parts of hyphenated compounds: "cross" of "cross-lingual"
        for text in texts:
            for w in re.findall(rf"(?<![\w{soft}-])[^\W\d_]+(?:-[^\W\d_]+)+(?![\w{soft}])", text):
                parts = w.lower().split("-")
                for a, b in zip(parts, parts[1:], strict=False):
                    self.hyphenated[f"{a}-{b}"] += 1
                    self.heads[a] += 1
            for w in re.findall(rf"(?<![\w{soft}-])[^\W\d_]+(?![\w{soft}-])", text):
                self.solid[w.lower()] += 1

    def counts(self, a: str, b: str) -> tuple[int, int]:
        """(hyphenated, solid) occurrences of ``a-b`` / ``ab`` in the document, singular and plural together."""
        hy, solid = f"{a}-{b}".lower(), f"{a}{b}".lower()
        variants = {solid, solid[:-1] if solid.endswith("s") else solid + "s"}
        hy_variants = {hy, hy[:-1] if hy.endswith("s") else hy + "s"}
        return sum(self.hyphenated[v] for v in hy_variants), sum(self.solid[v] for v in variants)


def keep_hyphen(a: str, b: str, vocab: Vocabulary | None = None, words: Mapping[str, int] | None = None) -> bool:
    """Whether ``a-`` at a line end followed by ``b`` on the next line is a real hyphen (else the word is joined).

    ``a`` and ``b`` are the letters on each side of the break (``More``/``over``, ``state``/``of``).
    """
    words = english_words() if words is None else words
    joined = f"{a}{b}".lower()
    in_list = words.get(joined, 0)
    if b.lower() in SUSPENDED and not in_list:
        return True
    if vocab is not None:
        hyphenated, solid = vocab.counts(a, b)
        if hyphenated != solid:
            return hyphenated > solid
    if (len(a) >= 2 and a.isupper()) or (re.match(r"^[a-z]?[A-Z]", b) and words.get(a.lower(), 0) >= COMMON):
        return True  # "MLM-score", "non-mBERT": an acronym or a name is a compound's part, never half a word
    if in_list:
        return False
    if vocab is not None and vocab.heads[a.lower()] >= 2:
        return True  # the paper writes "cross-lingual", "cross-domain": so "cross-|lingually" is one more of those
    return min(words.get(a.lower(), 0), words.get(b.lower(), 0)) >= COMMON and min(len(a), len(b)) >= 2


def resolve_break(a: str, b: str, vocab: Vocabulary, chained: bool = False) -> str:
    """The text of ``a-`` at a line end followed by ``b``: joined ("More-|over" → "Moreover"), a real hyphen
    ("low-|resource"), or a suspended one ("mono-|and multilingual" → "mono- and"); ``chained``: another hyphen follows
    ``b`` ("English-|to-German"), one compound, never suspended."""
    if chained and b.lower() in SUSPENDED:
        return f"{a}-{b}"
    if keep_hyphen(a, b, vocab):
        return f"{a}- {b}" if b.lower() in SUSPENDED else f"{a}-{b}"
    return a + b

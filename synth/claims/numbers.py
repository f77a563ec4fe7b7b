"""Structured numbers of a claim: value, unit, metric, dataset and direction.

The experiment module matches a numeric claim such as "robust training improves accuracy by 2.1 points on
PAWS-X" against a re-measurement, so each number says what it measures:

- ``unit``: ``"%"``, ``"points"`` (also "pp", "accuracy points", "F1 points") or ``"x"`` (a factor);
  ``None`` for a bare score ("28.4 BLEU": metric BLEU, no unit).
- ``metric``: the nearest metric name in the same clause (accuracy, F1, BLEU, …), normalised.
- ``dataset``: the nearest dataset / benchmark name in the sentence (known names first, then "on the X
  dataset" patterns).
- ``direction``: ``"increase"`` / ``"decrease"`` when the number *is a change* ("by 2.1 points", "a 3% gain",
  "+1.2", "2 points higher"), ``"level"`` when it is a score reached ("achieves 88.6% accuracy").

Years, cross-references (Table 2, Section 3), citation numbers, counts without a unit and ranges of
hyper-parameters are not results and are left out.
"""

from __future__ import annotations

import re

from synth.core.records import Number

NUM = r"(?<![\w.])[-+−]?\d+(?:[.,]\d+)?"

_METRIC_NAMES = {
    "accuracy": "accuracy", "accuracies": "accuracy", "acc": "accuracy", "f1": "F1", "f-1": "F1", "f1-score": "F1",
    "f-score": "F1", "f-measure": "F1", "bleu": "BLEU", "rouge": "ROUGE", "rouge-l": "ROUGE-L", "em": "EM",
    "exact match": "EM", "precision": "precision", "recall": "recall", "perplexity": "perplexity",
    "error rate": "error rate", "error": "error rate", "wer": "WER", "auc": "AUC", "mrr": "MRR", "map": "MAP",
    "spearman": "Spearman correlation", "pearson": "Pearson correlation", "correlation": "correlation",
    "las": "LAS", "uas": "UAS", "agreement": "agreement", "agreements": "agreement", "kappa": "Cohen's kappa", "iaa": "agreement",
    "ari": "ARI", "adjusted rand index": "ARI", "v-measure": "V-measure", "map@100": "MAP", "ndcg": "nDCG", "p@1": "P@1",
}  # fmt: skip
METRIC = re.compile(
    r"\b(accurac(?:y|ies)|acc|F1(?:-score)?|F-1|F-score|F-measure|BLEU|ROUGE(?:-L)?|EM|exact match|precision|recall|"
    r"perplexity|error rate|WER|AUC|MRR|MAP|nDCG|P@1|agreements?|kappa|IAA|ARI|Adjusted Rand Index|V-measure|"
    r"Spearman(?:'s)?(?: rank)?(?: correlation)?|Pearson(?:'s)?(?: correlation)?|correlation|LAS|UAS|"
    # measures of other fields: systems, devices, clinical and epidemiological studies
    r"speed-?ups?|throughput|latency|efficiency|sensitivity|specificity|odds ratio|hazard ratio|relative risk|risk ratio|"
    r"mean difference)\b",
    re.I,
)
KNOWN_DATASETS = re.compile(
    r"(?<![\w-])(PAWS-X|PAWS|XNLI|MultiNLI|Multi-NLI|MNLI|SNLI|SICK(?:-R|-E)?|SQuAD(?: ?(?:v?1\.1|v?2\.0))?|GLUE|SuperGLUE|"
    r"MLQA|TyDi ?QA|XQuAD|XTREME|WMT ?(?:\d{2,4})?(?: English-(?:to-)?(?:German|French))?|STS ?(?:benchmark|-?B)|STS(?:1[2-6])?|"
    r"SentEval|CoNLL(?:-\d{4})?|SciFact|IMDB|SST-?[25]?|WiC|MCL-WiC|SemEval(?:-\d{4})?|BUCC|Tatoeba|CNN/Daily ?Mail|"
    r"CNN|Daily ?Mail|Yelp(?: P\.| F\.)?|AG(?:'s)? News|DBpedia|Amazon(?: P\.| F\.)?|Yahoo(?: Answers)?|Sogou|"
    r"YFCC100M|Quora|WikiQA|TREC(?:QA)?|MRPC|MSRP|Penn Treebank|PTB|WSJ|XSum|NER|ATIS|Overnight|GeoQuery|"
    r"Europarl|MUSE|Wikipedia)(?![\w-])"
)
_DATASET_PATTERN = re.compile(
    r"\bon (?:the )?((?:[A-Z][\w\-./]*[A-Z0-9][\w\-./]*|[A-Z][a-z]+(?: [A-Z][\w-]*)+))(?= (?:dataset|benchmark|corpus|task|test set|dev set|data)\b)"  # noqa: E501
)
_INCREASE = re.compile(
    r"\b(improv\w*|increas\w*|gains?|gained|boost\w*|higher|better|outperform\w*|surpass\w*|exceed\w*|beat\w*|rais\w+|"
    r"advanc\w+|jump\w*|up)\b", re.I
)  # fmt: skip
_DECREASE = re.compile(
    r"\b(decreas\w*|reduc\w*|drop\w*|declin\w*|lower|worse|degrad\w*|loss|los[et]\w*|fall\w*|fell|down|hurt\w*|cut\w*)\b", re.I
)
_UNIT = re.compile(
    r"^\s*(?P<unit>%|percent(?:age)?(?: points?)?|pp\b|p\.p\.|(?:absolute )?points?|(?:(?:accuracy|F1|BLEU|EM|average) )points?|x\b|×|times\b|-fold)",  # noqa: E501
    re.I,
)
_CROSS_REF = re.compile(
    r"(?:Table|Tab\.|Figure|Fig\.|Section|Sec\.|§|Eq\.|Equation|Appendix|Algorithm|Chapter|Step|Task|Subtask|Layer|Epoch|Version)\s*$",
    re.I,
)
_NOT_RESULT_AFTER = re.compile(
    r"^\s*(?:languages?|sentences?|words?|tokens?|examples?|pairs?|layers?|heads?|dimensions?|epochs?|hours?|days?|"
    r"GPUs?|TPUs?|steps?|million|billion|k\b|M\b|B\b|parameters?|params|annotators?|teams?|systems?|submissions?|"
    r"participants?|classes|labels|categories|documents|articles|papers|minutes|seconds|ms\b|s\b|users?|queries|"
    r"questions|images|samples|instances|runs|seeds|times (?:faster|slower|more|fewer|less)?)",
    re.I,
)  # fmt: skip


def _to_float(text: str) -> float:
    return float(
        text.replace("−", "-").replace(",", "")
        if re.fullmatch(r"[-+−]?\d{1,3}(?:,\d{3})+", text)
        else text.replace("−", "-").replace(",", ".")
    )


def clause_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around [start, end): split at ';', ', while', ', whereas', ', but', ' and ' + subject."""
    left = max((m.end() for m in re.finditer(r";|, (?:while|whereas|but|although)\b", text[:start])), default=0)
    right_m = re.search(r";|, (?:while|whereas|but|although)\b", text[end:])
    right = end + right_m.start() if right_m else len(text)
    return left, right


def dataset_of(text: str, near: int | None = None) -> str | None:
    """The dataset named in ``text``, the one closest to character ``near`` when several are."""
    hits = [(m.start(), m.group(1)) for m in KNOWN_DATASETS.finditer(text)]
    hits += [(m.start(1), m.group(1)) for m in _DATASET_PATTERN.finditer(text)]
    hits = [(pos, name) for pos, name in hits if name not in {"NER"} or len(hits) == 1]
    if not hits:
        return None
    if near is None:
        return hits[0][1]
    return min(hits, key=lambda h: abs(h[0] - near))[1].strip()


def metric_of(text: str, near: int) -> str | None:
    """The metric named closest to character ``near`` of ``text`` (within its clause), normalised."""
    hits = [(abs(m.start() - near), m.group(1)) for m in METRIC.finditer(text)]
    if not hits:
        return None
    word = min(hits)[1].lower()
    if word.startswith(("spearman", "pearson")):
        return word.split("'")[0].split()[0].capitalize() + " correlation"
    return _METRIC_NAMES.get(word, word)


def extract_numbers(text: str) -> list[Number]:
    """Every result-like number of a sentence, with what it measures (see the module docstring)."""
    out: list[Number] = []
    last_end, last_direction = -1, None
    for m in re.finditer(NUM, text):
        value_text = m.group(0)
        before, after = text[: m.start()], text[m.end() :]
        if re.fullmatch(r"(?:19|20)\d\d", value_text) and not re.match(r"\s*(?:%|points?)", after):
            continue  # a year
        is_range_end = bool(re.search(r"\d\s?[-–]$", before))
        if (
            _CROSS_REF.search(before)
            or re.search(r"\[\s*(?:\d+\s*[,–-]\s*)*$", before)
            or before.endswith(("-", "/", "–"))
            and not before.endswith(" -")
            and not is_range_end
        ):
            continue  # Table 2, [12, 13], XLM-R 2 / "v2"
        if re.match(r"[A-Za-z]", after) and not re.match(r"(?:x\b|pp\b|k\b|M\b)", after):
            continue  # glued to a word: "F1", "word2vec", footnote markers "results1"
        if _NOT_RESULT_AFTER.match(after):
            continue  # counts (languages, layers, epochs, …) are settings, not results
        range_unit = re.match(r"\s?[-–]\s?\d+(?:\.\d+)?", after)  # "85-93%": the first end takes the unit of the second
        if range_unit is None and re.search(r"\b(?:between|from)\s*$", before):
            range_unit = re.match(r"\s+(?:and|to)\s+\d+(?:\.\d+)?", after)  # "between 1.6 and 4.3%"
        unit_m = _UNIT.match(after) or (_UNIT.match(after[range_unit.end() :]) if range_unit else None)
        unit = None
        span_end = m.end()
        if unit_m:
            raw = unit_m.group("unit").lower()
            unit = (
                "%"
                if raw.startswith("percent") and "point" not in raw or raw == "%"
                else "x"
                if raw in {"x", "×", "times", "-fold"}
                else "points"
            )
            span_end = m.end() + unit_m.end() + (range_unit.end() if range_unit and not _UNIT.match(after) else 0)
        lo, hi = clause_of(text, m.start(), span_end)
        clause = text[lo:hi]
        near = m.start() - lo
        metric = metric_of(clause, near)
        if unit_m and re.search(r"(accuracy|F1|BLEU|EM) points?", unit_m.group("unit"), re.I):
            metric = _METRIC_NAMES.get(unit_m.group("unit").split()[0].lower(), metric)
        if unit is None and metric is None:
            continue  # a bare number with nothing to say what it measures
        if (
            unit is None
            and not re.search(
                rf"(?:{METRIC.pattern})\W{{0,4}}(?:score\s+)?(?:of\s+|=\s*|:\s*|is\s+|was\s+)?$", before[-40:], re.I
            )
            and not METRIC.match(after.strip())
        ):
            # without a unit, the metric must be right beside the value ("an F1 of 79.3", "28.4 BLEU")
            continue
        direction = _direction(text, lo, m.start(), span_end, hi)
        if (
            direction is None
            and last_direction
            and re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or|and|/)\s*", text[last_end : m.start()])
        ):
            direction = last_direction  # "improvements of 1.4%, 3.5%, and 1.9%": one phrase, one direction
        value = _to_float(value_text)
        if value_text.startswith(("-", "−")) and direction is None:
            direction = "decrease"
        out.append(
            Number(
                value=value,
                unit=unit,
                metric=metric,
                dataset=dataset_of(text, m.start()),
                direction=direction or "level",
                text=text[m.start() : span_end].strip(),
            )
        )
        last_end, last_direction = span_end, (direction if direction in {"increase", "decrease"} else None)
    return out


def _direction(text: str, lo: int, start: int, end: int, hi: int) -> str | None:
    """'increase'/'decrease' when the number is a change, else None (a level)."""
    before = text[lo:start]
    after = text[end:hi]
    if text[start] == "+":
        return "increase"
    is_change = bool(
        re.search(
            r"\b(?:by|of up to|up to|by up to|by about|by around|by roughly|by over|by more than|by almost|by nearly|by at least)\s*$",  # noqa: E501
            before,
            re.I,
        )
        or re.search(r"\b(?:an?|the)\s*(?:absolute\s+|relative\s+|average\s+)?$", before, re.I)
        and re.match(
            r"\s*(?:absolute\s+|relative\s+)?(?:improvement|increase|gain|boost|drop|decrease|reduction|degradation|loss|decline)",
            after,
            re.I,
        )
        or re.match(
            r"\s*(?:absolute\s+|relative\s+)?(?:improvement|increase|gain|boost|drop|decrease|reduction|degradation|decline|higher|lower|better|worse|more|less)\b",
            after,
            re.I,
        )
        or re.search(
            r"\b(?:improvements?|increases?|gains?|boosts?|drops?|decreases?|reductions?|degradations?|declines?|margin|penalty|penalties) of\s*(?:up to\s*|about\s*|around\s*|roughly\s*|approximately\s*)?$",  # noqa: E501
            before,
            re.I,
        )
        or re.search(
            r"\b(?:improvement|gain|increase|drop|decrease|reduction)\b[^.;]{0,40}\(\s*(?:around|about|approximately|~)?\s*$",
            before,
            re.I,
        )
        or re.search(
            r"\b(?:improvements?|gains?|increases?|drops?|decreases?|reductions?|penalt(?:y|ies))\s+(?:of\s+)?(?:between|from)\s+(?:[-+−]?\d+(?:\.\d+)?%?\s+(?:and|to)\s+)?$",
            before,
            re.I,
        )
        or re.search(
            r"\b(?:increased|decreased|improved|dropped|rose|fell|gained|lost|declined|hurts?)\s+(?:[\w-]+\s+){0,3}?(?:by\s+|for\s+)?(?:about\s+|around\s+|roughly\s+|only\s+)?$",
            before,
            re.I,
        )
    )
    if not is_change:
        return None
    near_after = re.match(r"\s*(?:absolute\s+|relative\s+)?(\w+)", after)
    if near_after and _DECREASE.fullmatch(near_after.group(1)):
        return "decrease"
    if near_after and _INCREASE.fullmatch(near_after.group(1)):
        return "increase"
    for w_start in (max(lo, start - 80), lo):  # the verb can sit far before the number ("outperforms … by 2.0 BLEU")
        window = text[w_start : min(hi, end + 40)]
        inc = [mm.start() for mm in _INCREASE.finditer(window)]
        dec = [mm.start() for mm in _DECREASE.finditer(window)]
        if inc and not dec:
            return "increase"
        if dec and not inc:
            return "decrease"
        if inc and dec:
            pos = start - w_start
            return "increase" if min(abs(p - pos) for p in inc) <= min(abs(p - pos) for p in dec) else "decrease"
    return None

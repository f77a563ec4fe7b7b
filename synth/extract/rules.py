"""The default extractor: offline rules over sentences, ranked by embedding similarity to the question.

A sentence is a claim candidate when it asserts something checkable (a result, a comparison, a finding, a
limitation, a cited background fact) and is a complete sentence; method descriptions, questions, headings and
boilerplate are skipped. The claim text is the sentence decontextualised ("we" → the paper), never truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.models import ClaimKind, Number, Paper, Sentence

SKIP_SECTIONS = re.compile(r"references|bibliography|acknowledg|front matter|appendix|ethic", re.I)
NUM = r"[-+]?\d+(?:\.\d+)?"
NUMBER = re.compile(rf"(?P<value>{NUM})\s*(?P<unit>%|percent|points?|pp\b|x\b|×|absolute|BLEU|F1)?", re.I)
METRICS = re.compile(r"\b(accuracy|F1|BLEU|precision|recall|perplexity|EM|exact match|Spearman|Pearson|correlation|error rate|AUC|MRR|ROUGE)\b", re.I)
DATASETS = re.compile(r"\b(PAWS-X|XNLI|MNLI|SNLI|SQuAD|GLUE|SuperGLUE|MLQA|TyDiQA|XQuAD|WMT\s?\d*|STS(?:-B|benchmark)?|SentEval|CoNLL(?:-\d+)?|SciFact|IMDB|SST-?2|XTREME|WiC|MCL-WiC|SemEval[- ]\d+)\b", re.I)
COMPARATIVE = re.compile(r"\b(outperform\w*|better than|worse than|improv\w+|higher|lower|surpass\w*|superior|inferior|exceed\w*|beats?|compared (?:to|with)|more (?:\w+ )?than|less (?:\w+ )?than|gains?|drops?|reduc\w+|increas\w+|decreas\w+)\b", re.I)
FINDING = re.compile(r"\b(show(?:s|ed|n)? that|find(?:s)? that|found that|demonstrat\w+|suggest\w*|indicat\w+|reveal\w*|observe[sd]? that|confirm\w*|leads? to|results? in|enables?|allows?|is (?:crucial|essential|important|necessary|sufficient)|correlat\w+|significantly|effective\w*|robust\w*|consistently|achiev\w+|state[- ]of[- ]the[- ]art)\b", re.I)
LIMITATION = re.compile(r"\b(limitation\w*|fails? to|failed to|does not|do not|cannot|unable to|struggles?|not (?:always|able)|remains? (?:challenging|difficult|an open)|only (?:works|applies))\b", re.I)
CITED = re.compile(r"\([A-Z][A-Za-z\-]+(?: et al\.| and [A-Z][a-z]+)?,? \d{4}[a-z]?\)|\[\d+(?:[,–-]\s*\d+)*\]")
METHOD_ONLY = re.compile(r"^(?:we|in this (?:section|paper|work),? we) (?:use|used|train|trained|follow|adopt|employ|set|fine-?tune|implement|describe|present|introduce|propose|consider|define|report|evaluate|compare|conduct|run|apply|collect|randomly)\b|^(?:table|figure|fig\.)\s*\d|^(?:for|to) (?:example|instance|this end|simplicity)|^(?:see|cf\.)\b|^note that\b", re.I)
BOILER = re.compile(r"https?://|www\.|github|@|copyright|licen[cs]e|arxiv|proceedings|conference|workshop|association for computational|in submission|preprint|acknowledg|corresponding author|equal contribution", re.I)
FRAME = re.compile(r"^(?:(?:In this (?:paper|work|study)|Overall|Empirically|Experimentally|Furthermore|Moreover|Additionally|In addition|Finally|Importantly|Interestingly|Surprisingly|Also),\s*)?(?:we|We) (?:show|find|found|observe|observed|demonstrate|confirm|note|see|conclude|argue|verify|establish) that\s+")


@dataclass
class Candidate:
    sentence: Sentence
    text: str
    kind: ClaimKind
    numbers: list[Number]
    cue: float  # strength of the assertion cues, 0–1


def is_complete(text: str) -> bool:
    """A whole sentence: starts with a capital or digit, ends with terminal punctuation, balanced brackets."""
    t = text.strip()
    return (
        len(t) >= 20
        and bool(re.match(r"^[\"'(]?[A-Z0-9]", t))
        and t.rstrip("\"')").endswith((".", "!"))
        and t.count("(") == t.count(")")
        and t.count("[") == t.count("]")
    )


def classify(text: str) -> tuple[ClaimKind, float] | None:
    low = text.lower()
    if text.rstrip().endswith("?") or METHOD_ONLY.search(text) or BOILER.search(text):
        return None
    has_number = bool(re.search(rf"{NUM}\s*(?:%|points?|pp\b|BLEU|F1|accuracy)|(?:accuracy|F1|BLEU|score) of {NUM}", text, re.I))
    comparative = bool(COMPARATIVE.search(text))
    finding = bool(FINDING.search(text))
    if has_number and (comparative or finding or METRICS.search(text)):
        return "numeric", 1.0
    if LIMITATION.search(text) and ("limitation" in low or "fail" in low or "however" in low or "cannot" in low):
        return "limitation", 0.7
    if comparative and (finding or re.search(r"\bthan\b|outperform|improv", low)):
        return "comparative", 0.85
    if finding:
        return "finding", 0.7
    if CITED.search(text) and re.search(r"\b(is|are|has|have|can|was|were)\b", low):
        return "background", 0.5
    return None


def extract_numbers(text: str) -> list[Number]:
    out: list[Number] = []
    metric = METRICS.search(text)
    dataset = DATASETS.search(text)
    direction = None
    if re.search(r"\b(improv\w+|increas\w+|gains?|higher|outperform\w*|boost\w*)\b", text, re.I):
        direction = "increase"
    elif re.search(r"\b(drops?|decreas\w+|reduc\w+|lower|worse|degrad\w+)\b", text, re.I):
        direction = "decrease"
    for m in NUMBER.finditer(text):
        value = m.group("value")
        if re.fullmatch(r"(19|20)\d\d", value) or re.search(r"(?:Table|Figure|Section|Fig\.|Eq\.)\s*$", text[: m.start()]):
            continue  # years and cross-references are not results
        unit = m.group("unit")
        if not unit and not metric:
            continue
        out.append(
            Number(
                value=float(value),
                unit=("%" if unit and unit.lower() in {"%", "percent"} else unit.lower() if unit else None),
                metric=metric.group(1) if metric else None,
                dataset=dataset.group(1) if dataset else None,
                direction=direction,  # type: ignore[arg-type]
                text=m.group(0).strip(),
            )
        )
    return out


def decontextualise(text: str, paper: Paper) -> str:
    """Rewrite first-person framing so the sentence reads on its own, naming the paper it comes from."""
    name = _short_title(paper)
    out = FRAME.sub("", text, count=1)
    if out != text:
        out = out[0].upper() + out[1:]
    if re.match(r"^Our \w+", out):
        out = re.sub(r"^Our (\w+)", lambda m: f"The {m.group(1)} of {name}", out)
    out = re.sub(r"\bOur\b", f"{name}'s", out)
    out = re.sub(r"\bour\b", f"{name}'s", out)
    out = re.sub(r"^We\b", f"The authors of {name}", out)
    out = re.sub(r"\bwe\b", f"the authors of {name}", out)
    out = re.sub(r"\bus\b", f"the authors of {name}", out)
    out = re.sub(r"\b(?:This|this) (paper|work|study)\b", name, out)
    return out


def _short_title(paper: Paper) -> str:
    title = paper.title.strip()
    short = re.split(r"[:?]", title)[0].strip() if len(title) > 60 else title
    return f"“{short}”" if short else f"paper {paper.id}"


def candidates(sentences: list[Sentence], paper: Paper) -> list[Candidate]:
    out = []
    for s in sentences:
        if SKIP_SECTIONS.search(s.section):
            continue
        words = len(s.text.split())
        if words < 8 or not is_complete(s.text):
            continue
        kind = classify(s.text)
        if kind is None:
            continue
        text = decontextualise(s.text, paper)
        out.append(Candidate(sentence=s, text=text, kind=kind[0], numbers=extract_numbers(s.text) if kind[0] == "numeric" else [], cue=kind[1]))
    return out

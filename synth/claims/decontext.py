"""Make a sentence read on its own: who "we" are, what "our model" is, what "it" refers to.

A claim is read far from its paper (in a table of claims from many papers), so first-person framing is
replaced by what it refers to:

- the paper's *method name* when it can be found ("we propose ESIM", "we call this approach X", a title of
  the form "DR-BiLSTM: …"), for "our model/approach/method/system";
- a short reference to the paper ("Joulin et al. (2016)" when authors are known, else its title in quotes) for
  "we", "our results", "this paper";
- "It/This model/They" at the start of a sentence, from the previous sentence's subject when that is a name.

Text is only ever replaced, never cut: the result keeps every clause of the original sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from synth.core.abbreviations import definitions
from synth.core.names import surname
from synth.core.records import Paper, Sentence

_FUNCTION_END = {"in", "for", "from", "using", "of", "the", "a", "an", "with", "and", "to", "on", "via", "by", "towards"}
_METHOD_NOUNS = r"(?:model|models|approach|method|system|architecture|framework|technique|encoder|algorithm|network|parser|classifier|baseline)"  # noqa: E501
_STOP_NAMES = {
    "We", "In", "The", "This", "Our", "It", "A", "An", "These", "To", "For", "However", "Moreover", "Table", "Figure",
    "Section", "English", "Finally", "First", "Second", "Third", "Here", "Unlike", "While", "Since",
}  # fmt: skip
_NAME = r"(?:[A-Z][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)(?:[-–][A-Za-z0-9]+)*(?:\s?\+\+)?"
# scoped (?i:…) only: a global IGNORECASE would let [A-Z] in _NAME match any word
_PROPOSE = re.compile(
    rf"\b(?i:we|this paper|this work)\s+(?i:propose|present|introduce|describe|develop)\s+(?i:(?:a|an|the)\s+)?(?:[\w\-]+,?\s+){{0,8}}?"  # noqa: E501
    rf"(?:(?:called|named|dubbed|termed|coined)\s+|\(|(?<=the )(?=[A-Z]\w*[,.]))(?P<name>{_NAME}(?:\s{_NAME}){{0,3}})\)?"
)
_CALL = re.compile(
    rf"\b(?i:we)\s+(?i:call|name|dub|term|refer to)\s+(?:it\s+|(?i:this|our|the)\s+(?:[\w-]+\s+){{0,2}}?(?i:{_METHOD_NOUNS})\s+)(?:as\s+)?(?:(?:[A-Z][\w-]+\s+){{1,5}}\((?=[A-Z][\w-]*[A-Z][\w-]*\)))?"  # noqa: E501
    rf"(?P<name>{_NAME}(?:\s{_NAME}){{0,3}}|(?!(?:a|an|the)\s)[a-z][a-z\- ]{{5,60}}?)(?=[,.;()]|\s+as\b)"
)
_OUR_NAMED = re.compile(
    # one word at most between "our" and the noun: "our proposed model BiDAF", not "our university health system EHR"
    rf"\b(?i:our)\s+(?:[\w-]+\s+)?(?i:{_METHOD_NOUNS})(?:\s+(?:named|called|dubbed))?[,\s]+\(?(?P<name>{_NAME})\)?(?=[,)\s])"
)
_ACRONYM_DEF = re.compile(
    rf"\b(?i:we|this paper)\s+(?i:propose|present|introduce)\s+(?i:a|an|the)?\s*(?:[\w\-]+\s+){{1,8}}?\((?P<name>{_NAME})\)"
)
_PROPOSE_DIRECT = re.compile(rf"\b(?i:we|this paper|this work)\s+(?i:propose|present|introduce)\s+(?P<name>{_NAME})(?=[,:]|\s\()")
_NAMED_ACRONYM = re.compile(
    rf"\b(?:[A-Z][\w-]+\s+){{1,5}}(?i:{_METHOD_NOUNS})?\s*\((?P<name>[A-Z][A-Za-z-]*[A-Z][A-Za-z0-9-]*)\)\s+(?i:model|network|architecture|approach|method)?"
)


@dataclass(frozen=True)
class PaperContext:
    """What decontextualisation knows about one paper."""

    name: str | None  # the method / resource the paper introduces, if it names one
    ref: str  # short reference to the paper: "Joulin et al. (2016)" or “Title”
    plural_ref: bool  # whether ``ref`` takes a plural verb ("Joulin et al." does; a title does not)
    # the name is a corpus or benchmark the paper builds ("XNLI"), not a method: "our method" must not become it
    name_is_resource: bool = False
    # the paper's table and figure captions by label ("table 3" → "Table 3: F1 score on the BUCC bitext mining task.")
    captions: dict[str, str] = field(default_factory=dict)
    # the abbreviations the paper defines, short form → long form ("TJ" → "tunnel junction"): claims spell them out,
    # the question gate reads them
    abbreviations: dict[str, str] = field(default_factory=dict)


def usable_title(paper: Paper, front: list[str] | None = None) -> str:
    """The paper's title; when the source recorded a placeholder (an arXiv stamp), rebuild it from the first page."""
    title = " ".join(paper.title.split())
    if title and not re.match(r"^arXiv:\s*\d", title, re.I) and not title.lower().startswith("local:"):
        return title
    lines = [" ".join(t.split()) for t in (front or []) if t.strip()]
    if not lines:
        return f"paper {paper.id}"
    out = lines[0]
    if len(lines) > 1:
        nxt = lines[1]
        looks_title_tail = (
            len(nxt.split()) <= 6
            and not re.search(
                r"[\d@,∗*♠♥†‡]|\band\b [A-Z][a-z]+ [A-Z]|Universit|Institut|Lab\b|Research|Inc\b|Google|Facebook|Microsoft|School|College",  # noqa: E501
                nxt,
            )
            and nxt.split()[-1].lower() not in _FUNCTION_END
        )
        if out.split()[-1].lower() in _FUNCTION_END or (looks_title_tail and not re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", nxt)):
            out = f"{out} {nxt}"
    return out.title() if out.isupper() else out


def paper_context(
    paper: Paper, sentences: list[Sentence], front: list[str] | None = None, captions: dict[str, str] | None = None
) -> PaperContext:
    """Find the method name and a short reference for ``paper`` (``captions``: see :func:`captions_of`)."""
    title = usable_title(paper, front)
    name = method_name(title, paper.abstract, sentences)
    caps = dict(captions or {})
    defined = definitions([paper.abstract, *(s.text for s in sentences)])
    if paper.authors:
        first = surname(paper.authors[0])
        tail = " et al." if len(paper.authors) > 2 else f" and {surname(paper.authors[1])}" if len(paper.authors) == 2 else ""
        ref = f"{first}{tail}" + (f" ({paper.year})" if paper.year else "")
        return PaperContext(
            name=name,
            ref=ref,
            plural_ref=len(paper.authors) > 1,
            name_is_resource=_is_resource(name, title, paper),
            captions=caps,
            abbreviations=defined,
        )
    head = re.split(r":\s", title)[0].strip()
    short = head if ":" in title and len(title) > 60 and len(head.split()) >= 3 else title
    return PaperContext(
        name=name,
        ref=f"“{short}”",
        plural_ref=False,
        name_is_resource=_is_resource(name, title, paper),
        captions=caps,
        abbreviations=defined,
    )


_CAPTION_LABEL = re.compile(r"^\s*(Table|Tab\.|Figure|Fig\.)\s*(\d+)\s*[:.]", re.I)
_POINTER = re.compile(r"\b(Tables?|Tab\.|Figures?|Figs?\.)\s*(\d+)(?![\d.]*\d)", re.I)


def captions_of(texts: list[str]) -> dict[str, str]:
    """Caption texts by label ("table 3", "figure 2"), the first caption of each label kept (a parsed page can repeat one)."""
    out: dict[str, str] = {}
    for text in texts:
        m = _CAPTION_LABEL.match(text)
        if m:
            kind = "table" if m.group(1).lower().startswith("tab") else "figure"
            out.setdefault(f"{kind} {m.group(2)}", " ".join(text.split()))
    return out


def only_dataset(text: str) -> str | None:
    """The one task or data set ``text`` names (a caption's first sentence, a heading), or None when it names none or several."""
    from synth.claims.numbers import KNOWN_DATASETS

    first = re.split(r"(?<=[a-z0-9)])\.\s", text, maxsplit=1)[0]
    names = {re.sub(r"[\s-]+", "", m.group(1)).upper() for m in KNOWN_DATASETS.finditer(first)}
    found = [m.group(1) for m in KNOWN_DATASETS.finditer(first)]
    if len(names) != 1 or found[0] in {"Wikipedia", "Europarl", "MUSE", "NER"}:
        return None
    return found[0]


def named_from_context(original: str, section: str, ctx: PaperContext) -> tuple[str, str] | None:
    """(name, context) for a sentence that leaves its task or data set to a table, figure or heading, else None.

    The sentence must point at exactly one table or figure whose caption names exactly one task or data set ("Table 3
    shows …" with "Table 3: F1 score on the BUCC bitext mining task."), or, pointing at none, sit in a section whose
    heading names exactly one ("4.2 BUCC: Bitext Retrieval"). ``context`` is the caption or heading, which the
    faithfulness check reads with the source sentence.
    """
    labels = {
        f"{'table' if m.group(1).lower().startswith('tab') else 'figure'} {m.group(2)}" for m in _POINTER.finditer(original)
    }
    if labels:
        if len(labels) != 1:
            return None
        caption = ctx.captions.get(next(iter(labels)))
        name = only_dataset(caption) if caption else None
        return (name, caption) if name and caption else None
    heading = re.sub(r"^[A-Z]?\d+(?:\.\d+)*\.?\s+", "", section)
    name = only_dataset(heading) or heading_task(heading)
    return (name, f"Section: {section}.") if name else None


# the head nouns of task names ("English constituency parsing", "sentiment analysis"); "similarity" only of linguistic
# units ("Semantic Textual Similarity", "Word Similarity"): "Language Similarity", "Domain Similarity" head analyses
_UNIT_SIMILARITY = frozenset({"semantic", "textual", "word", "sentence", "phrase", "lexical"})
_TASK_HEADS = frozenset(
    """
    parsing retrieval classification inference translation comprehension answering recognition tagging
    labeling labelling detection generation summarization summarisation disambiguation entailment mining analysis
    matching segmentation identification extraction resolution
    """.split()
)
# words of headings that name a part of the paper, not a task ("Error analysis", "Evaluation of training data")
_HEADING_WORDS = frozenset(
    """
    results result experiments experiment evaluation evaluations discussion setup settings training implementation
    details ablation ablations comparison comparisons baseline baselines model models method methods approach
    introduction conclusion conclusions related background data dataset datasets error errors qualitative quantitative
    further additional overview main our preliminary case study studies effect effects impact analyses challenge
    challenges limitation limitations finding findings observation observations lesson lessons issue issues
    """.split()
)


def heading_task(heading: str) -> str | None:
    """The task a heading names ("Multilingual Semantic Textual Similarity"; of "Sentiment analysis › Results", the
    part that names one), or None: two to five words ending in a task's head noun, none of them a word of the paper's
    own parts ("Error analysis", "Evaluation of Training Datasets")."""
    for part in reversed(heading.split(" › ")):
        words = re.sub(r"[:(].*$", "", part).split()
        low = [w.lower() for w in words]
        task = low[-1] in _TASK_HEADS or (low[-1] == "similarity" and bool(set(low) & _UNIT_SIMILARITY))
        if 2 <= len(words) <= 5 and task and not set(low) & _HEADING_WORDS:
            return " ".join(words)  # as the heading writes it: "English" stays a name
    return None


def insert_name(text: str, name: str) -> str:
    """``text`` with ``name`` added as an editorial insertion before its final stop: "… the performance [on BUCC]."."""
    m = re.search(r"([.!])([\"'”’)]*)$", text)
    if not m:
        return f"{text} [on {name}]"
    return f"{text[: m.start()]} [on {name}]{m.group(1)}{m.group(2)}"


def _is_resource(name: str | None, title: str, paper: Paper) -> bool:
    """Whether the paper's name is a dataset, corpus or benchmark it builds rather than a method."""
    if not name:
        return False
    from synth.claims.numbers import KNOWN_DATASETS

    if KNOWN_DATASETS.fullmatch(name):
        return True
    text = f"{title} {paper.abstract}"
    near = r"(?:corpus|dataset|data set|benchmark|evaluation set|test set|treebank|shared task|task)"
    return bool(
        re.search(rf"{re.escape(name)}\W+(?:[\w-]+\W+){{0,5}}?{near}\b", text, re.I)
        or re.search(rf"\b{near}\W+(?:[\w-]+\W+){{0,5}}?\(?{re.escape(name)}\b", text, re.I)
    )


def method_name(title: str, abstract: str, sentences: list[Sentence]) -> str | None:
    """The name the paper gives its method or resource, or None when it gives none we can find."""
    # "BERT-small: …", and a package's lower-case name: "fitdistrplus: An R Package for Fitting Distributions"
    head = re.match(rf"^\s*(?P<name>{_NAME}(?:\s{_NAME}){{0,2}}|[a-z][a-z0-9]{{3,20}})\s*[:\-–]\s+\S", title)
    if head and len(head.group("name")) <= 25 and not head.group("name").startswith(("Towards", "On ", "Beyond", "Making")):
        return head.group("name").strip()
    texts = [re.sub(r"(\w)- (\w)", r"\1\2", unicodedata.normalize("NFKC", abstract))] if abstract else []
    texts += [s.text for s in sentences if re.search(r"abstract|introduction", s.section, re.I)][:80]
    later = [s.text for s in sentences if not re.search(r"abstract|introduction|related|background|front", s.section, re.I)][:200]
    for text in texts + later:
        for pattern in (_PROPOSE_DIRECT, _OUR_NAMED, _ACRONYM_DEF, _PROPOSE, _CALL) if text not in later else (_CALL,):
            for m in pattern.finditer(text):
                cand = m.group("name").strip(" ,.()")
                if cand.split()[0] in _STOP_NAMES or len(cand) < 2 or len(cand) > 40:
                    continue
                if re.match(r"\s*(?:et al|,\s*(?:19|20)\d\d)", text[m.end() :]):
                    continue  # "the R package fitdistrplus (Delignette-Muller et al., 2014)": a citation, not a name
                if re.fullmatch(r"[a-z][a-z\- ]+", cand):  # "we call this approach multilingual knowledge distillation"
                    if len(cand.split()) <= 5:
                        return cand
                    continue
                if pattern is _PROPOSE_DIRECT and not re.search(r"[A-Z].*[A-Z]|\d|[a-z][A-Z]", cand):
                    continue  # "We present Experiments, …": an ordinary capitalised word, not a name
                if (
                    pattern in (_ACRONYM_DEF, _PROPOSE)
                    and m.group(0).rstrip().endswith(("(", cand, cand + ")"))
                    and "(" in m.group(0)
                    and (not re.search(r"[A-Z].*[A-Z]|\d|[a-z][A-Z]", cand) or re.search(r"\b(?:for|of|on|in|to)\b", m.group(0)))
                ):
                    continue  # "an approach for … Named Entity Recognition (NER)": the task, not the method
                return cand
    return None


_FRAME = re.compile(
    r"^(?:(?:In this (?:paper|work|study|section)|In (?:these|our) experiments|Overall|Empirically|Experimentally|First|Second|Third|"  # noqa: E501
    r"Note|Notice|It is worth noting|Lastly|Again|Indeed|Similarly|Conversely|In contrast|On the other hand|Nevertheless|However|Still|Yet|In general|Generally|"  # noqa: E501
    r"Furthermore|Moreover|Additionally|In addition|Finally|Importantly|Interestingly|Surprisingly|Also|Further|"
    r"In particular|Specifically|In summary|To summarize|In short|Thus|Hence|Therefore|As a result|Notably|Here|"
    r"Much to our surprise|To our surprise|Unexpectedly),?\s+)?"
    r"(?:we|We|our (?:results|experiments|analysis|findings|evaluation|study) (?:also )?)\s*(?:also\s+|further\s+|empirically\s+|clearly\s+|consistently\s+)?"  # noqa: E501
    r"(?:show|find|found|observe|observed|demonstrate|demonstrated|confirm|confirmed|note|noticed|notice|see|saw|conclude|argue|"
    r"verify|verified|establish|showed|shows|suggest|suggests|indicate|indicates|reveal|reveals|can see|discover|discovered)\s+that\s+"  # noqa: E501
)
_OBJECTIVE_VERBS = {
    "achieve": "achieves", "obtain": "obtains", "outperform": "outperforms", "improve": "improves", "reach": "reaches",
    "surpass": "surpasses", "beat": "beats", "set": "sets", "get": "gets", "attain": "attains", "match": "matches",
    "establish": "establishes", "exceed": "exceeds", "yield": "yields",
}  # fmt: skip


_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_NP_STOP = {
    "is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "may", "might", "on", "in", "for",
    "to", "with", "by", "and", "or", "that", "which", "when", "as", "than", "at", "of", "from", "compared", "into", "over",
    "does", "do", "did", "also", "not", "only", "still", "both", "achieves", "outperforms", "shows", "show", "performs",
    "obtains", "improves", "uses", "yields", "reaches", "gets", "learns", "based", "using", "trained", "without", "across",
}  # fmt: skip
_ADVERB_AFTER_SUBJECT = {"also", "further", "then", "first", "now", "additionally", "empirically", "clearly", "consistently"}
_PLAIN_DET_NOUNS = {
    "is", "was", "are", "were", "shows", "suggests", "means", "indicates", "allows", "leads", "results", "makes", "can",
    "has", "demonstrates", "confirms", "highlights", "enables", "gives", "yields", "improves", "helps", "holds", "proves",
    "implies", "could", "may", "might", "would", "will", "also", "further", "in", "approach", "method", "model", "system",
    "suggest", "show", "indicate", "allow", "lead", "make", "enable", "help",
}  # fmt: skip


def clean_text(text: str) -> str:
    """Typographic clean-up that keeps every word: ligatures, runs of spaces, and stray leading footnote marks
    or figure tick labels that the PDF layer glued onto the sentence ("2 We show…", "0.8 0.6 It has been…")."""
    out = " ".join(text.translate(_LIGATURES).split())
    # a line-end hyphen the PDF layer kept ("TRANS- LATE", "0- shot"); "pre- and post-training" stays
    out = re.sub(r"\b([a-z]{2,})- (?!(?:and|or|to|as|vs|nor)\b)([a-z]{2,})\b", r"\1\2", out)
    out = re.sub(r"\b([A-Z]{2,})- ([A-Z]{2,})\b", r"\1\2", out)
    out = re.sub(r"\b(\d+)- ([a-z]{2,})\b", r"\1-\2", out)
    return re.sub(r"^(?:\d+(?:\.\d+)?\s+)+(?=(?:We|The|It|This|These|In|Our|However|A|An|Our|To|For)\s)", "", out)


# a pointer into the paper, which means nothing in a table of claims: "(Table 2)", "(see Section 4.1)", "(§3)"
_CROSS_REF = re.compile(
    r"\s*\((?:see |cf\.\s*|as shown in |details in )?(?:Tables?|Tab\.|Figures?|Figs?\.|Sections?|Sec\.|§|Appendix|Appendices|"
    r"Eqs?\.|Equations?|Algorithm|Line|Row|Column|IDs?)\s*[A-Z]?\d*(?:\.\d+)*[a-z]?"
    r"(?:\s*(?:,|and|&|–|-|or)\s*(?:[A-Z]?\d+(?:\.\d+)*[a-z]?|[A-Z]\b))*(?:,\s*[^()]{0,30})?\)",
    re.I,
)
# a discourse link to the sentence before, dropped from the front of a claim ("However, mBERT …" → "mBERT …")
_CONNECTIVE = re.compile(
    r"^(?:However|In fact|Moreover|Furthermore|Interestingly|Surprisingly|Importantly|Notably|Indeed|Additionally|"
    r"In addition|Also|Finally|Lastly|Overall|Thus|Hence|Therefore|Consequently|As a result|In particular|Specifically|Again|"
    r"As expected|More broadly|More generally|In general|First|Second|Third|Fourth|Lastly|Firstly|Secondly|Thirdly|"
    r"Unsurprisingly|Crucially|Remarkably|Nevertheless|Still|Yet|Besides|On the other hand)\b,?\s+(?=[A-Za-z])"
)
_REFERENT_NOUNS = (
    r"(?:methods?|approach(?:es)?|models?|findings?|results?|setups?|settings?|experiments?|observations?|phenomen(?:on|a)|"
    r"effects?|techniques?|strateg(?:y|ies)|baselines?|systems?|cases?|numbers|trends?|variants?|configurations?|"
    r"modifications?|encoders?|architectures?|ones|scores?|improvements?|gains?|differences?|values?|benchmarks?|"
    r"datasets?|corpora|tasks?|languages?|changes?|conditions?|variations?|measures?|metrics?|points?|"
    # the things a study in the life and earth sciences points back to: "this new record", "these samples"
    r"records?|studies|samples?|sites?|groups?|patients|participants|subjects|interventions?|treatments?|trials|"
    r"specimens?|populations?|animals|species|stations?|catchments?|cohorts?)"
)
_FORWARD = re.compile(
    r"^As (?:will be |is |was )?(?:shown|seen|discussed|described|reported|detailed|explained)(?: in [^,]{1,60}?)?"
    r"(?: below| above| later)?,\s+(?=[A-Za-z])"
)
_INFERENCE = re.compile(r"^(?:Thus|Hence|Therefore|Consequently|Accordingly|As a result|So),?\s")
# a referent only the text before can name: "these methods", "such models", "the experiments above"
_DANGLING = re.compile(
    r"\b(?:[Tt]hese|[Tt]hose|[Ss]uch|[Tt]his|[Tt]he above|[Tt]he aforementioned|[Tt]he previous|[Tt]he latter|[Tt]he former)"
    rf"\s+(?:[\w-]+\s+)?{_REFERENT_NOUNS}\b"
    r"|\b(?:above|aforementioned)\b(?!\s+(?:\d|chance|average|zero))"
    # "at both stations", "for both groups": which two, the text before says
    r"|\b[Bb]oth (?:the )?[a-z]+s\b(?! (?:and|of|as)\b)"
    # "the effect of the intervention was modified by …": which intervention, the trial's text before says
    r"|\b[Tt]he (?:intervention|treatment|exposure)\b(?! (?:of|with|in|group|arm|and)\b)"
)
_DANGLING_PRONOUN = re.compile(
    r"(?:^|[,;]\s*|\b(?i:although|while|since|because|as|but|and|so)\s+)(?:[Tt]his|[Tt]hat|[Ii]t)\s+"
    r"(?:is|was|indicates|shows|suggests|means|implies|demonstrates|confirms|helps|leads|results)\b"
    r"|\b(?:[Tt]his|[Ii]t)\s+(?:indicates|shows|suggests|implies|demonstrates|confirms)\b"
    r"|\b(?:[Tt]hese|[Tt]hose) (?:are|were)\b"  # "To our knowledge, these are the only studies that …"
)
# a sentence about "the model" that never says which
_GENERIC_SUBJECT = re.compile(
    r"^(?:The|This|Our|Each|The resulting|The final|The trained|The proposed) (?:model|encoder|network|system|method|approach|"
    r"classifier|architecture|algorithm|parser)s?\b(?!\s+(?:of|for|with|called|named|trained on|proposed by)\b)"
    r"|^The (?:performance|results?|accuracy|scores?|improvements?|gains?|drop|numbers)\b(?!\s+(?:of|on|for|in)\b)"
    r"|^The (?:opposite|reverse|converse|same)\b"  # "The opposite also holds true: …"
)
# the sentence before is about somebody else's work (a citation): "this work" after it is theirs
_OTHERS = re.compile(
    r"\([^()]{0,120}?(?:19|20)\d\d[a-z]?\)|\[\d+(?:\s*[,–-]\s*\d+)*\]|\bet al\.|\b(?:prior|previous|earlier|existing|recent|"
    r"related) (?:work|studies|approaches|methods|models)\b"
)


_THIS_WORK_WE = re.compile(r"\b(?:[Ii]n|[Tt]hroughout) this (?:work|study),? we\b")


_INNER_REF = re.compile(
    r"(?:[,;]\s*|\b)(?:see |cf\.\s*)?(?:Tables?|Figures?|Fig\.|Sections?|Sec\.|§|Appendix)\s*[A-Z]?\d+(?:\.\d+)*[a-z]?"
    r"(?=\s*(?:[,;]|$))"
)


# a frame that points the reader at a table or figure: "From Table 3, …", "As shown in Figure 2, …", "Looking at Tab. 1
# column by column, …"; the claim is what follows it (a frame with a first-person verb is left to _FRAME)
_TABLE_FRAME = re.compile(
    r"^(?:(?:From|In|As (?:shown|seen|reported|listed) in|According to|Based on) |(?:Looking at|Comparing|Considering|"
    r"Inspecting) [^,]{0,60}?\b(?:in |at )?)(?:Tables?|Tab\.|Figures?|Figs?\.)\s*\d+(?:\.\d+)?[a-z]?(?: [^,]{0,40})?,\s+(?=[A-Za-z])"  # noqa: E501
)
_REMAINING_REF = re.compile(r"\b(?:Tables?|Tab\.|Figures?|Figs?\.|Sections?|Sec\.|§|Appendix)\s*[A-Z]?\d|\bIDs? \d", re.I)
# what only the text around the sentence can say (see :func:`leans_on_context`)
_CONTEXT_GATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("points into the paper", _REMAINING_REF),
    (
        "a place in the paper or a run",
        re.compile(
            r"^(?:Towards|Toward|At|By|Near) the (?:end|beginning|start)\b(?! of)|\b(?:the|this) (?:last|previous|next|following|"
            r"above|preceding) (?:section|chapter|paragraph|experiment|table|figure)\b|\b(?:as|than) (?:before|above|below)\b",
            re.I,
        ),
    ),
    (
        "an unnamed referent",
        re.compile(
            r"\b[Bb]oth (?:approaches|methods|models|systems|variants|settings|techniques|encoders)\b|\bthe same (?:model|encoder|"  # noqa: E501
            r"method|approach|system|setup|setting|data)\b|\bthe resulting (?:corpus|dataset|data|model|encoder|system|representations?)\b|\b(?:the|our|their) (?:findings|observations)\b(?! (?:on|about|of) [A-Z])|"  # noqa: E501
            r"\bthe (?:[A-Za-z-]+ )?results\b(?! (?:of|on|for|by|in|with) )|\b(?:again|likewise)\b",
            re.I,
        ),
    ),
    (
        "a measure of nothing named",
        re.compile(
            r"^(?:The )?(?:[Pp]erformance|[Aa]ccuracy|[Rr]esults?|[Ss]cores?|[Ee]rrors?|[Gg]ains?|[Ii]mprovements?)\b(?! (?:of|on|for|in) )"  # noqa: E501
            r"|^The (?:[a-z]+ ){0,2}(?:model|models|encoder|network|system|classifier|baseline)\b(?! (?:of|for|with|called|named) )"  # noqa: E501
            r"|(?:^|,\s)(?:the )?(?:accuracy|performance|results?|scores?) (?:is|are|was|were|drops?|improves?|increases?|decreases?)\b"  # noqa: E501
        ),
    ),
    (
        "narrates a figure or table",
        re.compile(
            r"^(?:The|This|That|These|Each|Our) (?:[\w-]+ )?(?:plots?|figures?|graphs?|charts?|curves?|heat ?maps?|visuali[sz]ations?|"  # noqa: E501
            r"diagrams?|panels?|tables?|bars?|columns?|rows?|lines?)\b(?! (?:of|for) [A-Z])"
            r"|\b(?:(?:left|right|upper|lower|top|bottom) (?:panel|plot|figure|subfigure|part)|(?:blue|red|green|dashed|dotted|solid) "  # noqa: E501
            r"(?:line|curve|bars?))\b",
            re.I,
        ),
    ),
    (
        "about the paper itself",
        re.compile(
            r"\b(?:this|the|our) (?:paper|article|section|chapter|appendix) (?:is (?:organi[sz]ed|structured)|(?:first |then )?"
            r"(?:describes|presents|introduces|discusses|reviews|outlines|concludes|summari[sz]es))\b"
            r"|\b(?:the )?(?:next|following|remaining|previous|last|experiments?|experimental|results?|evaluation) sections?\b"
            r"|\bin the (?:sequel|remainder)\b",
            re.I,
        ),
    ),
    (
        "a comparison without its comparand",
        re.compile(
            r"\b(?:outperform\w*|improv\w+ (?:over|upon)|better than|worse than|superior to|higher than|lower than|"
            r"compared (?:to|with))\s+(?:it|them|this|that|those|these|the (?:original|baseline|other|previous|standard|"
            r"vanilla|default) (?:one|ones|model|models|method|methods|approach|system|setting|version)s?)\b"
            r"|\b(?:outperform\w*|improv\w+ (?:over|upon)|better than|worse than|superior to)\s*[.,;]"
            # "PaSa-7b significantly outperforms all baselines." (which, the sentence never says)
            r"|\b(?:outperform\w*|improv\w+ (?:over|upon)|better than|worse than|superior to|surpass\w*|beats?)\s+"
            r"(?:all |the |existing |several |strong |competitive |other |previous |prior )*(?-i:[a-z-]+ )?baselines\b"
            r"(?![^.;]{0,60}\b(?:including|such as|like|e\.g\.|namely)\b|\s*[(:])",
            re.I,
        ),
    ),
)
# a name a reader can look up (checked on every word but the first): an acronym or capitalised word (a model, dataset,
# language), a name with inner capitals ("mBERT"), or a hyphenated lower-case name of a method ("knn-replace model")
_A_NAME = re.compile(r"^[A-Z“\"]|^[a-z]+[A-Z0-9]")
_COMPOUND_ADJECTIVE = re.compile(
    r"-(?:lingual|based|level|scale|trained|tuned|specific|aware|agnostic|free|shot|wise|art|sized|resource|domain|task|"
    r"language|supervised|attention|layer|training|time|order|grained|dependent|independent|side|way|end|sequence)$|"
    r"^(?:cross|multi|mono|bi|non|self|pre|semi|un|well|state|high|low|large|small|fine|coarse|zero|few|one|two)-"
)
_METHOD_NOUN_WORDS = set(re.findall(r"[a-z]+", _METHOD_NOUNS)) | {"models", "methods", "variant", "variants"}


# a superlative whose predicate names it: "The best overall system in both tasks was Luminoso"
_IDENTIFIED = re.compile(
    r"^The (?:best|worst|top|strongest|weakest|(?:second|third)[- ]best|highest[- ]scoring|best[- ]performing)\b"
    r"[^.;:]{0,80}? (?:was|is|were|are) (?:the )?[A-Z][\w-]*[A-Z0-9]?"
)


# a training regime named by what sets it apart, as the subject of a result: "multilingual training improves …"
_REGIME = re.compile(
    r"(?:^|\bthat )(?!(?:our|the|this|such|same|additional|further|more|more|proposed|standard|previous)\b)"
    r"[A-Za-z]+(?:-[a-z]+)? (?:training|pre-?training|fine-?tuning|data augmentation|supervision)\b"
    r"(?= [^.]*\b(?:improves?|outperforms?|yields?|helps?|hurts?|degrades?|gives?|leads? to|is (?:better|worse))\b)",
    re.I,
)


def _names_first(word: str) -> bool:
    """Whether a claim's first word is a name ("Luminoso achieves …"), which its capital alone cannot tell: a name
    has an inner capital or digit ("XLM-R", "mBERT") or is no English word ("Luminoso"; "Multilingual" and "Ours"
    are words)."""
    from synth.ingest.hyphens import english_words

    if not word or not word[0].isupper():
        return False
    words = english_words()
    return bool(re.search(r"[A-Z0-9]", word[1:])) or any(
        part.lower() not in words
        for part in word.split("-")
        if len(part) > 1  # "Inter-sentence" is two words
    )


def strip_table_frame(text: str) -> str:
    """``text`` without an opening pointer at a table or figure ("From Table 3, mBERT …" → "mBERT …")."""
    out = _TABLE_FRAME.sub("", text, count=1)
    return _cap(out) if out != text else text


def leans_on_context(text: str, ref: str = "") -> str | None:
    """Why a claim cannot be read on its own, or None when it can.

    A claim is not presented when it still points into its paper ("in Table 4", "(IDs 1, 2)"), places itself in the
    paper or a training run ("Towards the end", "the last section"), leaves its referent to the text around it ("both
    approaches", "the same model", "the findings", "the English results"), measures something it does not name
    ("Performance degrades …", "The overparameterized model …", "accuracy is lower"), compares with something it does not
    name ("outperforms the original model"), or names nothing at all a reader could look up (no model, task, dataset or
    language; ``ref``, the paper's own reference put in for "we", does not count).
    """
    # the paper's reference put in for "we"/"our" says whose work it is, not which model or data: "the findings of
    # Smith et al. (2020)" still does not say which findings
    bare = text.replace(f" of {ref}", "").replace(f"{ref}'s", "their").replace(ref, "they") if ref else text
    for reason, pattern in _CONTEXT_GATES:
        if pattern.search(bare) and not (reason == "a measure of nothing named" and _IDENTIFIED.match(bare)):
            return reason
    bare = re.sub(
        r"\bthe authors(?: of)?\b|\b[A-Z][\w'’-]+ (?:et al\.|and [A-Z][\w'’-]+)(?: \((?:19|20)\d\d\))?(?:'s)?", " ", bare
    )
    words = [w.strip(",.;:()'’") for w in bare.split()]
    # a hyphenated lower-case word names a method only before a method noun and when it is not an ordinary compound
    # adjective: "the knn-replace model" names one, "cross-lingual encoder baselines" does not
    named = (
        _names_first(words[0] if words else "")
        or _REGIME.search(bare)
        or any(_A_NAME.search(w) for w in words[1:] if w)
        or any(
            re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)+", w) and not _COMPOUND_ADJECTIVE.search(w) and nxt.lower() in _METHOD_NOUN_WORDS
            for w, nxt in zip(words, words[1:], strict=False)
        )
    )
    if not named:
        return "names no model, task, dataset or language"
    return None


def strip_cross_refs(text: str) -> str:
    """``text`` without pointers into the paper: "(Table 2)", "(see Section 4.1)" go, and "(comparing absolute BLEU,
    Table 3)" keeps only "(comparing absolute BLEU)"."""
    text = _CROSS_REF.sub("", text)
    text = re.sub(r"\(([^()]*)\)", lambda m: f"({_INNER_REF.sub('', m.group(1)).strip(' ,;')})", text).replace(" ()", "")
    return re.sub(r"\s*[,;]+(?=[.;:!?]|$)", "", text)  # "… (p=0.013), (Figure 6)." left "(p=0.013),."


def decontextualise(text: str, ctx: PaperContext, previous: str | None = None) -> tuple[str, bool]:
    """Rewrite ``text`` to stand alone; returns (text, resolved).

    ``resolved`` is False when an opening pronoun or demonstrative ("It", "This", "These results") could not be
    resolved, so the claim still leans on the sentence before it. The paper is named at its first mention
    ("the authors of “Title”"); later mentions in the same claim use "they"/"their" so the claim stays readable.
    """
    text = _expand_we(strip_cross_refs(text))
    out = _FRAME.sub("", text, count=1)
    if re.search(r"\band that\b", out) and out != text:
        out = text  # "We show that X, and that Y": without the frame the second clause has no verb to hang on
    out = _FORWARD.sub("", out, count=1)  # "As will be shown below, X" → "X"
    inferred = _INFERENCE.match(out) is not None  # "Thus X": a conclusion drawn from the sentences before
    out = _CONNECTIVE.sub("", out, count=1)
    if out != text and out:
        out = _cap(out)
    name = ctx.name
    prev_is_ours = bool(previous and (re.search(r"\b(?:[Ww]e|[Oo]ur)\b", previous) or (name and name in previous)))
    if name and ctx.name_is_resource:
        out = re.sub(r"\b[Oo]ur (?:new |proposed )?(?:corpus|dataset|benchmark|evaluation set)\b", name, out)
        name = None  # "our method" in a corpus paper is the authors' baseline, not the corpus
    # which of the authors' methods "our method" is, in a paper named for its corpus, no rule can tell
    unnamed_method = ctx.name_is_resource and re.search(rf"\b[Oo]ur (?:[\w-]+\s+){{0,2}}?{_METHOD_NOUNS}\b", out) is not None
    if name:
        out = re.sub(rf"\b[Oo]ur (?!baseline)(?:[\w-]+\s+){{0,3}}?{_METHOD_NOUNS}\b(?! (?:of|for|with|on)\b)", name, out)
        out = re.sub(rf"\b[Tt]he (?:proposed|presented) {_METHOD_NOUNS}\b", name, out)
        if prev_is_ours:
            out = re.sub(rf"\b[Tt]his (?:{_METHOD_NOUNS})\b", name, out)
        m = re.match(r"^We (?:also |further |then )?(\w+)\b", out)
        if m and m.group(1) in _OBJECTIVE_VERBS:  # "We achieve" → "ESIM achieves"
            out = f"{name} {_OBJECTIVE_VERBS[m.group(1)]}" + out[m.end() :]
        out = (
            re.sub(
                rf"\b{re.escape(name)} {_METHOD_NOUNS}\b(?= (?:is|was|achieves|obtains|outperforms|performs|reaches|yields|improves|has))",  # noqa: E501
                name,
                out,
            )
            if " " not in name
            else out
        )
    resolved = True
    lead = re.match(r"^(It|They|This|These|Such|Its|Their|He|She|That|Those)\b(\s+[\w-]+)?", out)
    if lead:
        word, nxt = lead.group(1), (lead.group(2) or "").strip()
        if word in {"This", "These", "Such", "That", "Those"} and nxt and nxt.lower() not in _PLAIN_DET_NOUNS:
            resolved = nxt.lower() in {
                "paper",
                "work",
                "dataset",
                "corpus",
                "task",
                "benchmark",
            }  # "These results…" leans on context
        elif word in {"It", "They", "Its", "Their"}:
            antecedent = _subject_name(previous) if previous else None
            if antecedent:
                repl = antecedent if word in {"It", "They"} else f"{antecedent}'s"
                out = repl + out[len(word) :]
            else:
                resolved = False
        else:
            resolved = False
    if re.match(r"^(?:Similar(?:ly)?|The same|Same|Likewise|Such)\b", out) or re.search(
        r"^(?:\w+,?\s+){0,3}(?:these|those|such|the above|the previous|the same)\s+(?:results?|findings?|observations?|numbers|effects?|trends?|experiments?)\b",  # noqa: E501
        out,
        re.I,
    ):
        resolved = False  # "Similar observation can…", "Overall, these results show…": leans on the text before
    if re.search(r"\b(?:accept|consider|attribute|explain|take|treat|see) (?:this|that|these|it) (?:as|to|by|in)\b", out):
        resolved = False  # "accept this as …": a bare pronoun object
    if re.search(
        r"\b[Tt]his (?:approach|method|model|technique|idea|setting|setup|strategy|procedure|problem|phenomenon|effect|observation|result)\b",  # noqa: E501
        out,
    ):
        resolved = False
    if inferred or unnamed_method or _DANGLING.search(out) or _DANGLING_PRONOUN.search(out) or _GENERIC_SUBJECT.match(out):
        resolved = False  # "these methods", "the experiments above", "… setup it indicates", "The model …"
    ref = ctx.ref
    is_title = ref.startswith("“")
    own = not (previous and _OTHERS.search(previous)) or bool(
        re.search(r"\b(?:[Ii]n|[Tt]hroughout) this (?:work|study),? we\b", text)
    )
    if re.search(r"\b(?:[Tt]his|[Tt]he present) (?:work|study)\b", out) and not own:
        resolved = False  # "all of this work was at a modest scale": earlier work the sentence before cited, not the authors'
    else:
        # "In this paper, we show how …": the authors are named once, as the subject ("Conneau et al. (2017) show how …"),
        # not "In Conneau et al. (2017), they show how …"
        out = re.sub(r"^(?:In|Throughout) this (?:paper|work|study|article),?\s+we\b", "We", out)
        out = re.sub(
            r"\b(?:[Tt]his|[Tt]he present) (?:paper|work|study|article)\b",
            lambda m: ref if not is_title else f"the paper {ref}",
            out,
        )
    if ctx.plural_ref:  # "This paper shows" → "Conneau et al. (2017) show": several authors take the plural
        out = re.sub(
            rf"({re.escape(ref)}) (show|demonstrate|find|present|propose|introduce|argue|suggest|report|describe)s\b",
            r"\1 \2",
            out,
        )
    out = _attribute(out, ctx, named=ref in out)
    if name:  # "our classifier fastText" → "fastText fastText": say the name once
        out = re.sub(rf"\b{re.escape(name)}\s+[“\"]?{re.escape(name)}[”\"]?(?!\w)", name, out)
    return out, resolved


def _expand_we(text: str) -> str:
    """ "we've" → "we have" (and 're, 'll), so that "we" stands alone to be put in the authors' name."""
    text = re.sub(r"\b([Ww]e)[’']ve\b", r"\1 have", text)
    text = re.sub(r"\b([Ww]e)[’']re\b", r"\1 are", text)
    return re.sub(r"\b([Ww]e)[’']ll\b", r"\1 will", text)


def _attribute(out: str, ctx: PaperContext, named: bool = False) -> str:
    """``out`` with the authors' first person put in their paper's name: "We find" → "Joulin et al. (2016) find",
    "our encoder" → "the encoder of Joulin et al. (2016)"; after the first mention, "they"/"their"."""
    ref = ctx.ref
    is_title = ref.startswith("“")
    # "gaps in our understanding of …": the field's, not the authors'
    out = re.sub(r"\b([Oo])ur (understanding|knowledge) of\b", lambda m: ("T" if m[1] == "O" else "t") + f"he {m[2]} of", out)
    # words in quotation marks are someone's own ("as one janitor described, “we only feel safe when we are home”"):
    # their first person is the speaker's, never the authors'
    parts = [
        piece
        for k, segment in enumerate(re.split(r"(“[^”]*”|\"[^\"]*\")", out))
        for piece in ([segment] if k % 2 else re.split(r"(\b(?:we|We|our|Our|us)\b)", segment))
    ]
    rebuilt: list[str] = []
    k = 0
    while k < len(parts):
        part = parts[k]
        at_start = not "".join(rebuilt).strip()
        if part in {"we", "We"}:
            word = "they" if named else ref if ctx.plural_ref else f"the authors of {ref}"
            named = True
            rebuilt.append(_cap(word) if part == "We" or at_start else word)
        elif part in {"our", "Our"}:
            following = parts[k + 1] if k + 1 < len(parts) else ""
            np_words = _head_np(following)
            if np_words and not named:
                phrase = " ".join(np_words)
                rebuilt.append(("The " if part == "Our" or at_start else "the ") + phrase + f" of {ref}")
                parts[k + 1] = following[len(following.split(phrase, 1)[0]) + len(phrase) :]
            elif named:
                rebuilt.append("Their" if part == "Our" or at_start else "their")
            else:
                rebuilt.append(f"{ref}'s" if not is_title else ("The" if part == "Our" or at_start else "the") + " authors'")
            named = True
        elif part == "us":
            rebuilt.append("them" if named else ref if ctx.plural_ref else f"the authors of {ref}")  # "allowing us to"
        else:
            rebuilt.append(part)
        k += 1
    return "".join(rebuilt)


def attributed(text: str, ctx: PaperContext) -> str:
    """The sentence as its paper wrote it, only its first person put in the paper's name and its pointers into the
    paper dropped: what a rewrite is checked against (see :mod:`synth.claims.faithfulness`). Putting "we" in the
    authors' name cannot change what a sentence says, so the check weighs only what the rewrite changed besides it:
    a dropped frame, a resolved referent, a name put in for "our method"."""
    return _attribute(_expand_we(strip_cross_refs(clean_text(text))), ctx)


_HEADS = {
    "model", "models", "approach", "approaches", "method", "methods", "results", "result", "experiments", "experiment",
    "analysis", "system", "systems", "encoder", "encoders", "data", "dataset", "datasets", "corpus", "findings", "baseline",
    "baselines", "parser", "classifier", "training", "framework", "architecture", "setting", "setup", "implementation",
    "variant", "variants", "embeddings", "representations", "evaluation", "study", "technique", "network", "networks",
    "algorithm", "observations", "work", "paper", "task", "benchmark", "annotators", "annotation", "proposal", "strategy",
    "hypothesis", "intuition", "expectation", "expectations", "analyses",
}  # fmt: skip


def _head_np(following: str) -> list[str]:
    """The words of a short noun phrase at the start of ``following`` ending in a head noun, else []."""
    words = following.strip().split(" ")
    for n, w in enumerate(words[:5]):
        bare = w.strip(",.;:()")
        if bare.lower() in _HEADS:
            return words[: n + 1] if w == bare else [*words[:n], bare]
        if w != bare or bare.lower() in _NP_STOP:
            return []
    return []


def _subject_name(sentence: str) -> str | None:
    """The name the previous sentence starts with, when it starts with one ("LASER trains …" → "LASER")."""
    m = re.match(
        rf"^(?:(?:In contrast|However|Moreover|Similarly),\s+)?(?P<name>{_NAME}(?:\s{_NAME}){{0,2}})\s*(?:\([^)]{{0,60}}\))?\s+(?:is|was|are|were|has|have|uses|used|trains|learns|achieves|obtains|outperforms|performs|works|relies|consists|combines|applies|can|does|yields|reaches|\w+s)\b",  # noqa: E501
        sentence,
    )
    if not m:
        return None
    name = m.group("name")
    if name.split()[0] in _STOP_NAMES or not re.search(r"[A-Z].*[A-Z]|\d", name):
        return None
    return name


def _cap(text: str) -> str:
    first = text.split(" ", 1)[0]
    if any(ch.isupper() for ch in first[1:]):
        return text  # "mBERT", "iPhone": a name keeps its case
    return text[:1].upper() + text[1:]

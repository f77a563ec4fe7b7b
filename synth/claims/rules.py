"""The default extractor: offline rules over a paper's prose sentences.

A sentence is a claim candidate when it is a complete, clean prose sentence (not a reference, caption, table
row, heading, formula or boilerplate) that asserts something checkable: a numeric result, a comparison, a
finding (causal or mechanistic statements included), a limitation, or a cited background fact. Questions and
pure method description ("We train for 10 epochs.") are skipped. The claim text is the sentence
decontextualised (see :mod:`synth.claims.decontext`), never truncated: an extremely long sentence is kept
whole, or split at clause boundaries (";") into complete sentences with the split stated in ``note``.

Each candidate carries a ``cue`` in [0, 1]: how clearly it is a checkable claim (its kind, its section, how
self-contained it is). The claims stage ranks by similarity to the question plus this cue.
"""

from __future__ import annotations

import re
import unicodedata

from synth.claims.base import Candidate, Extraction
from synth.claims.decontext import (
    PaperContext,
    attributed,
    clean_text,
    decontextualise,
    insert_name,
    leans_on_context,
    named_from_context,
    paper_context,
    strip_table_frame,
)
from synth.claims.numbers import KNOWN_DATASETS, METRIC, NUM, dataset_of, extract_numbers
from synth.core.abbreviations import gloss
from synth.core.records import ClaimKind, Number, Paper, Sentence
from synth.core.text import split_top_level
from synth.ingest.pdf import guess_language

NAME = "rules"
LONG_WORDS = 70  # above this a sentence is split at clause boundaries when it has them
MIN_WORDS = 7

# sections that never hold the paper's findings: its bibliography, front matter and back matter
_BACK_MATTER = (
    r"references|bibliography|acknowledg|front matter|ethic|authors?'? contributions?|funding|competing interests|"
    r"conflicts? of interest|abbreviations|availability"
)
SKIP_SECTIONS = re.compile(rf"{_BACK_MATTER}|appendix|^[A-H](?:\.\d+)*\.?\s|hyperparameter", re.I)
SKIP_SECTIONS_STRICT = re.compile(_BACK_MATTER, re.I)
STRONG_SECTIONS = re.compile(
    r"abstract|conclu|result|discussion|analysis|summary|finding|limitation|ablation|evaluation|experiment", re.I
)
WEAK_SECTIONS = re.compile(r"related|background|previous work|prior work", re.I)
METHOD_SECTIONS = re.compile(
    r"method|model|approach|architecture|setup|set-up|training|implementation|data|formulation|encoding|definition|task|procedure|preliminar",
    re.I,
)

COMPARATIVE = re.compile(
    r"\b(outperform\w*|better than|worse than|superior to|inferior to|surpass\w*|exceed\w*|beats?|beating|"
    r"compared (?:to|with)|in comparison (?:to|with)|relative to|over (?:the )?(?:baseline|previous|prior|existing)|"
    r"(?:higher|lower|faster|slower|stronger|weaker|greater|more (?:accurate|robust|effective|efficient|stable|useful|important|difficult|challenging|expressive|informative)|less (?:accurate|robust|effective|efficient|stable|useful|important|difficult|sensitive))\b[\w\s-]{0,40}?\bthan(?! (?:\d|one|two|a|an)\b)|"  # noqa: E501
    r"(?:higher|lower|better|worse) (?:accuracy|performance|results?|scores?)|state[- ]of[- ]the[- ]art|on par with|"
    r"comparable (?:to|with)|competitive with|"
    r"\b(?:performs?|performed|works?|worked|does|did|is|are|was|were|scores?|scored|almost|nearly|just|equally) "
    r"as (?:well|good) as|"
    r"improv\w+ (?:over|upon|on)|close the gap|"
    r"(?:the )?(?:best|second[- ]best|top)[- ](?:performing|overall|scoring)|the best (?:overall )?(?:system|results?|score|performance)|"  # noqa: E501
    r"(?:largest|smallest|biggest|best|worst|highest|lowest) (?:\w+ )?(?:gains?|drops?|improvements?|performance|results?|accuracy)|"  # noqa: E501
    r"gap between|differences? (?:in [\w-]+ )?between|match(?:es|ing)? the performance|(?:still |remains? |is |are )(?:well )?(?:below|above|behind)|"  # noqa: E501
    r"\bthe (?:fastest|slowest|most (?:accurate|efficient|effective|robust)|least (?:accurate|efficient|effective)) "
    r"(?:[\w-]+ ){0,2}(?:on|in|among|across|of all)\b|"
    r"trade-off between|improv\w+ (?:[\w-]+ ){1,3}(?:over|upon)|differ(?:s|ed)? (?:in|from)|(?:the )?(?:most|least) (?:difficult|"
    r"challenging|effective|accurate|robust|successful|useful|beneficial)|(?:first|second|third|fourth|fifth) (?:overall )?position|"  # noqa: E501
    r"\b(?:while|whereas)\b[^.;]{0,120}\b(?:goes (?:up|down)|drops?|decreases?|increases?))\b",
    re.I,
)
FINDING = re.compile(
    r"\b(show(?:s|ed|n)? that|find(?:s)? that|found that|demonstrat(?:e|es|ed|ing) that|suggest(?:s|ed)? that|indicat(?:e|es|ed|ing) that|"  # noqa: E501
    r"reveal(?:s|ed)? that|observe[sd]? that|confirm(?:s|ed)? that|conclude[sd]? that|we observe|we find|"
    r"leads? to|led to|results? in|resulting in|caus\w+|due to|because|attribut\w+ to|contribut\w+ to|"
    r"(?:is|are) (?:crucial|essential|important|necessary|sufficient|key|beneficial|helpful|harmful|critical|robust)|"
    r"correlat\w+|significantly|substantially|consistently|dramatically|considerabl[ey]|"
    r"improv(?:es|ed|ing)|(?<!to )(?<!further )(?<!also )improve\b|increas(?:es|ed|ing)|decreas(?:es|ed|ing)|"
    r"reduc(?:es|ed|ing)|boost(?:s|ed)|hurts?|"
    r"degrad(?:es|ed)|benefit(?:s|ed)? from|helps?|enables?|allows?|depends? on|generaliz\w+|transfers? (?:well|better|poorly)|"
    r"achiev(?:es|ed|ing)|obtain(?:s|ed)|yield(?:s|ed)|effective(?:ly)?|works? well|performs? (?:well|better|worse|poorly|best|similarly)|"  # noqa: E501
    r"emerg\w+|is (?:able|unable) to|can be (?:trained|learned|used|applied|transferred)|"
    r"surprisingly|remarkabl[ey]|no (?:significant |measurable |notable )?(?:effects?|differences?|improvements?|gains?|impact)|"
    # the results sections of the life sciences: "was highly dependent on the subject", "did not predict the targeted
    # movements", "did not differ", "proved to be highly selective", "was associated with"
    r"(?:highly |strongly )?(?:dependent on|independent of)|predict(?:s|ed)|did not (?:predict|differ)|"
    r"differ(?:s|ed)? significantly|proved to be|(?:was|were|is|are) (?:significantly |strongly |positively |negatively )?"
    r"associated with|"
    r"prov(?:ed|es|en) (?:\w+ )?(?:essential|effective|useful|crucial|beneficial|successful)|is the first|are the first|the first (?:\w+ ){0,3}(?:approach|method|dataset|model|algorithm|framework|task|benchmark)|"  # noqa: E501
    r"aids?|echo(?:es)?|came close|well separated|poorly separated|constitutes?|combines the benefits|"
    r"(?:most|least) (?:difficult|challenging|effective|popular|successful)|(?:second|third|fourth)[- ](?:best|overall|position)|overall position)\b",  # noqa: E501
    re.I,
)
LIMITATION = re.compile(
    r"\b(limitations?|limited (?:to|by|availability)|fail(?:s|ed)? to|(?:does|do|did) not (?:suffice|contain|consider|cover|distinguish|allow|include|capture|account for|make it easy)|"  # noqa: E501
    r"not (?:always|exhaustive|reliable|sufficient|enough|suitable|manually)|very few|little work|lacks?|lacking|unreliable|"
    r"under-?investigated|inherit\w* the issues|suffers? from|conflat\w+|covers? only|only (?:one|two|a few|a single)|limits the|struggles?|struggled|does not (?:generali[sz]e|transfer|scale|work|help|improve)|"  # noqa: E501
    r"do not (?:generali[sz]e|transfer|scale|work|help|improve)|cannot|unable to|not (?:always|able)|"
    r"remains? (?:challenging|difficult|an open|unclear|unsolved)|only (?:works|applies)|poorly|"
    r"is (?:costly|expensive|slow)|drawback|shortcoming|weakness|future work (?:should|could|is needed))\b",
    re.I,
)
CITED = re.compile(
    r"\((?:e\.g\.,?\s*|see\s*)?[A-Z][A-Za-z\u00c0-\u017f'\-]+(?: et al\.?| and [A-Z][A-Za-z\u00c0-\u017f'\-]+| & [A-Z][a-z]+)?,? (?:19|20)\d\d[a-z]?(?:[;,] [^)]{0,80})?\)"  # noqa: E501
    r"|[A-Z][A-Za-z\u00c0-\u017f'\-]* (?:et al\.|and [A-Z][A-Za-z\u00c0-\u017f'’\-]+) \((?:19|20)\d\d[a-z]?\)"
    r"|\[\d+(?:\s*[,–-]\s*\d+)*\]"
)
ASSERTIVE_VERB = re.compile(
    r"\b(is|are|was|were|has|have|had|can|could|may|might|does|do|did|will|would|shows?|yields?|leads?|remains?|become\w*|require\w*|rel(?:y|ies) on|depends?|achieves?|performs?|outperforms?|improves?|captures?|learns?|encodes?|provides?|suffers?|tends?)\b",  # noqa: E501
    re.I,
)

# a result reported after the method in the same sentence
_THEN_RESULT = re.compile(
    r"\b(?:and|but|where|which)\s+(?:we\s+)?(?:have\s+)?(?:measured|found|find|observed|observe|showed|show|demonstrated)\b"
    r"[^.;]*\d",
    re.I,
)
METHOD_ONLY = re.compile(
    r"^(?:(?:In (?:this|our|the following|these) (?:section|paper|work|experiments?|study|setting|setup),?|Then,?|Next,?|First,?|Second,?|Finally,?|Here,?|Following [^,]{1,60},|To (?:do so|this end|train|evaluate|compute|obtain|avoid|ensure|make|measure|test|investigate|study|address|answer|estimate|compare|facilitate|reduce|speed up|get|keep|encourage|allow)[^,]{0,80},|For (?:each|every|all|training|evaluation|simplicity|comparison|this|the|our)[^,]{0,60},|(?:If|When|In case|Since|As|Because|Unless|After|Before|Once|As for|As regards|Regarding)\b[^,]{0,160},|[A-Z][^,;]{0,160},)\s*)?"  # noqa: E501
    r"(?:we|We)\s+(?:also\s+|then\s+|first\s+|further\s+|additionally\s+|now\s+|therefore\s+|simply\s+|only\s+|mainly\s+|(?:have|had)\s+(?:first\s+|also\s+)?)?"
    r"(?:use|used|using|train|trained|follow|followed|adopt|adopted|employ|employed|set|fine-?tune|fine-?tuned|implement|implemented|"
    r"describe|present|introduce|propose|consider|define|report|evaluate|evaluated|compare|conduct|conducted|run|ran|apply|applied|"
    r"collect|collected|randomly|sample|sampled|choose|chose|select|selected|initiali[sz]e|initiali[sz]ed|tune|tuned|"
    r"perform|performed|experiment|experimented|build|built|create|created|design|designed|refer|denote|call|explore|explored|"
    r"investigate|investigated|study|studied|focus|focused|leave|start|begin|discuss|provide|list|release|make|made|extend|extended|"
    r"add|added|remove|removed|replace|replaced|treat|represent|compute|computed|obtain the|take|took|need|require|want|aim|"
    r"hope|believe|plan|would like|do not|did not|will|would|can|could|may|might|should|must|have to|first|pick|picked|reduce|reduced|"  # noqa: E501
    r"limit|limited|restrict|restricted|split|filter|filtered|translate|translated|annotate|annotated|measure|measured|combine|combined|"
    r"concatenate|freeze|share|pretrain|pre-train|pretrained|map|mapped|encode|feed|pass|mask|crawl|crawled|download|extract|extracted|"
    r"align|aligned|balance|draw|generate|generated|test|tested|analy[sz]e|analy[sz]ed|examine|examined|look|keep|kept|ensemble|"
    r"average|averaged|normali[sz]e|stop|stopped|vary|varied|illustrate|illustrated|outline|outlined|recommend|"
    r"opt|opted|show (?:a few|some|several|an example|examples|the|in|only|how (?:to|we)))\b",
    re.I,
)
# announcements, goals and hearsay: what the paper sets out to do, or what others are said to have found
ANNOUNCEMENT = re.compile(
    r"\b(?:this|the present|our) (?:paper|work|study|article) (?:introduces|presents|proposes|describes|releases|provides|"
    r"studies|investigates|explores|addresses|aims|focuses|extends|builds)\b|"
    r"\b(?:our|the authors'?|the) (?:main )?(?:goal|aim|objective|contributions?|motivation|purpose|intention) (?:is|are|was|were|here)\b|^(?:our|the main|main) contributions?\b|"  # noqa: E501
    r"\b(?:we|this paper) (?:introduce|present|propose|release|describe|provide|offer|make (?:publicly )?available)\b(?![^.]{0,60}\b(?:show|find|outperform|achiev|improv))|"  # noqa: E501
    r"\b(?:we|I) (?:hope|believe|plan|aim|intend|expect|envision|wish|conjecture|hypothesi[sz]e|speculate|formulate)\b|"
    r"\b(?:we|this paper|this section) (?:first |then |now |briefly )?(?:explain|discuss|detail|outline|review|recap)\b|"
    r"\bfuture (?:work|research|studies)\b|\bwe leave\b|\bremains? to be (?:seen|explored|investigated)\b|"
    r"^(?:one|a|another) (?:possible|potential|likely|plausible) (?:reason|explanation|cause)\b|"
    r"\bwe (?:now )?turn to\b|^now,? we\b|\b(?:are|am|is) (?:also |particularly )?interested (?:to|in)\b|"
    r"^in (?:our|the proposed|this) (?:method|approach|model|work|framework),? we\b|"
    r"\bwe (?:additionally |also |further |then )?(?:increase|decrease|vary|change|modify|remove|add|replace|create|construct)\b"
    r"[^.]{0,80}\bby (?:using|adding|removing|replacing|training|creating)\b|"
    r"\b(?:has|have) (?:been|also been|recently been|previously been) (?:shown|suggested|found|proposed|argued|reported|"
    r"demonstrated|hypothesi[sz]ed|observed|attributed|studied|explored|used)\b|"
    r"\b(?<!all )(?<!than )(?:several|many|some|other|previous|prior|"
    r"recent|earlier|existing) (?:papers|works|studies|authors|researchers|approaches|methods)\b|\bit is (?:well[- ])?known\b|"
    r"\b(?:previous|prior|recent|earlier|existing|related) (?:work|research|literature)\b",
    re.I,
)
NOT_A_CLAIM = re.compile(
    r"^(?:table|figure|fig\.|algorithm|equation|eq\.)\s*\d|^(?:for|to) (?:example|instance|this end|simplicity)\b|^(?:see|cf\.)\b|"  # noqa: E501
    r"^(?:let|assume|suppose|consider|given|recall)\b|^(?:the|our) (?:rest|remainder) of (?:this|the) paper|"
    r"^(?:this|the) (?:paper|section|article) is (?:organi[sz]ed|structured)|^in section \d|^section \d|^(?:as )?(?:shown|illustrated|depicted|listed|reported|summari[sz]ed|presented) in (?:table|figure|fig)|"  # noqa: E501
    r"(?:is|are) (?:shown|illustrated|depicted|listed|reported|summari[sz]ed|presented|given) in (?:table|figure|fig\.?|appendix|section)\s*\w*\.$|"  # noqa: E501
    r"^(?:table|figure) \d+ (?:shows|presents|lists|reports|summari[sz]es|compares|illustrates)|(?:rest|remainder) of (?:this|the) (?:paper|article)|"  # noqa: E501
    r"is organi[sz]ed as follows|\bquestions?\b[^.]{0,40}\b(?:is|are|remains?) (?:whether|how|what|if|why)\b|^(?:whether|how|why)\b|"  # noqa: E501
    r"^(?:comparisons?|experiments?|evaluations?|results?|analyses|ablations?) (?:are|were|is|was) (?:made|conducted|performed|run|carried out|reported|presented|shown|given|listed)\b|"  # noqa: E501
    r"\b(?:is|are|was|were) (?:computed|calculated|defined|evaluated|concatenated|estimated|normali[sz]ed|averaged|initiali[sz]ed|tokeni[sz]ed|encoded|fed) (?:as|using|by|according to|with|into|through|over)\b|"  # noqa: E501
    r"^as input\b|\bit is (?:necessary|important|crucial|essential|useful|desirable|advisable|worth mentioning|worth noting) (?:to|that)\b|"  # noqa: E501
    r"(?:table|figure|fig\.)\s*\d+[^,]{0,40}?\b(?:shows|lists|presents|reports|displays|summari[sz]es|depicts|illustrates|contains|gives)\b(?! that)",  # noqa: E501
    re.I,
)
BOILER = re.compile(
    r"https?://|www\.|github\.com|\w@\w|copyright|©|licen[cs]ed? under|arxiv:|proceedings of|in proc\.|association for computational|"  # noqa: E501
    r"in submission|preprint|acknowledg|corresponding author|equal contribution|work (?:was )?done (?:while|during)|"
    r"is (?:publicly )?available (?:at|from|online|for download)|code (?:is|and|will be) (?:available|released)|we thank|grateful|supported by|grant|"  # noqa: E501
    r"lack of space|space limit|due to space|beyond the scope|(?:will be|are|is) made (?:publicly )?available",
    re.I,
)
REFERENCE_LIKE = re.compile(
    r"(?:^|\s)(?:[A-Z][a-z]+,\s+(?:[A-Z]\.\s*){1,3}(?:,|and)|(?:[A-Z]\.\s){1,2}[A-Z][a-z]+,\s(?:[A-Z]\.\s){1,2}[A-Z][a-z]+)|"
    r"\b(?:19|20)\d\d[a-z]?\.\s+[A-Z][^.]{5,150}\.\s+(?:In\s|arXiv|CoRR|Transactions|Journal)|\bpp\.\s*\d+|\bvol\.\s*\d+|\bCoRR\b|abs/\d{4}\.\d{4,5}"
)
METHOD_PASSIVE = re.compile(
    r"\b(?:is|are|will be|would be|can be|was|were) (?:then )?(?:applied|fed|passed|projected|obtained|concatenated|initiali[sz]ed|"  # noqa: E501
    r"computed|encoded|mapped|shared|stacked|optimi[sz]ed|trained|updated|sampled) (?:to|by|as|with|using|over|into|through|from|on)\b|"  # noqa: E501
    r"\buses? (?:\w+[ -]){0,4}?to (?:encode|compute|obtain|predict|label|classify|map|generate|produce|represent)\b|"
    r"\b(?:experiment(?:ed)? with|we (?:do|did) not use)\b",
    re.I,
)
MATH_NOISE = re.compile(r"[∼⊕⊗⊙⟨⟩∝∑∏∫√∈∉⊂⊆∀∃→←↔⇒∇∂ˆ˜¯•▪◦■□▶♠♥∗†‡¶]|\b[a-z]_\{|\\[a-z]+\{")
GREEK = re.compile(r"[α-ωΑ-Ω∆]")

# light cues for non-English prose (a German, French or Spanish sentence is extracted with its language)
FOREIGN_CUES = re.compile(
    r"\b(zeigen|zeigt|übertrifft|verbessert|verbesserung|erreicht|ergebnisse|führt zu|montrons|montre|améliore|amélioration|"
    r"surpasse|atteint|résultats|conduit à|mostramos|muestra|mejora|supera|alcanza|resultados|conduce a|demostramos)\b",
    re.I,
)

_KIND_CUE: dict[ClaimKind, float] = {"numeric": 0.9, "comparative": 0.8, "finding": 0.65, "limitation": 0.65, "background": 0.4}


class RulesExtractor:
    """Offline, deterministic extractor (the default)."""

    name = NAME

    def extract(
        self, paper: Paper, sentences: list[Sentence], front: list[str] | None = None, captions: dict[str, str] | None = None
    ) -> Extraction:
        """Claims of one paper (see the module docstring); ``captions`` name what its tables and figures measure."""
        ctx = paper_context(paper, sentences, front, captions)
        dropped: dict[str, int] = {}
        found = candidates(sentences, paper, ctx, dropped)
        return Extraction(candidates=found, rejected=sum(dropped.values()), reasons=dropped, context=ctx)


def is_complete(text: str) -> bool:
    """A whole sentence: starts with a capital or digit, ends with terminal punctuation, balanced brackets."""
    t = text.strip()
    return (
        len(t) >= 20
        and bool(re.match(r"^[\"'“(\[]?[A-Z0-9À-ÖØ-Þ]", t))
        and t.rstrip("\"'”)").endswith((".", "!"))
        and t.count("(") == t.count(")")
        and t.count("[") == t.count("]")
        and not re.search(r"\b(?:e\.g|i\.e|et al|cf|vs|Fig|Eq|Sec|resp)\.$", t)  # split inside an abbreviation
        # cut after a function word; a stranded "of" after a particle ends a sentence ("the model they build off of.")
        and (
            not re.search(r"\s(?:a|an|the|of|in|to|for|and|or|by|with|on|at|as|is|are)\.$", t)
            or re.search(r"\b(?:off|out|up) of\.$", t) is not None
        )
    )


def _math_symbols(text: str) -> int:
    """Mathematical symbols, not counting a sign before a number (+13.1%, −6.1) or a range dash."""
    count = 0
    for i, ch in enumerate(text):
        if (
            unicodedata.category(ch) == "Sm"
            and not (ch in "+−-=≈<>≤≥" and text[i + 1 : i + 2].strip()[:1].isdigit() or text[i + 1 : i + 3].strip()[:1].isdigit())
            and ch != "±"
        ):
            count += 1
    return count


def is_clean(text: str) -> bool:
    """Prose, not a formula, table row, figure text, reference or boilerplate that slipped into a prose block."""
    words = text.split()
    if len(words) < MIN_WORDS:
        return False
    if (
        _math_symbols(text) >= 2
        or len(GREEK.findall(text)) >= 3
        or re.search(r"[=<>]\s*[A-Za-z(]|[A-Za-z)]\s*[=<>](?!\s*\d)", text)
    ):
        return False  # a formula; "κ=0.968" or one "α" in prose is fine
    if MATH_NOISE.search(text) or BOILER.search(text) or REFERENCE_LIKE.search(text):
        return False
    if "\ufffd" in text:
        return False  # glyphs the PDF's fonts could not map ("Ka�dy�predstavitel�"): text a reader cannot check
    alpha = sum(1 for w in words if re.fullmatch(r"[(\[\"'“]?[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]*[)\]\"'”,.;:]*", w))
    if alpha / len(words) < 0.6:
        return False
    numbers = len(re.findall(NUM, text))
    if numbers > 6 and numbers / len(words) > 0.25:
        return False  # a flattened table row
    if re.search(r"[a-z]{3,}[.,]\d{1,2}(?:\s|$)", text):
        return False  # footnote markers glued into text ("available.1 We")
    if re.search(r"\b[a-z]+- (?!and\b|or\b|to\b|as\b|vs\b)[a-z]{2,}", text):
        return False  # broken hyphenation from a bad line join ("repre- sentation")
    if len(re.findall(r"\b[A-Z][a-z]*\b", text)) / len(words) > 0.6 and not re.search(r"\b(?:is|are|was|were|has|have)\b", text):
        return False  # a title-cased run: heading, author list or table header
    return True


def classify(text: str, section: str = "") -> tuple[ClaimKind, float] | None:
    """(kind, cue) of a sentence that asserts something checkable, or None."""
    if text.rstrip().endswith("?") or NOT_A_CLAIM.search(text) or ANNOUNCEMENT.search(text):
        return None
    if METHOD_ONLY.search(text) and not _THEN_RESULT.search(text):
        return None  # "We train …" — but "We have implemented X and we have measured speedups of 10x" reports one
    low = text.lower()
    numbers = extract_numbers(text)
    comparative = bool(COMPARATIVE.search(text))
    finding_m = FINDING.search(text)
    finding = finding_m is not None
    limitation = bool(LIMITATION.search(text))
    cited = bool(CITED.search(text))
    if numbers and (comparative or finding or METRIC.search(text) or any(n.direction != "level" for n in numbers)):
        kind: ClaimKind = "numeric"
    elif limitation and (
        re.search(r"\b(however|but|although|limitation|fail|cannot|unable|struggle|poorly|drawback|only)\b", low)
        or not re.search(r"\b(?:we|our|us)\b", low)  # a shortcoming of a method or resource, not "we do not use X"
    ):
        kind = "limitation"
    elif comparative:
        kind = "comparative"
    elif finding_m and (
        ASSERTIVE_VERB.search(text)
        or re.search(r"\b(?:show|find|found|suggest|indicate|demonstrate|reveal|confirm|conclude)\w* that\b", low)
        or finding_m.group(0).lower() not in {"due to", "because", "helps", "help", "allows", "allow", "enables", "enable"}
    ):
        kind = "finding"
    elif cited and ASSERTIVE_VERB.search(text) and not re.match(r"^(?:we|our)\b", low):
        kind = "background"
    elif FOREIGN_CUES.search(text):
        kind = "finding"
    elif (
        re.search(r"introduction|related|background|previous|prior", section, re.I)
        and not re.search(r"\b(?:we|our|us|i)\b", low)
        and re.search(
            r"\b(?:is|are|has|have|can|represents?|encodes?|contains?|consists?|derives?|poses|requires?|uses|tends?|remains?)\b",
            low,
        )
    ):
        if (
            re.match(r"^there (?:are|is|exist) (?:many|several|different|various|a (?:number|variety|range) of|numerous)\b", low)
            or len(text.split()) < 10
        ):
            return None  # "There are different ways to …": true, but nothing to check
        return "background", 0.2  # a general statement of the field: checkable, ranked below the paper's own claims
    else:
        return None
    cue = _KIND_CUE[kind]
    if STRONG_SECTIONS.search(section) and not WEAK_SECTIONS.search(section):
        cue += 0.1
    elif (
        (WEAK_SECTIONS.search(section) or re.search(r"introduction", section, re.I))
        and kind in {"comparative", "finding"}
        and cited
        and not re.search(r"\b(?:we|our|us)\b", low)
    ):
        kind, cue = "background", 0.45  # someone else's finding, cited while setting the scene
    elif WEAK_SECTIONS.search(section) and kind != "background":
        cue -= 0.2
    elif METHOD_SECTIONS.search(section):
        cue -= 0.15
    if cited and kind in {"comparative", "finding"} and not re.search(r"\b(?:we|our)\b", low):
        cue -= 0.1  # someone else's result restated in passing
    if re.search(r"\b(?:we|our)\b", low) and re.search(
        r"\b(?:show|find|found|observe|demonstrate|achiev|outperform|improv|obtain|set)", low
    ):
        cue += 0.05
    if re.search(
        r"\b(?:may|might|could|perhaps|possibly|we (?:believe|hypothesi[sz]e|conjecture|speculate)|we hope|future work|in the future|"  # noqa: E501
        r"(?:are|is|were) (?:also )?interested (?:to|in)|we plan|would like to)\b",
        low,
    ):
        cue -= 0.2 if kind != "limitation" else 0.1  # hedged or prospective: still a claim, less checkable
    if re.match(r"^(?:note|notice) that\b|^it is worth (?:noting|mentioning) that\b", low):
        cue -= 0.15  # an aside
    if METHOD_PASSIVE.search(text):
        cue -= 0.3  # how the method works ("is applied to", "will be obtained by", "uses X to encode"), not what it found
    if re.search(r"\ballows? (?:\w+ ){0,12}?to be (?:evaluated|tested|assessed|measured|compared|studied)\b", low):
        cue -= 0.2  # what a dataset or task allows: a description, not a finding
    return kind, round(min(max(cue, 0.05), 1.0), 3)


def split_long(text: str) -> list[str]:
    """Split an over-long sentence at its clause boundaries (";") into complete sentences; [text] when it has none."""
    if len(text.split()) <= LONG_WORDS:
        return [text]
    parts = split_top_level(text, ";")
    if len(parts) < 2 or any(len(p.split()) < MIN_WORDS for p in parts):
        return [text]
    out = []
    for p in parts:
        p = p[:1].upper() + p[1:]
        if not p.endswith((".", "!", "?")):
            p += "."
        out.append(p)
    return out


def eligible(s: Sentence) -> bool:
    """A clean, complete prose sentence from a section that can hold claims (not references, front matter, …)."""
    if SKIP_SECTIONS_STRICT.search(s.section) or (SKIP_SECTIONS.search(s.section) and not STRONG_SECTIONS.search(s.section)):
        return False
    text = clean_text(s.text)
    return is_complete(text) and is_clean(text)


def is_own(text: str, ctx: PaperContext) -> bool:
    """Whether ``text`` speaks of the paper's own work: first person, "this paper", or the paper's method name."""
    if re.search(r"\b(?:we|our|us|ours)\b|\b(?:this|the present) (?:paper|work|study)\b", text, re.I):
        return True
    return bool(ctx.name and re.search(rf"(?<![\w-]){re.escape(ctx.name)}(?![\w-])", text))


_OWN_RESULT = re.compile(
    r"\b(?:we|our (?:results|experiments|analysis|findings|evaluation|study))\b[^.;]{0,80}?\b(?:show|find|found|demonstrat|"
    r"observ|discover|reveal|achiev|obtain|outperform|improv|confirm|establish|indicat|suggest)\w*",
    re.I,
)
_HEDGE = re.compile(r"\b(?:may|might|could|would|possibly|perhaps|presumably|hypothesi[sz]e|conjecture)\b", re.I)
_SCENE_SECTIONS = re.compile(r"introduction|related|background|previous|prior work|preliminar|motivation", re.I)
# resources and tasks the dataset finder knows that are not what a score is measured on
_NOT_EVAL_SETS = frozenset({"Wikipedia", "Europarl", "MUSE", "NER", "CNN", "Daily Mail", "DailyMail", "Quora"})


# what a paper sets out to do or hopes for, or the challenge that remains ("… however a challenge still persists …"),
# not what it found
_MOTIVATION = re.compile(
    r"\b(?:is|are|was|were) (?:designed|intended|meant|built|created|developed) (?:to|for)\b|\bwill hopefully\b|"
    r"\b(?:in order )?to (?:address|tackle|overcome|mitigate|alleviate|fill) (?:the|this|these) (?:lack|gap|problem|issue|limitation)|"  # noqa: E501
    r"\bto the best of [\w\s.()'’]{0,40}knowledge\b|"
    r"\b(?:a|the|one|an open) (?:challenge|problem|question|difficulty) (?:still )?(?:persists|remains)\b",
    re.I,
)
# the authors' guesses: "we suspect", "it is likely that", "presumably"
_SPECULATION = re.compile(
    r"\b(?:we|they) (?:suspect|presume|assume|guess|speculate|conjecture|hypothesi[sz]e|believe|expect|argue)\b|"
    r"\b(?:it is|it seems|it appears) (?:likely|possible|plausible|conceivable|probable) that\b|\bpresumably\b|\bperhaps\b|"
    r"^If (?:this|that|so|true)\b|\bwould (?:be|perform|improve|degrade|help|hurt|lead|make|need|require)\b|"
    r"(?:^|^[A-Z]\w+,\s*)[Ii]f\b[^.;]{0,150}\bwill\b|"
    # what a method would make possible, or an explanation offered as possible: "would thus allow", "could probably
    # lead to", "may have influenced", "may depend on", "we anticipate that …"
    r"\bwould (?:thus |therefore |also |then )?(?:allow|enable|permit|facilitate|benefit|be able)\b|"
    r"\b(?:may|might|could|would|will) (?:possibly|potentially|perhaps|conceivably|probably)\b|"
    r"\b(?:may|might|could) have (?:been )?[a-z]+ed\b|"
    r"\b(?:may|might|could) (?:also |partly |partially )?(?:depend|contribute|play|explain|reflect|be due|be related|"
    r"be attributed|account|stem|arise)\b|\b(?:we|they) (?:anticipate|envisage|envision|foresee|hope)\b|"
    # what results could be used for, expected benefits, and work not done yet: "could be used to improve many
    # applications", "It can be expected that …", "Our ongoing work shows …"
    r"(?<!which )(?<!that )\b(?:could|might|may) (?:also )?(?:be used|be applied|be useful|enable|benefit)\b|"
    r"\b(?:can|could) be expected\b|"
    r"\b(?:ongoing|on-going|future) (?:work|research|studies)\b|"
    # a recommendation: "We suggest that further studies should be undertaken to evaluate …"
    r"\bfurther (?:studies|research|work|trials|investigations?) (?:is|are|should|must|will|would|(?:is|are) needed)\b|"
    r"\bshould be (?:undertaken|investigated|studied|explored|conducted|examined)\b",
    re.I,
)
_DESIGN_LIMIT = re.compile(
    r"\b(?:search|searches|study|analysis|analyses|sample|review|inclusion|selection)\s+(?:was|were)\s+"
    r"(?:limited|restricted|confined)\s+to\b",
    re.I,
)
# how a model works, told as a mechanism with no result: "the hidden layer is used to compute …", "This allows the
# recurrent model to form …"
_MECHANISM = re.compile(
    r"\b(?:is|are) used to (?:compute|predict|represent|encode|decode|generate|produce|obtain|estimate|model|map|store)\b|"
    r"^This (?:allows|enables|lets|permits)\b"
)
# what the authors did, told in the first person, with no result in the sentence
_OWN_ACTION = re.compile(
    r"\b(?:we|I)\s+(?:also\s+|then\s+|further\s+|additionally\s+)?(?:train|trained|use|used|pretrain|pretrained|fine-?tune|"
    r"fine-?tuned|set|apply|applied|run|ran|sample|sampled|evaluate|evaluated|compute|computed|adopt|adopted|follow|followed|"
    r"consider|considered|report|reported|collect|collected|translate|translated|ask|asked|hire|hired|restrict|limit|"
    r"modify|modified|add|added|remove|removed|replace|replaced|choose|chose|pick|picked|perform|performed|conduct|"
    r"conducted|carry out|carried out)\b",
    re.I,
)
_RESULT_WORD = re.compile(
    r"\b(?:show|shows|showed|shown|find|found|observe\w*|outperform\w*|achiev\w+|obtain\w*|improv\w+|better|worse|higher|"
    r"lower|best|drops?|gains?|increase\w*|decrease\w*|reduc\w+|hurts?|helps?|fails?|%|points?)\b",
    re.I,
)
# a procedure told in the passive, where the method is set out or introduced as such ("For this, the terms were ordered
# and assigned to rows …", "Construct stiffness was determined from the load-displacement graphs …")
_PROCEDURE = re.compile(
    r"\b(?:was|were|is|are) (?:then |also |first |subsequently |each )?(?:determined|measured|calculated|computed|estimated|"
    r"recorded|assessed|quantified|divided|normali[sz]ed|performed|carried out|conducted|analy[sz]ed|collected|scored|"
    r"stained|imaged|sectioned|harvested|implanted|anaest?hetised|anesthetized|ordered|assigned|initiali[sz]ed|selected|"
    r"randomi[sz]ed|scanned|fixed|mounted|tested|loaded|placed|counted|obtained)\b",
    re.I,
)
_METHOD_SECTIONS = re.compile(
    r"method|material|procedure|protocol|set-?up|implementation|statistical analys[ie]s|data analys[ie]s|participants|"
    r"subjects|experimental design",
    re.I,
)
_PROCEDURE_OPENING = re.compile(r"^(?:For this|To do so|To do this|For this purpose),")  # "To this end": NOT_A_CLAIM
# a corpus or data set set out: its sections, and sentences about how it was made
_DATA_SECTIONS = re.compile(
    r"\b(?:corpus|corpora|data ?sets?|data collection|annotation|resource|benchmark construction)\b", re.I
)
_DATA_DESCRIPTION = re.compile(
    r"\b(?:consists? of|comprises?|contains?|is composed of|is (?:based|built) on|(?:was|were) (?:collected|annotated|crawled|"
    r"translated|sampled|drawn|split|kept|created|constructed)|(?:is|are) (?:split|divided) into)\b",
    re.I,
)
# a general truth about the field: present tense, nothing of the paper's own, no system or data set named; or what a
# measure depends on in general ("The performance for cross-lingual tasks depends on the ability to map …")
_GENERAL = re.compile(
    r"^(?:A|An|The|Many|Most|Some|In general|Typically|Usually|Often)\b[^.]{0,40}\b(?:problem|challenge|issue|task|goal|"
    r"question|need|approach|way)\b[^.]{0,40}\b(?:is|are|remains?)\b"
    r"|^(?:The )?(?:performance|quality|success|accuracy|effectiveness)\b[^.]{0,60}?\b(?:depends|relies|hinges) (?:on|upon)\b"
    # a definition: "Explainable artificial intelligence (XAI) is a branch of AI which …"
    r"|^[A-Z][\w\s-]{0,60}(?:\([A-Z][\w-]*\))? (?:is|are|refers to) (?:a|an|the) (?:(?:sub)?field|branch|area|family|class|"
    r"kind|type|form|discipline|collection) of\b"
    # what a kind of plot or measure shows in general: "Flow duration curves display the relationship between …"
    r"|^[A-Z][\w\s-]{0,60}(?:\([A-Z][\w-]*\))? (?:display|describe|represent|depict|express|show)s? the relationship between\b",
    re.I,
)
# how a quantity is got, in the present tense: "The H/C ratio of the dust is obtained from mass spectrometry data."
_DERIVED = re.compile(
    r"\b(?:is|are) (?:obtained|derived|calculated|computed|estimated|determined|inferred) (?:from|by|using|via|through)\b"
)
# how a model is trained or run, set out as a clause of its own
_SETUP = re.compile(
    r"^(?:During|At|For|In) (?:the )?(?:training|pre-?training|fine-?tuning|inference|test(?:ing)? time|decoding)\b,"
)
# how models of a kind are built or trained in general: "Models can be trained on SNLI in two different ways: (i) …"
_WAYS = re.compile(
    r"^(?:(?!Our\b)[A-Z][\w-]* )??(?i:models|methods|systems|approaches|encoders|architectures) (?:can|could|may) be (?:trained|"
    r"built|used|applied|divided|categori[sz]ed|grouped|classified)\b"
)
# a data set as the subject, described by what it holds: "With 433K sentence pairs, MultiNLI improves upon SNLI in its
# coverage: it contains ten distinct genres …" (a comparison of data sets, not a result)
_DATASET_SUBJECT = re.compile(rf"^(?:[^,]{{0,60}},\s*)?(?:the )?{KNOWN_DATASETS.pattern}", re.I)
# another paper's finding, named as the subject of a finding verb ("K et al. (2020) found that …")
_OTHERS_FOUND = re.compile(
    r"\b[A-Z][\w'’-]*(?: et al\.| and [A-Z][\w'’-]+)? \((?:19|20)\d\d[a-z]?\)\s+(?:(?:also|additionally|further|"
    r"recently|previously)\s+)?(?:found|find|finds|show|showed|shows|shown|report|reported|reports|observe|observed|"
    r"demonstrate|demonstrated|argue|argued|suggest|suggested|analy[sz]ed|concluded)\b"
    # "they" are other authors when they conclude or argue ("As they found … only when …, they concluded that …")
    r"|\b[Tt]hey (?:\w+ly )?(?:concluded|argued|proposed|hypothesi[sz]ed|claimed|speculated|postulated)\b"
    # the authors' own earlier study ("We previously identified a decline in maternal HEI … [14]"), not this paper's
    r"|\b[Ww]e (?:have )?previously (?:found|showed|shown|reported|identified|demonstrated|observed|described)\b"
    r"|\b[Oo]ur (?:previous|earlier|prior) (?:work|study|studies|paper|research|trial)\b"
)
# a participant's words quoted in a qualitative study ("It's defeatist, we're failed … I said, “That's …”"): the first
# person is not the authors', and the sentence is the study's data, not its finding
_QUOTED_SPEECH = re.compile(
    r"(?=.*(?:(?:^|[.,;:!?“\"(]\s*|\b[a-z]+\s)I(?:['’](?:m|ve|d|ll)\b| (?:am|was|have|had|think|thought|felt|feel|"
    r"said|say|didn|don|wasn|would|could|just|really|know|knew|got|went|wanted|want|mean|guess|suppose|believe|remember|"
    r"can)\b)|\b(?:me|my|myself)\b))"
    r"(?=.*[“”\"]|.*:\s)",
    re.S,
)


# what makes a sentence of kind "finding" a reported result rather than a description of how something works ("VESPA
# provides the function …, which allows …", "Calling external functions is potentially difficult because …"): a
# reporting verb, the study as subject, a result in the past tense or as an effect, a summary, or statistics
_REPORTED_RESULT = re.compile(
    r"\b(?:show(?:s|ed|n|ing)?|find(?:s|ings?)?|found|demonstrat\w*|suggest(?:s|ed)?|indicat\w*|reveal\w*|observ\w*|"
    r"confirm\w*|conclud\w*|establish\w*|verif\w*|measured|evaluated)\b|"
    r"\b(?:our|the|these|this|experimental|empirical) (?:results?|experiments?|analys[ie]s|evaluation|study|meta-analysis|"
    r"trials?|data)\b|"
    r"\bthere (?:was|were)\b|\b(?:was|were) (?:\w+ly )?(?:\w+ed|higher|lower|greater|smaller|better|worse|more|less|"
    r"similar|different|comparable|significant|effective|selective|able|unable|dependent|independent)\b|"
    r"\b(?:increased|decreased|improved|reduced|rose|fell|doubled|halved|dropped|outperformed|achieved|obtained|yielded|"
    r"led|resulted|proved|differed|predicted|emerged|exceeded|remained|failed|succeeded)\b|"
    r"\b(?:improv|increas|decreas|reduc|boost|hurt|degrad|achiev|obtain|yield|outperform|generaliz|correlat)\w*\b|"
    r"\bperforms? (?:well|better|worse|poorly|best|similarly)|\bworks? (?:well|better)|\btransfers? (?:well|better|poorly)|"
    r"\b(?:significantly|substantially|consistently|dramatically|considerabl[ey]|surprisingly|remarkabl[ey])\b|"
    r"\b(?:reliable|robust|accurate|valid|effectively|efficiently)\b|\b(?:is|are) the first\b|"
    r"\bproved? to\b|\bdid not\b|\bno (?:\w+ )?(?:differences?|effects?|associations?|impact|improvements?|gains?)\b|"
    r"^(?:In (?:summary|conclusion|short|sum)|Overall|Taken together|To (?:summari[sz]e|conclude))\b|"
    r"\bp\s?[<=>≤≥]|\b(?:CI|SD|SE|OR|RR|HR)\b|±|\d\s?%",
    re.I,
)


def not_a_finding(part: str, kind: ClaimKind, section: str, ctx: PaperContext, cited_around: bool = False) -> str | None:
    """Why ``part`` is not one of the paper's findings, or None when it is one.

    Reasons, each recorded on the rejected sentence: ``background`` (the extractor's own kind), ``cited`` (somebody
    else's result, restated with its citation, or told without one between two sentences that cite, ``cited_around``,
    in a discussion that reviews other studies), ``scene`` (introduction and related work, unless the authors report a
    result), ``hypothesis`` (a conjecture where the method is set out), ``speculation`` ("we suspect", "it is likely
    that", anywhere), ``motivation`` (what a resource or method is designed to do), ``method`` (what the authors did,
    with no result in the sentence), ``data description`` (how a corpus was made or what it holds), ``general``
    (a truth of the field that names nothing of the paper's) and ``description`` (a sentence of kind "finding" that
    reports nothing found or measured: how a system works or what a tool offers), ``quotation`` (a participant's
    words, quoted).
    """
    if kind == "background":
        return "background"
    if _QUOTED_SPEECH.match(part):
        return "quotation"
    if _OTHERS_FOUND.search(part) or (CITED.search(part) and not is_own(part, ctx)):
        return "cited"  # somebody else's result, restated with its citation
    if cited_around and not is_own(part, ctx):
        return "cited"  # between two cited sentences, in its own words: "… in 4000G it was decreased. The maximum … [32]."
    if _SCENE_SECTIONS.search(section) and not _OWN_RESULT.search(part) and not (ctx.name and is_own(part, ctx)):
        return "scene"  # introduction and related work: motivation and background unless the authors report a result
    if _HEDGE.search(part) and not STRONG_SECTIONS.search(section):
        return "hypothesis"  # "X may contribute to Y" where the method is set out: a conjecture, not a result
    if _SPECULATION.search(part):
        return "speculation"
    if _MOTIVATION.search(part):
        return "motivation"
    if _OWN_ACTION.search(part) and (not _RESULT_WORD.search(part) or re.match(r"^To [a-z]+\b", part)):
        return "method"  # what the authors did ("To mitigate X we train …"), with no result of it in the sentence
    if _SETUP.search(part) and not _RESULT_WORD.search(part):
        return "method"  # "During training, the word embeddings are updated …": how the model is run, not a result
    if (
        _PROCEDURE.search(part)
        and not _RESULT_WORD.search(re.sub(r"\bobtained (?:from|by|with|using)\b", "", part))  # provenance, not a result
        and (_METHOD_SECTIONS.search(section) and not STRONG_SECTIONS.search(section) or _PROCEDURE_OPENING.match(part))
    ):
        return "method"  # how something was measured or built, in the passive: a procedure, not a result
    if (_WAYS.search(part) or _MECHANISM.search(part)) and not _RESULT_WORD.search(part):
        return "method"
    if _DERIVED.search(part) and not _RESULT_WORD.search(_DERIVED.sub("", part)) and not re.search(r"\d", part):
        return "method"  # how a quantity is got, not what it came to
    if _DESIGN_LIMIT.search(part):
        return "method"  # "The search was limited to RCTs, using …": a choice of the study's design, not a limitation found
    if _DATASET_SUBJECT.search(part) and _DATA_DESCRIPTION.search(part):
        return "data description"
    if kind not in {"numeric", "comparative"} and (
        _DATA_SECTIONS.search(section) and not STRONG_SECTIONS.search(section) or _DATA_DESCRIPTION.search(part)
    ):
        return "data description"
    if _GENERAL.search(part) and not is_own(part, ctx):
        return "general"
    if kind == "finding" and not _REPORTED_RESULT.search(part):
        return "description"  # how something works or what it offers, with nothing found or measured
    return None


# the subject is the paper's own method, by no name: "Our model …", "We show that the proposed approach …"
_UNNAMED_OWN = re.compile(
    r"^(?:[A-Z][^,;]{0,60},\s*)?(?:(?:we|We) (?:also |further )?(?:show|find|found|observe|demonstrate|see) that\s+)?"
    r"(?:[Oo]ur|[Tt]he (?:proposed|presented|new))\s+(?:[a-z]+\s+){0,2}?(?:model|method|approach|system|architecture|framework|"
    r"encoder|network|classifier|technique|algorithm)s?\b(?!\s+(?:of|for|on|with)\b|\s*\(|,? (?:called|named|dubbed)\b)"
)
# the authors stand for their system, which the paper never names: "On STS14, we are also competitive with …", "we
# obtain 88.6% accuracy", "Our embeddings outperform …" (as the subject: "… confirms the power of our embeddings" is not)
_AUTHORS_FOR_SYSTEM = re.compile(
    r"\b(?:we|We) (?:also |further |still |even |now )?(?:(?:are|were) (?:also |still |even )?(?:competitive|better|worse|"
    r"comparable|on par|close to|able to (?:outperform|beat|match|reach|achieve))|(?:obtain|obtained|achieve|achieved|reach|"
    r"reached|outperform|outperformed|beat|surpass|surpassed|match|matched)\s+(?:a |an |the |new |all |most )*"
    r"(?:state|\d|accuracy|results?|performance|scores?|F1|BLEU|baselines?|previous|prior|competitive|strong))|"
    r"^(?:[A-Z][^,;]{0,60},\s*)?(?:Overall,?\s+)?[Oo]ur (?:\w+ )?(?:accuracy|performance|results|scores?|embedding spaces?|"
    r"embeddings|representations|vectors)\b(?! (?:of|for|on|in) )"
)
# what leaves only its task or data set unnamed, and may be named from a caption or heading (see named_from_context)
_NAMEABLE = frozenset({"a measure of nothing named", "names no model, task, dataset or language"})
_MEASURE = re.compile(r"\b(?:performances?|accuracy|results?|scores?|F1|error rates?|correlations?)\b", re.I)


def _unnamed_measure(text: str) -> bool:
    """A measure with no task or data set named anywhere in the claim ("… significantly improves the performance.")."""
    return bool(_MEASURE.search(text)) and dataset_of(text) is None


def claim_language(text: str) -> str:
    """The language of a claim, read without its citations (author names and venues are not its language)."""
    bare = CITED.sub(" ", text)
    bare = re.sub(r"\([^()]*\b(?:19|20)\d\d[a-z]?\)|\b[A-Z][\w\-]+ et al\.", " ", bare)
    language = guess_language(bare)
    return "en" if language == "unknown" else language


def measured_on(
    claim_text: str, numbers: list[Number], section: str, context: str, benchmarked: bool = True
) -> tuple[str, list[Number]] | None:
    """A numeric claim that says what its numbers measure, or None when it cannot be made to.

    Every number must carry a metric or a unit, and, in a paper that evaluates on named benchmarks (``benchmarked``),
    the claim must name the data it was measured on; when the sentence does not, the dataset is taken from its
    section's title ("5.1 XNLI") or the sentence or two before it in the same section, and added to the text ("… by
    4% / 9% (on XNLI)."). A paper that names no benchmark measures its own samples, devices or cohorts ("the
    integration of the TJ … improves the device performance by 48%"): the metric or unit is what the number measures.
    """
    if not numbers or any(n.metric is None and n.unit is None for n in numbers):
        return None
    named = [n.dataset for n in numbers if n.dataset and n.dataset not in _NOT_EVAL_SETS] or [
        d for d in [dataset_of(claim_text)] if d and d not in _NOT_EVAL_SETS
    ]
    if named:
        fill = named[0]
        return claim_text, [n if n.dataset else n.model_copy(update={"dataset": fill}) for n in numbers]
    found = dataset_of(section) or (dataset_of(context, len(context)) if context else None)
    if not found or found in _NOT_EVAL_SETS:
        return None if benchmarked else (claim_text, numbers)
    text = re.sub(r"([.!])$", rf" (on {found})\1", claim_text, count=1)
    return text, [n.model_copy(update={"dataset": found}) for n in numbers]


_SELF = re.compile(
    r"\b(?:we|our|us|here|herein|this (?:paper|study|work|article|review|report|meta-analysis|analysis)|"
    r"the present (?:paper|study|work))\b",
    re.I,
)
_OPENING = 2  # an abstract's first sentences that can only set the scene


def _abstract_opening(sentences: list[Sentence], ctx: PaperContext) -> set[int]:
    """Indexes of the abstract's first sentences (at most ``_OPENING``) before any that speaks of the paper itself ("We
    …", "This study …", its method's name): "Dynamic languages such as JavaScript are more difficult to compile than
    statically typed ones." opens an abstract with the field's background, not with a result."""
    out: set[int] = set()
    seen = 0
    for i, s in enumerate(sentences):
        if not re.match(r"(?:abstract|summary)\b", s.section, re.I):
            if seen:
                break
            continue
        if seen >= _OPENING or _SELF.search(s.text) or (ctx.name and ctx.name in s.text):
            break
        out.add(i)
        seen += 1
    return out


def candidates(
    sentences: list[Sentence], paper: Paper, ctx: PaperContext | None = None, dropped: dict[str, int] | None = None
) -> list[Candidate]:
    """Claim candidates of one paper's sentences, in reading order (``dropped`` counts what was refused, by reason)."""
    ctx = ctx or paper_context(paper, sentences)
    dropped = {} if dropped is None else dropped
    out: list[Candidate] = []
    previous: str | None = None
    recent: list[Sentence] = []
    cites = [bool(CITED.search(s.text)) for s in sentences]
    opening = _abstract_opening(sentences, ctx)
    benchmarked = any(dataset_of(s.text) not in (None, *_NOT_EVAL_SETS) for s in sentences)
    for i, s in enumerate(sentences):
        prev, previous = previous, clean_text(s.text)
        cited_around = (
            0 < i < len(sentences) - 1
            and cites[i - 1]
            and cites[i + 1]
            and not cites[i]
            and sentences[i - 1].section == s.section == sentences[i + 1].section
        )
        recent = [r for r in recent[-2:] if r.section == s.section]
        context = " ".join(r.text for r in recent)
        recent.append(s)
        if not eligible(s):
            continue
        text = clean_text(s.text)
        language = claim_language(text)
        parts = split_long(text)
        for n, part in enumerate(parts, start=1):
            insertion: str | None = None
            kind_cue = classify(part, s.section)
            if kind_cue is None:
                continue
            kind, cue = kind_cue
            reason = not_a_finding(part, kind, s.section, ctx, cited_around) if language == "en" else None
            if reason is None and language == "en" and i in opening and not _OWN_RESULT.search(part):
                reason = "scene"  # the abstract's opening, before the paper speaks of itself: the field, not a result
            if reason:
                dropped[reason] = dropped.get(reason, 0) + 1
                continue
            if language == "en":
                if (_UNNAMED_OWN.search(part) or _AUTHORS_FOR_SYSTEM.search(part)) and (ctx.name is None or ctx.name_is_resource):
                    key = "not self-contained: the paper's own method, unnamed"
                    dropped[key] = dropped.get(key, 0) + 1
                    continue  # "Our model outperforms …", "we are competitive …" where the paper never names its model
                claim_text, resolved = decontextualise(strip_table_frame(part), ctx, prev if n == 1 else parts[n - 2])
                claim_text = gloss(claim_text, ctx.abbreviations)
                leaning = leans_on_context(claim_text, ctx.ref) if resolved else None
                if (
                    resolved
                    and kind != "numeric"
                    and (leaning in _NAMEABLE or (leaning is None and _unnamed_measure(claim_text)))
                ):
                    named = named_from_context(s.text, s.section, ctx)
                    if named:
                        claim_text = insert_name(claim_text, named[0])
                        insertion = named[1]
                        leaning = leans_on_context(claim_text, ctx.ref)
                if leaning:
                    key = f"not self-contained: {leaning}"
                    dropped[key] = dropped.get(key, 0) + 1
                    continue  # a claim a reader cannot check without the paper open is not presented
            else:
                claim_text, resolved = part, True  # English rewrite rules do not apply; the text stays as written
            if not resolved:
                cue = round(max(cue - 0.5, 0.05), 3)  # still leans on the sentence before it ("this approach"): rank it last
            if not is_complete(claim_text):
                continue
            note = None
            if len(parts) > 1:
                note = f"split at clause boundaries from a {len(text.split())}-word sentence: part {n} of {len(parts)}"
            elif len(text.split()) > LONG_WORDS:
                note = f"long sentence ({len(text.split())} words) kept whole"
            numbers = extract_numbers(part) if kind == "numeric" else []
            if kind == "numeric":
                measured = measured_on(claim_text, numbers, s.section, context, benchmarked)
                if measured is None:
                    dropped["unmeasured"] = dropped.get("unmeasured", 0) + 1
                    continue  # "89.43% F1" with no model or data: a number a reader cannot check
                claim_text, numbers = measured
            out.append(
                Candidate(
                    sentence=s,
                    text=claim_text,
                    kind=kind,
                    numbers=numbers,
                    cue=cue,
                    language=language,
                    note=note,
                    self_contained=resolved,
                    context=insertion if insertion and "[on " in claim_text else None,
                    premise=attributed(s.text, ctx) if language == "en" else None,
                )
            )
    return out

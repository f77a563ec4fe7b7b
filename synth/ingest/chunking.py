"""Sentences (addressable: claims and evidence are sentences) and sentence-aligned chunks with overlap.

Only prose is chunked: headings, captions, tables, figures, footnotes and the references list are not evidence
for or against a claim (they are kept in the parsed document, marked as such).

Spans: ``Sentence.char_start``/``char_end`` and ``Chunk.char_start``/``char_end`` index ``doc_text(doc)`` (the
parsed document's blocks joined by ``BLOCK_SEP``). A sentence inside one block is exactly that slice; a sentence
that a column or page break cut in two (it runs over two prose blocks) is the two slices joined by one space,
which ``span_text`` rebuilds. A chunk's text is its sentences joined by one space.
"""

from __future__ import annotations

import re

from synth.core.records import Block, Chunk, ParsedDoc, Sentence
from synth.core.text import approx_tokens, fit_spans, split_sentences

# the run-in headings of a structured abstract or report, set on the first line of their paragraph: a label followed
# by a capitalised word or a number ("Background Recent guidelines …", "Methods Starting in May 2009, …"), and a
# numbered result's label ("Result 2 – The combination of all green tactics improves …", "Finding 3: …")
_RUN_IN_LABEL = re.compile(
    r"(?:Results?|Findings?|Observations?|Lessons?|Implications?) \d{1,2}\s*[–—:.-]\s+(?=[A-Z])|"
    r"(?:Background|Context|Objectives?|Aims?|Purpose|Methods?|Materials and [Mm]ethods|Design|Settings?|Participants|"
    r"Patients|Interventions?|Measurements|Main [Oo]utcome [Mm]easures?|Results?|Findings|Conclusions?|Interpretation)"
    r"[:.]?\s+(?=[A-Z0-9])(?![A-Z][a-z]*\s+(?:is|are|was|were|show|shows|showed)\b)"
)


def sentences_of(doc: ParsedDoc, max_tokens: int | None = None) -> list[Sentence]:
    """The prose sentences of ``doc`` in reading order, each with its page, section and exact span.

    Consecutive prose blocks of one section are read as one text (floats such as tables, captions and footnotes
    between them are skipped), so a sentence broken by a column or page end stays whole. A sentence longer than
    ``max_tokens`` word pieces (a run-on list, a table read as text) is cut at word boundaries into pieces that fit.
    """
    out: list[Sentence] = []
    for group in _prose_groups(doc.blocks):
        text, owners = "", []  # owners: (offset in the joined text, block)
        for block in group:
            if text:
                text += " "
            owners.append((len(text), block))
            text += block.text
        for start, end in split_sentences(text):
            if label := _RUN_IN_LABEL.match(text, start, end):
                start = label.end()  # "Conclusions H pylori eradication …": the heading is not the sentence's first word
            spans = [(start, end)] if max_tokens is None else fit_spans(text, max_tokens, approx_tokens, start, end)
            for s, e in spans:
                first = _owner(owners, s)
                last = _owner(owners, e - 1)
                out.append(
                    Sentence(
                        id=f"{doc.paper_id}#s{len(out)}",
                        paper_id=doc.paper_id,
                        page=first[1].page,
                        section=first[1].section,
                        char_start=first[1].char_start + (s - first[0]),
                        char_end=last[1].char_start + (e - last[0]),
                        text=text[s:e],
                    )
                )
    return out


def _prose_groups(blocks: list[Block]) -> list[list[Block]]:
    groups: list[list[Block]] = []
    section: str | None = None
    for block in blocks:
        if block.kind == "heading" or block.section != section:
            section = block.section
            groups.append([])
        if block.kind == "prose" and block.text:
            if not groups:
                groups.append([])
            groups[-1].append(block)
    return [g for g in groups if g]


def _owner(owners: list[tuple[int, Block]], pos: int) -> tuple[int, Block]:
    best = owners[0]
    for owner in owners:
        if owner[0] <= pos:
            best = owner
        else:
            break
    return best


def span_text(doc: ParsedDoc, start: int, end: int) -> str:
    """The text of a sentence or chunk span: the prose it covers, block pieces joined by one space."""
    parts = []
    for block in doc.blocks:
        b0, b1 = block.char_start, block.char_start + len(block.text)
        if block.kind != "prose" or b1 <= start or b0 >= end:
            continue
        parts.append(block.text[max(start, b0) - b0 : min(end, b1) - b0])
    return " ".join(p.strip() for p in parts if p.strip())


def chunks_of(sentences: list[Sentence], max_tokens: int, overlap: int) -> list[Chunk]:
    """Sentence-aligned chunks of one paper within ``max_tokens`` word pieces, repeating ``overlap`` sentences.

    A chunk never crosses a section boundary; it records its page span, its section and its character span.
    """
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j, budget = i, 2
        while j < len(sentences) and sentences[j].section == sentences[i].section:
            cost = approx_tokens(sentences[j].text) - 2  # [CLS]/[SEP] are paid once per chunk
            if j > i and budget + cost > max_tokens:
                break
            budget += cost
            j += 1
        part = sentences[i:j]
        chunks.append(
            Chunk(
                id=f"{part[0].paper_id}#c{len(chunks)}",
                paper_id=part[0].paper_id,
                page_start=part[0].page,
                page_end=part[-1].page,
                section=part[0].section,
                char_start=part[0].char_start,
                char_end=part[-1].char_end,
                sentence_ids=[s.id for s in part],
                text=" ".join(s.text for s in part),
            )
        )
        if j >= len(sentences) or sentences[j].section != sentences[i].section:
            i = j
        else:
            i = max(i + 1, j - overlap)
    return chunks

"""Stage 3: sentences (addressable: claims and evidence are sentences) and sentence-aligned chunks with overlap.

Only prose is chunked: headings, captions, tables and the references list are not evidence for or against a
claim (captions and tables are kept in the parsed document, marked as such).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.models import Chunk, ParsedDoc, Sentence
from synth.sentences import approx_tokens, split_sentences
from synth.store import read_jsonl, write_jsonl

if TYPE_CHECKING:
    from synth.pipeline import StageContext

NAME = "03_chunk"
VERSION = "1"
UPSTREAM = ("02_parse",)


def inputs(ctx: StageContext) -> dict[str, Any]:
    return {"settings": ctx.settings.chunk}


def sentences_of(doc: ParsedDoc) -> list[Sentence]:
    out: list[Sentence] = []
    # consecutive prose blocks of one section are joined so a sentence broken by a column or page end stays whole
    groups: list[list[Any]] = []
    for block in doc.blocks:
        if block.kind != "prose":
            if groups and groups[-1]:
                groups.append([])
            continue
        if groups and groups[-1] and groups[-1][-1].section == block.section:
            groups[-1].append(block)
        else:
            groups.append([block])
    for group in filter(None, groups):
        text, owners = "", []  # owners: (offset in joined text, block)
        for block in group:
            if text:
                text += " "
            owners.append((len(text), block))
            text += block.text
        for start, end in split_sentences(text):
            owner_off, owner = max((o for o in owners if o[0] <= start), key=lambda o: o[0])
            char_start = owner.char_start + (start - owner_off)
            out.append(
                Sentence(
                    id=f"{doc.paper_id}#s{len(out)}",
                    paper_id=doc.paper_id,
                    page=owner.page,
                    section=owner.section,
                    char_start=char_start,
                    char_end=char_start + (end - start),
                    text=text[start:end],
                )
            )
    return out


def chunks_of(sentences: list[Sentence], max_tokens: int, overlap: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j, budget = i, 0
        while j < len(sentences) and sentences[j].section == sentences[i].section:
            cost = approx_tokens(sentences[j].text)
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
        i = j if j >= len(sentences) or sentences[j].section != sentences[i].section else max(i + 1, j - overlap)
    return chunks


def run(ctx: StageContext, out: Path) -> dict[str, Any]:
    docs = read_jsonl(ctx.store.output("02_parse", "docs.jsonl"), ParsedDoc)
    all_sentences: list[Sentence] = []
    all_chunks: list[Chunk] = []
    for doc in docs:
        sents = sentences_of(doc)
        all_sentences.extend(sents)
        all_chunks.extend(chunks_of(sents, ctx.settings.chunk.max_tokens, ctx.settings.chunk.overlap_sentences))
    write_jsonl(out / "sentences.jsonl", all_sentences)
    write_jsonl(out / "chunks.jsonl", all_chunks)
    return {"sentences": len(all_sentences), "chunks": len(all_chunks)}

"""The abstractive answer: an LLM rewrites each extractive paragraph; the verifier keeps only what its passages entail.

The model sees the question, the facet and that paragraph's findings (id, text, verdict) through the OpenAI-compatible
endpoint of ``claims.llm_*`` (:func:`chat_client`), and must answer ``{"sentences": [{"text", "claims"}]}``. Nothing
it writes is trusted: a sentence is kept only when it cites findings of that paragraph and the verifier's NLI model,
reading the passages those findings were read from (their source sentences, as the papers wrote them) as premise,
gives it an entailment probability of at least ``synthesis.min_entailment``. Dropped sentences are counted (the
report's limitations say how many); a paragraph with no sentence left keeps its extractive form. The model and the
verifier are passed in as callables, so this package loads neither.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from synth.claims.prompts import Prompt, load_prompt
from synth.core.errors import AnswerWriterError
from synth.core.records import AnswerParagraph, AnswerSentence, Claim, Verdict
from synth.core.settings import ClaimsSettings

PROMPTS = Path(__file__).resolve().parent / "prompts"
Chat = Callable[[list[dict[str, str]]], str]
#: ``(premise, hypothesis) -> P(entailment)``
Entails = Callable[[str, str], float]


def answer_prompt() -> Prompt:
    return load_prompt("write_answer", PROMPTS)


class _Sentence(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    claims: list[str]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sentences: list[_Sentence]


def parse_sentences(content: str) -> list[_Sentence]:
    """The sentences of a model's answer (a code fence tolerated); ValueError when it is not the schema."""
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        return _Answer.model_validate(json.loads(text)).sentences
    except (json.JSONDecodeError, ValidationError) as err:
        raise ValueError(f"answer is not {{'sentences': [...]}} JSON: {type(err).__name__}: {content[:120]!r}") from None


def _verdict_word(verdict: Verdict | None) -> str:
    if verdict is None or verdict.label == "not_enough_evidence":
        lean = f", leans {verdict.leaning}" if verdict is not None and verdict.leaning else ""
        return f"not verified{lean}"
    return f"verified: {verdict.label}"


def rewrite(
    question: str,
    paragraph: AnswerParagraph,
    claims: dict[str, Claim],
    verdicts: dict[str, Verdict],
    chat: Chat,
    entails: Entails,
    min_entailment: float,
    prompt: Prompt | None = None,
) -> tuple[AnswerParagraph, int]:
    """The paragraph rewritten by the model, keeping only entailed sentences; (paragraph, sentences dropped)."""
    cited = [c for s in paragraph.sentences for c in s.claims if c in claims]
    if not cited:
        return paragraph, 0
    listing = "\n".join(f"[{c}] ({_verdict_word(verdicts.get(c))}) {claims[c].text}" for c in dict.fromkeys(cited))
    messages = (prompt or answer_prompt()).render(question=question, facet=paragraph.facet, findings=listing)
    try:
        proposed = parse_sentences(chat(messages))
    except ValueError:
        return paragraph, 1  # an answer that is not the schema: one dropped rewrite, the extractive paragraph stays
    kept: list[AnswerSentence] = []
    dropped = 0
    for item in proposed:
        ids = [c for c in dict.fromkeys(item.claims) if c in cited]
        text = " ".join(item.text.split())
        if not ids or len(ids) != len(set(item.claims)) or not text:
            dropped += 1
            continue
        premise = " ".join(s.original for c in ids for s in claims[c].sources[:1])
        p = float(entails(premise, text))
        if p < min_entailment:
            dropped += 1
            continue
        statuses = {(verdicts[c].label if c in verdicts else "not_enough_evidence") for c in ids}
        status = (
            "disagreement"
            if "refuted" in statuses and len(statuses) > 1
            else "supported"
            if statuses == {"supported"}
            else "refuted"
            if statuses == {"refuted"}
            else "not_verified"
        )
        papers = list(dict.fromkeys(p_id for c in ids for p_id in _papers(claims[c])))
        kept.append(
            AnswerSentence(text=text, claims=ids, papers=papers, status=status, entailment=round(p, 4))  # type: ignore[arg-type]
        )
    if not kept:
        return paragraph, dropped
    return paragraph.model_copy(update={"sentences": kept}), dropped


def _papers(claim: Claim) -> list[str]:
    return [s.paper_id for s in claim.sources]


def chat_client(settings: ClaimsSettings, timeout_s: float = 120.0) -> Chat:
    """A ``messages -> content`` function over the OpenAI-compatible endpoint ``settings.llm_url``."""
    import httpx

    url = settings.llm_url.rstrip("/") + "/chat/completions"

    def chat(messages: list[dict[str, str]]) -> str:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(settings.llm_api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body: dict[str, Any] = {"model": settings.llm_model, "messages": messages, "temperature": 0}
        body["response_format"] = {"type": "json_object"}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=timeout_s)
        except httpx.HTTPError as err:
            raise AnswerWriterError(f"cannot reach LLM at {url} for the answer: {type(err).__name__}: {err}") from None
        if response.status_code >= 400:
            raise AnswerWriterError(f"LLM at {url} answered HTTP {response.status_code}: {response.text[:200]!r}")
        try:
            return str(response.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise AnswerWriterError(
                f"LLM at {url} sent a response that is not a chat completion: {response.text[:200]!r}"
            ) from None

    return chat

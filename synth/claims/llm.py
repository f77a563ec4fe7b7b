"""The optional extractor: an LLM behind an OpenAI-compatible ``/v1/chat/completions`` endpoint.

Works with a local llama.cpp, vLLM or Ollama server (``settings.claims.llm_url``); an API key is sent only
when the environment variable named by ``settings.claims.llm_api_key_env`` is set. The prompt is
``prompts/extract_claims.md`` (variables validated on load).

The model's answer is never trusted as is:

- it must be JSON matching ``{"claims": [{"sentence": int, "kind": str, "text": str}]}``;
- each claim must point at a sentence that was in the request (so it maps to a real page and character span);
- its text must be a complete sentence and keep the source sentence's content words (a rewrite of "we", not a
  paraphrase or an invention) and every number the sentence states;
- numbers are read from the source sentence by the same code as the rules extractor, not from the model.

Everything refused is counted by reason in ``Extraction.reasons``. Transport failures (connection refused,
timeout, HTTP errors) and answers that are not JSON at all raise ``ExtractorError`` naming the server and the
paper, so the CLI prints one clear line.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from synth.claims.base import Candidate, Extraction
from synth.claims.decontext import clean_text, paper_context
from synth.claims.numbers import NUM, extract_numbers
from synth.claims.prompts import Prompt, load_prompt
from synth.claims.rules import eligible, is_complete
from synth.core.errors import ExtractorError, SynthError
from synth.core.records import ClaimKind, Paper, Sentence
from synth.core.settings import ClaimsSettings
from synth.ingest.pdf import guess_language

NAME = "llm"
BATCH = 40  # sentences per request: fits a 4k-token context with room for the answer
KINDS: tuple[ClaimKind, ...] = ("numeric", "comparative", "finding", "background", "limitation")
_CUE = {"numeric": 0.9, "comparative": 0.8, "finding": 0.7, "limitation": 0.7, "background": 0.5}
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "or",
    "to",
    "in",
    "on",
    "for",
    "with",
    "by",
    "is",
    "are",
    "was",
    "were",
    "that",
    "this",
    "we",
    "our",
    "it",
    "its",
    "be",
    "as",
    "at",
    "from",
    "than",
    "which",
    "these",
    "those",
    "their",
    "they",
}
HINT = (
    "Start an OpenAI-compatible server (llama.cpp, vLLM, Ollama) at settings.claims.llm_url, "
    "or use the offline default: SYNTH_CLAIMS__EXTRACTOR=rules."
)


class _LLMClaim(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sentence: int
    kind: ClaimKind
    text: str


class _LLMAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    claims: list[Any]


class LLMExtractor:
    """Claims from an LLM, validated against the paper's own sentences."""

    name = NAME

    def __init__(
        self, settings: ClaimsSettings, timeout_s: float = 120.0, client: httpx.Client | None = None, prompt: Prompt | None = None
    ) -> None:
        self.settings = settings
        self.url = settings.llm_url.rstrip("/") + "/chat/completions"
        self.timeout_s = timeout_s
        self.prompt = prompt or load_prompt("extract_claims")
        self._client = client
        # circuit breaker: after a transport failure (unreachable, timeout, HTTP error) the remaining papers fail at
        # once with the same error instead of each waiting for its own timeout
        self._broken: SynthError | None = None

    def extract(
        self, paper: Paper, sentences: list[Sentence], front: list[str] | None = None, captions: dict[str, str] | None = None
    ) -> Extraction:
        """Claims of one paper; raises SynthError when the server cannot be used at all."""
        ctx = paper_context(paper, sentences, front, captions)
        pool = [s for s in sentences if eligible(s)]
        result = Extraction(context=ctx)
        answered = 0
        errors: list[str] = []
        for start in range(0, len(pool), BATCH):
            batch = pool[start : start + BATCH]
            listing = "\n".join(f"[{i + 1}] {clean_text(s.text)}" for i, s in enumerate(batch))
            messages = self.prompt.render(
                title=ctx.ref.strip("“”") if ctx.ref.startswith("“") else paper.title,
                method_name=ctx.name or "(none named)",
                sentences=listing,
                kinds=", ".join(KINDS),
            )
            content = self._complete(messages, paper.id)
            try:
                items = _parse_answer(content)
            except ValueError as err:
                result.reject("invalid_json")
                errors.append(str(err))
                continue
            answered += 1
            for item in items:
                self._accept(item, batch, result)
        if pool and not answered:
            raise ExtractorError(f"LLM at {self.url} gave no usable answer for paper {paper.id}: {errors[0]}", hint=HINT)
        return result

    # -- transport ----------------------------------------------------------------------------------
    def _complete(self, messages: list[dict[str, str]], paper_id: str) -> str:
        if self._broken is not None:
            raise ExtractorError(f"{self._broken} (not retried for paper {paper_id})", hint=HINT)
        try:
            return self._request(messages, paper_id)
        except SynthError as err:
            self._broken = err
            raise

    def _request(self, messages: list[dict[str, str]], paper_id: str) -> str:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.settings.llm_api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = {
            "model": self.settings.llm_model,
            "messages": messages,
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        client = self._client or httpx.Client(timeout=self.timeout_s)
        try:
            response = client.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException:
            raise ExtractorError(f"LLM at {self.url} timed out after {self.timeout_s:g}s (paper {paper_id})", hint=HINT) from None
        except httpx.HTTPError as err:
            raise ExtractorError(
                f"cannot reach LLM at {self.url} (paper {paper_id}): {type(err).__name__}: {err}", hint=HINT
            ) from None
        finally:
            if self._client is None:
                client.close()
        if response.status_code >= 400:
            raise ExtractorError(
                f"LLM at {self.url} answered HTTP {response.status_code} (paper {paper_id}): {response.text[:200]!r}", hint=HINT
            )
        try:
            return str(response.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise ExtractorError(
                f"LLM at {self.url} sent a response that is not an OpenAI chat completion (paper {paper_id}): "
                f"{response.text[:200]!r}",
                hint=HINT,
            ) from None

    # -- validation ---------------------------------------------------------------------------------
    def _accept(self, item: Any, batch: list[Sentence], result: Extraction) -> None:
        try:
            claim = _LLMClaim.model_validate(item)
        except ValidationError:
            result.reject("schema")
            return
        if not 1 <= claim.sentence <= len(batch):
            result.reject("unknown_sentence")
            return
        source = batch[claim.sentence - 1]
        original = clean_text(source.text)
        text = clean_text(claim.text)
        if not is_complete(text):
            result.reject("incomplete_text")
            return
        if not _grounded(text, original):
            result.reject("not_grounded")
            return
        numbers = extract_numbers(original)
        kind: ClaimKind = claim.kind
        if kind == "numeric" and not numbers:
            kind = "finding"  # the model called it numeric, but the sentence states no result-like number
        language = guess_language(original)
        result.candidates.append(
            Candidate(
                sentence=source,
                text=text,
                kind=kind,
                numbers=numbers if kind == "numeric" else [],
                cue=_CUE[kind],
                language="en" if language == "unknown" else language,
            )
        )


def _parse_answer(content: str) -> list[Any]:
    """The list of claims in a model's answer (code fences tolerated); ValueError when it is not the schema."""
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"answer is not JSON ({err.msg} at char {err.pos}): {content[:120]!r}") from None
    try:
        return _LLMAnswer.model_validate(data).claims
    except ValidationError:
        raise ValueError(f"answer JSON lacks a 'claims' list: {content[:120]!r}") from None


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9\-]+", text.lower()) if w not in _STOP}


def _grounded(text: str, original: str) -> bool:
    """The rewrite keeps most of the source's content words and every number it states."""
    src = _content_words(original)
    if not src:
        return False
    kept = len(src & _content_words(text)) / len(src)
    numbers_src = set(re.findall(NUM, original))
    numbers_out = set(re.findall(NUM, text))
    return kept >= 0.7 and numbers_src <= numbers_out

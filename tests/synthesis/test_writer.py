"""The abstractive answer: only sentences that cite the paragraph's findings and that the verifier finds entailed."""

from __future__ import annotations

import json

import pytest

from synth.core.errors import AnswerWriterError
from synth.core.records import AnswerParagraph, AnswerSentence
from synth.core.settings import ClaimsSettings
from synth.synthesis.writer import answer_prompt, chat_client, parse_sentences, rewrite
from tests.fixtures.llm_server import FakeLLM
from tests.synthesis.test_synthesize import RUN

CLAIMS = {c.id: c for c in RUN.claims}
PARAGRAPH = AnswerParagraph(
    facet="zero-shot cross-lingual transfer",
    facet_id="F1",
    sentences=[
        AnswerSentence(text=CLAIMS["C001"].text, claims=["C001"], papers=["a", "b"], status="supported"),
        AnswerSentence(text=CLAIMS["C004"].text, claims=["C004"], papers=["a", "b"], status="refuted"),
    ],
)


def _chat(answer: dict | str):  # type: ignore[no-untyped-def]
    seen: list[list[dict[str, str]]] = []

    def chat(messages: list[dict[str, str]]) -> str:
        seen.append(messages)
        return answer if isinstance(answer, str) else json.dumps(answer)

    return chat, seen


def _entails_if_words_shared(premise: str, hypothesis: str) -> float:
    p, h = set(premise.lower().split()), set(hypothesis.lower().split())
    return len(p & h) / max(1, len(h))


def test_sentences_that_their_passages_do_not_entail_are_dropped_and_counted() -> None:
    chat, seen = _chat(
        {
            "sentences": [
                {
                    "text": "Zero-shot cross-lingual transfer of multilingual encoders works without parallel data.",
                    "claims": ["C001"],
                },
                {"text": "Quantum computers will replace encoders by 2030.", "claims": ["C001"]},  # not entailed
                {"text": "It fails for distant scripts.", "claims": ["C999"]},  # cites no finding of the paragraph
            ]
        }
    )
    new, dropped = rewrite(QUESTION := RUN.question, PARAGRAPH, CLAIMS, RUN.verdicts, chat, _entails_if_words_shared, 0.8)
    assert dropped == 2
    [kept] = new.sentences
    assert kept.claims == ["C001"] and kept.status == "supported" and kept.entailment == 1.0
    user = seen[0][-1]["content"]
    assert QUESTION in user and "[C001] (verified: supported)" in user and "[C004] (verified: refuted)" in user


def test_a_paragraph_left_empty_keeps_its_extractive_form() -> None:
    chat, _ = _chat({"sentences": [{"text": "Something else entirely.", "claims": ["C001"]}]})
    new, dropped = rewrite(RUN.question, PARAGRAPH, CLAIMS, RUN.verdicts, chat, lambda p, h: 0.0, 0.5)
    assert new == PARAGRAPH and dropped == 1


def test_an_answer_that_is_not_the_schema_is_one_dropped_rewrite() -> None:
    chat, _ = _chat("Sure! Here is a paragraph.")
    assert rewrite(RUN.question, PARAGRAPH, CLAIMS, RUN.verdicts, chat, lambda p, h: 1.0, 0.5) == (PARAGRAPH, 1)
    with pytest.raises(ValueError, match="sentences"):
        parse_sentences('{"claims": []}')
    assert parse_sentences('```json\n{"sentences": []}\n```') == []


def test_the_prompt_declares_its_variables() -> None:
    prompt = answer_prompt()
    assert prompt.variables == {"question", "facet", "findings"}


def test_the_chat_client_speaks_openai_and_names_a_dead_server() -> None:
    with FakeLLM() as server:
        server.mode = "ok"
        chat = chat_client(ClaimsSettings(llm_url=server.url))
        content = chat([{"role": "user", "content": "Sentences:\n[1] We find that X outperforms Y."}])
        assert isinstance(content, str)
        assert server.requests[-1]["path"].endswith("/chat/completions")
        server.mode = "http500"
        with pytest.raises(AnswerWriterError, match="HTTP 500"):
            chat([{"role": "user", "content": "x"}])
    dead = chat_client(ClaimsSettings(llm_url="http://127.0.0.1:9/v1"), timeout_s=2)
    with pytest.raises(AnswerWriterError, match="cannot reach"):
        dead([{"role": "user", "content": "x"}])

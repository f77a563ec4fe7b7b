"""The LLM extractor against a fake OpenAI-compatible server on 127.0.0.1: validation of answers, clear errors."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator

import pytest

from synth.claims.llm import LLMExtractor
from synth.core.errors import SynthError
from synth.core.records import Paper, Sentence
from synth.core.settings import ClaimsSettings
from tests.paths import FIXTURES

_spec = importlib.util.spec_from_file_location("llm_server", FIXTURES / "llm_server.py")
assert _spec and _spec.loader
llm_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(llm_server)

PAPER = Paper(id="2104.08645v1", title="Improving Zero-Shot Cross-Lingual Transfer Learning via Robust Training", source="arxiv")
TEXTS = [
    "We train the model for ten epochs on the English training set.",
    "We find that randomized smoothing outperforms adversarial training on PAWS-X.",
    "Robust training improves accuracy by 2.1% on PAWS-X for distant languages.",
]


def sentences() -> list[Sentence]:
    return [
        Sentence(
            id=f"{PAPER.id}#s{i}",
            paper_id=PAPER.id,
            page=3,
            section="5 Results",
            char_start=100 * i,
            char_end=100 * i + len(t),
            text=t,
        )
        for i, t in enumerate(TEXTS)
    ]


@pytest.fixture
def server() -> Iterator[object]:
    with llm_server.FakeLLM() as fake:
        yield fake


def extractor(url: str, timeout_s: float = 10.0, key_env: str = "SYNTH_TEST_LLM_KEY_UNSET") -> LLMExtractor:
    return LLMExtractor(
        ClaimsSettings(extractor="llm", llm_url=url, llm_model="tiny", llm_api_key_env=key_env), timeout_s=timeout_s
    )


@pytest.mark.parametrize("mode", ["ok", "fenced"])
def test_valid_claims_are_kept_and_junk_rejected_and_counted(server, mode: str) -> None:  # noqa: ANN001
    server.mode = mode
    result = extractor(server.url).extract(PAPER, sentences())
    assert [(c.sentence.id, c.kind) for c in result.candidates] == [
        (f"{PAPER.id}#s1", "comparative"),
        (f"{PAPER.id}#s2", "numeric"),
    ]
    assert result.candidates[0].text.startswith("The authors find that randomized smoothing")
    (n,) = result.candidates[1].numbers  # numbers come from the source sentence, not from the model
    assert (n.value, n.unit, n.metric, n.dataset, n.direction) == (2.1, "%", "accuracy", "PAWS-X", "increase")
    assert result.reasons == {"unknown_sentence": 1, "not_grounded": 1, "incomplete_text": 1, "schema": 1}
    assert result.rejected == 4


def test_request_is_an_openai_chat_completion_without_a_key(server, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("SYNTH_TEST_LLM_KEY", raising=False)
    extractor(server.url, key_env="SYNTH_TEST_LLM_KEY").extract(PAPER, sentences())
    (req,) = server.requests
    assert req["path"] == "/v1/chat/completions"
    assert req["body"]["model"] == "tiny" and [m["role"] for m in req["body"]["messages"]] == ["system", "user"]
    assert "Authorization" not in req["headers"]
    assert "[2] We find that randomized smoothing" in req["body"]["messages"][1]["content"]


def test_api_key_is_sent_when_the_named_variable_is_set(server, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SYNTH_TEST_LLM_KEY", "sk-test")
    extractor(server.url, key_env="SYNTH_TEST_LLM_KEY").extract(PAPER, sentences())
    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("bad_json", "answer is not JSON"),
        ("not_chat", "not an OpenAI chat completion"),
        ("http500", "answered HTTP 500"),
    ],
)
def test_server_failures_are_clear_errors(server, mode: str, message: str) -> None:  # noqa: ANN001
    server.mode = mode
    with pytest.raises(SynthError) as err:
        extractor(server.url).extract(PAPER, sentences())
    assert message in str(err.value) and PAPER.id in str(err.value)
    assert "llm_url" in err.value.hint


def test_timeout_is_a_clear_error(server) -> None:  # noqa: ANN001
    server.mode, server.delay_s = "slow", 2.0
    with pytest.raises(SynthError, match=r"timed out after 0.3s \(paper 2104.08645v1\)"):
        extractor(server.url, timeout_s=0.3).extract(PAPER, sentences())


def test_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(SynthError, match="cannot reach LLM"):
        extractor(f"http://127.0.0.1:{port}/v1", timeout_s=2).extract(PAPER, sentences())


def test_after_a_transport_failure_later_papers_fail_fast(server) -> None:  # noqa: ANN001
    server.mode = "http500"
    ex = extractor(server.url)
    for _ in range(3):
        with pytest.raises(SynthError, match="HTTP 500"):
            ex.extract(PAPER, sentences())
    assert len(server.requests) == 1  # one request, not one per paper

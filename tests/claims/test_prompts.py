"""Prompt files declare their variables; unknown or missing variables are errors at load and at render."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.claims.prompts import load_all, load_prompt, parse_prompt
from synth.core.errors import ConfigError

GOOD = """---
name: demo
variables: title, sentences
---
## system
Answer as JSON: {{"claims": []}}
## user
Title: {title}
{sentences}
"""


def test_every_bundled_prompt_loads_and_renders() -> None:
    prompts = load_all()
    assert "extract_claims" in prompts
    for prompt in prompts.values():
        messages = prompt.render(**{v: f"<{v}>" for v in prompt.variables})
        assert messages[-1]["role"] == "user"
        assert all("{" + v + "}" not in m["content"] for m in messages for v in prompt.variables)


def test_literal_braces_and_render() -> None:
    prompt = parse_prompt(GOOD, Path("demo.md"))
    system, user = prompt.render(title="T", sentences="[1] S.")
    assert system["content"] == 'Answer as JSON: {"claims": []}'
    assert user["content"] == "Title: T\n[1] S."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("Title: {title}", "Title: {titel}"), "undeclared variable(s) titel"),
        (GOOD.replace("variables: title, sentences", "variables: title, sentences, extra"), "never uses: extra"),
        (GOOD.split("---\n", 2)[2], "no front matter"),
        (GOOD.replace("## user", "## assistant"), "unknown section"),
        (GOOD.replace("{sentences}", "{sentences[0]}"), "not a plain name"),
    ],
)
def test_invalid_prompts_are_rejected_on_load(text: str, message: str) -> None:
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    ):
        parse_prompt(text, Path("demo.md"))


def test_render_rejects_missing_and_unknown_variables() -> None:
    prompt = parse_prompt(GOOD, Path("demo.md"))
    with pytest.raises(ConfigError, match="missing variable"):
        prompt.render(title="T")
    with pytest.raises(ConfigError, match="unknown variable"):
        prompt.render(title="T", sentences="S", other="x")


def test_missing_prompt_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="prompt file not found"):
        load_prompt("nope", tmp_path)

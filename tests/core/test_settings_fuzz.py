"""Fuzzing the settings loader: any synth.toml and any SYNTH_* value either loads or raises ConfigError (one line,
exit 2), never an unexpected exception, and a bad value names where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.core.errors import ConfigError
from synth.core.settings import SynthSettings, load_settings

KEYS = ["home", "embedding_model", "device", "search.max_papers", "search.categories", "search.since", "search.source",
        "search.timeout_s", "verify.top_k", "verify.threshold", "claims.extractor", "report.formats", "nonsense"]  # fmt: skip
TOML_VALUES = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.lists(st.text(alphabet="abc.XY", max_size=5), max_size=3).map(lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"),
    st.sampled_from(["true", "1979-05-27", "{}", "[1, 2]", "cpu", "'x'"]),
)
fuzz = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load() -> SynthSettings | None:
    try:
        return load_settings()
    except ConfigError as err:
        assert "\n" not in str(err) and err.exit_code == 2
        return None


@fuzz
@given(pairs=st.lists(st.tuples(st.sampled_from(KEYS), TOML_VALUES), max_size=4), junk=st.text(max_size=40))
def test_any_synth_toml(tmp_path: Path, pairs: list[tuple[str, str]], junk: str) -> None:
    top = [f"{k} = {v}" for k, v in pairs if "." not in k]
    sections: dict[str, list[str]] = {}
    for k, v in pairs:
        if "." in k:
            section, name = k.split(".")
            sections.setdefault(section, []).append(f"{name} = {v}")
    text = "\n".join(top + [f"[{s}]\n" + "\n".join(lines) for s, lines in sections.items()] + [junk])
    (tmp_path / "synth.toml").write_text(text, encoding="utf-8")
    _load()


@fuzz
@given(key=st.sampled_from(KEYS), value=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30))
def test_any_environment_value(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    name = "SYNTH_" + key.upper().replace(".", "__")
    monkeypatch.setenv(name, value)
    try:
        loaded = _load()
        if loaded is not None:
            assert loaded.home.is_absolute() or str(loaded.home) != ""
    finally:
        monkeypatch.delenv(name)

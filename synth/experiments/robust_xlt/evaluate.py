"""Accuracy of a trained pair classifier on labeled pairs (batched by length, no gradients)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synth.experiments.robust_xlt.data import Pair


def predict(
    model: Any, tokenizer: Any, pairs: Sequence[Pair], *, max_length: int, batch_size: int, device: str, bf16: bool = True
) -> list[int]:
    """Predicted label index per pair, in input order."""
    import torch

    from synth.experiments.robust_xlt.train import encode_batch

    model.eval()
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].s1) + len(pairs[i].s2))
    preds = [0] * len(pairs)
    use_bf16 = device == "cuda" and bf16
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = encode_batch(tokenizer, [pairs[i] for i in idx], max_length, device)
            ids, mask = enc.pop("input_ids"), enc.pop("attention_mask")
            if use_bf16:
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    logits = model(model.embed(ids), mask, **enc)
            else:
                logits = model(model.embed(ids), mask, **enc)
            for i, p in zip(idx, logits.argmax(-1).tolist(), strict=True):
                preds[i] = p
    return preds


def accuracy(model: Any, tokenizer: Any, pairs: Sequence[Pair], **kw: Any) -> float:
    """Share of pairs whose predicted label equals the gold label (pairs without a label are an error)."""
    if not pairs:
        return float("nan")
    if any(p.label is None for p in pairs):
        raise ValueError("accuracy() needs labeled pairs")
    preds = predict(model, tokenizer, pairs, **kw)
    return sum(int(p == q.label) for p, q in zip(preds, pairs, strict=True)) / len(pairs)

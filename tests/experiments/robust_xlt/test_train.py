"""Perturbations on input embeddings stay within their norms; the epoch plans; method parsing."""

from __future__ import annotations

import pytest
import torch

from synth.core.errors import ExperimentError
from synth.experiments.robust_xlt.data import Pair
from synth.experiments.robust_xlt.train import epoch_plan, gaussian_noise, parse_methods, pgd_delta, project_l2


def test_project_l2():
    x = torch.randn(4, 7, 16) * 10
    p = project_l2(x, 0.5)
    assert torch.all(p.norm(dim=-1) <= 0.5 + 1e-5)
    small = torch.full((1, 1, 4), 0.01)
    assert torch.allclose(project_l2(small, 0.5), small)


def test_gaussian_noise_scale_mask_and_clip():
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    g = torch.Generator().manual_seed(0)
    n = gaussian_noise((2, 4, 384), 0.01, mask, g)
    assert torch.all(n[0, 3] == 0) and torch.all(n[1, 2:] == 0)
    assert abs(n[mask.bool()].std().item() - 0.01) < 0.001
    clipped = gaussian_noise((2, 4, 384), 0.01, mask, torch.Generator().manual_seed(0), max_norm=0.05)
    assert torch.all(clipped.norm(dim=-1) <= 0.05 + 1e-6)
    again = gaussian_noise((2, 4, 384), 0.01, mask, torch.Generator().manual_seed(0))
    assert torch.equal(n, again)


def test_pgd_stays_in_ball_and_increases_loss():
    torch.manual_seed(0)
    w = torch.randn(8)
    emb = torch.randn(3, 5, 8)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])

    def loss_fn(x: torch.Tensor) -> torch.Tensor:
        return (x @ w).sum()

    d = pgd_delta(loss_fn, emb, mask, eps=0.3, alpha=0.2, steps=5, generator=torch.Generator().manual_seed(1))
    assert torch.all(d.norm(dim=-1) <= 0.3 + 1e-5)
    assert torch.all(d[~mask.bool()] == 0)
    assert loss_fn(emb + d) > loss_fn(emb)
    # a linear loss is maximised on the sphere along w: the delta ends up (nearly) at the boundary
    assert torch.all(d[mask.bool()].norm(dim=-1) > 0.29)


def test_parse_methods():
    assert parse_methods(["baseline,rs-da", "adv", "rs-da"]) == ["baseline", "rs-da", "adv"]
    with pytest.raises(ExperimentError):
        parse_methods(["dropout"])


def test_epoch_plans():
    train = [Pair(f"a good movie {i}", "fine", i % 2, i) for i in range(10)]
    base, changed = epoch_plan(train, "baseline", 2, 3, seed=1, equal_steps=True)
    assert changed is None and len(base) == 2 and sorted(p.row for p in base[0]) == list(range(10))
    equal, changed = epoch_plan(train, "rs-da", 2, 3, seed=1, equal_steps=True)
    assert changed == 1.0 and [len(e) for e in equal] == [10, 10]
    assert sorted(p.row for p in equal[1]) == list(range(10))
    authors, _ = epoch_plan(train, "rs-da", 1, 3, seed=1, equal_steps=False)
    assert len(authors[0]) == 30
    assert epoch_plan(train, "rs-da", 2, 3, seed=1, equal_steps=True) == (equal, 1.0)

"""Data loaders on slices of the real PAWS-X / XNLI files, the protocol split and the generalized pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.core.errors import ExperimentError
from synth.experiments.robust_xlt.data import Pair, XtremeDir, build_protocol, get_task, mixed_pairs
from tests.paths import SHARED

DATA = SHARED
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared benchmark data not found at {DATA}")


def _slice(src: Path, dst: Path, n: int, header: bool = False) -> None:
    lines = src.read_text(encoding="utf-8").split("\n")
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("\n".join(lines[: n + header]) + "\n", encoding="utf-8")


@pytest.fixture
def small_xnli(tmp_path: Path) -> Path:
    """A 60-row slice of the shared XNLI layout: xtreme-format/ plus the derived test labels."""
    root = tmp_path / "xnli"
    for lang in ("en", "de", "sw"):
        _slice(DATA / "xnli/xtreme-format" / f"dev-{lang}.tsv", root / "xtreme-format" / f"dev-{lang}.tsv", 60)
        _slice(DATA / "xnli/xtreme-format" / f"test-{lang}.tsv", root / "xtreme-format" / f"test-{lang}.tsv", 60)
    _slice(DATA / "xnli/test-labels.derived.txt", root / "test-labels.derived.txt", 60)
    return root


@pytest.fixture
def small_pawsx(tmp_path: Path) -> Path:
    root = tmp_path / "pawsx"
    for lang in ("en", "de", "es", "zh"):
        _slice(DATA / "pawsx/xtreme-format" / f"dev-{lang}.tsv", root / "xtreme-format" / f"dev-{lang}.tsv", 80)
        _slice(DATA / "pawsx/xtreme-format" / f"test-{lang}.tsv", root / "xtreme-format" / f"test-{lang}.tsv", 80)
    for lang in ("de", "zh"):
        _slice(DATA / "pawsx/hf-labeled" / f"test-{lang}.tsv", root / "hf-labeled" / f"test-{lang}.tsv", 80, True)
    return root


@needs_data
def test_xnli_loader(small_xnli: Path):
    src = XtremeDir(small_xnli)
    task = get_task("xnli")
    dev = src.load(task, "dev", "en")
    assert len(dev) == 60 and dev[0].s1.startswith("And he said")
    assert task.labels[dev[0].label] == "neutral"
    test_de = src.load(task, "test", "de")
    assert len(test_de) == 60 and all(p.label is not None for p in test_de)
    # derived labels are shared: same label per row in every language
    assert [p.label for p in test_de] == [p.label for p in src.load(task, "test", "sw")]
    # dev labels agree across languages row by row
    assert [p.label for p in dev] == [p.label for p in src.load(task, "dev", "de")]


@needs_data
def test_pawsx_loader_labels_only_where_they_exist(small_pawsx: Path):
    src = XtremeDir(small_pawsx)
    task = get_task("pawsx")
    assert all(p.label is not None for p in src.load(task, "test", "de"))
    assert all(p.label is None for p in src.load(task, "test", "es"))  # XTREME strips test labels
    assert src.load(task, "dev", "es")[0].label in (0, 1)


@needs_data
def test_protocol_split(small_pawsx: Path, small_xnli: Path):
    x = build_protocol(
        get_task("xnli"),
        XtremeDir(small_xnli),
        langs=("en", "de", "sw"),
        generalized_langs=("en", "sw"),
        n_train=30,
        n_select=10,
        n_test=20,
        n_generalized=15,
    )
    assert len(x.train) == 30 and len(x.select) == 10
    assert not {p.row for p in x.train} & {p.row for p in x.select}
    assert set(x.test_source.values()) == {"test"} and len(x.test["sw"]) == 20
    assert [p.row for p in x.test["de"]] == [p.row for p in x.test["sw"]]  # same rows in every language
    assert set(x.generalized) == {"en-sw", "sw-en"} and len(x.generalized["en-sw"]) == 15
    again = build_protocol(
        get_task("xnli"),
        XtremeDir(small_xnli),
        langs=("en", "de", "sw"),
        generalized_langs=("en", "sw"),
        n_train=30,
        n_select=10,
        n_test=20,
        n_generalized=15,
    )
    assert again.train == x.train and again.test == x.test  # the split never depends on anything but split_seed

    p = build_protocol(
        get_task("pawsx"),
        XtremeDir(small_pawsx),
        langs=("en", "de", "es", "zh"),
        generalized_langs=("en", "de"),
        n_train=None,
        n_select=10,
        n_test=None,
        n_generalized=None,
        pawsx_holdout=20,
    )
    assert p.test_source == {"en": "dev-holdout", "de": "test", "es": "dev-holdout", "zh": "test"}
    held = {q.row for q in p.test["es"]}
    assert len(held) == 20 and not held & {q.row for q in p.train + p.select}  # never a translated training row
    assert len(p.train) == 80 - 20 - 10
    gen_rows = {q.row for q in p.generalized["en-de"]}
    assert gen_rows <= held


@needs_data
def test_errors_name_what_to_do(tmp_path: Path, small_xnli: Path):
    with pytest.raises(ExperimentError, match="does not exist"):
        XtremeDir(tmp_path / "nowhere")
    with pytest.raises(ExperimentError, match="no language xx"):
        build_protocol(
            get_task("xnli"),
            XtremeDir(small_xnli),
            langs=("en", "xx"),
            generalized_langs=(),
            n_train=10,
            n_select=5,
            n_test=5,
            n_generalized=5,
        )
    with pytest.raises(ExperimentError, match="No test-el.tsv"):
        build_protocol(
            get_task("xnli"),
            XtremeDir(small_xnli),
            langs=("en", "el"),
            generalized_langs=(),
            n_train=10,
            n_select=5,
            n_test=5,
            n_generalized=5,
        )
    with pytest.raises(ExperimentError):
        get_task("mnli")


def test_mixed_pairs_keep_only_agreeing_labels():
    by_lang = {
        "en": [Pair("e1", "e2", 1, 0), Pair("f1", "f2", 0, 1), Pair("g1", "g2", 1, 2)],
        "de": [Pair("d1", "d2", 1, 0), Pair("h1", "h2", 1, 1), Pair("i1", "i2", None, 2)],
    }
    out, dropped = mixed_pairs(by_lang, [("en", "de"), ("de", "en")], rows=[0, 1, 2])
    assert out["en-de"] == [Pair("e1", "d2", 1, 0)]
    assert out["de-en"] == [Pair("d1", "e2", 1, 0)]
    assert dropped == {"en-de": 2, "de-en": 2}

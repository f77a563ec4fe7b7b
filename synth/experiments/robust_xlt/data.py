"""Sentence-pair data for PAWS-X and XNLI: XTREME-layout loaders, a Hugging Face loader, the protocol split, and
the *generalized* mixed-language pairs.

XTREME layout: ``{split}-{lang}.tsv`` with ``sentence1 \\t sentence2 [\\t label]`` and no header; rows are
line-aligned across languages. The loader also understands the layout of synth's shared benchmark data
(``xtreme-format/`` plus separately stored test labels), because XTREME strips the test labels.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from synth.core.errors import ExperimentError


@dataclass(frozen=True)
class Pair:
    """One sentence pair; ``row`` is its line in the (row-aligned) source file, ``label`` an index or None."""

    s1: str
    s2: str
    label: int | None
    row: int


@dataclass(frozen=True)
class Task:
    """A sentence-pair task: its languages and label names (in the order the classifier's outputs use)."""

    name: str
    display: str
    langs: tuple[str, ...]
    labels: tuple[str, ...]
    rsda_copies: int  # the authors' --num for perturb.py
    hf_name: str
    hf_fields: tuple[str, str]


# Label orders follow XTREME's processors (xnli.py: contradiction, entailment, neutral; pawsx.py: 0, 1).
TASKS: dict[str, Task] = {
    "xnli": Task(
        "xnli",
        "XNLI",
        ("en", "ar", "bg", "de", "el", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"),
        ("contradiction", "entailment", "neutral"),
        3,
        "facebook/xnli",
        ("premise", "hypothesis"),
    ),
    "pawsx": Task(
        "pawsx",
        "PAWS-X",
        ("en", "de", "es", "fr", "ja", "ko", "zh"),
        ("0", "1"),
        10,
        "google-research-datasets/paws-x",
        ("sentence1", "sentence2"),
    ),
}


def get_task(name: str) -> Task:
    """The task called ``name`` (``xnli`` or ``pawsx``), or an ExperimentError naming the choices."""
    key = name.lower().replace("-", "")
    if key not in TASKS:
        raise ExperimentError(f"Unknown task {name!r}.", hint=f"Use --task with one of: {', '.join(TASKS)}.")
    return TASKS[key]


def check_langs(task: Task, langs: Sequence[str]) -> None:
    """Raise an ExperimentError for a language the task does not have."""
    bad = [lang for lang in langs if lang not in task.langs]
    if bad:
        raise ExperimentError(f"{task.display} has no language {', '.join(bad)}.", hint=f"Choose from: {', '.join(task.langs)}.")


class PairSource(Protocol):
    """Where pairs come from: ``load(task, split, lang)`` returns row-ordered pairs (labels may be None)."""

    description: str

    def load(self, task: Task, split: str, lang: str) -> list[Pair]: ...


def _read_lines(path: Path) -> list[str]:
    # split on "\n" only: some sentences hold other Unicode line separators that str.splitlines would break on
    text = path.read_text(encoding="utf-8")
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class XtremeDir:
    """An XTREME-layout directory (``{split}-{lang}.tsv``), optionally with synth's shared test-label files."""

    root: Path
    description: str = ""
    _cache: dict[tuple[str, str, str], list[Pair]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).expanduser()
        if not self.root.is_dir():
            raise ExperimentError(
                f"Data directory {self.root} does not exist.",
                hint="Pass --data-dir pointing at a folder with {split}-{lang}.tsv files (XTREME layout), "
                "or leave --data-dir out to download the Hugging Face datasets.",
            )
        self.description = f"XTREME-layout TSV files under {self.root}"

    def _file(self, task: Task, split: str, lang: str) -> Path:
        names = [f"{split}-{lang}.tsv"]
        for base in (self.root, self.root / "xtreme-format", self.root / task.name, self.root / task.name / "xtreme-format"):
            for name in names:
                if (base / name).is_file():
                    return base / name
        raise ExperimentError(
            f"No {split}-{lang}.tsv for {task.display} under {self.root}.",
            hint=f"The folder needs {split}-{lang}.tsv (XTREME layout); check --data-dir and --langs.",
        )

    def _label_index(self, task: Task, raw: str, where: str) -> int:
        raw = raw.strip()
        if raw not in task.labels:
            raise ExperimentError(f"Unknown {task.display} label {raw!r} in {where}.", hint="Is --task right?")
        return task.labels.index(raw)

    def _test_labels(self, task: Task, lang: str, base: Path, n: int, rows: list[list[str]]) -> list[int | None]:
        """Labels stored beside an unlabeled XTREME test file (synth's shared data), else all None."""
        for d in (base, base.parent):
            derived = d / "test-labels.derived.txt"  # XNLI: labels shared by all languages
            if task.name == "xnli" and derived.is_file():
                labels = _read_lines(derived)
                if len(labels) != n:
                    raise ExperimentError(f"{derived} has {len(labels)} labels for {n} rows.", hint="Fix the data.")
                return [self._label_index(task, x, str(derived)) for x in labels]
            hf = d / "hf-labeled" / f"test-{lang}.tsv"  # PAWS-X: labels exist per language, de and zh only
            if task.name == "pawsx" and hf.is_file():
                lines = _read_lines(hf)[1:]
                if len(lines) != n:
                    raise ExperimentError(f"{hf} has {len(lines)} rows, test-{lang}.tsv {n}.", hint="Fix the data.")
                out: list[int | None] = []
                for i, line in enumerate(lines):
                    cols = line.split("\t")
                    # the labels belong to these exact rows: check the sentence, ignoring whitespace
                    if cols[1].split() != rows[i][0].split():
                        raise ExperimentError(f"{hf} row {i + 1} does not match test-{lang}.tsv.", hint="Fix the data.")
                    out.append(self._label_index(task, cols[-1], str(hf)))
                return out
        return [None] * n

    def load(self, task: Task, split: str, lang: str) -> list[Pair]:
        """Row-ordered pairs of ``{split}-{lang}.tsv``; test labels from the shared label files when present."""
        key = (task.name, split, lang)
        if key in self._cache:
            return self._cache[key]
        path = self._file(task, split, lang)
        rows = [line.split("\t") for line in _read_lines(path)]
        for i, cols in enumerate(rows):
            if len(cols) not in (2, 3):
                raise ExperimentError(f"{path} line {i + 1} has {len(cols)} columns.", hint="Expected 2 or 3.")
        if all(len(c) == 3 for c in rows):
            labels: list[int | None] = [self._label_index(task, c[2], f"{path}:{i + 1}") for i, c in enumerate(rows)]
        else:
            labels = self._test_labels(task, lang, path.parent, len(rows), rows)
        pairs = [Pair(c[0], c[1], lab, i) for i, (c, lab) in enumerate(zip(rows, labels, strict=True))]
        self._cache[key] = pairs
        return pairs


@dataclass
class HFDatasets:
    """The Hugging Face Hub copies of XNLI and PAWS-X (needs network the first time; then the datasets cache)."""

    description: str = "Hugging Face datasets (facebook/xnli, google-research-datasets/paws-x)"

    def load(self, task: Task, split: str, lang: str) -> list[Pair]:
        """Row-ordered pairs; HF keeps test labels, and its label ids are mapped to the task's label names."""
        try:
            import datasets
        except ImportError as exc:  # pragma: no cover - datasets is a dependency of the experiment extra
            raise ExperimentError("The `datasets` package is missing.", hint="pip install datasets") from exc
        hf_split = {"dev": "validation"}.get(split, split)
        try:
            ds = datasets.load_dataset(task.hf_name, lang, split=hf_split)
        except Exception as exc:  # noqa: BLE001 - offline, missing config, hub errors: all mean "no data"
            raise ExperimentError(
                f"Could not load {task.hf_name} ({lang}, {hf_split}) from the Hugging Face Hub: {exc}",
                hint="Check your network, or pass --data-dir with XTREME-layout {split}-{lang}.tsv files.",
            ) from exc
        names = ds.features["label"].names if hasattr(ds.features["label"], "names") else None
        a, b = task.hf_fields
        out = []
        for i, ex in enumerate(ds):
            lab = ex["label"]
            if lab is None or lab < 0:
                idx = None
            else:
                name = names[lab] if names else str(lab)
                idx = task.labels.index(name)
            out.append(Pair(ex[a], ex[b], idx, i))
        return out


# ----------------------------------------------------------------------------------------------- protocol


@dataclass(frozen=True)
class Split:
    """Which rows train, which select the checkpoint, which test: the honest split for data without train files."""

    task: str
    train: list[Pair]
    select: list[Pair]
    test: dict[str, list[Pair]]  # language -> labeled pairs
    test_source: dict[str, str]  # language -> "test" | "dev-holdout"
    generalized: dict[str, list[Pair]]  # "a-b" -> mixed pairs (s1 in a, s2 in b)
    description: dict[str, object]


def _sample(rows: list[int], n: int | None, rng: random.Random) -> list[int]:
    if n is None or n >= len(rows):
        return sorted(rows)
    return sorted(rng.sample(rows, n))


def mixed_pairs(
    by_lang: dict[str, list[Pair]], lang_pairs: Sequence[tuple[str, str]], rows: Sequence[int]
) -> tuple[dict[str, list[Pair]], dict[str, int]]:
    """Generalized-setting pairs: sentence 1 from language a, sentence 2 from b, on the same aligned row.

    A row is kept only when both languages carry a label for it and the labels agree (XNLI: always; PAWS-X:
    translation sometimes changes whether two sentences are paraphrases, so disagreeing rows are dropped).
    Returns the pairs per "a-b" and how many rows were dropped per "a-b".
    """
    out: dict[str, list[Pair]] = {}
    dropped: dict[str, int] = {}
    for a, b in lang_pairs:
        pa, pb = by_lang[a], by_lang[b]
        if len(pa) != len(pb):
            raise ExperimentError(
                f"{a} and {b} files differ in length ({len(pa)} vs {len(pb)}).", hint="Generalized pairs need row-aligned files."
            )
        keep, drop = [], 0
        for r in rows:
            x, y = pa[r], pb[r]
            if x.label is None or x.label != y.label:
                drop += 1
                continue
            keep.append(Pair(x.s1, y.s2, x.label, r))
        out[f"{a}-{b}"] = keep
        dropped[f"{a}-{b}"] = drop
    return out, dropped


def build_protocol(
    task: Task,
    source: PairSource,
    *,
    langs: Sequence[str],
    generalized_langs: Sequence[str],
    n_train: int | None,
    n_select: int,
    n_test: int | None,
    n_generalized: int | None,
    pawsx_holdout: int = 400,
    split_seed: int = 0,
) -> Split:
    """Split English dev into train / selection (/ a PAWS-X held-out block) and pick test rows per language.

    * train and selection: disjoint parts of the English **dev** set (there is no English train file here);
    * XNLI test: the labeled test set of every language (dev and test are different rows, so no test row is a
      translation of a training row; checked below on the English text);
    * PAWS-X test: de and zh have labeled test sets; for en/es/fr/ja/ko the only labels are on dev, so a block
      of ``pawsx_holdout`` dev rows is never trained on and its translations are the test set for those languages
      (``test_source`` says which); the generalized pairs are built from that block too, because it is labeled in
      all seven languages.

    The split depends on ``split_seed`` only, never on the training seed, so every seed and method sees the same rows.
    """
    check_langs(task, langs)
    check_langs(task, generalized_langs)
    rng = random.Random(f"{task.name}-{split_seed}")
    dev_en = source.load(task, "dev", "en")
    order = list(range(len(dev_en)))
    rng.shuffle(order)
    holdout: list[int] = []
    if task.name == "pawsx":
        holdout, order = sorted(order[:pawsx_holdout]), order[pawsx_holdout:]
    select_rows, train_rows = order[:n_select], order[n_select:]
    if n_train is not None:
        train_rows = train_rows[:n_train]
    train = [dev_en[i] for i in sorted(train_rows)]
    select = [dev_en[i] for i in sorted(select_rows)]
    train_keys = {(p.s1.strip(), p.s2.strip()) for p in train}

    test: dict[str, list[Pair]] = {}
    test_source: dict[str, str] = {}
    test_rng = random.Random(f"{task.name}-{split_seed}-test")
    probe = source.load(task, "test", langs[0] if langs else "en")
    test_rows = _sample(list(range(len(probe))), n_test, test_rng)
    hold_rows = _sample(holdout, n_test, test_rng) if holdout else []
    for lang in langs:
        rows = source.load(task, "test", lang)
        if all(p.label is not None for p in rows):
            test[lang] = [rows[i] for i in test_rows]
            test_source[lang] = "test"
        elif holdout:
            dev = source.load(task, "dev", lang)
            test[lang] = [dev[i] for i in hold_rows]
            test_source[lang] = "dev-holdout"
        else:
            raise ExperimentError(f"{task.display} test-{lang} has no labels.", hint="Use a labeled copy of the data.")
    # the guard the protocol promises: no tested English pair is a training pair
    overlap = 0
    if "en" in test:
        overlap = sum((p.s1.strip(), p.s2.strip()) in train_keys for p in test["en"])
        if overlap:
            raise ExperimentError(f"{overlap} English test pairs are also training pairs.", hint="Report this bug.")

    gen_pairs = [(a, b) for a in generalized_langs for b in generalized_langs if a != b]
    if task.name == "pawsx":
        by_lang = {lang: source.load(task, "dev", lang) for lang in generalized_langs}
        gen_rows = _sample(holdout, n_generalized, random.Random(f"{task.name}-{split_seed}-gen"))
        gen_source = "dev-holdout rows (labeled in every language); rows whose two languages disagree are dropped"
    else:
        by_lang = {lang: source.load(task, "test", lang) for lang in generalized_langs}
        gen_rows = _sample(list(range(len(probe))), n_generalized, random.Random(f"{task.name}-{split_seed}-gen"))
        gen_source = "test rows (labels identical across languages)"
    generalized, dropped = mixed_pairs(by_lang, gen_pairs, gen_rows) if gen_pairs else ({}, {})
    description: dict[str, object] = {
        "train": f"{len(train)} English dev rows (no English train file exists in this data)",
        "select": f"{len(select)} other English dev rows: checkpoint chosen by accuracy on them",
        "test": {lang: f"{len(test[lang])} labeled rows of {test_source[lang]}-{lang}" for lang in test},
        "pawsx_holdout": (
            f"{len(holdout)} English dev rows never trained on; their translations test en/es/fr/ja/ko and the generalized pairs"
        )
        if holdout
        else None,
        "generalized": {
            "source": gen_source,
            "pairs": {k: len(v) for k, v in generalized.items()},
            "dropped_label_disagreement": dropped,
        },
        "disjointness": "train/select are dev rows; test rows are test-set rows or held-out dev rows; "
        f"English test pairs equal to a training pair: {overlap}",
        "split_seed": split_seed,
        "source": source.description,
    }
    return Split(task.name, train, select, test, test_source, generalized, description)

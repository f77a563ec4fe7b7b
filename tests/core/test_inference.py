"""Backends, thread counts and exported model files: identities that change with the numbers, files checked on use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth.core import inference
from synth.core.errors import ModelLoadError
from synth.core.inference import (
    INT8_MEASURED,
    key_suffix,
    onnx_model,
    quantize_int8,
    resolve_backend,
    split_key,
    threads_for,
)
from synth.core.modelref import model_key


def test_auto_is_int8_onnx_on_cpu_only_for_measured_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inference, "cuda_available", lambda: False)
    for name in INT8_MEASURED:
        assert resolve_backend("auto", "auto", name) == "onnx-int8"
    assert resolve_backend("auto", "cpu", "cross-encoder/nli-deberta-v3-base") == "torch"  # int8 quality not measured
    assert resolve_backend("torch", "cpu", "synth/nli-minilm-l6") == "torch"
    assert resolve_backend("onnx", "cuda", "x") == "onnx"  # ONNX runs on CPU whatever the device
    monkeypatch.setattr(inference, "cuda_available", lambda: True)
    assert resolve_backend("auto", "auto", "synth/nli-minilm-l6") == "torch-fp16"
    assert resolve_backend("torch", "auto", "x") == "torch-fp16"
    assert resolve_backend("auto", "cpu", "synth/nli-minilm-l6") == "onnx-int8"
    with pytest.raises(ValueError, match="unknown inference backend"):
        resolve_backend("tensorrt", "cpu", "x")


def test_a_backend_that_changes_the_numbers_changes_the_key() -> None:
    keys = {b: model_key("m", "rev", key_suffix(b)) for b in inference.BACKENDS}
    assert keys["torch"] == "m@rev"  # fp32 torch is the reference: keys (and caches) from before stay valid
    assert len(set(keys.values())) == len(keys)
    for backend, key in keys.items():
        assert split_key(key) == ("m@rev", backend)


def test_threads_come_from_the_machine_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    assert 1 <= inference.cpu_budget() <= (os.cpu_count() or 1)
    monkeypatch.setattr(inference, "cpu_budget", lambda: 8)
    assert threads_for(None) == 8 and threads_for(None, workers=4) == 2 and threads_for(None, workers=16) == 1
    assert threads_for(3) == 3


def _matmul_model(path: Path, shapes: list[tuple[int, int]]) -> None:
    """A chain of MatMuls with the given weight shapes (input width shapes[0][0])."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    nodes, inits, last = [], [], "x"
    for i, shape in enumerate(shapes):
        inits.append(numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), f"w{i}"))
        nodes.append(helper.make_node("MatMul", [last, f"w{i}"], [f"y{i}"], name=f"mm{i}"))
        last = f"y{i}"
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", shapes[0][0]])],
        [helper.make_tensor_value_info(last, TensorProto.FLOAT, ["batch", shapes[-1][1]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def test_int8_keeps_down_projections_in_fp32(tmp_path: Path) -> None:
    import onnx

    _matmul_model(tmp_path / "fp32.onnx", [(8, 32), (32, 8), (8, 8)])  # up, down, square
    quantize_int8(tmp_path / "fp32.onnx", tmp_path / "int8.onnx")
    ops = [n.op_type for n in onnx.load(str(tmp_path / "int8.onnx")).graph.node]
    assert ops.count("MatMul") == 1  # the 32 -> 8 down-projection
    assert ops.count("MatMulInteger") + ops.count("DynamicQuantizeMatMul") == 2


def test_exported_files_are_made_once_and_remade_when_damaged(tmp_path: Path) -> None:
    calls: list[Path] = []

    def export(dest: Path) -> dict:
        calls.append(dest)
        _matmul_model(dest, [(4, 4)])
        return {"max_length": 7}

    warnings: list[str] = []
    path, info = onnx_model(tmp_path, "m@rev", "onnx", export, warnings.append)
    again, info2 = onnx_model(tmp_path, "m@rev", "onnx", export, warnings.append)
    assert path == again and info == info2 == {"max_length": 7} and len(calls) == 1 and not warnings
    int8, _ = onnx_model(tmp_path, "m@rev", "onnx-int8", export, warnings.append)
    assert int8 != path and len(calls) == 2  # another backend is another file
    other, _ = onnx_model(tmp_path, "m@other", "onnx", export, warnings.append)
    assert other != path and len(calls) == 3  # other weights: another file
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")  # damaged on disk
    remade, _ = onnx_model(tmp_path, "m@rev", "onnx", export, warnings.append)
    assert remade == path and len(calls) == 4
    (warning,) = warnings
    assert "damaged exported model" in warning and str(path) in warning
    with pytest.raises(ValueError):
        onnx_model(tmp_path, "m@rev", "torch", export)  # type: ignore[arg-type]


def test_a_failed_export_is_a_model_load_error_with_a_way_out(tmp_path: Path) -> None:
    def export(dest: Path) -> dict:
        raise RuntimeError("unsupported operator")

    with pytest.raises(ModelLoadError, match="cannot export m@rev to ONNX") as err:
        onnx_model(tmp_path, "m@rev", "onnx", export)
    assert "inference" in (err.value.hint or "")
    assert not list((tmp_path / "onnx").glob("*/meta.json"))  # nothing half-made is left to be reused

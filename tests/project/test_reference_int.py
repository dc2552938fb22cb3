"""bench/reference_int.py, the plain-integer floor of the benchmarks, prints symcnn's JSON exactly."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("reference_int", ROOT / "bench" / "reference_int.py")
assert _SPEC is not None and _SPEC.loader is not None
reference_int = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(reference_int)


def test_the_reference_agrees_with_symcnn_on_examples_and_random_chains(capsys) -> None:
    assert reference_int.verify(count=15) == 0
    assert "identical JSON on 18 specs" in capsys.readouterr().out


def test_random_chains_use_every_layer_type_and_option() -> None:
    texts = [reference_int.random_chain(seed) for seed in range(15)]
    layers = [entry for text in texts for entry in tomllib.loads(text)["layers"]]
    assert {entry["type"] for entry in layers} == set(reference_int.KINDS)
    assert any(entry.get("ceil_mode") for entry in layers)
    assert any(entry.get("groups", 1) > 1 for entry in layers)
    assert any(entry.get("dilation", 1) > 1 for entry in layers)
    assert any(entry.get("bias") is False for entry in layers)

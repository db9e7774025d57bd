"""The medium CPU configurations of the GPU claims: each effect points the right way.

A medium run exercises the full script at a size one CPU core finishes in a few minutes. It
is not the claim's verdict (the thresholds hold only at full size); it checks the direction
of each effect the claim's ``reproduction.medium.description`` names. Each case takes
minutes, so the module runs only when ``LMHUB_MEDIUM=1`` (the weekly workflow sets it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO

Metrics = dict[str, float | None]
Curves = dict[str, dict[str, list[float]]]
Check = Callable[[Metrics, Curves], list[str]]


def _mutransfer(m: Metrics, curves: Curves) -> list[str]:
    sp, mup = m["sp_shift_steps"], m["mup_shift_steps"]
    assert sp is not None and mup is not None
    return [] if sp > mup else [f"SP optimum drift {sp:.2f} not above μP's {mup:.2f}"]


def _grokking(m: Metrics, curves: Curves) -> list[str]:
    """Memorised first (test accuracy still low when training accuracy reaches 99%), then
    generalised, with the embedding's Fourier power concentrating."""
    wrong = []
    fitted, final = m["train_step_99"], m["final_test_accuracy"]
    assert final is not None
    test = curves["test accuracy"]
    at_fit = next(
        (
            y
            for x, y in zip(test["x"], test["y"], strict=True)
            if fitted is not None and x >= fitted
        ),
        1.0,
    )
    if fitted is None or at_fit > 0.5 * final:
        wrong.append(f"test accuracy {at_fit:.3f} at the fitting step is not far below {final:.3f}")
    if final < 0.8:
        wrong.append(f"final test accuracy {final:.3f}: the run did not generalise")
    top, init = m["fourier_top10_fraction"], m["fourier_top10_fraction_init"]
    assert top is not None and init is not None
    if top <= init:
        wrong.append(f"Fourier concentration {top:.3f} not above its initial {init:.3f}")
    return wrong


def _induction(m: Metrics, curves: Curves) -> list[str]:
    wrong = []
    for deep, shallow in (
        ("bigram_gap_closed_2layer", "bigram_gap_closed_1layer"),
        ("induction_attention_2layer", "induction_attention_1layer"),
    ):
        a, b = m[deep], m[shallow]
        assert a is not None and b is not None
        if a < b + 0.1:  # a margin well above the seed-to-seed noise (about 0.02)
            wrong.append(f"{deep} = {a:.3f} not clearly above {shallow} = {b:.3f}")
    return wrong


CASES: list[tuple[str, Check]] = [
    ("mutransfer_lr.py", _mutransfer),
    ("grokking_modular.py", _grokking),
    ("induction_heads.py", _induction),
]


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.skipif(os.environ.get("LMHUB_MEDIUM") != "1", reason="set LMHUB_MEDIUM=1")
@pytest.mark.parametrize(("script", "check"), CASES, ids=[c[0] for c in CASES])
def test_medium_configuration_shows_each_effect_in_its_direction(
    tmp_path: Path, script: str, check: Check
) -> None:
    subprocess.run(
        [sys.executable, script, "--medium", "--seed", "0", "--out", str(tmp_path)],
        cwd=REPO / "repro",
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        check=True,
        capture_output=True,
        timeout=1700,
    )
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert check(result["metrics"], result["series"]) == [], result["metrics"]

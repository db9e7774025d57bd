"""The contract every reproduction script follows, in one place.

A script parses ``--seed``, ``--out`` (a folder), ``--smoke`` (tiny CPU configuration) and
``--device`` with :func:`parse_args`, measures, and hands named metrics and series to
:func:`write_result`, which writes ``result.json`` into the output folder (or prints it when
no folder is given, so ``python repro/x.py`` works on its own). Scripts never judge: the
hub compares the metrics against the predictions in the claim's YAML.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

RESULT_FILE = "result.json"


def parse_args(description: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--out", type=Path, default=None, help="folder for result.json")
    parser.add_argument("--smoke", action="store_true", help="tiny configuration for a CPU check")
    parser.add_argument("--device", default="cpu", help="torch device for GPU scripts")
    return parser.parse_args()


def series(x: Iterable[float], y: Iterable[float], style: str = "measured") -> dict[str, object]:
    """A named curve for the claim's plot; ``style`` is ``theory`` or ``measured``."""
    return {"x": [float(v) for v in x], "y": [float(v) for v in y], "style": style}


def write_result(
    args: argparse.Namespace,
    metrics: Mapping[str, float],
    curves: Mapping[str, Mapping[str, object]] | None = None,
) -> None:
    """Write the metrics (plain numbers) and optional curves as JSON, atomically."""
    payload = {
        "metrics": {k: float(v) for k, v in metrics.items()},
        "series": dict(curves or {}),
    }
    text = json.dumps(payload, indent=1)
    if args.out is None:
        sys.stdout.write(text + "\n")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, args.out / RESULT_FILE)

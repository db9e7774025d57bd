"""The contract every reproduction script follows, in one place.

A script calls :func:`parse_args`, reads its inputs from ``args.params`` (the parameters its
claim declares under ``reproduction.parameters``), measures, and hands named metrics and
series to :func:`write_result`, which writes ``result.json`` into the ``--out`` folder (or
prints it, so ``python repro/x.py`` works on its own). Scripts never judge: the hub compares
the metrics against the predictions in the claim's YAML.

Under ``lmhub run`` the runner passes every parameter value with ``--params``. Run by hand,
the script reads the declared values from its claim's YAML; ``--smoke``, ``--medium`` and
``--mutant ID`` apply that claim's named overrides, and ``--set name=value`` any other.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

RESULT_FILE = "result.json"

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "TORCH_NUM_THREADS",
    "LMHUB_THREADS",
)
"""Variables that size numerical libraries' thread pools when they load."""


def _threads() -> int:
    """The claim's thread count: ``LMHUB_THREADS`` under ``lmhub run``, else the claim's
    ``reproduction.threads``, else 1."""
    given = os.environ.get("LMHUB_THREADS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    claim = _claim_of(Path(sys.argv[0]).resolve()) if sys.argv and sys.argv[0] else None
    wanted = ((claim or {}).get("reproduction") or {}).get("threads", 1)
    return wanted if isinstance(wanted, int) and wanted > 0 else 1


def limit_threads(threads: int) -> None:
    """Size every thread pool to ``threads``, those of libraries already loaded included.

    Scripts import numpy (whose OpenBLAS sizes its pool from the environment as it loads)
    before the harness, so the variables alone come too late; threadpoolctl resizes the
    pools already loaded, and torch is told directly. Same thread count, same digits:
    reductions are summed in another order with another count.
    """
    for name in THREAD_VARS:
        os.environ[name] = str(threads)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads)
    except ImportError:  # pragma: no cover - the hub installs it
        pass
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        torch.set_num_threads(threads)


class Params(dict[str, Any]):
    """The parameter values of this run; read them as ``p.name`` or ``p["name"]``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"parameter '{name}' is not declared under reproduction.parameters in the "
                f"claim (declared: {', '.join(sorted(self)) or 'none'})"
            ) from None


def parse_args(description: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--out", type=Path, default=None, help="folder for result.json")
    parser.add_argument("--device", default="cpu", help="torch device for GPU scripts")
    parser.add_argument("--params", default=None, help="JSON object of every parameter value")
    parser.add_argument("--smoke", action="store_true", help="apply the claim's smoke overrides")
    parser.add_argument("--medium", action="store_true", help="apply the claim's medium overrides")
    parser.add_argument("--mutant", default=None, help="apply the overrides of this mutant")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter"
    )
    args = parser.parse_args()
    limit_threads(THREADS)  # again: torch may have been imported since
    values = json.loads(args.params) if args.params is not None else _declared(args)
    for item in args.set:
        name, _, text = item.partition("=")
        values[name] = json.loads(text)
    args.params = Params(values)
    return args


def _declared(args: argparse.Namespace) -> dict[str, Any]:
    """The parameter values the script's claim declares, with the requested overrides."""
    script = Path(sys.argv[0]).resolve()
    claim = _claim_of(script)
    if claim is None:
        return {}
    repro = claim.get("reproduction", {})
    values = {k: v["value"] for k, v in (repro.get("parameters") or {}).items()}
    for flag in ("smoke", "medium"):
        if getattr(args, flag):
            values.update((repro.get(flag) or {}).get("overrides") or {})
    if args.mutant:
        mutants = {m["id"]: m for m in claim.get("mutants") or []}
        if args.mutant not in mutants:
            sys.exit(f"no mutant '{args.mutant}' (declared: {', '.join(mutants) or 'none'})")
        values.update(mutants[args.mutant]["overrides"])
    return values


def _claim_of(script: Path) -> dict[str, Any] | None:
    """The claim (parsed YAML) whose reproduction runs ``script``, found in ``claims/``."""
    import yaml

    claims = script.parent.parent / "claims"
    wanted = f"repro/{script.name}"
    for path in sorted(claims.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if wanted not in text:
            continue
        data = yaml.safe_load(text)
        if isinstance(data, dict) and data.get("reproduction", {}).get("script") == wanted:
            return data
    return None


THREADS = _threads()
limit_threads(THREADS)


class Never:
    """The time of an event that never happened, with what the event was.

    Arithmetic with it gives it back, so a ratio of two event times is also ``Never``;
    :func:`write_result` reports such a metric as absent with the reason, and the hub judges
    it as a failed prediction (not as a number that happens to pass).
    """

    __array_ufunc__ = None  # numpy defers to the operators below

    def __init__(self, event: str):
        self.event = event

    def _absorb(self, other: object) -> Never:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _absorb
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = _absorb

    def __repr__(self) -> str:
        return f"Never({self.event!r})"


def first_time(times: Sequence[float], reached: Iterable[bool], event: str) -> float | Never:
    """The first of ``times`` at which ``reached`` is true, or :class:`Never` if it never is.

    ``event`` says what was waited for, e.g. ``"test accuracy reached 0.95"``.
    """
    for t, hit in zip(times, reached, strict=True):
        if hit:
            return float(t)
    return Never(f"{event} never happened (last time {times[-1] if len(times) else 'none'})")


def series(x: Iterable[float], y: Iterable[float], style: str = "measured") -> dict[str, object]:
    """A named curve for the claim's plot; ``style`` is ``theory`` or ``measured``."""
    return {"x": [float(v) for v in x], "y": [float(v) for v in y], "style": style}


def write_result(
    args: argparse.Namespace,
    metrics: Mapping[str, float | Never],
    curves: Mapping[str, Mapping[str, object]] | None = None,
) -> None:
    """Write the metrics (plain numbers) and optional curves as JSON, atomically."""
    payload: dict[str, Any] = {
        "metrics": {k: None if isinstance(v, Never) else float(v) for k, v in metrics.items()},
        "series": dict(curves or {}),
    }
    absent = {k: v.event for k, v in metrics.items() if isinstance(v, Never)}
    if absent:
        payload["absent"] = absent
    text = json.dumps(payload, indent=1, allow_nan=True)
    if args.out is None:
        sys.stdout.write(text + "\n")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, args.out / RESULT_FILE)

"""Run the hub's benchmarks: ``python bench/run.py [NAME...]``.

Each ``bench/bench_*.py`` module exposes ``BENCHMARKS``, a list of :class:`Benchmark`. A
benchmark measures a baseline and our code in the same process, so the ratio is meaningful
on a noisy machine even when the absolute times are not. One line is printed per benchmark;
the exit code is 1 when any target is missed.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Outcome:
    baseline_s: float
    ours_s: float
    target: str
    met: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours_s / self.baseline_s if self.baseline_s else float("inf")


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[[], Outcome]
    default: bool = True
    """Run without being named (the scale benchmark takes minutes, so it is run by name)."""


def best_of(func: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall time of ``repeat`` calls, in seconds (the least noisy estimate)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def discover() -> list[Benchmark]:
    sys.path.insert(0, str(HERE))
    found: list[Benchmark] = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module  # dataclasses and worker processes look it up
        spec.loader.exec_module(module)
        found.extend(module.BENCHMARKS)
    return found


def main(argv: list[str]) -> int:
    benchmarks = discover()
    chosen = [b for b in benchmarks if b.name in argv or (not argv and b.default)]
    unknown = set(argv) - {b.name for b in benchmarks}
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(b.name for b in benchmarks)}",
            file=sys.stderr,
        )
        return 2
    print(f"{'benchmark':<28} {'baseline':>10} {'ours':>10} {'ratio':>7}  {'target':<22} met")
    all_met = True
    for bench in chosen:
        out = bench.run()
        all_met &= out.met
        print(
            f"{bench.name:<28} {out.baseline_s:>9.3f}s {out.ours_s:>9.3f}s {out.ratio:>7.3f}  "
            f"{out.target:<22} {'yes' if out.met else 'NO'}"
            + (f"  ({out.note})" if out.note else ""),
            flush=True,
        )
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

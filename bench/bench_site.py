"""The site generator against mkdocs' own build of the pages it generates.

A synthetic hub of 1,000 claims and 1,000 open questions, each claim with three run records
carrying series (so every claim has a plot), is generated and built with mkdocs-material.

- ``site-generate-cold``: generating everything (results, pages, plots, exports) into an
  empty folder with empty caches, against mkdocs building those pages. Target: at most 0.5x.
- ``site-generate-one-changed``: generating again after one claim changed (its statement
  edited and three new records with new series), against the same mkdocs build. Target: at
  most 0.05x.

The baseline is mkdocs' own time: the whole ``build_site`` wall time less the generation the
plugin does inside it. Loading and validating the catalog is ``lmhub validate``'s cost
(benchmarked in ``bench_validate``); it is printed, not counted.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from run import Benchmark, Outcome
from synthetic import REPO, make_hub, write_records

from site_tools.catalog import Catalog, load_catalog
from site_tools.site.build import build_site
from site_tools.site.generate import GenerateReport, generate

_HUB: dict[str, Path] = {}
_STATE: dict[str, float] = {}


def _hub() -> Path:
    """The synthetic hub, made once per process."""
    if "root" not in _HUB:
        root = make_hub(Path(tempfile.mkdtemp(prefix="lmhub-site-bench-")) / "hub")
        (root / "docs").mkdir()
        (root / "docs" / "about.md").write_text("# About\n\nA synthetic hub.\n")
        shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
        catalog = load_catalog(root)
        write_records(root, catalog, sorted(catalog.claims))
        _HUB["root"] = root
    return _HUB["root"]


def _generate(root: Path, catalog: Catalog) -> tuple[float, GenerateReport]:
    start = time.perf_counter()
    report = generate(catalog, root / "build" / "docs", root / "build" / "cache")
    return time.perf_counter() - start, report


def _mkdocs_seconds(root: Path, catalog: Catalog) -> float:
    """mkdocs' own build time: ``build_site`` less the plugin's (warm) generation."""
    if "mkdocs" not in _STATE:
        result = build_site(root, catalog=catalog, site_dir=root / "site")
        _STATE["mkdocs"] = result.seconds - sum(result.generation.seconds.values())
    return _STATE["mkdocs"]


def _stages(report: GenerateReport) -> str:
    return ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())


def cold() -> Outcome:
    root = _hub()
    start = time.perf_counter()
    catalog = load_catalog(root)
    load = time.perf_counter() - start
    shutil.rmtree(root / "build", ignore_errors=True)
    ours, report = _generate(root, catalog)
    assert report.plots_drawn == len(catalog.claims), report.plots_drawn
    baseline = _mkdocs_seconds(root, catalog)
    _STATE["total"] = _STATE.get("total", 0.0) + ours
    return Outcome(
        baseline,
        ours,
        "<= 0.5x mkdocs",
        ours <= 0.5 * baseline,
        note=f"{len(report.files)} files, {report.plots_drawn} plots; "
        f"{_stages(report)}; catalog load {load:.2f}s not counted",
    )


def one_changed() -> Outcome:
    root = _hub()
    catalog = load_catalog(root)
    baseline = _mkdocs_seconds(root, catalog)  # also leaves a complete, warm build behind
    _generate(root, catalog)
    times = []
    for round_ in range(3):
        claim_id = f"claim-{17 + round_}"
        path = root / "claims" / f"{claim_id}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                f"; claim {17 + round_}.", f"; claim {17 + round_}, revised {round_}."
            ),
            encoding="utf-8",
        )
        start = time.perf_counter()
        catalog = load_catalog(root)
        load = time.perf_counter() - start
        write_records(root, catalog, [claim_id], version=round_ + 1)
        ours, report = _generate(root, catalog)
        assert report.plots_drawn == 1 and f"claims/{claim_id}.md" in report.written
        times.append((ours, report, load))
    ours, report, load = min(times, key=lambda t: t[0])
    total = _STATE.get("total", 0.0) + ours
    return Outcome(
        baseline,
        ours,
        "<= 0.05x mkdocs",
        ours <= 0.05 * baseline,
        note=f"{len(report.written)} files written; {_stages(report)}; "
        f"catalog load {load:.2f}s not counted; best of 3; "
        f"generation cold + one changed {total:.2f}s",
    )


BENCHMARKS = [
    Benchmark("site-generate-cold", cold),
    Benchmark("site-generate-one-changed", one_changed),
]

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil
import pytest

from site_tools.site import workers
from site_tools.site.output import MANIFEST
from site_tools.site.workers import run_shares, shares, until_stopped
from tests.site.hubs import make_site_hub

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def test_items_are_dealt_into_shares_of_a_least_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_SHARE", 3)
    assert shares(list(range(7)), 4) == [[0, 2, 4, 6], [1, 3, 5]]
    assert shares(list(range(12)), 3) == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]]
    assert shares(list(range(5)), 4) == []  # one share only: no worker is worth forking
    assert shares(list(range(100)), 1) == []


def _square(part: Sequence[int]) -> list[int]:
    print("a worker's output goes nowhere")
    return [n * n for n in part]


def test_each_worker_answers_for_its_share(capfd: pytest.CaptureFixture[str]) -> None:
    assert run_shares([[1, 2], [3], []], _square) == [[1, 4], [9], []]
    assert capfd.readouterr().out == ""


def test_a_worker_changes_nothing_in_the_build_and_a_failed_one_answers_none() -> None:
    seen: list[int] = []

    def work(part: Sequence[int]) -> int:
        seen.extend(part)
        if 0 in part:
            raise ValueError("this share fails")
        return len(seen)

    assert run_shares([[1, 2], [0], [3]], work) == [2, None, 1]
    assert seen == []


def test_ctrl_c_stops_every_worker_between_two_items_and_then_the_build() -> None:
    def work(part: Sequence[int]) -> None:
        for done, _ in enumerate(until_stopped(range(600))):  # a minute of work
            if part == [0] and done == 3:
                os.kill(os.getppid(), signal.SIGINT)  # the build is waiting by then
            time.sleep(0.1)

    before = {child.pid for child in psutil.Process().children()}
    start = time.monotonic()
    # A shell starts a background job with Ctrl-C ignored; a terminal's Ctrl-C is what is tested.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_shares([[0], [1]], work)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 30
    # Every worker was waited for: none is left, running or as a zombie.
    assert {child.pid for child in psutil.Process().children()} <= before


_BUILD = """
import json, logging, sys
from pathlib import Path
logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
import site_tools.site.workers as workers
workers.MIN_SHARE = 1  # share out even the fixture hub's few pages
from site_tools.site.build import build_site
result = build_site(Path(sys.argv[1]), site_dir=Path(sys.argv[2]))
g = result.generation
print(json.dumps({
    "workers": g.workers, "converted": g.pages_by_workers, "laid out": g.layouts_by_workers,
    "reused": [g.pages_reused, g.layouts_reused], "pages": sum(f.endswith(".md") for f in g.files),
    "plots": g.plots_drawn,
}))
"""


def _run_build(root: Path, workers: int) -> subprocess.CompletedProcess[str]:
    """Build ``root`` from nothing in a process of its own (workers are forked only from a
    process without threads, which a test session may have), with ``workers``."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  - lmhub\n" in text
    config.write_text(
        text.replace("\n  - lmhub\n", f"\n  - lmhub:\n      workers: {workers}\n"), "utf-8"
    )
    return subprocess.run(
        [sys.executable, "-c", _BUILD, str(root), str(root / "site")],
        capture_output=True,
        text=True,
        check=False,
    )


def _build(root: Path, workers: int) -> dict[str, Any]:
    done = _run_build(root, workers)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _tree(folder: Path) -> dict[str, bytes]:
    """The files under ``folder`` but Pagefind's index and the generator's manifest (whose
    keys hold the times of each hub's own record files)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "pagefind" not in p.parts and p.name != MANIFEST
    }


def test_a_build_shared_among_workers_makes_the_site_a_single_process_makes(
    tmp_path: Path,
) -> None:
    alone = make_site_hub(tmp_path / "alone")
    shared = make_site_hub(tmp_path / "shared")
    by_one, by_two = _build(alone, 1), _build(shared, 2)
    assert by_one["workers"] == 0 and by_one["converted"] == by_one["laid out"] == 0
    assert by_two["workers"] == 2
    # Every generated page but the one the build was at when it forked, and the tags page
    # (filled in after the conversion), was converted and laid out by a worker...
    assert by_two["converted"] == by_two["laid out"] == by_two["pages"] - 2 > 10
    # ... and is not counted as coming from an earlier build.
    assert by_two["reused"] == by_one["reused"] == [0, 0]
    assert by_two["plots"] == by_one["plots"] > 0
    site, generated = _tree(alone / "site"), _tree(alone / "build" / "docs")
    assert site and generated
    assert _tree(shared / "site") == site
    assert _tree(shared / "build" / "docs") == generated


def test_a_warning_in_a_page_a_worker_converted_is_reported_by_the_build(tmp_path: Path) -> None:
    root = make_site_hub(tmp_path / "hub")
    claim = root / "claims" / "width-limit.yaml"
    text = claim.read_text(encoding="utf-8")
    claim.write_text(text.replace("with width $n$.", "with width $\\frac{1}{$."), "utf-8")
    done = _run_build(root, 2)
    assert done.returncode != 0
    # The worker's conversion warned, so it was not kept: the build converted the page itself
    # and reported the warning once, which fails a strict build.
    assert done.stderr.count("WARNING: cannot render math '\\\\frac{1}{'") == 1, done.stderr
    assert "Aborted with 1 warnings in strict mode" in done.stderr

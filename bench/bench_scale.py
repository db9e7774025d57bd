"""The hub at 1k, 5k and 10k claims: ``python bench/run.py scale``.

Each size is a synthetic hub of N claims, N open questions and 2N references, with 10 run
records per claim on average (:data:`synthetic.RUNS_PER_CLAIM` runs of three seeds, the
older ones at earlier identities) in the evidence store, each record carrying four plotted
series of 200 points as a script would write them. For every figure of the scale issue
the benchmark prints the value at each size, the baseline it names (measured in the same
run, or a fixed limit), their ratio and the target, then fits the growth exponent of each
figure over the sizes (value ~ N^k).

Commands run in their own process, so that their peak memory is theirs alone (``wait4``).
``LMHUB_SCALE_SIZES=1000,2000`` picks other sizes; ``LMHUB_SCALE_KEEP=DIR`` keeps the hubs.
A full run at the three sizes took 50 minutes on two cores, most of it the builds at 10k.
"""

from __future__ import annotations

import gzip
import json
import math
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from run import Benchmark, Outcome
from synthetic import REPO, make_hub, write_records

from site_tools.records import read_record, record_json

SIZES = tuple(int(n) for n in os.environ.get("LMHUB_SCALE_SIZES", "1000,5000,10000").split(","))
PYTHON = sys.executable
TIME = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"
"""GNU time, which reports a command's peak memory (Debian's ``time`` package)."""
BUILD_LIMIT_S = float(os.environ.get("LMHUB_SCALE_BUILD_LIMIT_S", "900"))
"""A build still going after this long is stopped and reported as failed."""
MB = 1024 * 1024


@dataclass(frozen=True)
class Figure:
    """One row of the table: a measured value against a named baseline and a target."""

    name: str
    size: int
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    limit: float | None
    """The value must be at most this (in ``unit``); ``None``: reported only."""
    ratio_limit: float | None = None
    """The ratio to the baseline must be at most this."""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def met(self) -> bool:
        ok = self.limit is None or self.value <= self.limit
        if self.ratio_limit is not None:
            ok &= self.ratio is not None and self.ratio <= self.ratio_limit
        return ok

    @property
    def target(self) -> str:
        parts = []
        if self.limit is not None:
            parts.append(f"<= {_fmt(self.limit)} {self.unit}")
        if self.ratio_limit is not None:
            parts.append(f"<= {self.ratio_limit:g}x")
        return ", ".join(parts) or "-"


def _fmt(value: float) -> str:
    return f"{value:.3g}" if value < 1000 else f"{value:,.0f}"


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    stdout: str


def measure(
    command: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float | None = None,
) -> Measured:
    """Wall time and peak resident memory of ``command`` (the largest process of its tree);
    past ``timeout_s`` its process group is killed and it counts as failed.

    The peak is read by GNU ``time``, a small process between this one and the command:
    Linux counts a forked child's peak from its parent's size at the fork, and this
    process is large by then (it has loaded the hub).
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                [TIME, "-f", "%M", "-o", str(peak_file), *command],
                cwd=cwd,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,
            )
            while proc.poll() is None:
                if timeout_s is not None and time.perf_counter() - start > timeout_s:
                    os.killpg(proc.pid, 9)
                time.sleep(0.01)
        seconds = time.perf_counter() - start
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
        peak_text = peak_file.read_text() if peak_file.exists() else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {stderr[-3000:]}")
    peak_kb = [line for line in peak_text.split() if line.isdigit()]
    return Measured(seconds, int(peak_kb[-1]) / 1024 if peak_kb else math.nan, stdout)


def _lmhub(*args: str) -> list[str]:
    return [PYTHON, "-m", "site_tools", *args]


def _python(code: str) -> list[str]:
    return [PYTHON, "-c", f"import sys; sys.path[:0] = [{str(REPO)!r}]\n{code}"]


def _records_part(job: tuple[str, list[str]]) -> int:
    from site_tools.catalog import load_catalog

    root, ids = Path(job[0]), job[1]
    return write_records(root, load_catalog(root), ids, history=True)


def make_scale_hub(root: Path, n: int) -> int:
    """The hub of size ``n`` with its records; returns how many records were written."""
    make_hub(root, n_claims=n, n_questions=n, n_refs=2 * n)
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n\nA synthetic hub.\n")
    ids = [f"claim-{i}" for i in range(n)]
    jobs = [(str(root), ids[k::2]) for k in range(2)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        written = sum(pool.map(_records_part, jobs))
    then = time.time() - 120  # older than any cache's racy-write window
    for path in root.rglob("*"):
        os.utime(path, (then, then), follow_symlinks=False)
    return written


def _store_sizes(store: Path) -> tuple[float, float, float]:
    """Average record file size, average disk usage (whole blocks), and average size of the
    same record as plain JSON, in bytes (the last over a sample of 2,000)."""
    sizes, blocks, sample = [], [], []
    for folder in os.scandir(store):
        for entry in os.scandir(folder.path):
            info = entry.stat(follow_symlinks=False)
            sizes.append(info.st_size)
            blocks.append(info.st_blocks * 512)
            if len(sample) < 2000:
                sample.append(Path(entry.path))
    plain = []
    for path in sample:
        record = read_record(path)
        assert not isinstance(record, tuple) and hasattr(record, "identity"), record
        plain.append(len(record_json(record)))  # type: ignore[arg-type]
    return sum(sizes) / len(sizes), sum(blocks) / len(blocks), sum(plain) / len(plain)


def _du(folder: Path) -> tuple[float, int, tuple[str, int]]:
    """Total bytes, file count and the largest file under ``folder``."""
    total, count, largest = 0, 0, ("", 0)
    for dirpath, _, files in os.walk(folder):
        for name in files:
            size = os.lstat(os.path.join(dirpath, name)).st_size
            total += size
            count += 1
            if size > largest[1]:
                largest = (os.path.relpath(os.path.join(dirpath, name), folder), size)
    return total, count, largest


@contextmanager
def _served(site: Path) -> Iterator[str]:
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


PAGEFIND_COMPRESSED = (".pf_index", ".pf_fragment", ".pf_meta", ".pagefind")
"""Pagefind's index files, gzip-compressed by Pagefind itself: they travel as they are."""


def transferred(url: str, body: bytes) -> int:
    """Bytes a visitor downloads for ``body`` from a host that compresses text (GitHub Pages
    sends scripts, styles and JSON gzip-compressed); Pagefind's own files are compressed
    already. The same count as the browser test's (``tests/site/test_browser.py``)."""
    return (
        len(body) if url.split("?")[0].endswith(PAGEFIND_COMPRESSED) else len(gzip.compress(body))
    )


@dataclass(frozen=True)
class SearchPayload:
    """What the search box downloads, in bytes: on a page view and with one query."""

    view: int
    query: int
    query_raw: int
    first: str
    """The first result's text."""


def _chromium() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian's chromium is needed (bash scripts/setup.sh --with-browser)")
    return chromium


def search_payload(site: Path, query: str, expect_first: str) -> SearchPayload:
    """Bytes of search files a visitor downloads for a page view and one query, in
    Chromium, as transferred (:func:`transferred`) and as files."""
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    loaded: list[tuple[str, bytes]] = []
    with _served(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()

        def on_response(response: object) -> None:
            name = response.url  # type: ignore[attr-defined]
            if "/pagefind/" in name or name.endswith("lmhub.js"):
                loaded.append((name, response.body()))  # type: ignore[attr-defined]

        page.on("response", on_response)
        page.goto(url + "claims/claim-7/")
        page.wait_for_load_state("networkidle")
        on_view = list(loaded)
        page.click(".lmhub-search-button")
        page.keyboard.type(query, delay=20)
        items = page.locator(".lmhub-search__results li")
        items.first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
        first = " ".join(items.first.inner_text().split())
        browser.close()
    if expect_first not in first:
        raise AssertionError(f"search for {query!r} ranked first: {first!r}")
    return SearchPayload(
        view=sum(transferred(u, b) for u, b in on_view),
        query=sum(transferred(u, b) for u, b in loaded),
        query_raw=sum(len(b) for _, b in loaded),
        first=first,
    )


def _generate_code(root: Path) -> str:
    return (
        "import json, time\n"
        "from pathlib import Path\n"
        "from site_tools.catalog import load_catalog\n"
        "from site_tools.site.generate import generate\n"
        f"root = Path({str(root)!r})\n"
        "t = time.perf_counter(); catalog = load_catalog(root); load = time.perf_counter() - t\n"
        "t = time.perf_counter()\n"
        "report = generate(catalog, root / 'build' / 'docs', root / 'build' / 'cache')\n"
        "print(json.dumps({'load': load, 'generate': time.perf_counter() - t,"
        " 'written': len(report.written)}))\n"
    )


_STAGES = re.compile(r"^time: (.*)$", re.MULTILINE)


def build_stages(stdout: str) -> dict[str, float]:
    """The stages of a build and their seconds, from the ``time:`` line of ``lmhub build``
    (none when it printed no such line)."""
    found = _STAGES.search(stdout)
    if found is None:
        return {}
    stages = {}
    for part in found.group(1).split(", "):
        name, _, value = part.rpartition(" ")[0].rpartition(" ")
        with suppress(ValueError):
            stages[name] = float(value)
    return stages


def _edit_claim(root: Path, i: int) -> None:
    path = root / "claims" / f"claim-{i}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"; claim {i}.", f"; claim {i}, revised."), encoding="utf-8")


def one_size(
    n: int, work: Path, log: Callable[[str], None], failed: dict[str, int] | None = None
) -> list[Figure]:
    """Every figure at size ``n``. ``failed`` names the builds that failed at a smaller size
    (by the size): they are not tried again, since a larger hub only takes them longer to
    fail (Zensical ran 15 minutes before the limit stopped it at 10k); builds that fail
    here are added to it."""
    failed = {} if failed is None else failed
    root = work / f"hub{n}"
    figures: list[Figure] = []
    start = time.perf_counter()
    written = make_scale_hub(root, n)
    log(f"[{n}] made the hub and {written:,} records in {time.perf_counter() - start:.0f}s")

    # Records on disk.
    size, blocks, plain = _store_sizes(root / ".evidence")
    figures.append(
        Figure(
            "record size (file)",
            n,
            size / 1024,
            "KB",
            plain / 1024,
            "the same record as plain JSON",
            3.0,
        )
    )
    figures.append(
        Figure(
            "record size (disk blocks)",
            n,
            blocks / 1024,
            "KB",
            plain / 1024,
            "the same record as plain JSON",
            None,
        )
    )
    total = size * written
    figures.append(
        Figure(
            "records of 10 per claim",
            n,
            total / MB,
            "MB",
            plain * written / MB,
            "the same records as plain JSON",
            300.0 * n / 10_000,
        )
    )

    # Validation against a bare parse of the same files, in turns in one fresh process (not
    # this one, whose size would slow the baseline's garbage collections), then the CLI.
    timed = measure(
        _python(
            f"import sys, json; sys.path.insert(0, {str(REPO / 'bench')!r})\n"
            "from bench_validate import ratio_of\n"
            "from pathlib import Path\n"
            f"print(json.dumps(ratio_of(Path({str(root)!r}))))"
        )
    )
    ours_s, parse_s, _ = json.loads(timed.stdout.strip().splitlines()[-1])
    validate = measure(_lmhub("validate", "--root", str(root)))
    figures.append(
        Figure(
            "validation (in process)",
            n,
            ours_s,
            "s",
            parse_s,
            "a bare parse (YAML + BibTeX), in turns, best of 3",
            None,
            1.5,
        )
    )
    figures.append(
        Figure("lmhub validate (whole command)", n, validate.seconds, "s", None, "-", None)
    )
    figures.append(Figure("lmhub validate memory", n, validate.peak_mb, "MB", None, "-", None))

    # The no-op run: everything is settled; the first call fills the caches.
    run = _lmhub("run", "--all", "--root", str(root), "--results", str(root / ".evidence"))
    measure(run)
    noop = min((measure(run) for _ in range(2)), key=lambda m: m.seconds)
    floor = measure(
        _python(
            "import os\n"
            f"store = {str(root / '.evidence')!r}\n"
            "n = sum(len(os.listdir(os.path.join(store, d))) for d in os.listdir(store) if d[0] != '.')\n"
            "import site_tools.cli.run"
        )
    )
    figures.append(
        Figure(
            "no-op lmhub run --all",
            n,
            noop.seconds,
            "s",
            floor.seconds,
            "importing lmhub and listing the store",
            3.0,
        )
    )
    figures.append(
        Figure(
            "no-op lmhub run --all memory",
            n,
            noop.peak_mb,
            "MB",
            floor.peak_mb,
            "importing lmhub and listing the store",
            400.0,
        )
    )

    # Page generation: cold, then one claim changed (the catalog load is validation's).
    cold = measure(_python(_generate_code(root)), cwd=root)
    cold_times = json.loads(cold.stdout.strip().splitlines()[-1])
    # One claim changed (its text and a new run record), three times over: the median of
    # the three, since one run of a few seconds on a shared machine can be off by half.
    from site_tools.catalog import load_catalog

    edits = []
    for i in (7, 8, 9):
        _edit_claim(root, i)
        write_records(root, load_catalog(root), [f"claim-{i}"], version=9)
        one = measure(_python(_generate_code(root)), cwd=root)
        edits.append(json.loads(one.stdout.strip().splitlines()[-1])["generate"])
    one_generate = statistics.median(edits)

    # Full builds from nothing with each engine; the mkdocs one is kept for the site figures.
    # The mkdocs build is also made in one process (workers: 1), the baseline of the one
    # that shares its work among a worker process per CPU (site_tools/site/workers.py).
    builds: dict[str, Measured] = {}
    config = root / "mkdocs.yml"
    plain_config = config.read_text(encoding="utf-8")
    for engine, workers in (("zensical", 0), ("mkdocs", 1), ("mkdocs", 0)):
        name = engine if workers != 1 else "mkdocs, one process"
        if name in failed:
            log(f"[{n}] {name} build not tried: it failed at {failed[name]:,}")
            figures.append(
                Figure(
                    f"lmhub build ({name}) FAILED at {failed[name]:,}",
                    n,
                    math.nan,
                    "s",
                    None,
                    "-",
                    90.0,
                )
            )
            continue
        shutil.rmtree(root / "build", ignore_errors=True)
        shutil.rmtree(root / "site", ignore_errors=True)
        if workers:
            single = "\n  - lmhub:\n      workers: 1\n"
            config.write_text(plain_config.replace("\n  - lmhub\n", single), encoding="utf-8")
        try:
            builds[name] = measure(
                _lmhub("build", "--root", str(root), "--engine", engine), timeout_s=BUILD_LIMIT_S
            )
        except RuntimeError as exc:
            log(f"[{n}] {name} build failed: {str(exc)[-500:]}")
            failed[name] = n
            figures.append(
                Figure(f"lmhub build ({name}) FAILED", n, math.nan, "s", None, "-", 90.0)
            )
        finally:
            config.write_text(plain_config, encoding="utf-8")
    base = builds.get("mkdocs")
    alone = builds.get("mkdocs, one process")
    # The same build again after one claim changed: what CI (with build/cache kept) and
    # `lmhub serve` pay for an edit.
    rebuilt = None
    if base is not None:
        _edit_claim(root, 11)
        try:
            rebuilt = measure(_lmhub("build", "--root", str(root)), timeout_s=BUILD_LIMIT_S)
        except RuntimeError as exc:
            log(f"[{n}] mkdocs rebuild failed: {str(exc)[-500:]}")
    figures.append(
        Figure(
            "generation, cold",
            n,
            cold_times["generate"],
            "s",
            base.seconds if base else None,
            "the full mkdocs build",
            None,
            0.5,
        )
    )
    figures.append(Figure("generation memory, cold", n, cold.peak_mb, "MB", None, "-", 2048.0))
    figures.append(
        Figure(
            "generation, one claim changed (median of 3)",
            n,
            one_generate,
            "s",
            base.seconds if base else None,
            "the full mkdocs build",
            2.0,
        )
    )
    for engine, built in builds.items():
        baseline, named = (
            (base, "the mkdocs build")
            if engine != "mkdocs" or not alone
            else (
                alone,
                "the mkdocs build in one process",
            )
        )
        figures.append(
            Figure(
                f"lmhub build ({engine})",
                n,
                built.seconds,
                "s",
                baseline.seconds if baseline else None,
                named,
                90.0,
            )
        )
        figures.append(
            Figure(f"lmhub build memory ({engine})", n, built.peak_mb, "MB", None, "-", 2048.0)
        )
        if engine == "mkdocs":
            # Where the build's time went, as `lmhub build` reports it, against the whole.
            for stage, seconds in build_stages(built.stdout).items():
                figures.append(
                    Figure(
                        f"lmhub build ({engine}): {stage}",
                        n,
                        seconds,
                        "s",
                        built.seconds,
                        "the whole build",
                        None,
                    )
                )
    if base is None:
        return figures
    if rebuilt is not None:
        figures.append(
            Figure(
                "lmhub build (mkdocs), one claim changed",
                n,
                rebuilt.seconds,
                "s",
                base.seconds,
                "the full mkdocs build",
                None,
            )
        )
        figures.append(
            Figure(
                "lmhub build memory (mkdocs), one claim changed",
                n,
                rebuilt.peak_mb,
                "MB",
                None,
                "-",
                None,
            )
        )

    site = root / "site"
    site_bytes, files, largest = _du(site)
    figures.append(
        Figure(
            "site size",
            n,
            site_bytes / MB,
            "MB",
            1024.0,
            "GitHub Pages' limit (1 GB)",
            400.0,
        )
    )
    figures.append(
        Figure(
            "largest file of the site",
            n,
            largest[1] / MB,
            "MB",
            site_bytes / MB,
            f"the whole site ({largest[0]})",
            None,
        )
    )
    pagefind, _, _ = _du(site / "pagefind")
    search = search_payload(site, "claim-7", "Synthetic claim number 7 ")
    figures.append(
        Figure(
            "search bytes, page view",
            n,
            search.view / 1024,
            "KB",
            pagefind / 1024,
            "the whole search index",
            None,
        )
    )
    figures.append(
        Figure(
            "search bytes, page view + query",
            n,
            search.query / 1024,
            "KB",
            pagefind / 1024,
            "the whole search index",
            300.0,
        )
    )
    figures.append(
        Figure(
            "search files, page view + query (uncompressed)",
            n,
            search.query_raw / 1024,
            "KB",
            pagefind / 1024,
            "the whole search index",
            None,
        )
    )
    log(f"[{n}] site: {files:,} files; done in {time.perf_counter() - start:.0f}s")
    return figures


def machine_reference() -> float:
    """Seconds of a fixed pure-Python loop in a fresh process, best of three: the figures
    with an absolute target (seconds) read against it, since the same code on the same
    kind of machine has run two to three times slower on a busy day."""
    return min(measure([PYTHON, "-c", "sum(range(10**8))"]).seconds for _ in range(3))


def growth(figures: list[Figure]) -> dict[str, float]:
    """Least-squares slope of log(value) against log(size), per figure."""
    out = {}
    for name in dict.fromkeys(f.name for f in figures):
        points = [
            (math.log(f.size), math.log(f.value)) for f in figures if f.name == name and f.value > 0
        ]
        if len(points) < 2:
            continue
        mx = sum(x for x, _ in points) / len(points)
        my = sum(y for _, y in points) / len(points)
        sxx = sum((x - mx) ** 2 for x, _ in points)
        out[name] = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return out


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table, with the growth exponent of each."""
    slopes = growth(figures)
    lines = [
        "| figure | N | value | baseline | ratio | target | met | growth |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.3g}" if f.ratio is not None else "-"
        baseline = f"{_fmt(f.baseline)} {f.unit} ({f.baseline_name})" if f.baseline else "-"
        slope = f"N^{slopes[f.name]:.2f}" if f.size == max(SIZES) and f.name in slopes else ""
        lines.append(
            f"| {f.name} | {f.size:,} | {_fmt(f.value)} {f.unit} | {baseline} | {ratio} | "
            f"{f.target} | {'yes' if f.met else 'NO'} | {slope} |"
        )
    return "\n".join(lines)


def run() -> Outcome:
    _chromium()  # checked first: the search figures come after the builds, minutes in
    keep = os.environ.get("LMHUB_SCALE_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="lmhub-scale-"))
    start = time.perf_counter()
    figures: list[Figure] = []
    failed: dict[str, int] = {}
    reference = machine_reference()
    try:
        for n in SIZES:
            if (work / f"hub{n}").exists():
                shutil.rmtree(work / f"hub{n}")
            figures += one_size(
                n, work, lambda line: print(line, file=sys.stderr, flush=True), failed
            )
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"Machine: {os.cpu_count()} CPUs; the reference loop (sum(range(10**8)), one core) "
        f"took {reference:.2f} s before the run and {machine_reference():.2f} s after it."
    )
    print(table(figures))
    missed = [f"{f.name} at {f.size:,}" for f in figures if not f.met]
    return Outcome(
        0.0,
        time.perf_counter() - start,
        "every figure meets its target",
        not missed,
        note="missed: " + "; ".join(missed) if missed else "",
    )


BENCHMARKS = [Benchmark("scale", run, default=False)]

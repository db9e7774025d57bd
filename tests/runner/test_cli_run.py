"""``lmhub run`` from the command line: output, exit codes, Ctrl-C, and two runs at once."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from rich.console import Console

from site_tools.cli.app import cli
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import PlainDisplay, RichDisplay
from site_tools.runner.report import (
    LISTED_MAX,
    RICH_TABLE_MAX_CLAIMS,
    fits_rich_table,
    render_markdown,
    render_plain,
    render_rich,
)
from tests.runner.conftest import RunnerHub, assert_kept, records, snapshot

pytestmark = pytest.mark.timeout(90)


def _lmhub(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["run", "--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def _times(text: str) -> str:
    """Wall times vary from run to run; the rest of the output is interface."""
    text = re.sub(r"\d+\.\d\d? s\b", "T s", text)
    return re.sub(r"(?m)^(-[- ]*  )-{6,}$", r"\1------", text)


def test_plain_output_and_markdown_summary(runner_hub: RunnerHub, tmp_path: Path) -> None:
    root = runner_hub(good=("ok", {"seeds": (0, 1)}), missed="misses", broken="raises")
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n")
    code, out, _ = _lmhub(root, "good", "missed", "broken", "--summary", str(summary))
    assert code == 1
    assert _times(out) == (
        "3 claims chosen: 4 runs to make, 0 claims up to date\n"
        "  good: seeds 0, 1 (new)\n"
        "  missed: seed 0 (new)\n"
        "  broken: seed 0 (new)\n"
        "start good seed 0\n"
        "[1/4] good seed 0: measured in T s\n"
        "start good seed 1\n"
        "[2/4] good seed 1: measured in T s\n"
        "start missed seed 0\n"
        "[3/4] missed seed 0: measured in T s: missed value: measured 1.5, expected 1 "
        "(±0.01 abs), off by +0.5 (+50.0%); allowed ±0.01\n"
        "start broken seed 0\n"
        "[4/4] broken seed 0: error in T s: exited with code 1: RuntimeError: the model "
        "diverged\n"
        "claim   status      prediction  expected       measured  seeds          alternative  time\n"
        "------  ----------  ----------  -------------  --------  -------------  -----------  ------\n"
        "good    reproduced  value       1 (±0.01 abs)  1 ± 0     2/2                         T s\n"
        "missed  failed      value       1 (±0.01 abs)  1.5       0/1 (needs 1)               T s\n"
        "    seed 0: missed value: measured 1.5, expected 1 (±0.01 abs)\n"
        "broken  error                                                                        T s\n"
        "    seed 0: error: exited with code 1: RuntimeError: the model diverged\n"
        "3 claims: 1 reproduced, 1 failed, 1 error; 4 runs in T s\n"
    )
    md = _times(summary.read_text())
    assert md.startswith(
        "# Earlier step\n### lmhub run: 3 claims: 1 reproduced, 1 failed, "
        "1 error; 4 runs in T s\n\n| claim | status | predictions | time |\n"
    )
    assert (
        "| `good` | ✅ reproduced | `value`: expected 1 (±0.01 abs), measured 1 ± 0 (2/2) ✅ "
        "| T s |"
    ) in md
    assert (
        "| `broken` | 💥 error | seed 0: error: exited with code 1: RuntimeError: the model "
        "diverged | T s |"
    ) in md


def test_exit_0_when_everything_reproduced(runner_hub: RunnerHub) -> None:
    root = runner_hub(good="ok")
    assert _lmhub(root, "--all")[0] == 0
    code, out, _ = _lmhub(root, "--all")
    assert code == 0
    assert (
        _times(out).splitlines()[-1]
        == "1 claim: 1 reproduced; 0 runs in T s; 1 up to date (cached)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: say which claims to run: IDS, --all, or --changed-since REF"),
        (("goood",), "Error: no claim 'goood' (did you mean 'good'?)"),
        (
            ("--all", "good"),
            "Error: --all already chooses every claim; leave out IDS and --changed-since",
        ),
        (
            ("good", "-j", "0"),
            "Error: Invalid value for '-j' / '--jobs': 0 is not in the range x>=1.",
        ),
    ],
)
def test_usage_errors_exit_2(runner_hub: RunnerHub, args: tuple[str, ...], message: str) -> None:
    root = runner_hub(good="ok")
    code, _, err = _lmhub(root, *args)
    assert code == 2
    assert err.strip().splitlines()[-1] == message
    assert not (root / "results" / "good").exists()


def test_an_invalid_hub_exits_1_with_its_problems(runner_hub: RunnerHub) -> None:
    root = runner_hub(good="ok", files={"claims/bad.yaml": "id: bad\ntitle: A bad claim\n"})
    code, out, err = _lmhub(root, "good")
    assert code == 1 and out == ""
    assert (
        err.splitlines()[0] == "claims/bad.yaml:1:1: citations: missing required field 'citations'"
    )
    assert err.splitlines()[-1] == "5 problems found"
    assert not (root / "results").exists()


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "site_tools", "run", "--root", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_until(proc: subprocess.Popen[str], wanted: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(wanted):
            return
    raise AssertionError(f"never printed {wanted!r}: {''.join(seen)}")


def _scripts_running(path: Path) -> list[int]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if str(path) in cmdline and proc.status() != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return found


def test_ctrl_c_keeps_finished_records_and_exits_130(runner_hub: RunnerHub) -> None:
    root = runner_hub(first=("ok", {"seeds": (0, 1)}), second="slow", third="ok")
    proc = _start(root, "first", "second", "third")
    seen: list[str] = []
    _read_until(proc, "start second seed 0", seen)
    time.sleep(0.3)  # let the slow script get going
    before = snapshot(root)
    assert len(before) == 2
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    output = "".join(seen) + out
    assert proc.returncode == 130, output + err
    assert "interrupted: stopping the running scripts; finished records are kept\n" in output
    assert "[3/4] second seed 0: stopped, nothing recorded\n" in output
    assert "interrupted; did not run: second (seed 0), third (seed 0)\n" in output
    assert [r.status for r in records(root, "first")] == ["measured", "measured"]
    assert records(root, "second") == [] and records(root, "third") == []
    assert_kept(before, root)
    assert snapshot(root) == before
    assert _scripts_running(root / "repro" / "slow.py") == []


def test_a_second_run_at_once_exits_2_and_leaves_the_first_alone(runner_hub: RunnerHub) -> None:
    root = runner_hub(slow="slow", good="ok")
    first = _start(root, "slow")
    try:
        _read_until(first, "start slow seed 0", [])
        code, _, err = _lmhub(root, "good")
        assert code == 2
        message = err.strip().splitlines()[-1]
        assert re.fullmatch(
            r"Error: another `lmhub run` is using this hub \(pid \d+ on \S+ since "
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); wait for it to finish and run again "
            rf"\(lock: {re.escape(str(root / 'results' / '.lock'))}\)",
            message,
        ), message
        assert records(root, "good") == []
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 130
    assert _lmhub(root, "good")[0] == 0


def test_records_are_gzipped_json_with_provenance(runner_hub: RunnerHub) -> None:
    root = runner_hub(good="ok")
    assert _lmhub(root, "good")[0] == 0
    path = next((root / "results" / "good").glob("*.json.gz"))
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert data["format_version"] == 2 and data["status"] == "measured"
    assert set(data["provenance"]) == {
        "git_commit",
        "git_dirty",
        "python",
        "numpy",
        "torch",
        "platform",
        "machine",
        "device",
        "sandbox",
        "memory_limit",
        "threads",
    }
    assert data["provenance"]["device"] == "cpu"
    assert data["series"] == {
        "curve": {"x": [0.0, 1.0, 2.0], "y": [1.0, 0.5, 0.25], "style": "measured"}
    }
    assert data["inputs"]["file repro/harness.py"]
    assert data["origin"] == {
        "kind": "reported",
        "workflow": None,
        "run_id": None,
        "run_attempt": None,
        "repository": None,
        "ref": None,
        "commit": None,
        "runner": None,
    }


def test_a_terminal_gets_a_live_display_and_a_rich_table(runner_hub: RunnerHub) -> None:
    root = runner_hub(good="ok", broken="raises")
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150, color_system=None)
    report = run_hub(root, RunOptions(all_claims=True), RichDisplay(console))
    render_rich(report, console)
    text = screen.getvalue()
    assert "broken seed 0: error in " in text
    assert "│ good   │ ✅ reproduced │ value" in text
    assert "2 claims: 1 error, 1 reproduced; 2 runs in " in text
    assert report.exit_code == 1


def test_a_long_summary_is_not_drawn_as_a_rich_table(runner_hub: RunnerHub) -> None:
    # rich lays a table out in time that grows with every cell: 43 s for 10,000 claims.
    root = runner_hub(good="ok")
    report = run_hub(root, RunOptions(all_claims=True), PlainDisplay())
    assert fits_rich_table(report)
    many = dataclasses.replace(report, results=report.results * RICH_TABLE_MAX_CLAIMS)
    assert fits_rich_table(many)
    many.results.append(report.results[0])
    assert not fits_rich_table(many)


def test_a_long_summary_lists_what_ran_or_does_not_pass_and_counts_the_rest(
    runner_hub: RunnerHub,
) -> None:
    root = runner_hub(good="ok", missed="misses")
    run_hub(root, RunOptions(all_claims=True), PlainDisplay())
    again = run_hub(root, RunOptions(all_claims=True), PlainDisplay())
    passed, missed = sorted(again.results, key=lambda r: r.state != "reproduced")
    assert (passed.state, passed.cached, missed.state) == ("reproduced", True, "failed")
    many = dataclasses.replace(again, results=[passed] * LISTED_MAX + [missed])
    plain = render_plain(many)
    assert [line.split()[0] for line in plain.splitlines()[2:4]] == ["missed", "seed"]
    assert not re.search(r"(?m)^good ", plain)
    assert f"not listed: {LISTED_MAX} up-to-date claims that pass (`lmhub run ID` shows one)\n" in (
        plain
    )
    markdown = render_markdown(many)
    assert "| `missed` | ❌ failed |" in markdown
    assert "`good`" not in markdown
    assert f"- not listed: {LISTED_MAX} up-to-date claims" in markdown
    # Up to LISTED_MAX claims, every one is listed.
    few = dataclasses.replace(again, results=[passed] * (LISTED_MAX - 1) + [missed])
    assert len(re.findall(r"(?m)^good ", render_plain(few))) == LISTED_MAX - 1
    assert "not listed" not in render_plain(few)
    # Nothing left to list: the counts alone, no empty table.
    quiet = dataclasses.replace(again, results=[passed] * (LISTED_MAX + 1))
    assert render_plain(quiet).splitlines()[0].startswith(f"not listed: {LISTED_MAX + 1} ")
    assert "| claim |" not in render_markdown(quiet)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150, color_system=None)
    assert fits_rich_table(quiet)
    render_rich(quiet, console)
    assert screen.getvalue().startswith(f"not listed: {LISTED_MAX + 1} ")

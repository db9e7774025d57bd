"""Attacks on the runner from a reproduction script, each a fixture in
``tests/fixtures/faults``: with bubblewrap, and where it makes sense without it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from site_tools.runner.limits import MiB, cgroup_support
from site_tools.runner.sandbox import bwrap_problem
from tests.runner.conftest import (
    RunnerHub,
    assert_kept,
    marked,
    nothing_left,
    only_record,
    records,
    run,
    snapshot,
)

pytestmark = pytest.mark.timeout(90)


def _sandbox_mode(mode: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    bwrap_problem.cache_clear()
    if mode == "session":
        monkeypatch.setenv("LMHUB_SANDBOX", "none")
    elif bwrap_problem():
        pytest.skip(f"bubblewrap cannot sandbox here: {bwrap_problem()}")
    yield mode
    bwrap_problem.cache_clear()


@pytest.fixture(params=["bwrap", "session"])
def sandbox(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test twice: under bubblewrap, and with the fallback (``LMHUB_SANDBOX=none``)."""
    yield from _sandbox_mode(request.param, monkeypatch)


@pytest.fixture
def bwrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Only under bubblewrap (skipped where it cannot start)."""
    yield from _sandbox_mode("bwrap", monkeypatch)


def _good_then(runner_hub: RunnerHub, fault: str, claim: dict[str, Any] | None = None) -> Path:
    root = runner_hub(good="ok", bad=(fault, claim or {}))
    report, _ = run(root, "good")
    assert report.exit_code == 0
    return root


def test_a_double_fork_into_a_new_session_does_not_outlive_the_run(
    runner_hub: RunnerHub, sandbox: str
) -> None:
    root = _good_then(runner_hub, "escapes_session")
    before = snapshot(root)
    run(root, "bad")
    record = only_record(root, "bad")
    assert (record.status, record.message) == ("measured", "1 prediction met")
    assert record.provenance.sandbox == sandbox
    nothing_left("lmhub-escapee")
    assert_kept(before, root)


def test_the_hub_and_the_home_folder_cannot_be_written(runner_hub: RunnerHub, bwrap: str) -> None:
    root = _good_then(runner_hub, "writes_hub")
    before = snapshot(root)
    planted = Path.home() / ".lmhub-planted"
    planted.unlink(missing_ok=True)
    script = (root / "repro" / "writes_hub.py").read_bytes()
    try:
        run(root, "bad")
        assert planted.exists() is False
    finally:
        planted.unlink(missing_ok=True)
    record = only_record(root, "bad")
    # value 1: every write failed (2 would mean one reached the hub or the home folder).
    assert (record.status, record.message) == ("measured", "1 prediction met")
    assert not (root / "claims" / "planted.yaml").exists()
    assert not (root / "repro" / "planted.py").exists()
    assert (root / "repro" / "writes_hub.py").read_bytes() == script
    assert [p.name for p in (root / "results" / "good").glob("planted*")] == []
    assert_kept(before, root)


def test_the_callers_environment_is_invisible_through_proc(
    runner_hub: RunnerHub, bwrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMHUB_TEST_SECRET", "hunter2")
    root = runner_hub(spy="reads_parent_environ")
    report, _ = run(root, "spy")
    record = only_record(root, "spy")
    assert record.status == "measured"
    assert record.metrics["secrets_seen"] == 0.0
    assert report.exit_code == 0


def test_a_listener_on_the_hosts_loopback_is_unreachable(runner_hub: RunnerHub, bwrap: str) -> None:
    accepted: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        port = server.getsockname()[1]
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                with conn:
                    accepted.append(conn.recv(16))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        root = runner_hub(
            {"repro/port.txt": str(port)},
            net=("connects_localhost", {"inputs": ("repro/port.txt",)}),
        )
        run(root, "net")
        stop.set()
        thread.join()
    record = only_record(root, "net")
    assert (record.status, record.message) == ("measured", "1 prediction met")
    assert accepted == []


@pytest.mark.slow
def test_six_children_of_400_mb_pass_no_256_mb_limit(runner_hub: RunnerHub, sandbox: str) -> None:
    mechanism = cgroup_support()
    if mechanism is None:
        pytest.skip("no memory cgroup can be made here: the limit is per process")
    root = _good_then(runner_hub, "forks_memory", {"memory_mb": 256, "timeout_s": 40})
    before = snapshot(root)
    run(root, "bad")
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "error",
        "the process tree passed the memory limit of 256 MiB (memory_mb); the script was stopped",
    )
    assert record.provenance.memory_limit == mechanism
    assert_kept(before, root)


def test_writing_outside_the_run_folder_counts_against_its_cap(
    runner_hub: RunnerHub, bwrap: str
) -> None:
    # The script would write 1.5 GB; a cap of 8 MiB catches it the same way, sooner.
    root = _good_then(runner_hub, "writes_outside")
    before = snapshot(root)
    run(root, "bad", disk_bytes=8 * MiB)
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "error",
        "the working folder passed the disk cap of 8 MiB; the script was stopped",
    )
    assert not Path("/tmp/lmhub-outside-flood").exists()
    assert not Path("/dev/shm/lmhub-outside-flood").exists()
    assert_kept(before, root)


@pytest.mark.slow
def test_killing_lmhub_leaves_nothing_running(
    runner_hub: RunnerHub, bwrap: str, tmp_path: Path
) -> None:
    root = runner_hub(stuck=("lingers", {"timeout_s": 60}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_tools", "run", "--root", str(root), "stuck"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # A killed lmhub cannot delete its run's folder: keep it among this test's files.
        env=dict(os.environ, TMPDIR=str(tmp_path)),
    )
    try:
        deadline = time.monotonic() + 30
        while not marked("lmhub-lingerer"):
            assert time.monotonic() < deadline, "the script never started"
            assert proc.poll() is None, "lmhub ended early"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        nothing_left("lmhub-lingerer")
        assert records(root, "stuck") == []
    finally:
        if proc.poll() is None:
            proc.kill()


FINISHED = "the script finished, but "
HOSTILE = [
    ("fifo_result", FINISHED + "result.json is a FIFO, not a regular file"),
    ("zero_result", FINISHED + "result.json is a symbolic link, not a regular file"),
    (
        "huge_int_result",
        FINISHED + "result.json has an integer of 400 digits, beyond the range of a float",
    ),
    ("nested_result", FINISHED + "result.json nests arrays or objects deeper than 32 levels"),
    ("duplicate_key_result", FINISHED + 'result.json has the key "value" twice'),
]


@pytest.mark.parametrize(("fault", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_output_is_an_error_of_its_run(
    runner_hub: RunnerHub, sandbox: str, fault: str, message: str
) -> None:
    root = _good_then(runner_hub, fault)
    before = snapshot(root)
    report, _ = run(root, "bad")
    record = only_record(root, "bad")
    assert (record.status, record.message) == ("error", message)
    assert report.exit_code == 1
    assert_kept(before, root)


def test_hostile_outputs_do_not_stop_the_other_runs(runner_hub: RunnerHub, bwrap: str) -> None:
    claims: dict[str, Any] = {name.replace("_", "-"): name for name, _ in HOSTILE}
    root = runner_hub(good="ok", **claims)
    report, _ = run(root, all_claims=True, jobs=2)
    assert only_record(root, "good").status == "measured"
    for name, message in HOSTILE:
        record = only_record(root, name.replace("_", "-"))
        assert (record.status, record.message) == ("error", message)
    assert report.exit_code == 1


def test_a_run_says_which_sandbox_and_memory_limit_ran_it(
    runner_hub: RunnerHub, sandbox: str
) -> None:
    root = runner_hub(good="ok")
    _, log = run(root, "good")
    provenance = only_record(root, "good").provenance
    assert provenance.sandbox == sandbox
    assert provenance.threads == 1
    assert provenance.memory_limit == (cgroup_support() or "rlimit")
    warned = [line for line in log.splitlines() if line.startswith("warning: runs are not")]
    if sandbox == "bwrap":
        assert warned == []
    else:
        assert warned == [
            "warning: runs are not sandboxed (LMHUB_SANDBOX=none asks for no sandbox); to "
            "sandbox them, install bubblewrap (apt-get install bubblewrap) and allow "
            "unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0 "
            "on Ubuntu 24.04)"
        ]


def test_without_bwrap_on_the_path_runs_fall_back_with_a_warning(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    bwrap_problem.cache_clear()
    try:
        root = runner_hub(good="ok")
        _, log = run(root, "good")
    finally:
        bwrap_problem.cache_clear()
    record = only_record(root, "good")
    assert (record.status, record.provenance.sandbox) == ("measured", "session")
    assert "warning: runs are not sandboxed (bwrap is not installed); to sandbox them" in log


@pytest.mark.parametrize("threads", [None, 2])
def test_scripts_get_the_threads_their_claim_declares(
    runner_hub: RunnerHub, sandbox: str, threads: int | None
) -> None:
    pytest.importorskip("threadpoolctl")
    root = runner_hub(work=("reports_threads", {"threads": threads, "timeout_s": 60}))
    run(root, "work")
    record = only_record(root, "work")
    want = float(threads or 1)
    assert record.metrics["blas_threads"] == want
    if "torch_threads" in record.metrics:
        assert record.metrics["torch_threads"] == want
    assert record.provenance.threads == (threads or 1)
    # Alone, with no lmhub around it, the script reads the count from its claim.
    env = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    alone = subprocess.run(
        [sys.executable, "reports_threads.py"],
        cwd=root / "repro",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f'"blas_threads": {want}' in alone.stdout


def test_a_fault_while_judging_one_run_is_that_runs_error(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_tools.runner import execute

    real = execute.assess

    def fragile(claim: Any, *args: Any) -> Any:
        if claim.id == "bad":
            raise OverflowError("int too large to convert to float")
        return real(claim, *args)

    monkeypatch.setattr(execute, "assess", fragile)
    root = runner_hub(good="ok", bad="ok")
    report, _ = run(root, all_claims=True, jobs=2)
    assert only_record(root, "good").status == "measured"
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "error",
        "the hub could not judge this run's output (OverflowError: int too large to convert "
        "to float)",
    )
    assert report.exit_code == 1


def test_without_cgroups_the_memory_limit_is_per_process(
    runner_hub: RunnerHub, sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMHUB_NO_CGROUP", "1")
    root = runner_hub(good="ok")
    run(root, "good")
    record = only_record(root, "good")
    assert record.status == "measured"
    assert (record.provenance.sandbox, record.provenance.memory_limit) == (sandbox, "rlimit")

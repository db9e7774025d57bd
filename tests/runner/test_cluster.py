"""A real Dask cluster: scheduler and worker started from the ``dask`` command line on
127.0.0.1, as separate processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_tools.runner import cluster
from site_tools.runner.select import UsageError
from tests.runner.conftest import RunnerHub, records, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(DASK), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_listening(port: int, within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the scheduler never listened on {port}")


@pytest.fixture
def scheduler() -> Iterator[str]:
    if not DASK.exists():
        pytest.skip("the dask command line is not installed")
    port = _free_port()
    proc = _start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    try:
        _wait_listening(port)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_a_cluster_gives_the_same_metrics_as_a_local_run(
    runner_hub: RunnerHub, scheduler: str
) -> None:
    root = runner_hub(work=("seeded_work", {"seeds": (0, 1, 2), "timeout_s": 60}))
    report, _ = run(root, "work", jobs=2)
    assert report.exit_code == 0
    before = records(root, "work")
    local = {r.seed: r.metrics for r in before}
    worker = _start("worker", scheduler, "--nthreads", "2", "--host", "127.0.0.1", "--no-dashboard")
    try:
        report, _ = run(root, "work", cluster=scheduler, force=True, jobs=2)
    finally:
        _stop(worker)
    assert report.exit_code == 0
    remote = {r.seed: r.metrics for r in records(root, "work") if r not in before}
    assert remote == local
    assert {r.provenance.threads for r in records(root, "work")} == {1}


def test_a_cluster_without_a_worker_is_an_error_after_a_bounded_wait(
    runner_hub: RunnerHub, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "WORKER_WAIT_S", 2.0)
    root = runner_hub(good="ok")
    start = time.monotonic()
    with pytest.raises(UsageError) as caught:
        run(root, "good", cluster=scheduler)
    assert time.monotonic() - start < 30
    assert str(caught.value) == (
        f"the Dask scheduler at {scheduler} has no live worker (waited 2 s); "
        f"start one with: dask worker {scheduler} --nthreads 1"
    )
    assert records(root, "good") == []

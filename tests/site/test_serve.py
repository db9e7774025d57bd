"""``lmhub serve`` regenerates the site when an entry or a run record changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_tools.catalog import load_catalog
from tests.site.hubs import T0, write_runs

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(fetch: Callable[[], str], wanted: str, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            text = fetch()
            if wanted in text:
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{wanted!r} did not appear within {timeout} s")


@pytest.fixture
def served(site_hub: Path) -> Iterator[Callable[[str], str]]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "site_tools",
            "serve",
            "--root",
            str(site_hub),
            "-a",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def fetch(path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as reply:
            return str(reply.read().decode("utf-8"))

    try:
        yield fetch
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_regenerates_on_yaml_and_record_changes(
    site_hub: Path, served: Callable[[str], str]
) -> None:
    page = "claims/width-limit/"
    _wait_for(lambda: served(page), "Wide networks barely move their weights")
    claim = site_hub / "claims" / "width-limit.yaml"
    claim.write_text(
        claim.read_text().replace(
            "Wide networks barely move their weights", "Wide networks hardly move their weights"
        )
    )
    _wait_for(lambda: served(page), "Wide networks hardly move their weights")
    write_runs(
        site_hub, load_catalog(site_hub).claims["width-limit"], [{"slope": -0.5}] * 3, started=T0
    )
    html = _wait_for(lambda: served(page), "status: reproduced")
    assert "Reproduced by the hub on <strong>1</strong> environment" in html

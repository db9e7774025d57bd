"""One ``lmhub run`` at a time per hub: an exclusive lock on ``results/.lock``.

Two runners at once would plan from the same records and run the same scripts twice. The
second one waits a little (a run that is just finishing lets go within that time), then
gives up with a message naming the holder; it never waits indefinitely, so a CI job cannot
hang behind a forgotten run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

LOCK_NAME = ".lock"
LOCK_WAIT_S = 2.0
"""How long a second runner waits for the lock before giving up, in seconds."""


class LockBusy(Exception):
    """Another runner holds the hub's results lock."""

    def __init__(self, path: Path, owner: str, problem: str | None = None):
        self.path = path
        self.owner = owner
        held = f" ({owner})" if owner else ""
        super().__init__(
            f"the run lock {path} is unusable: {problem}"
            if problem
            else f"another `lmhub run` is using this hub{held}; wait for it to finish "
            f"and run again (lock: {path})"
        )


@contextlib.contextmanager
def results_lock(results: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[Path]:
    """Hold the exclusive lock on ``results/.lock`` for the ``with`` block.

    Creates ``results/`` if needed. The lock file keeps the holder's pid, host and start
    time (rewritten by each holder); the lock itself is the ``flock`` on it, which the
    kernel drops if the holder dies, so a crashed run never leaves the hub locked.

    Raises
    ------
    LockBusy
        When the lock is still held after ``wait_s`` seconds, or the lock file is a
        symbolic link (never followed) or cannot be opened.
    """
    results.mkdir(parents=True, exist_ok=True)
    path = results / LOCK_NAME
    try:
        # Never through a symlink: a planted link would make lmhub truncate its target.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if path.is_symlink():
            raise LockBusy(path, "", "it is a symbolic link; remove it") from None
        raise LockBusy(path, "", f"it cannot be opened ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(path, _owner(path)) from None
                time.sleep(0.05)
        since = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {platform.node()} since {since}\n".encode(), 0)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _owner(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""

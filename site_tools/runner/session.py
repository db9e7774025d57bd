"""The process sessions of one ``lmhub run``: which scripts are running, and stopping them.

Every run is registered under the token of the ``lmhub run`` it belongs to, so that Ctrl-C
(locally) or ``Client.run(stop_session, token)`` (on each Dask worker) stops all of them at
once, and runs of a stopped session that have not started yet never start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator

_registry_lock = threading.Lock()
_stopped: set[str] = set()
_running: dict[str, dict[int, Callable[[], None]]] = {}


def stop_session(session: str) -> int:
    """Stop every run of ``session`` in this process, now and later; return how many were
    running.

    Kills each running script's whole process tree. Runs of the session that have not
    started yet return at once as ``interrupted``.
    """
    with _registry_lock:
        _stopped.add(session)
        killers = list(_running.get(session, {}).values())
    for kill in killers:
        kill()
    return len(killers)


def forget_session(session: str) -> None:
    """Drop what this process remembers of ``session`` (once none of its runs is left)."""
    with _registry_lock:
        _stopped.discard(session)
        _running.pop(session, None)


def is_stopped(session: str) -> bool:
    with _registry_lock:
        return session in _stopped


@contextlib.contextmanager
def registered(session: str, pid: int, kill: Callable[[], None]) -> Iterator[None]:
    """While inside, ``stop_session(session)`` calls ``kill`` to end the run ``pid``."""
    with _registry_lock:
        _running.setdefault(session, {})[pid] = kill
    try:
        yield
    finally:
        with _registry_lock:
            _running.get(session, {}).pop(pid, None)


def kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid``, if it still exists."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)

"""Work shared among forked processes, one per CPU.

A build from nothing of a hub of 10,000 claims converts and lays out 20,000 pages at about
12 ms each. The plugin hands the pages its render memo lacks to forked workers
(:func:`run_shares`): each converts (or lays out) its share and keeps the result in the memo;
the build's own process then finds those pages in the memo, as a rebuild does. A worker
reaches the site only through the memo, whose entries are read back as any earlier build's
are: a worker that fails or is killed leaves pages out of the memo, which the build then
makes itself. A conversion that logs a warning is not kept, so the build makes it again and
reports the warning itself. Generation shares its work the same way: workers read the claims
its results memo lacks (:func:`~site_tools.site.results.collect_results`) and render the
files it writes (:meth:`~site_tools.site.output.OutputTree.commit`), and answer with what
they made.

Workers are forked (they start with the build's state: its configuration, navigation and
converted pages), so they run only on Linux and in a process without other threads (``mkdocs
serve`` runs a server thread; forking a process with threads can deadlock the child).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MIN_SHARE = 64
"""Fewest items a worker is given: below this, forking costs more than it saves."""


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(requested: int) -> int:
    """How many workers a ``workers`` setting asks for: 0, one per CPU."""
    return requested or cpu_count()


def can_fork() -> bool:
    """Whether forked workers are safe here: Linux, and no thread besides this one."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def shares(items: Sequence[T], workers: int) -> list[list[T]]:
    """``items`` dealt round-robin into at most ``workers`` shares of at least
    :data:`MIN_SHARE` each (neighbouring pages cost alike, so dealing evens out the shares);
    no share at all when fewer than two would be made."""
    count = min(workers, len(items) // max(MIN_SHARE, 1))
    if count < 2:
        return []
    return [list(items[k::count]) for k in range(count)]


def run_shares(
    parts: Sequence[Sequence[T]], work: Callable[[Sequence[T]], Any]
) -> list[Any | None]:
    """Run ``work(part)`` for each of ``parts`` in a forked child, wait for all of them, and
    return what each returned (JSON-able), or ``None`` for a child that did not finish.

    ``work`` should take its items through :func:`until_stopped`: on Ctrl-C a child ends its
    current item and answers for what it finished; the parent waits for every child, then
    raises :class:`KeyboardInterrupt`, so no child is left behind. A child writes nothing to
    the terminal (the build reports what it makes again itself), and ends without running
    the parent's exit handlers or releasing its locks.
    """
    children: list[int] = []
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryDirectory(prefix="lmhub-workers-") as folder:
        answers = [Path(folder) / f"{k}.json" for k in range(len(parts))]
        gc.freeze()  # the children's collector then leaves the shared objects' pages unwritten
        try:
            for part, answer in zip(parts, answers, strict=True):
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child's coverage is not collected
                    _child(work, part, answer)
                children.append(pid)
        except BaseException:  # Ctrl-C while forking: stop the children forked so far
            _interrupt(children)
            raise
        finally:
            gc.unfreeze()
            interrupted = _wait(children)
        if interrupted:
            raise KeyboardInterrupt
        return [_answer(path) for path in answers]


def _answer(path: Path) -> Any | None:
    try:
        return json.loads(path.read_bytes())["answer"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


_stopping = False


def until_stopped(part: Sequence[T]) -> Iterator[T]:
    """The items of ``part`` while this worker is not told to stop (Ctrl-C): a worker stops
    between two items, never within one (a file half written, a memo entry left behind)."""
    for item in part:
        if _stopping:
            return
        yield item


def _stop(signum: int, frame: Any) -> None:
    global _stopping
    _stopping = True


def _child(work: Callable[[Sequence[T]], Any], part: Sequence[T], answer: Path) -> None:
    code = 1
    try:
        signal.signal(signal.SIGINT, _stop)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        # And what looks up the streams when it writes (print, click.echo).
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - until os._exit
        answer.write_text(json.dumps({"answer": work(part)}), encoding="utf-8")
        code = 0
    except BaseException:  # the parent makes again whatever is missing
        pass
    finally:
        os._exit(code)


def _wait(children: list[int]) -> bool:
    """Wait for every child; whether Ctrl-C came meanwhile (then it is passed on to each child
    still running, in case it reached the parent alone)."""
    interrupted = False
    waiting = list(children)
    while waiting:
        try:
            os.waitpid(waiting[0], 0)
        except ChildProcessError:
            waiting.pop(0)
            continue
        except KeyboardInterrupt:
            interrupted = True
            _interrupt(waiting)
            continue
        waiting.pop(0)
    return interrupted


def _interrupt(children: list[int]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)

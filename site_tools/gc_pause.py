"""Pause Python's cycle collector while a large, acyclic structure is built.

Loading a hub creates millions of objects (parsed values, models) that all live until the
load ends. Each of CPython's collections walks every one of them again and finds no
garbage: at 10,000 claims that is a third of ``lmhub validate``. Reference counting still
frees what is dropped; a cycle made meanwhile is collected by the first collection after.

A one-shot command may also freeze what was loaded when the collector resumes
(:func:`gc.freeze`): it lives as long as the command, so later collections (while runs go
on, or a 10k-row report is written) need not walk it again. A long-lived process (``lmhub
serve`` rebuilding on every edit) must not freeze, or each build's cyclic garbage would stay.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the body without cycle collections (a no-op when they are already off)."""
    with CollectorPause():
        yield


class CollectorPause:
    """A context in which the cyclic collector is off, unless :meth:`resume` is called.

    Parameters
    ----------
    freeze
        Whether resuming leaves every object alive then out of later collections.
    """

    def __init__(self, freeze: bool = False) -> None:
        self.freeze = freeze
        self._paused = False

    def __enter__(self) -> CollectorPause:
        self._paused = gc.isenabled()
        gc.disable()
        return self

    def resume(self) -> None:
        """Turn the collector back on (with ``freeze``, leaving what exists now out of it)."""
        if self._paused:
            if self.freeze:
                gc.freeze()
            gc.enable()
            self._paused = False

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.resume()

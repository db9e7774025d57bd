"""Pausing Python's cyclic garbage collector while a large hub is loaded.

Loading 10k claims and planning them creates millions of small, long-lived objects and no
reference cycles worth collecting; every few thousand allocations the collector would
still walk all of them, which made up half the CPU of a no-op ``lmhub run`` at that size.
Reference counting frees everything else as usual while the collector is paused. A
one-shot command may also freeze what was loaded when the collector resumes
(:func:`gc.freeze`): it lives as long as the command, so later collections (while runs go
on, or a 10k-row report is written) need not walk it again. A long-lived process (``lmhub
serve`` rebuilding on every edit) must not freeze, or each build's cyclic garbage would stay.
"""

from __future__ import annotations

import gc
from types import TracebackType


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

"""Pausing Python's cyclic garbage collector while a large hub is loaded.

Loading 10k claims and planning them creates millions of small, long-lived objects and no
reference cycles worth collecting; every few thousand allocations the collector would
still walk all of them, which made up half the CPU of a no-op ``lmhub run`` at that size.
Reference counting frees everything else as usual while the collector is paused. When it
resumes, what was loaded is frozen (:func:`gc.freeze`): it lives as long as the command, so
later collections (while runs go on, or a 10k-row report is written) need not walk it again.
"""

from __future__ import annotations

import gc
from types import TracebackType


class CollectorPause:
    """A context in which the cyclic collector is off, unless :meth:`resume` is called."""

    def __init__(self) -> None:
        self._paused = False

    def __enter__(self) -> CollectorPause:
        self._paused = gc.isenabled()
        gc.disable()
        return self

    def resume(self) -> None:
        """Turn the collector back on, leaving what exists now out of its future walks."""
        if self._paused:
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

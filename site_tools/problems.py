"""Problems found in a hub's files, and how they are reported.

Every validation step returns :class:`Problem` values instead of raising, so that one pass
can report every fault of every file. :class:`HubError` carries a batch of them to the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One fault a contributor can act on.

    Attributes
    ----------
    path
        File the fault is in, relative to the hub root where possible.
    line, col
        1-based position; 0 when the fault belongs to the whole file.
    field
        Dotted path of the offending field (``predictions.0.expect.rel_tol``), or ``""``.
    message
        What is wrong and, where possible, how to fix it.
    """

    path: str
    line: int
    col: int
    field: str
    message: str

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def format_github(self) -> str:
        """Render as a GitHub Actions workflow command, shown inline on a pull request."""
        props = [f"file={self.path}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.col}"]
        title = self.field or "lmhub"
        text = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error {','.join(props)},title={title}::{text}"


class HubError(Exception):
    """A batch of problems that stops a command; the CLI prints them and exits 1."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

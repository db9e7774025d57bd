"""Problems found in a hub's files, and how they are reported.

Every validation step returns :class:`Problem` values instead of raising, so that one pass
can report every fault of every file. :class:`HubError` carries a batch of them to the CLI.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


def shown(text: str) -> str:
    """``text`` with every invisible or control character escaped (U+200B as ``\\u200b``).

    A key that differs from another only by a zero-width space, or a field holding a
    non-breaking space, would otherwise print as if it were correct.
    """
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch == " " or unicodedata.category(ch)[0] not in "CZ":
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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
    severity
        ``error`` stops every command; ``warning`` (a template leftover, a confusable
        BibTeX key) is printed, and fails only ``lmhub validate --strict`` and ``lmhub check``.
    """

    path: str
    line: int
    col: int
    field: str
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        if self.severity == "warning":
            where += ": warning"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return shown(text)

    def format_github(self) -> str:
        """Render as a GitHub Actions workflow command, shown inline on a pull request."""
        props = [f"file={self.path}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.col}"]
        title = shown(self.field or "lmhub")
        text = shown(self.message).replace("%", "%25")
        return f"::{self.severity} {','.join(props)},title={title}::{text}"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a command (not the warnings)."""
    return [p for p in problems if p.severity == "error"]


class HubError(Exception):
    """A batch of problems that stops a command; the CLI prints them and exits 1."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

"""Refuse contributed text that could carry script into the published site.

The site escapes raw HTML anyway; this check exists so that a contributor learns at
validation time, with a line number, instead of seeing text silently disappear.
"""

from __future__ import annotations

import re

_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"<\s*/?\s*(script|iframe|style|object|embed|frame|frameset|base|meta|link|form)\b",
            re.IGNORECASE,
        ),
        "raw <{0}> tag is not allowed; entries are Markdown",
    ),
    (
        re.compile(r"<[a-zA-Z][^>]*?\s(on[a-zA-Z]+)\s*=", re.IGNORECASE),
        "HTML event-handler attribute '{0}' is not allowed",
    ),
    (
        re.compile(r"\b(javascript|vbscript|livescript)\s*:", re.IGNORECASE),
        "'{0}:' links are not allowed; only http(s), DOI and arXiv links",
    ),
    (
        re.compile(r"\bdata\s*:\s*text/html", re.IGNORECASE),
        "'data:text/html' links are not allowed",
    ),
]


_WORDS = ("javascript", "vbscript", "livescript", "text/html")
"""A rule without '<' matches only where one of these is written (in any case)."""
_ODD_CASES = ("\u0130", "\u0131", "\u017f")
"""The only characters that a case-blind pattern reads as an ASCII letter although they do
not lower-case to just that letter: dotted capital I and dotless i (as i), long s (as s)."""


def may_be_unsafe(text: str) -> bool:
    """Whether any rule could match ``text``: a quick test before the rules are searched.

    Searching a case-blind pattern that starts with a letter visits every character, which
    costs more than parsing a YAML file; a substring test of the lower-cased text does not.
    """
    if "<" in text or any(ch in text for ch in _ODD_CASES):
        return True
    lowered = text.lower()
    return any(word in lowered for word in _WORDS)


def unsafe_html(text: str) -> str | None:
    """Return why ``text`` is unsafe to publish, or ``None`` when it is fine."""
    if not may_be_unsafe(text):
        return None
    for pattern, message in _RULES:
        found = pattern.search(text)
        if found:
            return message.format(*(group.lower() for group in found.groups()))
    return None

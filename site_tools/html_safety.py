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


def unsafe_html(text: str) -> str | None:
    """Return why ``text`` is unsafe to publish, or ``None`` when it is fine."""
    if "<" not in text and ":" not in text:
        return None
    for pattern, message in _RULES:
        found = pattern.search(text)
        if found:
            return message.format(found.group(1).lower())
    return None

"""Built pages without the template's indentation.

The theme's templates indent every tag on a line of its own; on a hub of 10,000 claims and
as many questions that indentation is a fifth of the published site (GitHub Pages takes at
most 1 GB). Each run of white space that holds a line break and touches a tag becomes one
line break. A browser renders any run of white space outside preformatted text as a single
space (or none, between blocks), so the page looks the same; ``pre``, ``code``, ``kbd``,
``textarea``, ``script`` and ``style`` elements are left exactly as they are.

Nothing else is rewritten: no entity is decoded and no attribute re-quoted, so text that the
hub escaped stays escaped for every reader of the HTML, not only for browsers (a general
minifier such as ``minify-html`` writes ``&lt;script>`` and moves ``<`` into attribute values
unescaped, which is valid HTML but trips simpler parsers).
"""

from __future__ import annotations

import re

# A white space run after a tag, or one before a tag that starts right after text; the
# quantifiers are possessive and a run is tried from its start only, so that a long run
# without a line break costs its length once, not its length squared.
_SPACE_OR_KEPT = re.compile(
    r"(?P<kept><(pre|code|kbd|textarea|script|style)(?=[\s>/]).*?</\2\s*>)"
    r"|(?<=>)[^\S\n]*+\n\s*+|(?<!\s)[^\S\n]*+\n\s*+(?=<)",
    re.S | re.I,
)


def compact_page(html: str) -> str:
    """``html`` (a whole page) with each run of white space that holds a line break and
    touches a tag reduced to one line break, outside the elements kept as they are."""
    return _SPACE_OR_KEPT.sub(lambda m: m.group("kept") or "\n", html)

"""Built pages without the template's indentation.

The theme's templates indent every tag on a line of its own; on a hub of 10,000 claims and
as many questions that indentation is a fifth of the published site (GitHub Pages takes at
most 1 GB). Each run of white space that holds a line break and touches a tag becomes one
line break. A browser renders any run of white space outside preformatted text as a single
space (or none, between blocks), so the page looks the same; ``pre``, ``code``, ``kbd``,
``textarea``, ``script`` and ``style`` elements are left exactly as they are.

Three more runs of white space go entirely, where a browser draws none:

* a line break between two tags of elements that lay out as blocks or table parts (not
  ``div``, ``li`` or inline elements, which the theme's styles may set inline: there a line
  break draws a space);
* the line breaks just inside the theme's ``md-ellipsis`` labels, which always stand alone in
  a flex box, where leading and trailing white space draws nothing;
* Pygments' spans around white space in highlighted code (``<span class="w">``), a class that
  no style of the theme or the hub colours: the white space stays, without its span.

Together they are 4 MB of a hub of 10,000 claims and as many questions.

Nothing else is rewritten: no entity is decoded and no attribute re-quoted, so text that the
hub escaped stays escaped for every reader of the HTML, not only for browsers (a general
minifier such as ``minify-html`` writes ``&lt;script>`` and moves ``<`` into attribute values
unescaped, which is valid HTML but trips simpler parsers).
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"<(pre|code|kbd|textarea|script|style)(?=[\s>/]).*?</\1\s*>", re.S | re.I)
# A white space run after a tag, and one before a tag that starts right after text. The
# quantifiers are possessive, so that a long run without a line break costs its length
# once, not its length squared; each pattern starts with what a search finds quickly.
_AFTER_TAG = re.compile(r">[^\S\n]*+\n\s*+")
_BEFORE_TAG = re.compile(r"(?<!\s)[^\S\n]*+\n\s*+(?=<)")


# Elements that lay out as blocks or table parts in the theme and the hub's pages.
_BLOCK = (
    r"(?:html|head|body|meta|link|title|main|header|footer|article|section|aside|nav|ul|ol"
    r"|table|thead|tbody|tfoot|tr|th|td|h[1-6]|p|hr|dl|dt|dd|form|blockquote|figure"
    r"|figcaption|details|summary)"
)
_BETWEEN_BLOCKS = re.compile(rf"(</?{_BLOCK}\b[^<>]*>)\n(?=</?{_BLOCK}\b)")
_ELLIPSIS = re.compile(r'(<span class="md-ellipsis">)\n([^<\n]*)\n(?=</span>)')
_WHITESPACE_SPAN = re.compile(r'<span class="w">(\s*)</span>')


def _squeeze(html: str) -> str:
    html = _BEFORE_TAG.sub("\n", _AFTER_TAG.sub(">\n", html))
    return _ELLIPSIS.sub(r"\1\2", _BETWEEN_BLOCKS.sub(r"\1", html))


def _kept(element: str) -> str:
    if element[1:4].lower() in ("pre", "cod"):
        return _WHITESPACE_SPAN.sub(r"\1", element)
    return element


def compact_page(html: str) -> str:
    """``html`` (a whole page) with each run of white space that holds a line break and
    touches a tag reduced to one line break, outside the elements kept as they are."""
    out, last = [], 0
    for kept in _KEPT.finditer(html):
        # Each stretch between kept elements starts with the ">" that ended the last one, so
        # that the run after it is seen as following a tag; that character is dropped again.
        out += [_squeeze(html[max(last - 1, 0) : kept.start()])[1 if last else 0 :], _kept(kept[0])]
        last = kept.end()
    out.append(_squeeze(html[max(last - 1, 0) :])[1 if last else 0 :])
    return "".join(out)

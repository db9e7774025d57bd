"""Turning untrusted text into Markdown that cannot carry HTML, script or unsafe links.

Everything a contributor wrote (entry fields, BibTeX fields, record messages, series names)
reaches a page through one of three doors here:

* :func:`inline` for plain text (titles, ids, names, numbers): every character that means
  something to Markdown or HTML becomes a character reference, so the text shows as written
  and can never open a tag, a link, an attribute list or a table cell.
* :func:`entry_markdown` for the Markdown fields of an entry (statement, setting, notes...):
  emphasis, lists and math keep working, but ``<`` and ``{``/``}`` are escaped outside code
  spans (no raw HTML, no ``{: onclick=...}`` attribute lists), images are dropped (a page
  must not load anything from elsewhere) and every link is rewritten to an https URL or
  reduced to its text.
* :func:`html` for text placed inside HTML that the generator writes itself.

The validator refuses script tags, event handlers and ``javascript:`` links already; these
functions do not rely on it (defence in depth), and the Markdown extension in
:mod:`site_tools.site.safety` checks the rendered tree once more.
"""

from __future__ import annotations

import functools
import hashlib
import html as _html
import re
import unicodedata
from urllib.parse import quote, urlsplit

from site_tools.citations import ARXIV_RE, DOI_RE
from site_tools.models import ID_PATTERN, TAG_PATTERN

# Characters that Markdown, its extensions (tables, attr_list, math) or HTML give a meaning.
_INLINE_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+!|$~^<>&\"'=:]")
_ID_RE = re.compile(ID_PATTERN)
_TAG_RE = re.compile(TAG_PATTERN)
# Python-Markdown's own code-span rule (markdown.inlinepatterns.BACKTICK_RE), so that what we
# leave unescaped as code is exactly what Markdown then escapes as code.
_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")
_AUTOLINK = re.compile(r"<((?:https?|doi|arxiv):[^<>\s]+)>", re.IGNORECASE)
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\(\s*(?P<url><[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_REF_DEF = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*(\S+).*$", re.MULTILINE)
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def html(text: str) -> str:
    """Escape ``text`` for an HTML text node or a double-quoted attribute."""
    return _html.escape(text, quote=True)


def inline(text: object) -> str:
    """Plain text as inert inline Markdown: shows exactly as written, on one line."""
    flat = " ".join(str(text).split())
    return _INLINE_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", flat)


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON is YAML) holding ``text`` HTML-escaped.

    Page titles go into front matter this way: the theme prints ``page.title`` without
    escaping it, so the title is stored escaped.
    """
    escaped = html(" ".join(text.split()))
    out = ['"']
    for char in escaped:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) > 0x7E:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


@functools.cache  # a build asks for the slug of every id several times (pages, files, links)
def slug(entry_id: str) -> str:
    """A file-name-safe form of an id: the id itself when valid, else a cleaned, unique one."""
    if _ID_RE.match(entry_id) and len(entry_id) <= 80:
        return entry_id
    cleaned = re.sub(r"[^a-z0-9]+", "-", entry_id.lower()).strip("-")[:60] or "entry"
    digest = hashlib.sha256(entry_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned}-{digest}"


def anchor(key: str) -> str:
    """An HTML id for a citation key (``ref-`` plus the key's safe characters)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    return f"ref-{cleaned}" if cleaned == key else f"ref-{slug(key)}"


def safe_tags(tags: list[str]) -> list[str]:
    """The tags that are valid tag names; anything else is dropped."""
    return [t for t in tags if _TAG_RE.match(t) and len(t) <= 40]


def safe_url(url: str) -> str | None:
    """An https/http URL to emit for ``url``, or None when it is not one we allow.

    ``doi:10.x/y`` and ``arXiv:2106.00001`` become doi.org and arxiv.org links. Characters
    that could end a Markdown link or an HTML attribute are percent-encoded.
    """
    url = _html.unescape(url.strip().removeprefix("<").removesuffix(">")).strip()
    lowered = url.lower()
    if lowered.startswith("doi:"):
        doi = url[4:].strip()
        return f"https://doi.org/{_encode(doi)}" if DOI_RE.match(doi) else None
    if lowered.startswith("arxiv:"):
        arxiv = url[6:].strip()
        return f"https://arxiv.org/abs/{arxiv}" if ARXIV_RE.match(arxiv) else None
    if _URL_UNSAFE.search(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return _encode(url)


def _encode(url: str) -> str:
    return quote(url, safe="/:?#[]@!$&'*+,;=%-._~")


def entry_markdown(text: str) -> str:
    """An entry's Markdown, made inert: see the module docstring for what changes.

    This is the one rendering path of every Markdown field (statement, setting, notes,
    prediction descriptions and sources, alternatives, parameter meanings, mutant ``why``).
    Besides the escaping, two things keep text as its author wrote it:

    * a ``*`` or ``_`` that cannot open or close emphasis by CommonMark's flanking rules, or
      that has no partner, is shown as itself (``η*``, ``‖β*‖``, ``B_crit``); Python-Markdown
      would otherwise pair any two stars;
    * a TeX fragment written outside dollars (``q_{l+1}/q_l``, ``\\sigma_w^2``) is rendered as
      math, when it converts.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _REF_DEF.sub(_rewrite_ref_def, text)
    out: list[str] = []
    for block in _BLANK_LINE.split(text):
        if _BLANK_LINE.fullmatch(block):
            out.append(block)
        else:
            out.append(_block_markdown(block))
    return "".join(out)


def entry_inline(text: str, *, cell: bool = False) -> str:
    """:func:`entry_markdown` for a field shown on one line (a list item, or a table cell
    when ``cell``: then a ``|`` cannot end the cell, in prose or in math)."""
    flat = " ".join(entry_markdown(text).split())
    if not cell:
        return flat
    out = []
    for kind, piece in _segments(flat):
        if kind == "math":
            piece = piece.replace("\\|", "\\Vert ").replace("|", "\\vert ")
            fence = "$$" if piece.startswith("$$") else "$"
            piece = piece[: -len(fence)].rstrip() + fence  # no space before the closing $
        elif kind == "prose":
            piece = piece.replace("|", "&#124;")
        out.append(piece)
    return "".join(out)


# Inline math as the math extension reads it ($$...$$, or "smart" $...$).
_MATH_SPAN = re.compile(
    r"(?<!\\)\$\$(?:\\.|[^\\$])+?\$\$|(?<!\\)\$(?![\s$])(?:\\.|[^\\$])+?(?<!\s)\$(?!\d)"
)
# A TeX fragment outside dollars: a word holding _{...}, ^{...} or a \command.
_BARE_TEX = re.compile(r"\S*(?:[_^]\{|\\[A-Za-z]+)\S*")
_DELIMS = re.compile(r"\*+|_+")


def _segments(block: str) -> list[tuple[str, str]]:
    """``block`` cut into ``code``, ``math`` and ``prose`` pieces, in order."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    for span in _CODE_SPAN.finditer(block):
        pieces.extend(_math_segments(block[pos : span.start()]))
        pieces.append(("code", span.group()))
        pos = span.end()
    pieces.extend(_math_segments(block[pos:]))
    return [p for p in pieces if p[1]]


def _math_segments(text: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    pos = 0
    for span in _MATH_SPAN.finditer(text):
        pieces.append(("prose", text[pos : span.start()]))
        pieces.append(("math", span.group()))
        pos = span.end()
    pieces.append(("prose", text[pos:]))
    return pieces


def _bare_tex(prose: str) -> list[tuple[str, str]]:
    """Prose with its TeX fragments cut out as ``math`` pieces (already in dollars)."""
    from site_tools.site.math import to_mathml

    pieces: list[tuple[str, str]] = []
    pos = 0
    for match in _BARE_TEX.finditer(prose):
        start, end = match.span()
        word = match.group()
        if "://" in word or "](" in word or "$" in word:
            continue
        # Punctuation around the fragment belongs to the sentence, not to the formula.
        while (word and word[-1] in ",.;:!?") or (
            word.endswith(")") and word.count(")") > word.count("(")
        ):
            word, end = word[:-1], end - 1
        while word and word[0] == "(" and word.count("(") > word.count(")"):
            word, start = word[1:], start + 1
        if not word or word.count("{") != word.count("}"):
            continue
        if to_mathml(_html.unescape(word)) is None:
            continue
        pieces.append(("prose", prose[pos:start]))
        pieces.append(("math", f"${word}$"))
        pos = end
    pieces.append(("prose", prose[pos:]))
    return pieces


def _block_markdown(block: str) -> str:
    pieces: list[tuple[str, str]] = []
    for kind, piece in _segments(block):
        pieces.extend(_bare_tex(piece) if kind == "prose" else [(kind, piece)])
    literal = _literal_delimiters(pieces)
    out = []
    for index, (kind, piece) in enumerate(pieces):
        if kind == "prose":
            marks = literal.get(index, set())
            piece = "".join(f"&#{ord(c)};" if i in marks else c for i, c in enumerate(piece))
            out.append(_escape_prose(piece))
        elif kind == "math":
            out.append(_escape_math(piece))
        else:
            out.append(piece)
    return "".join(out)


def _escape_math(piece: str) -> str:
    return piece.replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")


def _is_space(char: str) -> bool:
    return char == "" or char.isspace()


def _is_punct(char: str) -> bool:
    return char != "" and unicodedata.category(char)[0] in "PS"


def _literal_delimiters(pieces: list[tuple[str, str]]) -> dict[int, set[int]]:
    """Positions (piece index, offset) of ``*`` and ``_`` that must show as themselves.

    A run of ``*`` or ``_`` is kept as emphasis only when CommonMark's flanking rules let it
    open or close and it has a partner; code and math count as ordinary characters.
    """
    runs: list[tuple[int, int, int, str, bool, bool]] = []
    flat = "".join(p if k == "prose" else "a" * len(p) for k, p in pieces)
    offset = 0
    for index, (kind, piece) in enumerate(pieces):
        if kind == "prose":
            for m in _DELIMS.finditer(piece):
                start, end = offset + m.start(), offset + m.end()
                before = flat[start - 1] if start else ""
                after = flat[end] if end < len(flat) else ""
                left = not _is_space(after) and (
                    not _is_punct(after) or _is_space(before) or _is_punct(before)
                )
                right = not _is_space(before) and (
                    not _is_punct(before) or _is_space(after) or _is_punct(after)
                )
                if m.group()[0] == "_":
                    opens = left and (not right or _is_punct(before))
                    closes = right and (not left or _is_punct(after))
                else:
                    opens, closes = left, right
                runs.append((index, m.start(), m.end(), m.group()[0], opens, closes))
        offset += len(piece)
    matched: set[int] = set()
    openers: list[int] = []
    for n, (_, _, _, char, opens, closes) in enumerate(runs):
        partner = (
            next((o for o in reversed(openers) if runs[o][3] == char), None) if closes else None
        )
        if partner is not None:
            matched.update((partner, n))
            del openers[openers.index(partner) :]
        elif opens:
            openers.append(n)
    literal: dict[int, set[int]] = {}
    for n, (index, start, end, _, _, _) in enumerate(runs):
        if n not in matched:
            literal.setdefault(index, set()).update(range(start, end))
    return literal


def indent(markdown: str, prefix: str = "    ") -> str:
    """Indent every line after the first, for Markdown placed inside a list item."""
    return markdown.replace("\n", "\n" + prefix)


_KEPT_LINK = "\x00"  # marks the "](" of a link we rewrote, while the rest is escaped


def _escape_prose(text: str) -> str:
    text = _AUTOLINK.sub(lambda m: f"[{m.group(1)}]({m.group(1)})", text)
    text = _LINK.sub(_rewrite_link, text.replace(_KEPT_LINK, ""))
    # A "](" left now belongs to link syntax the rewriter did not recognise: make it text.
    text = text.replace("](", "]&#40;").replace(_KEPT_LINK, "](")
    return text.replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")


def _rewrite_link(match: re.Match[str]) -> str:
    label = match.group("text")
    if match.group("bang"):
        return label  # no images from entries: they would load from elsewhere
    url = safe_url(match.group("url"))
    if url is None:
        return label
    return f"[{label}{_KEPT_LINK}{url})"


def _rewrite_ref_def(match: re.Match[str]) -> str:
    url = safe_url(match.group(3))
    if url is None:
        return ""
    return f"{match.group(1)}[{match.group(2)}]: {url}"

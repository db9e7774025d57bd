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

import hashlib
import html as _html
import re
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
    """An entry's Markdown, made inert: see the module docstring for what changes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _REF_DEF.sub(_rewrite_ref_def, text)
    out: list[str] = []
    for block in _BLANK_LINE.split(text):
        if _BLANK_LINE.fullmatch(block):
            out.append(block)
            continue
        pos = 0
        for span in _CODE_SPAN.finditer(block):
            out.append(_escape_prose(block[pos : span.start()]))
            out.append(span.group())
            pos = span.end()
        out.append(_escape_prose(block[pos:]))
    return "".join(out)


def entry_inline(text: str) -> str:
    """:func:`entry_markdown` for a field shown on one line (a table cell, a list item)."""
    return " ".join(entry_markdown(text).split())


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

"""A Markdown extension that renders ``$...$`` and ``$$...$$`` to MathML on the server.

Pages need no MathJax, no CDN and no JavaScript for math: browsers render MathML Core
natively. The conversion uses latex2mathml, and its output is parsed and rebuilt from an
allow-list of MathML elements and attributes before it reaches the page, because
latex2mathml copies ``\\text{...}`` verbatim and turns ``\\href`` into a link attribute.

A formula latex2mathml cannot convert is shown as code and logged as a warning (which fails
a strict build), so a broken formula is noticed rather than silently mangled.

Use it in ``mkdocs.yml`` as ``site_tools.site.math``; the hub's plugin adds it when absent.
"""

from __future__ import annotations

import html
import logging
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any

from latex2mathml.converter import convert
from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

log = logging.getLogger("mkdocs.plugins.lmhub")

_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msub",
        "msup",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "mfenced",
        "menclose",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "semantics",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "separators",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "columnalign",
        "columnspacing",
        "columnlines",
        "rowalign",
        "rowspacing",
        "rowlines",
        "frame",
        "displaystyle",
        "scriptlevel",
        "width",
        "height",
        "depth",
        "linethickness",
        "minsize",
        "maxsize",
        "movablelimits",
        "form",
        "largeop",
        "symmetric",
        "notation",
        "open",
        "close",
        "align",
        "columnspan",
        "rowspan",
        "voffset",
    ]
)

# Inline: $$display$$ or $inline$ (pymdownx.arithmatex's "smart dollar": no space just inside
# the dollars, so "costs $5 and $10" stays text). Group 1 catches escaped backslashes.
_INLINE_RE = (
    r"(?:(?<!\\)((?:\\{2})+)(?=\$)"
    r"|(?<!\\)\$\$((?:\\.|[^\\$])+?)\$\$"
    r"|(?<!\\)\$(?![\s$])((?:\\.|[^\\$\x02\x03])+?)(?<!\s)\$(?!\d))"
)
_BLOCK_RE = re.compile(r"^\s*\$\$(?P<math>(?:\\.|[^\\$])+?)\$\$\s*$", re.DOTALL)


@lru_cache(maxsize=8192)
def to_mathml(latex: str, display: bool = False) -> str | None:
    """MathML for ``latex`` (entities already decoded), or None when it cannot be converted."""
    try:
        raw = convert(latex, display="block" if display else "inline")
        root = ET.fromstring(raw)
    except Exception:  # latex2mathml raises many types on bad input; all mean "cannot"
        return None
    clean = _rebuild(root)
    if clean is None:
        return None
    # No xmlns: an HTML parser puts <math> in the MathML namespace by itself (43 bytes a
    # formula, 1 MB over 10,000 claims).
    return ET.tostring(clean, encoding="unicode", method="xml", short_empty_elements=False)


def _rebuild(node: ET.Element) -> ET.Element | None:
    tag = node.tag.rsplit("}", 1)[-1]
    if tag not in _ELEMENTS:
        return None
    out = ET.Element(tag, {k: v for k, v in node.attrib.items() if k in _ATTRIBUTES})
    out.text = node.text
    for child in node:
        rebuilt = _rebuild(child)
        if rebuilt is not None:
            rebuilt.tail = child.tail
            out.append(rebuilt)
        elif child.tail and len(out):  # a dropped element keeps the text after it
            out[-1].tail = (out[-1].tail or "") + child.tail
        elif child.tail:
            out.text = (out.text or "") + child.tail
    return out


_GREEK = {
    name: chr(code)
    for name, code in zip(
        [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "zeta",
            "eta",
            "theta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "omicron",
            "pi",
            "rho",
            "varsigma",
            "sigma",
            "tau",
            "upsilon",
            "phi",
            "chi",
            "psi",
            "omega",
        ],
        range(0x3B1, 0x3CA),
        strict=True,
    )
}
_WORDS = {
    **_GREEK,
    **{k.capitalize(): chr(ord(v) - 32) for k, v in _GREEK.items()},
    "varepsilon": "ε",
    "varphi": "φ",
    "ell": "ℓ",
    "infty": "∞",
    "nabla": "∇",
    "partial": "∂",
    "sum": "Σ",
    "prod": "Π",
    "int": "∫",
    "sqrt": "√",
    "cdot": "·",
    "times": "×",
    "to": "→",
    "rightarrow": "→",
    "approx": "≈",
    "sim": "∼",
    "propto": "∝",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "pm": "±",
    "in": "∈",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
    "top": "ᵀ",
}
_FUNCTIONS = frozenset(
    [
        "ln",
        "log",
        "exp",
        "sin",
        "cos",
        "tan",
        "max",
        "min",
        "sup",
        "inf",
        "lim",
        "det",
        "tr",
        "arg",
        "Var",
    ]
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\s?|\\[,;:! ]")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")


def _word(match: re.Match[str]) -> str:
    name = match.group(1)
    if not name:
        return " "
    if name in _FUNCTIONS:
        return name + " "
    return _WORDS.get(name, "")


def plain_text(latex: str) -> str:
    """A readable one-line rendering of ``latex`` for search snippets: Greek letters and common
    symbols as characters, font and spacing commands and braces dropped (``\\sigma_w^2``
    gives ``σ_w^2``)."""
    text = _FRAC.sub(lambda m: f"({m.group(1)})/({m.group(2)})", latex)
    text = _COMMAND.sub(_word, text)
    return " ".join(text.replace("{", "").replace("}", "").split())


def render(latex: str, display: bool) -> str:
    """MathML for ``latex`` (may hold HTML entities), or escaped code when it fails.

    The MathML is followed by a visually hidden, ``aria-hidden`` plain-text form of the formula
    (:func:`plain_text`): the search index reads that instead of MathML's token soup.
    """
    source = html.unescape(latex).strip()
    mathml = to_mathml(source, display)
    if mathml is not None:
        text = html.escape(plain_text(source))
        return f'{mathml}<span class="lmhub-tex" aria-hidden="true">{text}</span>'
    log.warning("cannot render math %r; shown as code", source[:80])
    return f'<code class="lmhub-math-error">{html.escape(source)}</code>'


class _InlineMath(InlineProcessor):
    def __init__(self, md: Markdown) -> None:
        super().__init__(_INLINE_RE, md)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        if m.group(1):
            return m.group(1).replace("\\\\", "\\"), m.start(0), m.end(0)
        display = m.group(2) is not None
        markup = render(m.group(2) if display else m.group(3), display)
        return self.md.htmlStash.store(markup), m.start(0), m.end(0)


class _BlockMath(BlockProcessor):
    def test(self, parent: ET.Element, block: str) -> bool:
        return _BLOCK_RE.match(block) is not None

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        match = _BLOCK_RE.match(blocks.pop(0))
        assert match is not None
        wrapper = ET.SubElement(parent, "div", {"class": "lmhub-math"})
        wrapper.text = self.parser.md.htmlStash.store(render(match.group("math"), True))
        return True


class MathExtension(Extension):
    """Server-side MathML for ``$...$`` (inline) and ``$$...$$`` (display)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")
        # After code spans (190), before backslash escapes (180): math keeps its backslashes.
        md.inlinePatterns.register(_InlineMath(md), "lmhub-math", 189.9)
        md.parser.blockprocessors.register(_BlockMath(md.parser), "lmhub-math-block", 79.9)


def makeExtension(**kwargs: Any) -> MathExtension:
    """Entry point for ``markdown.Markdown(extensions=["site_tools.site.math"])``."""
    return MathExtension(**kwargs)

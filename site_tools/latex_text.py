"""LaTeX as BibTeX fields write it, turned into plain Unicode text for display.

Handles what real bibliographies contain: accents in every spelling (``\\'e``, ``\\'{e}``,
``{\\'e}``, ``\\'{\\i}``), the letters LaTeX names (``{\\L}``, ``\\ss``, ``\\o``), dashes
(``--``, ``---``), quotes, escaped specials, and text-style commands (``\\emph{...}``).
Math between ``$...$`` is kept as it is, so that the site can typeset it.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "L": "Ł",
    "l": "ł",
    "O": "Ø",
    "o": "ø",
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "pounds": "£",
    "euro": "€",
    "textdegree": "°",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
_ESCAPES = {"&": "&", "%": "%", "_": "_", "$": "$", "#": "#", "{": "{", "}": "}", " ": " "}

# An accent command and its argument: \'e, \' e, \'{e}, \'{\i}, \v{s}, \c c.
_ACCENT_RE = re.compile(
    r"\\(?:(['`^\"~=.])\s*|([uvHckrdb])(?:\s+|(?=\{)))"
    r"(?:\{\s*(\\[ij]\b|[A-Za-z])\s*\}|(\\[ij]\b|[A-Za-z]))"
)
_LETTER_RE = re.compile(r"\\([A-Za-z]+)\b\s?(\{\})?")
_ESCAPE_RE = re.compile(r"\\([&%_$#{} ])")
_MATH_RE = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENTS[match.group(1) or match.group(2)]
    base = match.group(3) or match.group(4)
    letter = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", letter + mark)


def _letter(match: re.Match[str]) -> str:
    name = match.group(1)
    # Unknown commands (\emph, \textit, \mbox, \url...) are dropped; their argument stays.
    return _LETTERS.get(name, "")


def _text_part(text: str) -> str:
    text = _ACCENT_RE.sub(_accent, text)
    # Escapes first, so that \$ and \{ are not read as math or grouping below.
    text = _ESCAPE_RE.sub(lambda m: "\x00" + str(ord(m.group(1))) + "\x00", text)
    text = _LETTER_RE.sub(_letter, text)
    text = text.replace("---", "—").replace("--", "–")
    text = text.replace("``", "“").replace("''", "”").replace("~", " ")
    text = text.replace("{", "").replace("}", "")
    return re.sub("\x00(\\d+)\x00", lambda m: _ESCAPES[chr(int(m.group(1)))], text)


def latex_to_text(text: str) -> str:
    """Plain text of a BibTeX field value; ``$...$`` math is kept verbatim."""
    out = []
    start = 0
    for math in _MATH_RE.finditer(text):
        out.append(_text_part(text[start : math.start()]))
        out.append(math.group(0))
        start = math.end()
    out.append(_text_part(text[start:]))
    return re.sub(r"[ \t\r\n]+", " ", "".join(out)).strip()

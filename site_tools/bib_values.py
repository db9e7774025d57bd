"""BibTeX field values as BibTeX itself reads them: ``@string`` macros, ``#`` and ``crossref``.

bibtexparser 2 hands over each value as written (``{...}``, ``"..."``, a number, a macro
name, or pieces joined by ``#``). :func:`evaluate` joins the pieces and expands the macros
(month names included); :func:`inherit` fills an entry's missing fields from the entry its
``crossref`` names, as BibTeX does.
"""

from __future__ import annotations

from collections.abc import Mapping

MONTH_MACROS = {
    name[:3].lower(): name
    for name in (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
}
"""BibTeX's predefined month macros (``jan`` ... ``dec``)."""

_TITLE_AS_BOOKTITLE = {"inproceedings", "incollection", "inbook", "conference"}
"""Entry types whose ``booktitle`` is the ``title`` of the entry they cross-reference."""


def split_pieces(raw: str) -> list[str]:
    """The pieces of a value joined by ``#`` at the top level (outside braces and quotes)."""
    pieces, depth, quoted, start, escaped = [], 0, False, 0, False
    for i, ch in enumerate(raw):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            pieces.append(raw[start:i].strip())
            start = i + 1
    pieces.append(raw[start:].strip())
    return pieces


def evaluate(raw: str, macros: Mapping[str, str], undefined: list[str]) -> str:
    """The text of a raw value: pieces unwrapped and joined, macros expanded.

    Parameters
    ----------
    raw
        The value as written in the file.
    macros
        ``@string`` values already evaluated, by lower-case name.
    undefined
        Receives each macro name that is neither defined nor a month.
    """
    out = []
    for piece in split_pieces(raw) if "#" in raw else [raw.strip()]:
        if len(piece) >= 2 and (
            (piece[0] == "{" and piece[-1] == "}") or (piece[0] == '"' and piece[-1] == '"')
        ):
            out.append(piece[1:-1])
        elif piece.isdigit():
            out.append(piece)
        elif piece.lower() in macros:
            out.append(macros[piece.lower()])
        elif piece.lower() in MONTH_MACROS:
            out.append(MONTH_MACROS[piece.lower()])
        elif piece:
            undefined.append(piece)
    return "".join(out)


def inherit(
    entry_type: str, fields: Mapping[str, str], parent_type: str, parent: Mapping[str, str]
) -> dict[str, str]:
    """``fields`` completed with the fields of the cross-referenced ``parent`` it lacks."""
    merged = dict(fields)
    for name, value in parent.items():
        if name in ("crossref", "ids") or name in merged:
            continue
        merged[name] = value
    if (
        entry_type in _TITLE_AS_BOOKTITLE
        and "booktitle" not in fields
        and "booktitle" not in parent
        and parent.get("title")
        and parent_type in ("proceedings", "book", "collection", "mvbook", "mvproceedings")
    ):
        merged["booktitle"] = parent["title"]
    return merged

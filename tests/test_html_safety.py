from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from site_tools.html_safety import _ODD_CASES, _RULES, may_be_unsafe, unsafe_html


def test_every_odd_case_is_known() -> None:
    """The quick test is exact only if it knows every non-ASCII letter the rules read as ASCII."""
    ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    odd = {
        ch
        for ch in map(chr, range(128, 0x110000))
        if ascii_letter.fullmatch(ch) and not (len(ch.lower()) == 1 and ch.lower().isascii())
    }
    assert odd == set(_ODD_CASES)


def test_look_alike_letters_are_still_caught() -> None:
    assert unsafe_html("[x](java\u017fcript:alert(1))") is not None
    assert unsafe_html("[x](JAVASCR\u0130PT:alert(1))") is not None
    assert unsafe_html("[x](vbscr\u0131pt:alert(1))") is not None
    assert unsafe_html("DATA: Text/HTML,<b>") is not None
    assert unsafe_html("id: claim-1\nscript: repro/x.py\nnote: a: b") is None


pieces = st.sampled_from(
    [
        *("<", "a", " ", ":", "\n", "x", "onload=", "data", "text/html"),
        *("javascript", "VBScript", "livescr", "ipt", "script"),
        *("\u017f", "\u0131", "\u0130", "K", "\u212a"),
    ]
)


@given(st.lists(pieces, max_size=12).map("".join))
def test_quick_test_never_misses_a_rule(text: str) -> None:
    if any(pattern.search(text) for pattern, _ in _RULES):
        assert may_be_unsafe(text)

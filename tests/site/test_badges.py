from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from site_tools.site.badges import STATE_COLOURS, badge_svg, claim_badge, state_class
from site_tools.states import CLAIM_STATES, css


@pytest.mark.parametrize("state", sorted(STATE_COLOURS))
def test_each_state_has_a_valid_badge_in_its_colour(state: str) -> None:
    svg = claim_badge(state)
    root = ET.fromstring(svg)
    assert root.get("aria-label") == f"lmhub: {CLAIM_STATES[state].label}"  # type: ignore[index]
    assert f'fill="{STATE_COLOURS[state]}"' in svg


def test_the_stylesheet_and_the_badges_take_their_colours_from_one_place() -> None:
    rules = css()
    for state, info in CLAIM_STATES.items():
        assert f".lmhub-status--{state} {{ background: {info.colour}; }}" in rules
        assert STATE_COLOURS[state] == info.colour


def test_badge_text_is_escaped_and_sized() -> None:
    svg = badge_svg("a<b", "x" * 30, "#123456")
    assert "a&lt;b" in svg and "a<b" not in svg
    assert int(ET.fromstring(svg).get("width", "0")) > 200


def test_state_class() -> None:
    assert state_class("not run") == "not-run"
    assert state_class("awaiting-gpu") == "awaiting-gpu"

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from site_tools.site.badges import STATE_COLOURS, badge_svg, claim_badge, state_class


@pytest.mark.parametrize("state", sorted(STATE_COLOURS))
def test_each_state_has_a_valid_badge_in_its_colour(state: str) -> None:
    svg = claim_badge(state)
    root = ET.fromstring(svg)
    assert root.get("aria-label") == f"lmhub: {state}"
    assert f'fill="{STATE_COLOURS[state]}"' in svg


def test_badge_text_is_escaped_and_sized() -> None:
    svg = badge_svg("a<b", "x" * 30, "#123456")
    assert "a&lt;b" in svg and "a<b" not in svg
    assert int(ET.fromstring(svg).get("width", "0")) > 200


def test_state_class() -> None:
    assert state_class("not run") == "not-run"
    assert state_class("needs-gpu") == "needs-gpu"

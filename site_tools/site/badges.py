"""Status badges: one small SVG per claim, in the familiar two-part style, for READMEs.

A README embeds ``<site>/badges/<claim-id>.svg``; the badge says the claim's current state in
words and colour. Colours are shared with the site's CSS classes (``lmhub-status--<state>``)
so that a badge and the table cells agree.
"""

from __future__ import annotations

import html

from site_tools.states import CLAIM_STATES, QUESTION_STATES

STATE_COLOURS: dict[str, str] = {name: info.colour for name, info in CLAIM_STATES.items()}
QUESTION_COLOURS: dict[str, str] = {name: info.colour for name, info in QUESTION_STATES.items()}
_DEFAULT = "#6c757d"
# Average advance of Verdana/DejaVu Sans at 11 px, in px: close enough to size the boxes.
_CHAR_WIDTH = 6.8


def _width(text: str) -> int:
    return int(len(text) * _CHAR_WIDTH + 12)


def state_class(state: str) -> str:
    """CSS modifier for a state (state names are already kebab-case)."""
    return "-".join(state.split())


def badge_svg(label: str, message: str, colour: str) -> str:
    """A two-part badge reading ``label | message``, the message on ``colour``.

    Parameters
    ----------
    label, message
        Plain text (escaped here).
    colour
        Background of the message part, a ``#rrggbb`` colour.
    """
    left, right = _width(label), _width(message)
    total = left + right
    label_e, message_e = html.escape(label), html.escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {message_e}">'
        f"<title>{label_e}: {message_e}</title>"
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/></g>'
        f'<g fill="#fff" text-anchor="middle" '
        f'font-family="Verdana,\'DejaVu Sans\',Geneva,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{message_e}</text></g></svg>\n'
    )


def claim_badge(state: str) -> str:
    """The badge of a claim in ``state``."""
    info = CLAIM_STATES.get(state)  # type: ignore[call-overload]
    label = info.label if info else state
    return badge_svg("lmhub", label, STATE_COLOURS.get(state, _DEFAULT))

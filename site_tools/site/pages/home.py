"""The home page: what the hub is, its counts, the strands, and the latest results."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable
from datetime import datetime

from site_tools.models import Claim, OpenQuestion
from site_tools.site.badges import state_class
from site_tools.site.pages.claims import CLAIM_STATES
from site_tools.site.pages.common import (
    CLAIMS_INDEX,
    EXAMPLE,
    HOME,
    PAPERS,
    QUESTIONS_INDEX,
    TAGS,
    SiteData,
    claim_page,
    fence,
    front_matter,
    link,
    question_page,
    question_status_html,
    status_html,
    table,
    unindexed,
    when,
)
from site_tools.site.pages.reproduce import clone_commands
from site_tools.site.pages.strands import strand_cards
from site_tools.site.question_moves import QuestionMove, question_moves
from site_tools.site.text import html, inline
from site_tools.site.timeline import Change
from site_tools.states import CLAIM_STATES as CLAIM_STATE_INFO

LABELS = {"failed": "failing", "awaiting-gpu": "awaiting a GPU"}
"""Card labels that differ from the state's own label."""
RECENT = 8
"""How many recently run claims the home page lists."""


def _count(n: int, label: str, state: str) -> str:
    return (
        f'<div class="lmhub-count lmhub-count--{state}"><span class="lmhub-count__n">{n}'
        f'</span><span class="lmhub-count__label">{html(label)}</span></div>'
    )


def _contribute(data: SiteData) -> str:
    example = link(HOME, EXAMPLE, "a complete example claim with its script")
    if (data.catalog.paths.docs / "contributing.md").is_file():
        guide = link(HOME, "contributing.md", "how to contribute")
        return f"To add a claim or an open question, read {guide} and see {example}.\n"
    return f"To add a claim or an open question, see {example}.\n"


def home_md(data: SiteData) -> str:
    """The home page."""
    catalog = data.catalog
    states = [data.state(c) for c in catalog.claims]
    open_questions = sum(q.status != "resolved" for q in catalog.questions.values())
    # Every state gets a card, so that the cards add up to the number of claims.
    counts = "".join(
        [
            _count(len(states), "claims", "claims"),
            *(
                _count(states.count(s), LABELS.get(s, CLAIM_STATE_INFO[s].label), state_class(s))
                for s in CLAIM_STATES
                if states.count(s)
            ),
            _count(open_questions, "open questions", "questions"),
        ]
    )
    # nlargest is sorted(..., reverse=True)[:RECENT] without sorting every claim.
    recent = heapq.nlargest(
        RECENT,
        (c for c in catalog.claims.values() if (r := data.results.get(c.id)) and r.last_run),
        key=lambda c: data.results[c.id].last_run or 0,
    )
    out = [
        front_matter(catalog.settings.name, hide=("navigation", "toc")),
        f"# {inline(catalog.settings.name)}\n",
        (inline(catalog.settings.description) + "\n" if catalog.settings.description else ""),
        "A knowledge base of the emerging science of how neural networks train, *learning "
        "mechanics*. Each **claim** is a falsifiable, quantitative prediction with a small "
        "reproduction that anyone can rerun; each **open question** says what result would "
        "count as progress. Every number on a claim's page comes from a recorded run, judged "
        "against a prediction written down before the run.\n",
        f'<div class="lmhub-counts">{counts}</div>\n',
        f"Browse the {link(HOME, CLAIMS_INDEX, 'claims')}, the "
        f"{link(HOME, QUESTIONS_INDEX, 'open questions')}, the "
        f"{link(HOME, PAPERS, 'papers they cite')} or the {link(HOME, TAGS, 'tags')}.\n",
        "## Rerun any claim\n",
        "Every claim reruns from nothing in three commands: get the hub, install it, run the "
        "claim by its id (shown on its page) on every seed and judge each prediction.\n",
        fence("\n".join([*clone_commands(data), ".venv/bin/lmhub run <claim-id>"]), "bash"),
        _contribute(data),
        "## Strands\n",
        strand_cards(data, HOME),
        "## Recent changes\n",
        _changes_md(data),
        "## Latest results\n",
    ]
    if recent:
        out.append(
            table(
                ["Claim", "Status", "Last run"],
                [
                    [
                        link(HOME, claim_page(c.id), c.title),
                        status_html(data.state(c.id)),
                        inline(when(data.results[c.id].last_run)),
                    ]
                    for c in recent
                ],
            )
        )
    else:
        out.append("No claim has been run yet.\n")
    return "\n".join(out)


def _change_row(moment: datetime, entry: str, what: str) -> list[str]:
    return [inline(when(moment)[:10]), entry, what]


def _changes_md(data: SiteData) -> str:
    """Claims whose verdict changed between versions or that first ran, and open questions
    whose status moved or that were added, newest first."""
    # Only the newest rows are shown, so each row is made after sorting: a row is a moment
    # and the call that makes it (the sort is stable, so ties keep this order).
    rows: list[tuple[datetime, Callable[[], list[str]]]] = []
    for claim in data.catalog.claims.values():
        result = data.results.get(claim.id)
        change = result.last_change if result else None
        if change is not None:
            rows.append((change.when, functools.partial(_claim_change, claim, change)))
    questions = data.catalog.questions
    for move in question_moves(data.catalog.root):
        question = questions.get(move.question_id)
        if question is not None:
            rows.append((move.when, functools.partial(_question_move, question, move)))
    if not rows:
        return "Nothing has run or changed yet.\n"
    rows.sort(key=lambda r: r[0], reverse=True)
    return table(["Date", "Entry", "Change"], [make() for _, make in rows[:RECENT]])


def _claim_change(claim: Claim, change: Change) -> list[str]:
    what = _moved(change.before, change.after, status_html, "first run")
    return _change_row(change.when, link(HOME, claim_page(claim.id), claim.title), what)


def _question_move(question: OpenQuestion, move: QuestionMove) -> list[str]:
    what = _moved(move.before, move.after, question_status_html, "new question")
    return _change_row(move.when, link(HOME, question_page(question.id), question.title), what)


def _moved(before: str | None, after: str, badge: Callable[[str], str], first: str) -> str:
    """``before → after`` as badges, or ``first: after`` when there was no before."""
    return f"{badge(before)} → {badge(after)}" if before else f"{first}: {badge(after)}"


def tags_md() -> str:
    """The tags page; the theme's tags plugin fills in the listing at the marker."""
    return (
        front_matter("Tags") + "# Tags\n\nEvery tag used by a claim or an open question, "
        "with the entries that carry it.\n\n" + unindexed("<!-- material/tags -->")
    )

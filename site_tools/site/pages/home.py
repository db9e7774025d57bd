"""The home page: what the hub is, its counts, the strands, and the latest results."""

from __future__ import annotations

from site_tools.site.pages.common import (
    CLAIMS_INDEX,
    HOME,
    PAPERS,
    QUESTIONS_INDEX,
    TAGS,
    SiteData,
    claim_page,
    front_matter,
    link,
    status_html,
    table,
    when,
)
from site_tools.site.pages.strands import strand_cards
from site_tools.site.text import html, inline

RECENT = 8
"""How many recently run claims the home page lists."""


def _count(n: int, label: str, state: str) -> str:
    return (
        f'<div class="lmhub-count lmhub-count--{state}"><span class="lmhub-count__n">{n}'
        f'</span><span class="lmhub-count__label">{html(label)}</span></div>'
    )


def home_md(data: SiteData) -> str:
    """The home page."""
    catalog = data.catalog
    states = [data.state(c) for c in catalog.claims]
    open_questions = sum(q.status != "resolved" for q in catalog.questions.values())
    counts = "".join(
        [
            _count(len(states), "claims", "claims"),
            _count(states.count("reproduced"), "reproduced", "reproduced"),
            _count(states.count("failed"), "failing", "failed"),
            _count(open_questions, "open questions", "questions"),
        ]
    )
    recent = sorted(
        (c for c in catalog.claims.values() if (r := data.results.get(c.id)) and r.last_run),
        key=lambda c: data.results[c.id].last_run or 0,
        reverse=True,
    )[:RECENT]
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
        "## Strands\n",
        strand_cards(data, HOME),
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


def tags_md() -> str:
    """The tags page; the theme's tags plugin fills in the listing at the marker."""
    return (
        front_matter("Tags") + "# Tags\n\nEvery tag used by a claim or an open question, "
        "with the entries that carry it.\n\n<!-- material/tags -->\n"
    )

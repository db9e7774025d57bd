"""The claims index and one page per claim."""

from __future__ import annotations

import functools
from collections import Counter

from site_tools import states
from site_tools.judge import MetricSummary
from site_tools.models import Claim, Prediction
from site_tools.records import RunRecord
from site_tools.site.badges import state_class
from site_tools.site.dependencies import claim_page_key, list_page_key
from site_tools.site.pages.common import (
    CLAIMS_INDEX,
    SiteData,
    badge_file,
    bib_file,
    citations_md,
    claim_page,
    front_matter,
    link,
    number,
    plot_file,
    question_page,
    question_status_html,
    rel,
    spread,
    status_html,
    strand_page,
    table,
    tags_md,
    unindexed,
    when,
)
from site_tools.site.pages.filters import filter_controls
from site_tools.site.pages.listing import (
    LazyPage,
    ListPage,
    bottom_pager,
    list_pages,
    page_count,
    paged_note,
    rows_of,
    title_of,
)
from site_tools.site.pages.reproduce import mutants_md, parameters_md, rerun_md
from site_tools.site.results import ClaimResults
from site_tools.site.search import NOT_INDEXED, RUN_DATA
from site_tools.site.text import entry_inline, entry_markdown, html, inline, safe_tags
from site_tools.site.timeline import outcome, timelines

CLAIM_STATES = tuple(states.CLAIM_STATES)


def claims_table(
    data: SiteData, page: str, claims: list[Claim], *, table_id: str, with_strand: bool = True
) -> str:
    """A filterable, sortable table of claims with their status."""
    headers = ["Claim", *(["Strand"] if with_strand else []), "Status", "Last run", "Tags"]
    rows = []
    for claim in claims:
        result = data.results.get(claim.id)
        last = result.last_run if result else None
        row = [link(page, claim_page(claim.id), claim.title)]
        if with_strand:
            row.append(link(page, strand_page(claim.strand), data.strand_title(claim.strand)))
        row += [
            status_html(data.state(claim.id)),
            when(last)[:10] if last else "—",
            tags_md(claim.tags),
        ]
        rows.append(row)
    strands = sorted({data.strand_title(c.strand) for c in claims})
    # The filter matches the pill's text, which is the state's label.
    present = [
        states.CLAIM_STATES[s].label
        for s in CLAIM_STATES
        if any(data.state(c.id) == s for c in claims)
    ]
    tags = sorted({t for c in claims for t in safe_tags(c.tags)})
    columns = {"Status": present, "Tags": tags}
    if with_strand:
        columns = {"Strand": strands, **columns}
    controls = filter_controls(table_id, headers, columns, word_columns={"Tags"})
    return (
        f'{controls}\n<div class="lmhub-table {NOT_INDEXED}" id="{table_id}" markdown>\n\n'
        f"{table(headers, rows)}\n</div>\n"
    )


def claims_index(data: SiteData) -> list[LazyPage]:
    """The pages of the claims index: every claim, at most
    :data:`~site_tools.site.pages.listing.LIST_PAGE_SIZE` on a page."""
    claims = data.sorted_claims()
    counts = Counter(data.state(c.id) for c in claims)
    summary = ", ".join(
        f"{counts[s]} {states.CLAIM_STATES[s].label}" for s in CLAIM_STATES if counts[s]
    )
    pages = []
    for page in list_pages(CLAIMS_INDEX, page_count(len(claims))):
        shown = rows_of(claims, page)
        key = list_page_key(
            "claims", page, [len(claims), summary], [claim_page_key(data, c) for c in shown]
        )
        render = functools.partial(_claims_index_page, data, page, len(claims), summary, shown)
        pages.append(LazyPage(page.path, key, render))
    return pages


def _claims_index_page(
    data: SiteData, page: ListPage, total: int, summary: str, shown: list[Claim]
) -> str:
    title = title_of("Claims", page)
    return (
        front_matter(title, hide=("navigation", "toc")) + f"# {title}\n\n"
        "Each claim is a falsifiable, quantitative prediction about training, with a small "
        "script that tests it. A claim is *reproduced* when every prediction holds on the "
        "required seeds of its latest run. Filter the table by strand, status or tag; click "
        "a column header to sort.\n\n"
        f"{total} claims: {summary or 'none yet'}.\n\n"
        + paged_note(page, "claim")
        + claims_table(data, page.path, shown, table_id="claims-table")
        + bottom_pager(page)
    )


def _per_seed(metric: str, summary: MetricSummary | None, records: list[RunRecord]) -> str:
    """Each seed's value and verdict (judged now, from the metrics); one value when every
    seed agrees exactly. Records that were not judged (a smoke run) show their numbers."""
    if summary is not None and summary.seeds:
        values = summary.per_seed
        if len(values) > 1 and None not in values and len(set(values)) == 1:
            return (
                f"{number(values[0])} on all {len(values)} seeds "
                "(deterministic: the seeds agree exactly)"
            )
        return "<br>".join(
            f"{seed}:&nbsp;{'never' if value is None else number(value)}&nbsp;"
            f"{'✓' if passed else '✗'}"
            for seed, value, passed in zip(summary.seeds, values, summary.passes, strict=True)
        )
    cells = [
        f"{r.seed}:&nbsp;{number(value)}"
        for r in records
        if (value := r.metrics.get(metric)) is not None
    ]
    return "<br>".join(cells) or "—"


def _alternative(prediction: Prediction, summary: MetricSummary | None) -> str:
    if prediction.alternative is None:
        return "—"
    if summary is None or summary.alternative_rejected is None:
        return "not measured"
    return "rejected" if summary.alternative_rejected else "**not rejected**"


def _metric_cell(prediction: Prediction) -> str:
    name = (
        f"`{prediction.metric}`" if prediction.metric.isidentifier() else inline(prediction.metric)
    )
    return f'{name}<br><span class="lmhub-metric-desc">{entry_inline(prediction.description, cell=True)}</span>'


def predictions_md(claim: Claim, result: ClaimResults | None) -> str:
    """The predictions table (verdict first, so that it stays in view on a phone) and, under
    it, where each prediction comes from and the naive alternative it rules out."""
    summaries = {s.metric: s for s in (result.summaries if result else [])}
    records = sorted(result.shown, key=lambda r: r.seed) if result else []
    n_seeds = len(claim.reproduction.seeds)
    rows = []
    for prediction in claim.predictions:
        summary = summaries.get(prediction.metric)
        if summary and summary.values:
            measured = f"{number(summary.mean)} ± {spread(summary.spread)}"
            if len(summary.values) != n_seeds:
                measured += f" ({len(summary.values)} of {n_seeds} seeds)"
            holds = (
                f"{'✓ yes' if summary.held else '✗ **no**'} "
                f"({sum(summary.passes)} of {len(summary.passes)}; needs {summary.required})"
            )
        else:
            measured, holds = "—", "—"
        rows.append(
            [
                _metric_cell(prediction),
                holds,
                inline(prediction.expect.describe()),
                measured,
                _per_seed(prediction.metric, summary, records),
                _alternative(prediction, summary),
            ]
        )
    out = [
        '<div class="lmhub-table lmhub-table--predictions" markdown>\n',
        table(
            [
                "Metric",
                "Holds",
                "Predicted",
                "Measured (mean ± s.d.)",
                "Per seed",
                "Naive alternative",
            ],
            rows,
        ),
        "</div>\n",
    ]
    for prediction in claim.predictions:
        item = (
            f"- **{inline(prediction.metric)}**: {entry_inline(prediction.description)}  \n"
            f"  *Predicted from:* {entry_inline(prediction.source)}"
        )
        if prediction.seeds != "all":
            item += f"  \n  *Seeds:* a {inline(prediction.seeds)} of seeds must pass."
        if prediction.alternative is not None:
            alt = prediction.alternative
            item += (
                f"  \n  *Naive alternative:* {entry_inline(alt.description)} "
                f"(ruled out unless the metric is {inline(alt.expect.describe())})."
            )
        out.append(item)
    return "\n".join(out) + "\n"


def _provenance_md(records: list[RunRecord]) -> str:
    latest = max(records, key=lambda r: r.started_at)
    prov = latest.provenance
    ran = [r for r in records if r.status != "needs-gpu"]
    durations = [r.duration_s for r in ran]
    memory = [r.peak_memory_mb for r in records if r.peak_memory_mb is not None]
    commit = prov.git_commit or "unknown"
    rows = [
        ("Run", when(latest.started_at)),
        ("Commit", commit[:12] if commit.isalnum() else commit),
        ("Python", prov.python),
        ("numpy", prov.numpy or "not installed"),
        ("torch", prov.torch or "not installed"),
        ("Platform", f"{prov.platform} ({prov.machine})"),
        ("Device", prov.device),
        ("Runtime per seed", _runtime(durations)),
        ("Peak memory", f"{max(memory):.0f} MiB" if memory else "not recorded"),
    ]
    return "\n".join(f"- **{name}:** {inline(value)}" for name, value in rows) + "\n"


def _runtime(durations: list[float]) -> str:
    if not durations:
        return "not run at full size (waiting for a GPU)"
    low, high = min(durations), max(durations)
    return (
        f"{number(low, 3)} s"
        if number(low, 3) == number(high, 3)
        else (f"{number(low, 3)}–{number(high, 3)} s")
    )


def _history_md(result: ClaimResults) -> str:
    history = result.status.history
    groups: dict[str, list[RunRecord]] = {}
    for record in history:
        groups.setdefault(record.identity, []).append(record)
    rows = []
    recent = sorted(groups.items(), key=lambda g: g[1][-1].started_at, reverse=True)[:20]
    for digest, records in recent:
        label = f"`{digest[:12]}`" if digest.isalnum() else inline(digest[:12])
        if digest == result.status.identity:
            label += " (current)"
        rows.append(
            [
                label,
                inline(when(records[-1].started_at)),
                str(len(records)),
                status_html(outcome(result.claim, records)),
            ]
        )
    lead = "The hub's own runs of each version of this claim, judged by today's predictions.\n\n"
    if len(groups) > 20:
        lead += f"The 20 most recent of {len(groups)} versions are shown.\n\n"
    return (
        lead
        + _timeline_md(result)
        + table(["Version (identity)", "Last run", "Runs", "Verdict"], rows)
    )


TIMELINE = 10
"""Versions shown per environment in a claim's timeline (the most recent)."""


def _timeline_md(result: ClaimResults) -> str:
    """The verdict of each version over time, one row per environment."""
    rows = []
    for env, versions in timelines(result.claim, result.status.history).items():
        shown = versions[-TIMELINE:]
        steps = " → ".join(
            f'{status_html(v.outcome)}&nbsp;<span class="lmhub-when">{v.first_run:%Y-%m-%d}</span>'
            for v in shown
        )
        if len(versions) > TIMELINE:
            steps = f"… {steps}"
        rows.append([inline(env), steps])
    if not rows:
        return ""
    return (
        "Verdict of each version over time, oldest first, per environment:\n\n"
        '<div class="lmhub-table lmhub-table--timeline" markdown>\n\n'
        + table(["Environment", "Verdict over time"], rows)
        + "\n</div>\n\n"
    )


def _state_note(claim: Claim, result: ClaimResults | None, state: str) -> str:
    """What the reader must know before the numbers: where they come from, and why the claim
    is in its state when that is not plain reproduced or failed."""
    source = result.shown_source if result else "none"
    seeds = len(claim.reproduction.seeds)
    info = states.CLAIM_STATES.get(state)  # type: ignore[call-overload]
    if state == "awaiting-gpu":
        # Not a failure: the claim waits for a machine that can run it at full size. The id is
        # validated kebab-case, so it can stand in a code span as it is.
        smoke = (
            " The numbers below are its CPU smoke run: a tiny configuration that checks the "
            "code runs and reports every metric, not the claim's verdict."
            if source == "smoke"
            else ""
        )
        return (
            '!!! info "Awaiting a GPU run"\n    This claim needs a GPU at full size and the '
            f"hub has not run it on one yet.{smoke} On a GPU machine: `lmhub run {claim.id} "
            "--device cuda`.\n"
        )
    if source == "reported":
        return (
            '!!! info "Not yet run by the hub"\n    The hub\'s own workflows have no run of this '
            "claim at its current version. The numbers below come from *reported* runs, made "
            "elsewhere (a contributor's machine, a local run); they are judged the same way but "
            "never set the claim's status.\n"
        )
    if source == "older":
        return (
            '!!! warning "Not run since it changed"\n    These numbers come from an earlier '
            "version of this claim (its script, a helper, an input or a parameter changed "
            "since). Rerun it to update them.\n"
        )
    if source == "none":
        return (
            '!!! info "Not run yet"\n    No run of this claim has been recorded. Run it with '
            "the commands below.\n"
        )
    if state == "stale":
        ran = len(result.shown) if result else 0
        return (
            f'!!! warning "Not every seed has run"\n    Only {ran} of {seeds} seeds have run '
            "since this claim last changed.\n"
        )
    if state in ("inconclusive", "insensitive", "regressed") and info is not None:
        return f'!!! warning "{inline(info.label.capitalize())}"\n    {inline(info.meaning)}.\n'
    if state in ("error", "timeout") and result is not None:
        messages = sorted({r.message for r in result.shown if r.message and r.status == state})
        detail = inline(messages[0]) if messages else "see the run records"
        title = "The last run ran out of time" if state == "timeout" else "The last run broke"
        return f'!!! danger "{title}"\n    {detail}\n'
    return ""


def _environments_md(result: ClaimResults) -> str:
    """The verdict in each environment of the hub's own runs, and the reported ones apart."""
    status = result.status
    rows = [
        [status_html(e.state), inline(e.label), inline(when(e.last_run)), "the hub's CI"]
        for e in status.environments
    ] + [
        [status_html(e.state), inline(e.label), inline(when(e.last_run)), "reported"]
        for e in status.reported
    ]
    if not rows:
        return ""
    k = status.reproduced_on
    lead = (
        f"Reproduced by the hub on **{k}** environment{'s' * (k != 1)}"
        if k
        else "Not reproduced by the hub in any environment yet"
    )
    reported = sum(e.state == "reproduced" for e in status.reported)
    if status.reported:
        lead += (
            f"; also reported on {len(status.reported)} environment"
            f"{'s' * (len(status.reported) != 1)} ({reported} reproduced), shown apart: "
            "reported runs never set the status"
        )
    return lead + ".\n\n" + table(["Verdict", "Environment", "Last run", "Made by"], rows) + "\n"


def claim_md(data: SiteData, claim: Claim) -> str:
    """The page of one claim."""
    page = claim_page(claim.id)
    result = data.results.get(claim.id)
    state = data.state(claim.id)
    repro = claim.reproduction
    out = [
        front_matter(claim.title, tags=claim.tags),
        f"# {inline(claim.title)}\n",
        f"![status: {inline(state)}]({rel(page, badge_file(claim.id))})"
        f'{{ .lmhub-badge data-pagefind-meta="status:{state_class(state)}" }} '
        '<span class="lmhub-search-only" data-pagefind-meta="kind:claim"></span>'
        f'<span class="lmhub-search-only" aria-hidden="true" data-pagefind-weight="8" '
        f'data-pagefind-meta="tags">{html(" · ".join(t.replace("-", " ") for t in safe_tags(claim.tags)))}'
        "</span> "
        "· strand: "
        f"{link(page, strand_page(claim.strand), data.strand_title(claim.strand))} · "
        f"id `{inline(claim.id)}`\n",
        entry_markdown(claim.statement) + "\n",
    ]
    if claim.setting:
        out.append("## Setting\n\n" + entry_markdown(claim.setting) + "\n")
    out.append("## Predictions\n")
    out.append(_state_note(claim, result, state))
    out.append(predictions_md(claim, result))
    if result and result.plot:
        alt = f"Theory and measurement for {claim.title} (seed {result.plot.seed})"
        out.append(
            "## Theory and measurement\n\n"
            f"![{inline(alt)}]({rel(page, plot_file(claim.id))}){{ .lmhub-plot }}\n\n"
            f"Series reported by the script, every seed drawn (seed {result.plot.seed} "
            f"darkest): theory dashed, measurement solid.\n{{: .{NOT_INDEXED} }}\n"
        )
        caption = repro.plot.caption if repro.plot else None
        if caption:
            out.append(
                f'<div class="lmhub-caption" markdown>\n\n{entry_markdown(caption)}\n\n</div>\n'
            )
    out.append(parameters_md(claim))
    out.append(mutants_md(data, claim))
    # How to rerun it and what the runs were: the same words on every claim page, kept out of
    # the search index (see site_tools.site.search), where they would only make every claim
    # match and every index chunk larger.
    out.append(f'<div class="{RUN_DATA}" markdown>\n')
    out.append(rerun_md(data, claim))
    if result and (result.status.environments or result.status.reported):
        out.append("## Environments\n\n" + _environments_md(result))
    if result and result.shown:
        out.append("## Provenance\n\n" + _provenance_md(result.shown))
    if result and result.status.history:
        out.append("## History\n\n" + _history_md(result))
    out.append("</div>\n")
    if claim.notes:
        out.append("## Notes\n\n" + entry_markdown(claim.notes) + "\n")
    out.append("## Citations\n\n" + citations_md(data, page, claim.citations))
    # A link, not the BibTeX itself: the file holds exactly these references, and shown on
    # the page they were a third copy of each (with references.bib), 6 MB at 10,000 claims.
    if claim.citations:
        out.append(
            f"BibTeX of these references: [{bib_file(claim.id).rsplit('/', 1)[-1]}]"
            f"({rel(page, bib_file(claim.id))})\n{{: .{NOT_INDEXED} }}\n"
        )
    questions = [
        data.catalog.questions[q] for q in claim.open_questions if q in data.catalog.questions
    ]
    if questions:
        # Left out of the search index: each question is found by its own page.
        items = "\n".join(
            f"- {link(page, question_page(q.id), q.title)} {question_status_html(q.status)}"
            for q in questions
        )
        out.append("## Open questions it bears on\n\n" + unindexed(items))
    edit = data.edit_url("claim", claim.id)
    if edit:
        out.append(f"---\n\n[Edit this claim's YAML source]({edit})\n{{: .{NOT_INDEXED} }}\n")
    return "\n".join(out)

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from site_tools.catalog import load_catalog
from site_tools.identity import claim_identity
from site_tools.problems import HubError
from site_tools.records import RunRecord, write_record
from site_tools.site import exports
from site_tools.site.generate import GenerateReport, generate
from site_tools.site.pages import listing, papers_layout
from tests.site.hubs import T0, logistic_series, provenance, write_runs


def run(root: Path) -> GenerateReport:
    return generate(load_catalog(root), root / "build" / "docs", root / "build" / "cache")


def page(root: Path, rel: str) -> str:
    return (root / "build" / "docs" / rel).read_text(encoding="utf-8")


def test_every_page_export_and_asset_is_generated(site_hub: Path) -> None:
    report = run(site_hub)
    expected = {
        "index.md",
        "papers/index.md",
        *(f"papers/{letter}.md" for letter in "bcjs"),
        "tags.md",
        "claims/index.md",
        "questions/index.md",
        "strands/index.md",
        "catalog.json",
        "catalog/claims-1.json",
        "catalog/questions-1.json",
        "catalog/references-1.json",
        *(
            f"catalog/references/{key}.json"
            for key in (
                "belkin2019reconciling",
                "cohen2021gradient",
                "jacot2018neural",
                "saxe2014exact",
            )
        ),
        "catalog/questions/nonlinear-solvable.json",
        "catalog/questions/sharpness-origin.json",
        "references.bib",
        *(
            f"schemas/{name}.schema.json"
            for name in (
                "catalog",
                "catalog-index",
                "catalog-claim",
                "catalog-question",
                "catalog-reference",
            )
        ),
        "assets/lmhub.css",
        "assets/lmhub.js",
        "questions/nonlinear-solvable.md",
        "questions/sharpness-origin.md",
        "plots/logistic-modes.svg",
        "plots/sharpness-threshold.svg",
        *(
            f"strands/{s}.md"
            for s in (
                "solvable-settings",
                "tractable-limits",
                "simple-laws",
                "hyperparameters",
                "universal-behaviours",
            )
        ),
        *(
            f"{kind}/{c}.{ext}"
            for c in ("logistic-modes", "sharpness-threshold", "lr-transfer", "width-limit")
            for kind, ext in (
                ("claims", "md"),
                ("badges", "svg"),
                ("bib", "bib"),
                ("catalog/claims", "json"),
            )
        ),
        "contributing-example.md",
    }
    assert set(report.files) == expected
    assert report.plots_drawn == 2
    assert sorted(report.written) == sorted(expected)


def test_home_page_counts_strands_and_latest_results(site_hub: Path) -> None:
    run(site_hub)
    home = page(site_hub, "index.md")
    counts = re.findall(
        r'lmhub-count__n">(\d+)</span><span class="lmhub-count__label">([^<]+)', home
    )
    assert counts == [
        ("4", "claims"),
        ("1", "reproduced"),
        ("1", "failing"),
        ("1", "stale"),
        ("1", "not run"),
        ("2", "open questions"),
    ]
    assert sum(int(n) for n, label in counts[1:-1]) == int(counts[0][0])  # the cards add up
    assert "## Rerun any claim" in home
    assert "git clone https://github.com/example/hub\ncd hub && bash scripts/setup.sh\n" in home
    assert ".venv/bin/lmhub run <claim-id>" in home
    assert "](contributing-example.md)" in home
    assert home.count("](strands/") == 5
    latest = home[home.index("## Latest results") :]
    assert (
        latest.index("sharpness-threshold")
        < latest.index("logistic-modes")
        < latest.index("lr-transfer")
    )
    assert "width-limit" not in latest  # never run


def test_claim_page_sections(site_hub: Path) -> None:
    run(site_hub)
    text = page(site_hub, "claims/logistic-modes.md")
    assert text.startswith(
        '---\ntitle: "Each mode is learned on its own logistic clock"\n'
        "tags:\n  - deep-linear-networks\n  - timescales\n---\n"
    )
    assert "![status: reproduced](../badges/logistic-modes.svg)" in text
    assert "quasistatic logistic curve" in text and "$t_&#123;1/2&#125; = " in text
    assert (
        '| `t_half`<br><span class="lmhub-metric-desc">half-learning time of the strongest '
        "mode</span> | ✓ yes (3 of 3; needs 3) | 1.9 &#40;±0.02 rel&#41; | 1.904 ± 0.0040 | "
        "0:&nbsp;1.900&nbsp;✓<br>1:&nbsp;1.904&nbsp;✓<br>2:&nbsp;1.908&nbsp;✓ | — |"
    ) in text
    assert "| in &#91;3.5, 4.5&#93; | 4.110 ± 0.010 |" in text and "| rejected |" in text
    assert (
        "![Theory and measurement for Each mode" in text and "(../plots/logistic-modes.svg)" in text
    )
    assert (
        "```bash\ngit clone https://github.com/example/hub\ncd hub && bash scripts/setup.sh\n"
        ".venv/bin/lmhub run logistic-modes\n```"
    ) in text
    assert (
        "[script source](https://github.com/example/hub/blob/main/repro/logistic_modes.py)" in text
    )
    assert (
        "[the hub's run records](https://github.com/example/hub/tree/evidence/logistic-modes)"
        in text
    )
    assert (
        "[reported run records](https://github.com/example/hub/tree/main/results/logistic-modes)"
        in text
    )
    assert "- **Commit:** 0123456789ab" in text and "- **Peak memory:** 82 MiB" in text
    assert "Reproduced by the hub on **2** environments." in text
    assert "(current)" in text
    assert '| 3 | <span class="lmhub-status lmhub-status--failed">failed</span> |' in text
    assert "[arXiv](https://arxiv.org/abs/1312.6120)" in text
    assert "([who cites it](../papers/s.md#ref-saxe2014exact))" in text
    # The BibTeX is linked, not copied into the page.
    assert "BibTeX of these references: [logistic-modes.bib](../bib/logistic-modes.bib)" in text
    assert "@inproceedings{" not in text
    assert (
        "[Is there a solvable deep nonlinear model?](../questions/nonlinear-solvable.md)" in text
        and "lmhub-qstatus--open" in text
    )
    assert (
        "[Edit this claim's YAML source]"
        "(https://github.com/example/hub/edit/main/claims/logistic-modes.yaml)"
    ) in text


def test_claim_pages_say_when_numbers_are_old_or_missing(site_hub: Path) -> None:
    run(site_hub)
    assert '!!! warning "Not run since it changed"' in page(site_hub, "claims/lr-transfer.md")
    never = page(site_hub, "claims/width-limit.md")
    assert '!!! info "Not run yet"' in never and "## Provenance" not in never
    failed = page(site_hub, "claims/sharpness-threshold.md")
    assert "| ✗ **no** (1 of 3; needs 2) |" in failed
    assert "0:&nbsp;1.010&nbsp;✓<br>1:&nbsp;1.300&nbsp;✗" in failed
    assert "[DOI](https://doi.org/10.1073/pnas.1903070116)" in failed


def test_question_page(site_hub: Path) -> None:
    run(site_hub)
    text = page(site_hub, "questions/sharpness-origin.md")
    for part in (
        "## Why it matters",
        "## What would count as progress",
        "- A mechanism that predicts the rate of sharpening.",
        "## Status: partial",
        "Self-stabilisation explains the hovering",
        "| [Sharpness rises to two over the learning rate]"
        "(../claims/sharpness-threshold.md) | "
        '<span class="lmhub-status lmhub-status--failed">failed</span> |',
        "## Citations",
    ):
        assert part in text


def test_index_tables_have_filters(site_hub: Path) -> None:
    run(site_hub)
    claims = page(site_hub, "claims/index.md")
    assert '<div class="lmhub-filters" data-table="claims-table">' in claims
    assert '<select data-column="1" data-match="cell">' in claims  # strand
    assert '<option value="reproduced">reproduced</option>' in claims
    assert '<select data-column="4" data-match="word">' in claims  # tags
    assert claims.count("](") >= 8
    questions = page(site_hub, "questions/index.md")
    assert "## Open\n" in questions and "## Partial\n" in questions


def test_papers_pages_link_back_to_citing_entries(site_hub: Path) -> None:
    run(site_hub)
    text = page(site_hub, "papers/s.md")
    saxe = text[text.index('<span id="ref-saxe2014exact">') :].split("\n")[0]
    assert "../claims/logistic-modes.md" in saxe and "../claims/lr-transfer.md" in saxe
    assert "../questions/nonlinear-solvable.md" in saxe
    assert '<div class="lmhub-filters" data-table="papers-table">' in text
    assert "[All papers](index.md) · [B](b.md) · [C](c.md) · [J](j.md) · **S**" in text
    jacot = page(site_hub, "papers/j.md")
    assert '<span id="ref-jacot2018neural"></span>' in jacot and "| not cited |" in jacot
    index = page(site_hub, "papers/index.md")
    assert "The 4 works of the hub's bibliography, 3 of them cited" in index
    assert "| [S](s.md) | Saxe | 1 |" in index and "[references.bib](../references.bib)" in index


def test_nav_lists_the_strands_and_the_hand_written_pages(site_hub: Path) -> None:
    (site_hub / "docs" / "guide").mkdir()
    for name in ("strands.md", "learning-mechanics.md", "zeta.md"):
        (site_hub / "docs" / "guide" / name).write_text("# G\n")
    nav = run(site_hub).nav
    assert nav[:3] == [
        {"Home": "index.md"},
        {"Claims": "claims/index.md"},
        {"Open questions": "questions/index.md"},
    ]
    assert nav[3]["Strands"][0] == "strands/index.md" and len(nav[3]["Strands"]) == 6
    assert {"Guide": ["guide/learning-mechanics.md", "guide/strands.md", "guide/zeta.md"]} in nav
    assert {"About": ["about.md", "contributing-example.md"]} in nav
    assert {"Papers": "papers/index.md"} in nav  # the index only, never each page


def test_a_second_generation_writes_nothing(site_hub: Path) -> None:
    run(site_hub)
    again = run(site_hub)
    assert again.written == [] and again.removed == [] and again.plots_drawn == 0


def test_one_new_record_rewrites_only_what_shows_it(site_hub: Path) -> None:
    run(site_hub)
    catalog = load_catalog(site_hub)
    write_runs(
        site_hub,
        catalog.claims["width-limit"],
        [{"slope": -0.5}] * 3,
        series=logistic_series((2.0,)),
        started=T0 + timedelta(days=1),
    )
    report = run(site_hub)
    assert sorted(report.written) == [
        "badges/width-limit.svg",
        "catalog.json",
        "catalog/claims-1.json",
        "catalog/claims/width-limit.json",
        "claims/index.md",
        "claims/width-limit.md",
        "index.md",
        "plots/width-limit.svg",
        "strands/index.md",
        "strands/tractable-limits.md",
    ]
    assert report.plots_drawn == 1


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _age(paths: list[Path], seconds: float) -> None:
    """Make files and folders look modified ``seconds`` ago, older than the window in which
    a modification time is not trusted, so that the memos keyed on them are used."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


def test_a_generation_after_edits_writes_what_a_cold_one_writes(
    site_hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pages, so that every list, index and papers page is cut and mostly kept.
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(exports, "INDEX_SIZE", 2)
    monkeypatch.setattr(papers_layout, "PAGE_SIZE", 2)
    _age([site_hub, *site_hub.rglob("*")], 60)
    run(site_hub)

    # A renamed claim (its rows, its question's page, the papers pages listing its works), a
    # work no entry cites retitled in the bibliography (its papers page and export file),
    # and new records for another claim.
    claim = site_hub / "claims" / "logistic-modes.yaml"
    claim.write_text(claim.read_text().replace("on its own logistic clock", "on its own clock"))
    bib = site_hub / "references.bib"
    bib.write_text(bib.read_text().replace("Neural Tangent Kernel", "Neural Tangent Kernels"))
    write_runs(
        site_hub,
        load_catalog(site_hub).claims["width-limit"],
        [{"slope": -0.5}] * 3,
        series=logistic_series(),
        started=T0 + timedelta(days=2),
    )
    _age([claim, bib, *(site_hub / ".evidence").rglob("*"), site_hub / ".evidence"], 30)
    report = run(site_hub)
    assert report.written and report.unchanged
    assert "claims/sharpness-threshold.md" not in report.written

    cold = generate(load_catalog(site_hub), tmp_path / "cold", None)
    assert cold.written and _files(site_hub / "build" / "docs") == _files(tmp_path / "cold")


def test_a_removed_claim_removes_its_files(site_hub: Path) -> None:
    run(site_hub)
    (site_hub / "claims" / "lr-transfer.yaml").unlink()
    report = run(site_hub)
    assert {"claims/lr-transfer.md", "badges/lr-transfer.svg", "bib/lr-transfer.bib"} <= set(
        report.removed
    )
    assert not (site_hub / "build" / "docs" / "claims" / "lr-transfer.md").exists()


def test_a_hand_written_page_may_not_shadow_a_generated_one(site_hub: Path) -> None:
    (site_hub / "docs" / "papers").mkdir()
    (site_hub / "docs" / "papers" / "index.md").write_text("# Mine\n")
    with pytest.raises(HubError) as caught:
        run(site_hub)
    assert [p.format() for p in caught.value.problems] == [
        "docs/papers/index.md: this path is generated from the catalog; rename or remove the "
        "hand-written file"
    ]


def test_series_with_nothing_to_draw_give_no_plot(site_hub: Path) -> None:
    from site_tools.records import Series

    catalog = load_catalog(site_hub)
    write_runs(
        site_hub,
        catalog.claims["width-limit"],
        [{"slope": -0.5}] * 3,
        series={"broken": Series(x=[1.0, 2.0], y=[float("nan"), float("inf")])},
    )
    report = run(site_hub)
    assert "plots/width-limit.svg" not in report.files
    assert "## Theory and measurement" not in page(site_hub, "claims/width-limit.md")


def test_a_claim_with_some_seeds_missing_says_so(site_hub: Path) -> None:
    catalog = load_catalog(site_hub)
    claim = catalog.claims["width-limit"]
    short = claim.model_copy(
        update={"reproduction": claim.reproduction.model_copy(update={"seeds": [0, 1]})}
    )
    write_runs(
        site_hub, short, [{"slope": -0.5}] * 2, digest=claim_identity(claim, site_hub).digest
    )
    run(site_hub)
    text = page(site_hub, "claims/width-limit.md")
    assert '!!! warning "Not every seed has run"' in text
    assert "Only 2 of 3 seeds have run" in text


def test_a_claim_awaiting_a_gpu_shows_its_smoke_numbers(site_hub: Path) -> None:
    yaml = site_hub / "claims" / "width-limit.yaml"
    yaml.write_text(
        yaml.read_text().replace(
            "  seeds: [0, 1, 2]\n",
            "  device: gpu\n  seeds: [0, 1, 2]\n  smoke: {timeout_s: 30}\n",
        )
    )
    claim = load_catalog(site_hub).claims["width-limit"]
    smoke = claim_identity(claim, site_hub, "smoke")
    full = claim_identity(claim, site_hub)
    for seed in claim.reproduction.seeds:  # what a CPU runner records for the full size
        write_record(
            site_hub / ".evidence",
            RunRecord(
                claim_id=claim.id,
                identity=full.digest,
                seed=seed,
                status="needs-gpu",
                message="needs a GPU",
                started_at=T0,
                duration_s=0.0,
                provenance=provenance(),
            ),
        )
    write_record(
        site_hub / ".evidence",
        RunRecord(
            claim_id=claim.id,
            identity=smoke.digest,
            configuration="smoke",
            seed=0,
            status="measured",
            metrics={"slope": -0.123},
            started_at=T0,
            duration_s=0.4,
            provenance=provenance(),
        ),
    )
    report = run(site_hub)
    text = page(site_hub, "claims/width-limit.md")
    assert '!!! info "Awaiting a GPU run"' in text
    assert "The numbers below are its CPU smoke run" in text
    assert "`lmhub run width-limit --device cuda`" in text
    assert "0:&nbsp;-0.123" in text
    assert "did not finish" not in text and "0–0 s" not in text
    assert "reproduced in 0" not in text.lower()
    home = page(site_hub, "index.md")
    assert "awaiting a GPU" in home
    assert "catalog.json" in report.files


def test_claim_history_and_home_changes(site_hub: Path) -> None:
    run(site_hub)
    text = page(site_hub, "claims/logistic-modes.md")
    assert "Verdict of each version over time, oldest first, per environment:" in text
    assert "| Environment | Verdict over time |" in text
    home = page(site_hub, "index.md")
    changes = home[home.index("## Recent changes") : home.index("## Latest results")]
    assert "| Date | Entry | Change |" in changes
    assert "sharpness-threshold" in changes and "width-limit" not in changes

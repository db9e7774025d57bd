"""Hand-written pages get their lists of entries from the catalogue, filled in at build time."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_tools.catalog import load_catalog
from site_tools.problems import HubError
from site_tools.site.build import build_site
from site_tools.site.generate import generate
from site_tools.site.pages.common import SiteData
from site_tools.site.pages.strands import expand_strand_entries


def _data(root: Path) -> SiteData:
    report = generate(load_catalog(root), root / "build" / "docs", None)
    assert report.data is not None
    return report.data


def test_a_strand_line_becomes_its_lists(site_hub: Path) -> None:
    data = _data(site_hub)
    page = "Before.\n\n<!-- lmhub:strand-entries solvable-settings -->\n\nAfter.\n"
    out = expand_strand_entries(page, data, "guide/strands.md")
    claims = data.claims_in("solvable-settings")
    questions = data.questions_in("solvable-settings")
    assert out.startswith("Before.\n\n**Claims** (") and out.endswith("\n\nAfter.\n")
    for claim in claims:
        assert f"(../claims/{claim.id}.md)" in out
    for question in questions:
        assert f"(../questions/{question.id}.md)" in out
    assert f"**Open questions** ({len(questions)}):" in out


def test_an_unknown_strand_is_named(site_hub: Path) -> None:
    with pytest.raises(KeyError) as caught:
        expand_strand_entries("<!-- lmhub:strand-entries nowhere -->\n", _data(site_hub), "g.md")
    assert caught.value.args[0].startswith(
        "g.md: '<!-- lmhub:strand-entries nowhere -->' names no strand of taxonomy.yaml"
    )


def test_the_built_guide_links_every_entry_of_the_strand(site_hub: Path) -> None:
    guide = site_hub / "docs" / "guide"
    guide.mkdir(parents=True, exist_ok=True)
    (guide / "strands.md").write_text(
        "# Strands\n\n<!-- lmhub:strand-entries solvable-settings -->\n", encoding="utf-8"
    )
    result = build_site(site_hub, use_cache=False)
    assert not (site_hub / "build" / "cache").exists()  # --no-cache keeps no memo
    html = (result.site_dir / "guide" / "strands" / "index.html").read_text(encoding="utf-8")
    for claim in load_catalog(site_hub).claims.values():
        linked = f'href="../../claims/{claim.id}/"' in html
        assert linked == (claim.strand == "solvable-settings"), claim.id
    (guide / "strands.md").write_text("<!-- lmhub:strand-entries nowhere -->\n", encoding="utf-8")
    with pytest.raises(HubError):
        build_site(site_hub)

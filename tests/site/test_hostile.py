"""Contributed text that slipped past validation must still reach no page as live markup."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from site_tools.catalog import Catalog, load_catalog
from site_tools.identity import claim_identity
from site_tools.models import Alternative, Claim, OpenQuestion, Plot, Prediction, Strand, Taxonomy
from site_tools.records import Provenance, RunRecord, Series, write_record
from site_tools.site.build import BuildResult, build_site
from site_tools.site.safety import url_scheme
from tests.site.htmlcheck import live_problems

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "![x](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="data:text/html,alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "`</code><script>alert(1)</script>`",
    "<<script>script>alert(1)<</script>/script>",
    "$\\text{<script>alert(1)</script>}$",
    "$\\href{javascript:alert(1)}{x}$",
    '<div markdown="1" onmouseover="alert(1)">x</div>',
    "[ref][1]\n\n[1]: javascript:alert(1)",
    'End of text.\n{: onclick="alert(1)" }',
]
TEXT = "Intro.\n\n" + "\n\n".join(PAYLOADS)
LINE = " ".join(p.replace("\n", " ") for p in PAYLOADS)


def _construct(model: type, base: object, **changes: object) -> object:
    """A copy of ``base`` with ``changes``, skipping validation (as a bypass would)."""
    return model.model_construct(**{**dict(base), **changes})  # type: ignore[attr-defined]


def hostile_catalog(root: Path) -> Catalog:
    catalog = load_catalog(root)
    claim = catalog.claims["logistic-modes"]
    prediction = claim.predictions[1]
    assert prediction.alternative is not None
    bad_prediction = _construct(
        Prediction,
        prediction,
        description=LINE,
        source=LINE,
        alternative=_construct(Alternative, prediction.alternative, description=LINE),
    )
    repro = claim.reproduction.model_copy(
        update={"plot": Plot.model_construct(title=LINE, x_label=LINE, y_label=LINE)}
    )
    bad_claim = _construct(
        Claim,
        claim,
        title="Claim " + LINE,
        statement=TEXT,
        setting=TEXT,
        notes=TEXT,
        tags=["<script>alert(1)</script>", "fine-tag"],
        predictions=[claim.predictions[0], bad_prediction],
        reproduction=repro,
    )
    evil_id = 'evil"><img src=x onerror=alert(1)>'
    evil_claim = _construct(
        Claim,
        catalog.claims["width-limit"],
        id=evil_id,
        title=LINE,
        statement=TEXT,
        citations=["<script>alert(1)</script>"],
    )
    question = catalog.questions["sharpness-origin"]
    bad_question = _construct(
        OpenQuestion,
        question,
        title="Question " + LINE,
        statement=TEXT,
        why_it_matters=TEXT,
        progress_criteria=[TEXT, LINE],
        status_evidence=TEXT,
        tags=["x<y"],
    )
    ref = catalog.bib.references["belkin2019reconciling"]
    bad_ref = dataclasses.replace(
        ref,
        fields={
            **ref.fields,
            "title": LINE,
            "author": "<script>alert(1)</script> and Evil, Eve",
            "journal": LINE,
            "doi": '10.1/x"onmouseover=alert(1)',
            "url": "javascript:alert(1)",
        },
        raw=ref.raw + "\n```\n</code><script>alert(1)</script>\n",
    )
    bad_strands = [
        s.model_copy(
            update={
                "title": s.title + " <b onclick=alert(1)>x</b>",
                "summary": TEXT,
                "physics_analogue": LINE,
            }
        )
        for s in catalog.taxonomy.strands
    ]
    claims = {**catalog.claims, "logistic-modes": bad_claim, evil_id: evil_claim}
    bib = dataclasses.replace(catalog.bib, references={**catalog.bib.references, ref.key: bad_ref})
    settings = catalog.settings.model_copy(
        update={
            "name": "Hub <script>alert(1)</script>",
            "description": LINE,
            "repo_url": "javascript:alert(1)//",
        }
    )
    return dataclasses.replace(
        catalog,
        claims=claims,
        questions={**catalog.questions, question.id: bad_question},
        bib=bib,
        taxonomy=Taxonomy.model_construct(
            strands=[Strand.model_construct(**dict(s)) for s in bad_strands]
        ),
        settings=settings,
    )


def write_hostile_record(root: Path, catalog: Catalog) -> None:
    claim = catalog.claims["logistic-modes"]
    for seed in claim.reproduction.seeds:
        write_record(
            root / "results",
            RunRecord(
                claim_id=claim.id,
                identity=claim_identity(claim, root).digest,
                seed=seed,
                status="error",
                message=LINE,
                stderr_tail=LINE,
                series={LINE: Series(x=[0, 1], y=[0, 1])},
                started_at="2026-06-01T00:00:00Z",  # type: ignore[arg-type]
                duration_s=1.0,
                provenance=Provenance(
                    git_commit=LINE,
                    python=LINE,
                    numpy=LINE,
                    torch=LINE,
                    platform=LINE,
                    machine=LINE,
                    device=LINE,
                ),
            ),
        )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    from tests.site.hubs import make_site_hub

    root = make_site_hub(tmp_path_factory.mktemp("hostile") / "hub")
    catalog = hostile_catalog(root)
    write_hostile_record(root, catalog)
    # Not strict: hostile math and links may warn; what matters is what reaches the pages.
    return build_site(root, catalog=catalog, strict=False)


def test_no_page_holds_live_hostile_markup(hostile_site: BuildResult) -> None:
    pages = sorted(hostile_site.site_dir.rglob("*.html"))
    assert len(pages) > 15
    problems = {
        p.relative_to(hostile_site.site_dir).as_posix(): live_problems(
            p.read_text(encoding="utf-8")
        )
        for p in pages
    }
    assert {k: v for k, v in problems.items() if v} == {}


def test_hostile_text_is_shown_not_dropped(hostile_site: BuildResult) -> None:
    html = (hostile_site.site_dir / "claims" / "logistic-modes" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Claim " in html


def test_generated_files_hold_no_live_markup(hostile_site: BuildResult) -> None:
    site = hostile_site.site_dir
    for svg in [*site.glob("badges/*.svg"), *site.glob("plots/*.svg")]:
        text = svg.read_text(encoding="utf-8")
        assert "<script" not in text and live_problems(text) == [], svg
    # The search index: Pagefind's fragments (gzip-compressed JSON after a signature) hold
    # each page's text and title as plain text (the hostile markup is there as the text the
    # page showed); the search box builds results from text nodes (assets/lmhub.js), and no
    # fragment holds markup the page itself did not show as text.
    import gzip

    fragments = sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert fragments
    for fragment in fragments:
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        doc = json.loads(data)
        assert isinstance(doc["content"], str) and isinstance(doc["meta"].get("title", ""), str)
        assert "onerror=" not in doc["url"] and "javascript:" not in doc["url"]
    script = (site / "assets" / "lmhub.js").read_text(encoding="utf-8")
    assert "excerpt.innerHTML" not in script and "parseFromString" in script


def test_only_http_links_leave_the_site(hostile_site: BuildResult) -> None:
    from tests.site.htmlcheck import elements

    for page in hostile_site.site_dir.rglob("*.html"):
        for tag, attrs in elements(page.read_text(encoding="utf-8")):
            if tag == "a" and "href" in attrs:
                assert url_scheme(attrs["href"]) in (None, "http", "https"), (page, attrs)

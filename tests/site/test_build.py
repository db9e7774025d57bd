from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import site_tools.runner.api as runner_api
from site_tools.catalog import catalog_problems
from site_tools.cli.app import cli
from site_tools.problems import HubError
from site_tools.site.build import BuildResult, build_site
from tests.site.hubs import REPO


def test_build_writes_the_site(built_site: BuildResult) -> None:
    site = built_site.site_dir
    for rel in (
        "index.html",
        "claims/index.html",
        "claims/logistic-modes/index.html",
        "questions/sharpness-origin/index.html",
        "strands/simple-laws/index.html",
        "papers/index.html",
        "papers/s/index.html",
        "tags/index.html",
        "about/index.html",
        "catalog.json",
        "catalog/claims-1.json",
        "catalog/claims/logistic-modes.json",
        "references.bib",
        "bib/logistic-modes.bib",
        "badges/logistic-modes.svg",
        "plots/logistic-modes.svg",
        "schemas/catalog.schema.json",
        "schemas/catalog-claim.schema.json",
        "assets/lmhub.css",
        "assets/lmhub.js",
        "pagefind/pagefind.js",
    ):
        assert (site / rel).is_file(), rel


def test_claim_page_html(read_page) -> None:  # type: ignore[no-untyped-def]
    html = read_page("claims/logistic-modes/")
    assert "<math" in html and "<msub>" in html
    body = html[html.index("<article") : html.index("</article>")]
    assert not re.search(r"\$[^$<]+\$", body.split("<pre")[0]), "raw $...$ left in the page"
    assert 'src="../../badges/logistic-modes.svg"' in html
    assert 'src="../../plots/logistic-modes.svg"' in html
    assert 'href="https://arxiv.org/abs/1312.6120"' in html
    assert 'href="../../papers/s/#ref-saxe2014exact"' in html
    assert (
        "<title>Each mode is learned on its own logistic clock - Test Mechanics Hub</title>" in html
    )
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html
    # The theme's indentation is gone (site_tools.site.compact); preformatted text keeps its own.
    outside_pre = re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
    assert not re.search(r"\n[ \t]+<", outside_pre)
    assert 'href="../../bib/logistic-modes.bib"' in html and "@inproceedings{" not in html


def test_nav_shows_the_strands(read_page) -> None:  # type: ignore[no-untyped-def]
    html = read_page("strands/simple-laws/")
    for title in (
        "Solvable idealised settings",
        "Tractable limits",
        "Simple mathematical laws",
        "Theories of hyperparameters",
        "Universal behaviours",
    ):
        assert title in html


def test_a_broken_link_in_a_hand_written_page_fails_the_build(site_hub: Path) -> None:
    (site_hub / "docs" / "about.md").write_text("# About\n\nSee [this](nowhere.md).\n")
    with pytest.raises(HubError) as caught:
        build_site(site_hub)
    assert [p.format() for p in caught.value.problems] == [
        "mkdocs.yml: the site build failed: Aborted with 1 warnings in strict mode!"
    ]


def _engine(name: str) -> str:
    if name == "zensical":
        from site_tools.site.zensical import available

        if not available():
            pytest.skip("Zensical is not installed (pip install -e '.[zensical]')")
    return name


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_hub_without_mkdocs_yml_is_reported(site_hub: Path, engine: str) -> None:
    (site_hub / "mkdocs.yml").unlink()
    with pytest.raises(HubError, match=r"missing: the site needs mkdocs\.yml at the hub root"):
        build_site(site_hub, engine=_engine(engine))
    assert not (site_hub / "build" / "docs").exists()  # reported before anything is generated


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_broken_mkdocs_yml_is_reported(site_hub: Path, engine: str) -> None:
    (site_hub / "mkdocs.yml").write_text("site_name: [unclosed\n", encoding="utf-8")
    with pytest.raises(HubError, match=r"invalid site configuration: .*line 2") as raised:
        build_site(site_hub, engine=_engine(engine))
    assert raised.value.problems[0].path == "mkdocs.yml"


def test_plain_mkdocs_build_uses_the_plugin(site_hub: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(site_hub / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "logistic-modes" in (out / "claims" / "index.html").read_text(encoding="utf-8")


def test_plain_mkdocs_build_reports_an_invalid_hub(site_hub: Path, tmp_path: Path) -> None:
    claim = site_hub / "claims" / "width-limit.yaml"
    claim.write_text(claim.read_text().replace("strand: tractable-limits", "strand: nowhere"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(site_hub / "mkdocs.yml"),
            "-d",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "claims/width-limit.yaml:3:9: strand: unknown strand 'nowhere'" in done.stderr


def test_cli_build(site_hub: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--root", str(site_hub)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ok: 4 claims, 2 open questions, 4 references"
    assert lines[1] == "generated 54 files (54 written, 0 removed, 2 plots drawn)"
    assert re.fullmatch(rf"built the site in \d+\.\d s: {re.escape(str(site_hub))}/site", lines[2])
    stages = re.fullmatch(r"time: generation (\S+) s, site (\S+) s, search (\S+) s", lines[3])
    assert stages is not None
    total = float(lines[2].split()[4])
    assert 0 < sum(map(float, stages.groups())) <= total + 0.2  # each rounded to 0.1 s
    again = CliRunner().invoke(cli, ["build", "--root", str(site_hub)])
    assert (
        again.output.splitlines()[1] == "generated 54 files (0 written, 0 removed, 0 plots drawn)"
    )


def test_cli_build_run_runs_the_stale_claims_first(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_run_hub(root, options, display):  # type: ignore[no-untyped-def]
        calls.append((root, options.all_claims, options.jobs))
        raise runner_api.UsageError("another run holds the hub")

    monkeypatch.setattr(runner_api, "run_hub", fake_run_hub)
    result = CliRunner().invoke(cli, ["build", "--run", "-j", "2", "--root", str(site_hub)])
    assert calls == [(site_hub, True, 2)]
    assert result.exit_code == 1
    assert "mkdocs.yml: cannot run the reproductions: another run holds the hub" in result.output


def test_cli_build_reports_an_invalid_hub(site_hub: Path) -> None:
    (site_hub / "claims" / "lr-transfer.yaml").write_text("id: lr-transfer\n")
    result = CliRunner().invoke(cli, ["build", "--root", str(site_hub)])
    assert result.exit_code == 1
    assert "problems found" in result.output or "problem found" in result.output


def test_the_real_hub_builds_strictly(tmp_path: Path) -> None:
    _, problems = catalog_problems(REPO)
    if problems:
        pytest.skip(
            f"the repository's hub does not validate right now ({len(problems)} "
            f"problems, first: {problems[0].format()}); the site needs a valid hub"
        )
    root = tmp_path / "repo"
    shutil.copytree(
        REPO,
        root,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "site",
            ".hub-cache",
            "__pycache__",
            "*.egg-info",
            ".*_cache",
            "tests",
        ),
    )
    result = build_site(root)
    assert (result.site_dir / "index.html").is_file()
    assert (result.site_dir / "catalog.json").is_file()


MEASURING_SCRIPT = """\
import argparse, json, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path)
parser.add_argument("--smoke", action="store_true")
parser.add_argument("--device", default="cpu")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
result = {"metrics": {"slope": -0.5 + 0.01 * args.seed},
          "series": {"measured": {"x": [1, 2, 4], "y": [1.0, 0.7, 0.5], "style": "measured"}}}
(args.out / "result.json").write_text(json.dumps(result))
"""


@pytest.mark.slow
def test_cli_build_run_with_the_real_runner(site_hub: Path) -> None:
    (site_hub / "repro" / "width_limit.py").write_text(MEASURING_SCRIPT)
    result = CliRunner().invoke(cli, ["build", "--run", "--root", str(site_hub)])
    assert result.exit_code == 0, result.output
    # A local run writes reported records: judged and shown, never the claim's status.
    assert "4 claims: 3 error, 1 reproduced; 12 runs in" in result.output
    page = (site_hub / "site" / "claims" / "width-limit" / "index.html").read_text()
    assert 'alt="status: not-run"' in page and "../../plots/width-limit.svg" in page
    assert "Not yet run by the hub" in page and "reported" in page
    stand_in = (site_hub / "site" / "claims" / "lr-transfer" / "index.html").read_text()
    assert 'alt="status: stale"' in stand_in  # the hub's own runs are of an older version
    assert "did not finish" not in stand_in


def test_build_with_zensical(site_hub: Path) -> None:
    """The second engine builds the same pages: math, tables, the repository link, search."""
    from site_tools.site.zensical import available

    if not available():
        pytest.skip("Zensical is not installed (pip install -e '.[zensical]')")
    result = build_site(site_hub, engine="zensical")
    claim = (result.site_dir / "claims" / "logistic-modes" / "index.html").read_text("utf-8")
    assert "<math" in claim and "lmhub-table--predictions" in claim
    assert 'class="md-source"' in claim and 'data-md-component="source"' not in claim
    assert "assets/lmhub.js" in claim and "https://github.com/example/hub" in claim
    assert (result.site_dir / "pagefind" / "pagefind.js").is_file()
    assert (result.site_dir / "plots" / "logistic-modes.svg").is_file()


def test_search_index_holds_a_claims_text_but_not_its_run_data(built_site: BuildResult) -> None:
    import gzip
    import json

    indexed = {}
    for fragment in (built_site.site_dir / "pagefind" / "fragment").glob("*.pf_fragment"):
        doc = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        indexed[doc["url"].rstrip("/").rsplit("/", 1)[-1]] = doc["content"]
    text = indexed["logistic-modes"]
    assert "logistic" in text and "Predictions" in text and "Citations" in text
    # Rerunning, environments, provenance and history: the same words on every claim.
    for words in ("Rerun it", "Provenance", "Peak memory", "History", "Last run"):
        assert words not in text, words


def test_search_index_leaves_out_lists_of_entries_and_repeated_sentences(
    built_site: BuildResult,
) -> None:
    import gzip
    import json

    indexed = {}
    for fragment in (built_site.site_dir / "pagefind" / "fragment").glob("*.pf_fragment"):
        doc = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        indexed[doc["url"].strip("/")] = doc["content"]
    title = "Each mode is learned on its own logistic clock"
    claim = indexed["claims/logistic-modes"]
    assert title in claim and "Predicted from" in claim and "Saxe" in claim
    # The predictions table (its list repeats it), the plot's legend, the edit link, the
    # BibTeX link and the titles of other entries: the same on every page, or found elsewhere.
    for words in ("Per seed", "every seed drawn", "Edit this claim", "BibTeX", "solvable deep"):
        assert words not in claim, words
    # A list of entries leaves each to its own page; a papers page keeps its works.
    for page in ("claims", "strands/solvable-settings", "tags", "papers/s"):
        assert title not in indexed[page], page
    assert "Exact solutions to the nonlinear dynamics" in indexed["papers/s"]
    assert "logistic clock" not in indexed["questions/nonlinear-solvable"]

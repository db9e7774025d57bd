"""The contribution example: a complete claim and its script, read from the hub at build
time so that the page shows the files as they are, never a copy that went stale."""

from __future__ import annotations

from pathlib import Path

from site_tools.site.pages.common import EXAMPLE, SiteData, claim_page, fence, front_matter, link
from site_tools.site.text import inline

EXAMPLE_CLAIM = "dln-mode-timescales"
"""The claim shown as the example: small, CPU-only, with parameters, smoke and mutants."""


def example_md(data: SiteData) -> str:
    """The page; says so plainly when the example claim is not in this hub."""
    out = [
        front_matter("A complete example claim"),
        "# A complete example claim\n",
        "A claim is two files: its YAML entry under `claims/` and a short script under "
        "`repro/`. Below are both files of one claim of this hub, exactly as they are in the "
        "repository today. Start a new one with `.venv/bin/lmhub new claim my-claim --strand "
        "<strand>`, which writes the same structure with every field commented.\n",
    ]
    guide = data.repo_url("CONTRIBUTING.md")
    if guide:
        out.append(f"The full guide is the repository's [CONTRIBUTING.md]({guide}).\n")
    claim = data.catalog.claims.get(EXAMPLE_CLAIM)
    if claim is None:
        out.append("The example claim is not part of this hub.\n")
        return "\n".join(out)
    root = data.catalog.paths.root
    source = data.catalog.sources.get(f"claim:{claim.id}", f"claims/{claim.id}.yaml")
    out.append(
        f"## The entry: `{inline(source)}`\n\nIts page: "
        f"{link(EXAMPLE, claim_page(claim.id), claim.title)}.\n"
    )
    out.append(fence(_read(root / source), "yaml"))
    script = claim.reproduction.script
    out.append(
        f"## The script: `{inline(script)}`\n\nIt reads its inputs as `p = args.params` "
        "(the claim's `parameters`, with smoke or mutant overrides applied), measures, and "
        "prints the metrics as JSON; the hub, not the script, judges them.\n"
    )
    out.append(fence(_read(root / script), "python"))
    return "\n".join(out)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return "(could not be read)"

"""Where a hub's files live, and its settings and taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_tools.models import HubSettings, Taxonomy
from site_tools.problems import HubError, Problem
from site_tools.yaml_source import read_yaml_file


@dataclass(frozen=True)
class HubPaths:
    """The layout of a hub checkout, rooted at ``root``."""

    root: Path

    @property
    def claims(self) -> Path:
        return self.root / "claims"

    @property
    def questions(self) -> Path:
        return self.root / "open_questions"

    @property
    def repro(self) -> Path:
        return self.root / "repro"

    @property
    def bib(self) -> Path:
        return self.root / "references.bib"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def evidence(self) -> Path:
        """The hub's evidence store: records made by its own workflows, fetched from the
        evidence branch by ``lmhub evidence fetch`` (never committed on main)."""
        return self.root / ".evidence"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def settings(self) -> Path:
        return self.root / "hub.yaml"

    @property
    def taxonomy(self) -> Path:
        return self.root / "taxonomy.yaml"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def shown(self, path: Path) -> str:
        """Path as printed in messages: relative to the root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds a ``taxonomy.yaml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "taxonomy.yaml").is_file():
            return folder
    raise HubError(
        [
            Problem(
                str(here),
                0,
                0,
                "",
                "not inside a hub (no taxonomy.yaml here or above); pass --root DIR",
            )
        ]
    )


def load_settings(paths: HubPaths) -> tuple[HubSettings, Taxonomy]:
    """Read ``hub.yaml`` (optional) and ``taxonomy.yaml`` (required)."""
    from site_tools.entry_errors import model_problems

    problems: list[Problem] = []
    settings = HubSettings()
    if paths.settings.is_file():
        doc = read_yaml_file(paths.settings, paths.shown(paths.settings), max_bytes=1 << 20)
        if isinstance(doc, Problem):
            problems.append(doc)
        else:
            parsed, found = model_problems(HubSettings, doc)
            problems += found
            settings = parsed or settings
    taxonomy: Taxonomy | None = None
    doc = read_yaml_file(paths.taxonomy, paths.shown(paths.taxonomy), max_bytes=1 << 20)
    if isinstance(doc, Problem):
        problems.append(doc)
    else:
        taxonomy, found = model_problems(Taxonomy, doc)
        problems += found
    if problems or taxonomy is None:
        raise HubError(problems)
    return settings, taxonomy

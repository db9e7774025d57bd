"""Fixtures for the site tests: a small hub with run records, built once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_tools.site.build import BuildResult, build_site
from tests.site.hubs import make_site_hub


@pytest.fixture
def site_hub(tmp_path: Path) -> Path:
    """A fresh copy of the ``site_hub`` fixture with run records and the repo's mkdocs.yml."""
    return make_site_hub(tmp_path / "hub")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The ``site_hub`` fixture built once, strictly, for tests that only read the output."""
    root = make_site_hub(tmp_path_factory.mktemp("built") / "hub")
    return build_site(root)


@pytest.fixture
def read_page(built_site: BuildResult) -> Callable[[str], str]:
    """Read a built page by its URL path (``claims/x/`` gives ``claims/x/index.html``)."""

    def read(url: str) -> str:
        path = built_site.site_dir / url
        if url.endswith("/") or not url:
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    return read

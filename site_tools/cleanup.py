"""``lmhub clean``: what can be deleted because it is rebuilt on demand.

Only caches and build output: the run records under ``results/`` are the hub's data and are
never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REBUILT = ("build", "site", ".hub-cache")
"""Folders under the hub root that the tool regenerates: the generated pages and the site's
memo (``build/``), the built site (``site/``) and the runner's memo (``.hub-cache/``)."""


def clean(root: Path) -> list[Path]:
    """Delete the caches and build output of the hub at ``root``; return what was removed."""
    removed = []
    for name in REBUILT:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed.append(folder)
    return removed

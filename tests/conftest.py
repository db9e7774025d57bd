"""Shared fixtures: throwaway hubs built from the committed base hub plus overrides."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BASE_HUB = FIXTURES / "base_hub"
REPO = Path(__file__).resolve().parents[1]

TempHub = Callable[..., Path]


@pytest.fixture
def temp_hub(tmp_path: Path) -> TempHub:
    """Factory: ``temp_hub({"claims/x.yaml": "...", "repro/x.py": b"..."}, remove=[...])``.

    Starts from ``tests/fixtures/base_hub`` (one valid claim, one question, two references),
    writes the given files over it (str as UTF-8, bytes as is), deletes ``remove``, and
    returns the hub root. Each call makes a new hub.
    """
    counter = iter(range(1_000_000))

    def make(files: dict[str, str | bytes] | None = None, remove: tuple[str, ...] = ()) -> Path:
        root = tmp_path / f"hub{next(counter)}"
        shutil.copytree(BASE_HUB, root)
        for rel, content in (files or {}).items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        for rel in remove:
            (root / rel).unlink()
        return root

    return make


def overlay(root: Path, folder: Path) -> None:
    """Copy every file under ``folder`` onto the hub at ``root``."""
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "expected.txt":
            target = root / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

"""What a run's sandbox shows of the hub: the files of its identity, none from outside repro/."""

from __future__ import annotations

from pathlib import Path

from site_tools.runner.api import _mounts


def test_only_files_that_resolve_inside_repro_are_mounted(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    (root / "repro" / "data").mkdir(parents=True)
    for name in ("main.py", "data/table.csv"):
        (root / "repro" / name).write_text("x\n")
    secret = tmp_path / "credentials"
    secret.write_text("token\n")
    # Validation refuses both of these; a link made after it must still not be followed.
    (root / "repro" / "linked.csv").symlink_to(secret)
    files = ("repro/main.py", "repro/data/table.csv", "repro/linked.csv", "repro/../../credentials")
    assert _mounts(root, files) == (
        str(root / "repro" / "main.py"),
        str(root / "repro" / "data" / "table.csv"),
    )

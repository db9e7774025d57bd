"""The one atomic-write helper, the one memo helper, ``lmhub clean`` and ``--no-cache``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_tools.cli.app import cli
from site_tools.fsio import atomic_write
from site_tools.memo import JsonMemo
from site_tools.runner.provenance import tree_state
from tests.conftest import TempHub


def test_atomic_write_replaces_or_refuses(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    with pytest.raises(FileExistsError):
        atomic_write(target, "three", replace=False)
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.txt"]  # no temporary left


def test_memo_forgets_other_versions_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "memo.json"
    JsonMemo(path, "1").save({"k": [1, 2]})
    assert JsonMemo(path, "1").load() == {"k": [1, 2]}
    assert JsonMemo(path, "2").load() == {}
    path.write_text("{not json")
    assert JsonMemo(path, "1").load() == {}
    JsonMemo(None, "1").save({"k": 1})  # a memo without a file keeps nothing
    assert JsonMemo(None, "1").load() == {}


def test_memo_saved_as_json_text_reads_as_saved(tmp_path: Path) -> None:
    path = tmp_path / "memo.json"
    JsonMemo(path, 'v"1').save_json(b'{"k": [1, 2], "\xc3\xa9": {}}')
    assert JsonMemo(path, 'v"1').load() == {"k": [1, 2], "\u00e9": {}}
    assert JsonMemo(path, "v1").load() == {}
    JsonMemo(None, "1").save_json(b"{}")


def test_clean_removes_caches_and_output_never_records(temp_hub: TempHub) -> None:
    root = temp_hub()
    for rel in ("build/cache/x.json", "site/index.html", ".hub-cache/runner/claims.json"):
        atomic_write(root / rel, "x")
    atomic_write(root / "results" / "mean-shrinks" / "r.json", "{}")
    result = CliRunner().invoke(cli, ["clean", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output == "removed build/\nremoved site/\nremoved .hub-cache/\n"
    assert (root / "results" / "mean-shrinks" / "r.json").is_file()
    again = CliRunner().invoke(cli, ["clean", "--root", str(root)])
    assert again.output == "nothing to remove (build/, site/, .hub-cache/ are absent)\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_tree_state_says_whether_the_tree_had_changes(tmp_path: Path) -> None:
    assert tree_state(tmp_path).dirty is None  # not a repository
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("a")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a")
    state = tree_state(tmp_path)
    assert state.commit is not None and state.dirty is False
    (tmp_path / "results" / "x").mkdir(parents=True)
    (tmp_path / "results" / "x" / "r.json").write_text("{}")  # records a run writes itself
    assert tree_state(tmp_path).dirty is False
    (tmp_path / "a.txt").write_text("changed")
    assert tree_state(tmp_path).dirty is True

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from site_tools.site import output
from site_tools.site.output import MANIFEST, PENDING, OutputTree


def _interrupted() -> bytes:
    """A producer stopped by Ctrl-C."""
    raise KeyboardInterrupt


def test_only_changed_files_are_written_and_stale_ones_removed(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path)
    tree.add("a.md", "one")
    tree.add("sub/b.md", "two")
    tree.add_lazy("c.svg", "key1", lambda: b"<svg/>")
    first = tree.commit()
    assert first.written == ["a.md", "c.svg", "sub/b.md"] and first.removed == []
    assert (tmp_path / MANIFEST).is_file()

    calls: list[str] = []
    tree = OutputTree(tmp_path)
    tree.add("a.md", "one")
    tree.add("sub/b.md", "changed")
    tree.add_lazy("c.svg", "key1", lambda: calls.append("drawn") or b"<svg/>")
    second = tree.commit()
    assert second.written == ["sub/b.md"] and second.unchanged == 2 and calls == []

    (tmp_path / "stray.txt").write_text("not ours")
    tree = OutputTree(tmp_path)
    tree.add("a.md", "one")
    third = tree.commit()
    assert third.removed == ["c.svg", "sub/b.md"]
    assert (tmp_path / "stray.txt").is_file()  # never written by us: left alone


def test_a_deleted_file_is_written_again(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path)
    tree.add("a.md", "one")
    tree.commit()
    (tmp_path / "a.md").unlink()
    tree = OutputTree(tmp_path)
    tree.add("a.md", "one")
    assert tree.commit().written == ["a.md"]


def test_a_lazy_file_with_nothing_to_write_is_skipped(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path)
    tree.add_lazy("p.svg", "k", lambda: None)
    assert tree.commit().written == []
    assert not (tmp_path / "p.svg").exists()


def test_a_commit_stopped_halfway_leaves_nothing_vouched_for_that_it_did_not_write(
    tmp_path: Path,
) -> None:
    tree = OutputTree(tmp_path)
    tree.add("a.md", "old a")
    tree.add("b.md", "old b")
    tree.commit()

    tree = OutputTree(tmp_path)
    tree.add("a.md", "new a")  # written before the stop
    tree.add_lazy("b.md", "new", _interrupted)
    with pytest.raises(KeyboardInterrupt):
        tree.commit()
    assert (tmp_path / "a.md").read_text() == "new a"

    # Back to the old content: the manifest must not claim that a.md still holds it.
    tree = OutputTree(tmp_path)
    tree.add("a.md", "old a")
    tree.add("b.md", "old b")
    assert tree.commit().written == ["a.md", "b.md"]  # b.md was due too: written to be sure
    assert (tmp_path / "a.md").read_text() == "old a"


def test_a_finished_commit_leaves_no_pending_list_and_a_damaged_one_trusts_nothing(
    tmp_path: Path,
) -> None:
    tree = OutputTree(tmp_path)
    tree.add("a.md", "a")
    tree.add("b.md", "b")
    tree.commit()
    assert not (tmp_path / PENDING).exists()

    (tmp_path / PENDING).write_text("[not json")
    tree = OutputTree(tmp_path)
    tree.add("a.md", "a")
    tree.add("b.md", "b")
    assert tree.commit().written == ["a.md", "b.md"]
    assert not (tmp_path / PENDING).exists()


def test_a_file_an_interrupted_commit_was_writing_is_deleted_if_no_longer_generated(
    tmp_path: Path,
) -> None:
    tree = OutputTree(tmp_path)
    tree.add("a.md", "a")
    tree.commit()

    tree = OutputTree(tmp_path)
    tree.add("a.md", "a")
    tree.add("b.md", "b")  # written before the stop
    tree.add_lazy("c.md", "c", _interrupted)
    with pytest.raises(KeyboardInterrupt):
        tree.commit()
    assert (tmp_path / "b.md").exists() and (tmp_path / PENDING).exists()

    tree = OutputTree(tmp_path)
    tree.add("a.md", "a")
    report = tree.commit()
    assert report.removed == ["b.md"] and report.written == []
    assert not (tmp_path / "b.md").exists() and not (tmp_path / PENDING).exists()


@pytest.mark.parametrize("rel", ["../x.md", "/abs.md", "a/../../b.md", "a//b.md", ""])
def test_paths_must_stay_inside(tmp_path: Path, rel: str) -> None:
    with pytest.raises(ValueError, match="not a plain relative path"):
        OutputTree(tmp_path).add(rel, "x")


def test_a_file_made_again_as_it_was_is_not_written(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path)
    tree.add_lazy("a.svg", "key1", lambda: b"<svg/>")
    tree.add_lazy("b.svg", "key1", lambda: b"<svg/>")
    tree.commit()
    before = (tmp_path / "a.svg").stat().st_mtime_ns

    # Both keys change; only the file whose content changed is written.
    tree = OutputTree(tmp_path)
    tree.add_lazy("a.svg", "key2", lambda: b"<svg/>")
    tree.add_lazy("b.svg", "key2", lambda: b"<svg></svg>")
    report = tree.commit()
    assert report.written == ["b.svg"] and report.unchanged == 1
    assert (tmp_path / "a.svg").stat().st_mtime_ns == before
    assert (tmp_path / "b.svg").read_bytes() == b"<svg></svg>"

    # The manifest now vouches for the new keys: nothing is made again.
    calls: list[str] = []
    tree = OutputTree(tmp_path)
    tree.add_lazy("a.svg", "key2", lambda: calls.append("a") or b"<svg/>")
    tree.add_lazy("b.svg", "key2", lambda: calls.append("b") or b"<svg></svg>")
    assert tree.commit().written == [] and calls == []


def _group(tree: OutputTree, key: str, calls: list[str], plot: bytes | None = b"<svg/>") -> None:
    def made(rel: str, data: bytes | None) -> Callable[[], bytes | None]:
        return lambda: calls.append(rel) or data

    files = [("p/a.md", made("p/a.md", b"page")), ("b/a.svg", made("b/a.svg", b"badge"))]
    files.append(("plots/a.svg", made("plots/a.svg", plot)))
    tree.add_group("claim:a", key, files)


def test_a_group_is_made_again_only_when_its_key_or_a_file_of_it_changes(tmp_path: Path) -> None:
    calls: list[str] = []
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    tree.add("index.md", "list")
    first = tree.commit()
    assert first.written == ["b/a.svg", "index.md", "p/a.md", "plots/a.svg"]
    assert tree.paths == first.written

    calls.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    tree.add("index.md", "list")
    kept = tree.commit()
    assert calls == [] and kept.written == [] and kept.unchanged == 4

    # A new key makes every file again; only those whose content changed are written.
    tree = OutputTree(tmp_path)
    _group(tree, "k2", calls, plot=b"<svg>new</svg>")
    tree.add("index.md", "list")
    changed = tree.commit()
    assert sorted(calls) == ["b/a.svg", "p/a.md", "plots/a.svg"]
    assert changed.written == ["plots/a.svg"] and changed.unchanged == 3

    # A file of the group deleted by hand: the group is made again.
    (tmp_path / "b/a.svg").unlink()
    calls.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k2", calls, plot=b"<svg>new</svg>")
    assert tree.commit().written == ["b/a.svg"] and len(calls) == 3

    # A group no longer generated: its files are deleted, other files are left alone.
    (tmp_path / "p/mine.md").write_text("hand-written")
    tree = OutputTree(tmp_path)
    tree.add("index.md", "list")
    gone = tree.commit()
    assert gone.removed == ["b/a.svg", "p/a.md", "plots/a.svg"]
    assert (tmp_path / "p/mine.md").is_file()


def test_a_file_of_a_group_produced_as_nothing_does_not_make_the_group_stale(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    tree = OutputTree(tmp_path)
    _group(tree, "k", calls, plot=None)
    assert tree.commit().written == ["b/a.svg", "p/a.md"]
    assert "plots/a.svg" not in tree.paths and not (tmp_path / "plots/a.svg").exists()

    calls.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k", calls, plot=None)
    assert tree.commit().written == [] and calls == []
    assert tree.paths == ["b/a.svg", "p/a.md"]

    tree = OutputTree(tmp_path)
    _group(tree, "k2", calls, plot=b"<svg/>")
    assert tree.commit().written == ["plots/a.svg"]


def test_a_group_an_interrupted_commit_was_making_is_made_again(tmp_path: Path) -> None:
    calls: list[str] = []
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    tree.commit()

    tree = OutputTree(tmp_path)
    tree.add_group(
        "claim:a",
        "k2",
        [("p/a.md", _interrupted), ("b/a.svg", lambda: b"new badge")],
    )
    with pytest.raises(KeyboardInterrupt):
        tree.commit()
    assert (tmp_path / "b/a.svg").read_bytes() == b"new badge"  # written before the stop

    # Back to the first key: the manifest must not vouch for the badge the stop replaced;
    # the group's other files were due too, and are written to be sure.
    calls.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    assert tree.commit().written == ["b/a.svg", "p/a.md", "plots/a.svg"]
    assert (tmp_path / "b/a.svg").read_bytes() == b"badge"


def test_a_group_is_checked_as_it_is_added(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path)
    tree.add_group("claim:a", "k", [])
    with pytest.raises(ValueError, match="added twice"):
        tree.add_group("claim:a", "k", [])
    with pytest.raises(ValueError, match="line break"):
        tree.add_group("claim:b", "k\nx", [])
    tree.add_group("claim:c", "k", [("../out.md", lambda: b"x")])
    with pytest.raises(ValueError, match="not a plain relative path"):
        tree.commit()
    assert not (tmp_path.parent / "out.md").exists()


def test_a_folder_unchanged_since_the_last_commit_is_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Folders changed within RACY_NS of a commit are not trusted; here none is too recent.
    monkeypatch.setattr(output, "RACY_NS", -1)
    listed: list[str] = []
    listdir = os.listdir

    def spy(path: str) -> list[str]:
        listed.append(Path(path).name)
        return listdir(path)

    monkeypatch.setattr(output.os, "listdir", spy)
    calls: list[str] = []
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    tree.commit()
    time.sleep(0.05)  # past the clock tick of the commit's last change

    listed.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    assert tree.commit().unchanged == 3 and listed == []

    # A file removed by hand: its folder's change time moves, even with its modification
    # time put back, and the folder is listed.
    folder = tmp_path / "b"
    before = folder.stat()
    (folder / "a.svg").unlink()
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    calls.clear()
    tree = OutputTree(tmp_path)
    _group(tree, "k1", calls)
    assert tree.commit().written == ["b/a.svg"] and listed == ["b"]

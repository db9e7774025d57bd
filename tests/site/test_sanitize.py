from __future__ import annotations

from pathlib import Path

import pytest

from site_tools.site.plugin import build_lock, symlinks
from site_tools.site.sanitize import sanitise_html
from tests.site.htmlcheck import elements


def test_sanitise_drops_script_frames_and_handlers_keeps_the_rest() -> None:
    markup = (
        '<p>ok <span class="lmhub-status">x</span></p><script>alert(1)</script>'
        '<iframe src="https://example.org"></iframe><a href="javascript:alert(1)">a</a>'
        '<img src="https://example.org/p.png" onerror="alert(1)"><b onclick="x()">b</b>'
        "<style>body{}</style>&amp; <math><mi>x</mi></math>"
    )
    clean, removed = sanitise_html(markup)
    tags = [tag for tag, _ in elements(clean)]
    assert "script" not in tags and "iframe" not in tags and "style" not in tags
    assert "alert" not in clean and "onclick" not in clean and "onerror" not in clean
    assert '<span class="lmhub-status">x</span>' in clean and "<math><mi>x</mi></math>" in clean
    assert "&amp;" in clean
    assert "<script>" in removed and "<iframe>" in removed


def test_symlinks_under_docs_are_found(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# a\n")
    (docs / "secret.md").symlink_to(tmp_path / "elsewhere.md")
    assert symlinks(docs) == ["secret.md"]


def test_the_build_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    lock = build_lock(tmp_path)
    with lock, build_lock(tmp_path):
        assert lock.is_locked
    assert not lock.is_locked


@pytest.mark.parametrize("name", ["evil.md"])
def test_a_build_refuses_a_symlink_under_docs(site_hub: Path, name: str) -> None:
    from site_tools.problems import HubError
    from site_tools.site.build import build_site

    (site_hub / "docs" / name).symlink_to(site_hub / "hub.yaml")
    with pytest.raises(HubError) as caught:
        build_site(site_hub)
    (problem,) = caught.value.problems
    assert problem.format().startswith(f"docs/{name}") and "symlinks are not allowed" in str(
        problem.format()
    )


def test_a_hand_written_script_never_reaches_the_page(site_hub: Path) -> None:
    from site_tools.site.build import build_site

    (site_hub / "docs" / "about.md").write_text(
        '# About\n\n<script>alert(1)</script>\n\n<p onclick="alert(2)">x</p>\n'
        '<iframe src="https://example.org"></iframe>\n'
    )
    result = build_site(site_hub, strict=False)
    page = (result.site_dir / "about" / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    assert "alert(" not in article and "<iframe" not in article


def test_two_builds_at_once_do_not_crash(site_hub: Path) -> None:
    import subprocess
    import sys

    code = "from pathlib import Path; from site_tools.site.build import build_site; build_site(Path(%r))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code % str(site_hub)], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()

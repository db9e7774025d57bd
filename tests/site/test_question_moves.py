"""Open questions whose status moved are read from git history and shown on the home page."""

from __future__ import annotations

import subprocess
from pathlib import Path

from site_tools.site.question_moves import question_moves
from tests.site.test_generate import page, run

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "PATH": "/usr/bin:/bin",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True)


def test_a_status_move_and_a_new_question_are_found_and_shown(site_hub: Path) -> None:
    _git(site_hub, "init", "-q")
    _git(site_hub, "add", "-A")
    _git(site_hub, "commit", "-q", "-m", "hub")
    question = site_hub / "open_questions" / "nonlinear-solvable.yaml"
    text = question.read_text()
    assert "status: open" in text
    question.write_text(
        text.replace(
            "status: open",
            "status: partial\nstatus_evidence: A solvable model sharpens as predicted.",
        )
    )
    _git(site_hub, "commit", "-q", "-am", "nonlinear-solvable: partial")
    moves = question_moves(site_hub)
    assert next((m.question_id, m.before, m.after) for m in moves) == (
        "nonlinear-solvable",
        "open",
        "partial",
    )
    assert {m.question_id for m in moves if m.before is None} == {
        "nonlinear-solvable",
        "sharpness-origin",
    }
    run(site_hub)
    home = page(site_hub, "index.md")
    changes = home[home.index("## Recent changes") : home.index("## Latest results")]
    assert 'lmhub-qstatus--open">open</span> → ' in changes
    assert "new question:" in changes


def test_no_history_outside_git(tmp_path: Path) -> None:
    assert question_moves(tmp_path) == []

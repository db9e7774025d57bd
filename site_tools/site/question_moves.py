"""When open questions changed status, read from the repository's history of their files.

A question's YAML holds only its current status; git holds every earlier one. One ``git log``
over ``open_questions/`` gives, newest first, each commit that added a question or changed a
``status:`` line. Outside a git checkout there is no history, and nothing is shown.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_FILE = re.compile(r"^diff --git a/open_questions/([a-z0-9-]+)\.yaml ")
_STATUS = re.compile(r"^([-+])status:\s*(open|partial|resolved)\s*$")
COMMITS = 200
"""How far back the history is read, in commits that touched open questions."""


@dataclass(frozen=True)
class QuestionMove:
    when: datetime
    question_id: str
    before: str | None
    """The earlier status; None for a question that was added."""
    after: str


def _git_log(root: Path) -> str:
    try:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                f"-n{COMMITS}",
                "--format=%x00%cI",
                "--unified=0",
                "-p",
                "--",
                "open_questions/",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def parse_moves(log: str) -> list[QuestionMove]:
    """The status moves in the output of ``git log -p --format=%x00%cI``, newest first."""
    moves = []
    for commit in log.split("\0")[1:]:
        lines = commit.splitlines()
        if not lines:
            continue
        when = datetime.fromisoformat(lines[0].strip())
        current: str | None = None
        before: dict[str, str] = {}
        after: dict[str, str] = {}
        for line in lines[1:]:
            found = _FILE.match(line)
            if found:
                current = found.group(1)
                continue
            status = _STATUS.match(line)
            if status and current:
                (before if status.group(1) == "-" else after)[current] = status.group(2)
        for qid, new in after.items():
            old = before.get(qid)
            if old != new:
                moves.append(QuestionMove(when, qid, old, new))
    return moves


def question_moves(root: Path) -> list[QuestionMove]:
    """Status moves of the hub's open questions, newest first (empty outside git)."""
    return parse_moves(_git_log(root))

"""Template leftovers: what ``lmhub new`` wrote that the contributor has not replaced yet.

A scaffolded entry validates and runs as written, so that its author can try it at once;
these warnings are the list of what is still the template's. ``lmhub validate`` prints them,
``lmhub validate --strict`` and ``lmhub check`` fail on them.
"""

from __future__ import annotations

import re

from site_tools.problems import Problem
from site_tools.yaml_source import Loc, SourceDoc

EXAMPLE_TAG = "example"
"""The tag the claim template carries."""
PLACEHOLDER_MARK = "# placeholder:"
"""The comment the templates put on each line whose value the contributor must replace."""
_MARK = re.compile(r"(?:^|\s)# placeholder:\s*(.*?)\s*$")


def derived_title(entry_id: str) -> str:
    """The title ``lmhub new`` writes for ``entry_id``: the id, reworded."""
    return entry_id.replace("-", " ").capitalize()


def _warning(doc: SourceDoc, loc: Loc, message: str) -> Problem:
    found = doc.problem(loc, f"template leftover: {message}")
    return Problem(found.path, found.line, found.col, found.field, found.message, "warning")


def _loc_on_line(doc: SourceDoc, line: int) -> Loc:
    """The value on ``line`` (the innermost, leftmost one), else the whole document."""
    on_line = [(len(loc), -col, loc) for loc, (ln, col) in doc.value_pos.items() if ln == line]
    if not on_line:
        return ()
    return max(on_line, key=lambda t: (t[0], t[1]))[2]


def template_leftovers(doc: SourceDoc) -> list[Problem]:
    """Every part of ``doc`` that is still the template's, as warnings."""
    found = []
    data = doc.data
    entry_id, title = data.get("id"), data.get("title")
    if isinstance(entry_id, str) and isinstance(title, str) and title == derived_title(entry_id):
        question = doc.path.startswith("open_questions/")
        fix = "ask the question in one line" if question else "state the result in one sentence"
        found.append(_warning(doc, ("title",), f"the title '{title}' is the id reworded; {fix}"))
    tags = data.get("tags")
    if isinstance(tags, list):
        for i, tag in enumerate(tags):
            if tag == EXAMPLE_TAG:
                found.append(
                    _warning(
                        doc,
                        ("tags", i),
                        f"the '{EXAMPLE_TAG}' tag marks the template; "
                        "use tags that name the topic (see the tags page of the site)",
                    )
                )
    if PLACEHOLDER_MARK not in doc.text:
        return found  # no marked line: skip reading the file line by line
    for number, text in enumerate(doc.text.splitlines(), start=1):
        mark = _MARK.search(text)
        if mark is None:
            continue
        loc = _loc_on_line(doc, number)
        if loc and any(p.field == ".".join(map(str, loc)) for p in found):
            continue  # already named above, with a more specific message
        what = mark.group(1) or "replace this value"
        problem = _warning(doc, loc, f"{what}, then delete the '{PLACEHOLDER_MARK}' comment")
        if loc == ():
            col = text.index("#") + 1
            problem = Problem(doc.path, number, col, "", problem.message, "warning")
        found.append(problem)
    return found

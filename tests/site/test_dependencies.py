from __future__ import annotations

import dataclasses
from pathlib import Path

from site_tools.catalog import load_catalog
from site_tools.memo import JsonMemo
from site_tools.site.dependencies import work_digest
from site_tools.site.pages.common import SiteData
from tests.conftest import TempHub

KEY = "saxe2014exact"


def _digest(root: Path, memo: JsonMemo) -> str:
    return work_digest(SiteData(load_catalog(root), {}, works_memo=memo), KEY)


def test_work_digests_are_remembered_for_the_same_bibliography_file(
    temp_hub: TempHub, tmp_path: Path
) -> None:
    root = temp_hub()
    memo = JsonMemo(tmp_path / "works.json", "code")
    made = _digest(root, memo)
    stored = memo.load()
    assert stored["works"][KEY] == made
    # Read from the memo while the file is the same (shown by a value the memo alone holds)...
    memo.save({**stored, "works": {**stored["works"], KEY: "remembered"}})
    assert _digest(root, memo) == "remembered"
    # ... and made again once it changes.
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n% a comment\n", encoding="utf-8")
    assert _digest(root, memo) == made
    assert memo.load()["works"][KEY] == made


def test_a_work_digest_follows_what_is_shown_of_the_work(temp_hub: TempHub) -> None:
    root = temp_hub()
    catalog = load_catalog(root)
    before = work_digest(SiteData(catalog, {}), KEY)
    ref = catalog.bib.references[KEY]
    changed = dataclasses.replace(ref, fields={**ref.fields, "year": "2015"})
    bib = dataclasses.replace(catalog.bib, references={**catalog.bib.references, KEY: changed})
    # A bibliography not read from a file is never taken from (or kept in) a memo.
    memo = JsonMemo(root / "works.json", "code")
    data = SiteData(dataclasses.replace(catalog, bib=bib), {}, works_memo=memo)
    assert work_digest(data, KEY) != before
    assert memo.load() == {}

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from site_tools.catalog import load_catalog
from site_tools.schema import schema_text
from site_tools.site import exports
from site_tools.site.export_models import (
    EXPORT_VERSION,
    CatalogExport,
    ClaimExport,
    IndexPageExport,
    QuestionExport,
    ReferenceExport,
)
from site_tools.site.generate import generate
from site_tools.site.pages.common import SiteData
from site_tools.site.results import ResultsCache, collect_results
from tests.site.hubs import REPO

ENTRY_MODELS: dict[str, type[BaseModel]] = {
    "claims": ClaimExport,
    "open_questions": QuestionExport,
    "references": ReferenceExport,
}
ENTRY_SCHEMAS = {"claims": "claim", "open_questions": "question", "references": "reference"}


def test_committed_export_schemas_are_up_to_date() -> None:
    for name in exports.EXPORT_SCHEMAS.values():
        committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name), (
            f"schemas/{name}.schema.json is stale: regenerate it with `lmhub schema`"
        )


def _exports(root: Path) -> Path:
    generate(load_catalog(root), root / "build" / "docs", root / "build" / "cache")
    return root / "build" / "docs"


def _read(out: Path, rel: str) -> Any:
    return json.loads((out / rel).read_text(encoding="utf-8"))


class Export:
    """The published export of a generated folder, read the way a reader would: the header,
    then each index page it names, then each entry file a row names; every file checked
    against the schema the header names and against its model."""

    def __init__(self, out: Path):
        self.out = out
        self.header = self.check(exports.CATALOG, "schemas/catalog.schema.json", CatalogExport)
        assert self.header["format_version"] == EXPORT_VERSION == 3
        schemas = self.header["schemas"]
        self.pages: dict[str, list[dict[str, Any]]] = {}
        self.entries: dict[str, dict[str, Any]] = {}
        for kind, files in self.header["indexes"].items():
            self.pages[kind] = [self.check(f, schemas["index"], IndexPageExport) for f in files]
            for page in self.pages[kind]:
                assert page["kind"] == kind
                for row in page["rows"]:
                    schema = schemas[ENTRY_SCHEMAS[kind]]
                    entry = self.check(row["file"], schema, ENTRY_MODELS[kind])
                    self.entries[f"{kind}:{row['id']}"] = entry

    def check(self, rel: str, schema_file: str, model: type[BaseModel]) -> Any:
        data = _read(self.out, rel)
        schema = _read(self.out, schema_file)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(
            data,
            schema,
            cls=jsonschema.Draft202012Validator,
            format_checker=jsonschema.FormatChecker(),
        )
        model.model_validate_json((self.out / rel).read_text(encoding="utf-8"))
        return data

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k.split(":", 1)[1]: v for k, v in self.entries.items() if k.startswith(kind)}


def test_every_export_file_validates_and_every_entry_is_reached(site_hub: Path) -> None:
    export = Export(_exports(site_hub))
    catalog = load_catalog(site_hub)
    assert set(export.of("claims")) == set(catalog.claims)
    assert set(export.of("open_questions")) == set(catalog.questions)
    assert set(export.of("references")) == set(catalog.bib.references)
    assert export.header["schemas"] == {
        "catalog": "schemas/catalog.schema.json",
        "index": "schemas/catalog-index.schema.json",
        "claim": "schemas/catalog-claim.schema.json",
        "question": "schemas/catalog-question.schema.json",
        "reference": "schemas/catalog-reference.schema.json",
    }
    written = {
        p.relative_to(export.out).as_posix()
        for p in (export.out / "catalog").rglob("*")
        if p.is_file()
    }
    reached = {
        row["file"] for pages in export.pages.values() for page in pages for row in page["rows"]
    } | {f for files in export.header["indexes"].values() for f in files}
    assert written == reached  # nothing the reader cannot find


def test_every_entry_round_trips_through_its_file(site_hub: Path) -> None:
    out = _exports(site_hub)
    catalog = load_catalog(site_hub)
    data = SiteData(catalog, collect_results(catalog, ResultsCache(None)))
    built = exports.catalog_exports(data)
    assert len(built) == 1 + 3 + len(catalog.claims) + len(catalog.questions) + len(
        catalog.bib.references
    )
    for rel, model in built.items():
        text = (out / rel).read_text(encoding="utf-8")
        assert type(model).model_validate_json(text) == model, rel
        assert text == model.model_dump_json() + "\n"


def test_the_export_holds_statuses_and_metric_summaries(site_hub: Path) -> None:
    export = Export(_exports(site_hub))
    counts = export.header["counts"]
    assert {k: counts[k] for k in ("claims", "reproduced", "failed", "open_questions")} == {
        "claims": 4,
        "reproduced": 1,
        "failed": 1,
        "open_questions": 2,
    }
    assert sum(counts["by_state"].values()) == counts["claims"]
    strands = {s["id"]: s for s in export.header["strands"]}
    assert (
        strands["solvable-settings"]["claims"],
        strands["solvable-settings"]["open_questions"],
    ) == (1, 1)
    rows = {r["id"]: r for r in export.pages["claims"][0]["rows"]}
    assert rows["logistic-modes"] == {
        "id": "logistic-modes",
        "title": "Each mode is learned on its own logistic clock",
        "status": "reproduced",
        "strand": "solvable-settings",
        "file": "catalog/claims/logistic-modes.json",
    }
    claims = export.of("claims")
    modes = claims["logistic-modes"]
    assert modes["status"]["state"] == "reproduced" and modes["status"]["current"]
    assert modes["status"]["environments"] == 2 and modes["status"]["runs"] == 9
    assert modes["page"] == "claims/logistic-modes/"
    assert modes["badge"] == "badges/logistic-modes.svg"
    assert modes["plot"] == "plots/logistic-modes.svg"
    t_half = modes["metrics"][0]
    assert t_half["metric"] == "t_half" and t_half["held"] is True
    assert t_half["values"] == [1.9, 1.904, 1.908] and t_half["required"] == 3
    assert abs(t_half["mean"] - 1.904) < 1e-12
    assert t_half["expect"] == {"kind": "target", "value": 1.9, "rel_tol": 0.02, "abs_tol": None}
    assert modes["metrics"][1]["alternative_rejected"] is True
    never = claims["width-limit"]["metrics"][0]
    assert never["mean"] is None and never["held"] is None and never["values"] == []
    assert claims["width-limit"]["status"]["state"] == "not-run"
    questions = export.of("open_questions")
    assert questions["sharpness-origin"]["related_claims"] == [
        {"id": "sharpness-threshold", "state": "failed"}
    ]
    refs = export.of("references")
    assert refs["saxe2014exact"]["cited_by"] == [
        "logistic-modes",
        "lr-transfer",
        "nonlinear-solvable",
    ]
    assert refs["saxe2014exact"]["page"] == "papers/s/#ref-saxe2014exact"
    assert refs["belkin2019reconciling"]["doi"] == "10.1073/pnas.1903070116"


def test_index_pages_hold_at_most_index_size_rows(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "INDEX_SIZE", 3)
    export = Export(_exports(site_hub))
    assert export.header["index_size"] == 3
    claims = export.pages["claims"]
    assert [len(p["rows"]) for p in claims] == [3, 1]
    assert export.header["indexes"]["claims"] == ["catalog/claims-1.json", "catalog/claims-2.json"]
    assert (claims[0]["previous"], claims[0]["next"]) == (None, "catalog/claims-2.json")
    assert (claims[1]["previous"], claims[1]["next"]) == ("catalog/claims-1.json", None)
    assert all(p["total"] == 4 and p["pages"] == 2 for p in claims)
    assert [r["id"] for p in claims for r in p["rows"]] == sorted(export.of("claims"))
    assert len(export.entries) == 4 + 2 + 4


def test_an_empty_kind_has_one_empty_index_page(site_hub: Path) -> None:
    for path in (site_hub / "open_questions").glob("*.yaml"):
        path.unlink()
    for path in (site_hub / "claims").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"open_questions: \[[^\]]*\]\n", "", text), encoding="utf-8")
    export = Export(_exports(site_hub))
    assert [p["rows"] for p in export.pages["open_questions"]] == [[]]


@pytest.mark.parametrize(
    "keys",
    [
        ["saxe2014exact", "Saxe:2014", "saxe-2014", "Saxe/2014", "..", "Érdős1947", "a b", ""],
        ["x" * 100, "x" * 101, "X" * 101],
    ],
)
def test_reference_file_names_are_plain_and_distinct(keys: list[str]) -> None:
    files = [exports.reference_file(k) for k in keys]
    for key, rel in zip(keys, files, strict=True):
        assert re.fullmatch(r"catalog/references/[A-Za-z0-9_-]+(\.[0-9a-f]{16})?\.json", rel), rel
        if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", key):
            assert rel == f"catalog/references/{key}.json"
    assert len({f.lower() for f in files}) == len(files)


def test_bibtex_exports(site_hub: Path) -> None:
    out = _exports(site_hub)
    assert (out / "references.bib").read_bytes() == (site_hub / "references.bib").read_bytes()
    bib = (out / "bib" / "sharpness-threshold.bib").read_text(encoding="utf-8")
    assert bib.startswith("@inproceedings{cohen2021gradient,")
    assert "@article{belkin2019reconciling," in bib and "saxe2014exact" not in bib


def test_each_export_file_is_keyed_on_what_it_shows(site_hub: Path) -> None:
    catalog = load_catalog(site_hub)
    data = SiteData(catalog, collect_results(catalog, ResultsCache(None)))
    files = exports.catalog_files(data)
    assert files == {
        p: m.model_dump_json() + "\n" for p, m in exports.catalog_exports(data).items()
    }
    _, built = exports.export_files(data)
    keys = {entry.path: entry.key for entry in built}
    assert set(keys) | {exports.CATALOG} == set(files)

    changed = catalog.claims["logistic-modes"].model_copy(update={"title": "Renamed claim"})
    catalog.claims["logistic-modes"] = changed
    data2 = SiteData(catalog, data.results)
    _, built2 = exports.export_files(data2)
    keys2 = {entry.path: entry.key for entry in built2}
    # The claim's own file, the questions whose pages show the titles of their related
    # claims, and the index pages that list them (keyed on the page keys of their rows).
    showing = {
        exports.question_file(q.id)
        for q in catalog.questions.values()
        if "logistic-modes" in q.related_claims
    }
    # The files of the works on the papers pages that list it as citing them (they share
    # the key of their papers page).
    pages = {data.paper_page(key) for key in changed.citations}
    works = {
        exports.reference_file(k) for p in data.papers.pages if p.path in pages for k in p.keys
    }
    assert showing and works
    assert {p for p in keys if keys[p] != keys2[p]} == {
        "catalog/claims/logistic-modes.json",
        "catalog/claims-1.json",
        "catalog/questions-1.json",
        *showing,
        *works,
    }
    assert exports.catalog_files(data2) == {
        p: m.model_dump_json() + "\n" for p, m in exports.catalog_exports(data2).items()
    }

    # The URLs in the files depend on the URL style, so every key does too.
    data3 = SiteData(catalog, data.results, directory_urls=False)
    _, built3 = exports.export_files(data3)
    entries = {e.path: e.key for e in built3 if e.path.count("/") == 2}  # not the indexes
    assert entries and all(keys2[p] != k for p, k in entries.items())

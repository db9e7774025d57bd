from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from site_tools.catalog import load_catalog
from site_tools.schema import schema_text
from site_tools.site.export_models import EXPORT_VERSION
from site_tools.site.generate import generate
from tests.site.hubs import REPO


def test_committed_catalog_schema_is_up_to_date() -> None:
    committed = (REPO / "schemas" / "catalog.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text("catalog"), (
        "schemas/catalog.schema.json is stale: regenerate it from site_tools.site.export_models"
    )


def _exports(root: Path) -> Path:
    generate(load_catalog(root), root / "build" / "docs", root / "build" / "cache")
    return root / "build" / "docs"


def test_catalog_json_validates_against_its_schema(site_hub: Path) -> None:
    out = _exports(site_hub)
    data = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    schema = json.loads((out / "schemas" / "catalog.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(
        data, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker()
    )
    assert data["format_version"] == EXPORT_VERSION == 2


def test_catalog_json_holds_statuses_and_metric_summaries(site_hub: Path) -> None:
    data = json.loads((_exports(site_hub) / "catalog.json").read_text(encoding="utf-8"))
    counts = data["counts"]
    assert {k: counts[k] for k in ("claims", "reproduced", "failed", "open_questions")} == {
        "claims": 4,
        "reproduced": 1,
        "failed": 1,
        "open_questions": 2,
    }
    assert sum(counts["by_state"].values()) == counts["claims"]
    claims = {c["id"]: c for c in data["claims"]}
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
    questions = {q["id"]: q for q in data["open_questions"]}
    assert questions["sharpness-origin"]["related_claims"] == [
        {"id": "sharpness-threshold", "state": "failed"}
    ]
    refs = {r["key"]: r for r in data["references"]}
    assert refs["saxe2014exact"]["cited_by"] == [
        "logistic-modes",
        "lr-transfer",
        "nonlinear-solvable",
    ]
    assert refs["belkin2019reconciling"]["doi"] == "10.1073/pnas.1903070116"


def test_bibtex_exports(site_hub: Path) -> None:
    out = _exports(site_hub)
    assert (out / "references.bib").read_bytes() == (site_hub / "references.bib").read_bytes()
    bib = (out / "bib" / "sharpness-threshold.bib").read_text(encoding="utf-8")
    assert bib.startswith("@inproceedings{cohen2021gradient,")
    assert "@article{belkin2019reconciling," in bib and "saxe2014exact" not in bib


def test_catalog_json_is_assembled_from_remembered_entries(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_tools.site import exports
    from site_tools.site.pages.common import SiteData
    from site_tools.site.results import ResultsCache, collect_results

    catalog = load_catalog(site_hub)
    data = SiteData(catalog, collect_results(catalog, ResultsCache(None)))
    memo_path = site_hub / "exports.json"
    text = exports.catalog_json(data, exports.ExportMemo(memo_path))
    assert text == exports.catalog_export(data).model_dump_json() + "\n"

    built: list[str] = []
    real = exports._claim
    monkeypatch.setattr(exports, "_claim", lambda d, c: built.append(c.id) or real(d, c))
    again = SiteData(catalog, data.results)
    assert exports.catalog_json(again, exports.ExportMemo(memo_path)) == text
    assert built == []
    changed = catalog.claims["width-limit"].model_copy(update={"title": "Renamed claim"})
    catalog.claims["width-limit"] = changed
    data3 = SiteData(catalog, data.results)
    text3 = exports.catalog_json(data3, exports.ExportMemo(memo_path))
    assert built == ["width-limit"] and '"title":"Renamed claim"' in text3
    assert text3 == exports.catalog_export(data3).model_dump_json() + "\n"

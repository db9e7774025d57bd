from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

import site_tools.site.results as results_module
from site_tools.catalog import load_catalog
from site_tools.site.plots import PlotCache
from site_tools.site.results import ResultsCache, collect_results
from tests.site.hubs import T0, logistic_series, write_runs


def test_states_shown_records_and_environments(site_hub: Path) -> None:
    catalog = load_catalog(site_hub)
    results = collect_results(catalog, ResultsCache(None))
    assert {k: r.status.state for k, r in results.items()} == {
        "logistic-modes": "reproduced",
        "sharpness-threshold": "failed",
        "lr-transfer": "stale",
        "width-limit": "not-run",
    }
    modes = results["logistic-modes"]
    assert modes.shown_current and [r.seed for r in modes.shown] == [0, 1, 2]
    assert modes.environments == 2  # x86_64 and aarch64; the older failed version not counted
    assert modes.plot is not None and modes.plot.seed == 0 and modes.plot.series
    assert modes.last_run == modes.status.history[-1].started_at
    assert results["sharpness-threshold"].environments == 0
    stale = results["lr-transfer"]
    assert not stale.shown_current and len(stale.shown) == 3 and stale.summaries
    assert results["width-limit"].plot is None and results["width-limit"].shown == []


def _calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The ids of the claims that the results module's function ``name`` is called with from
    now on (it still does its work)."""
    calls: list[str] = []
    real = getattr(results_module, name)

    def counting(claim, *args):  # type: ignore[no-untyped-def]
        calls.append(claim.id)
        return real(claim, *args)

    monkeypatch.setattr(results_module, name, counting)
    return calls


def test_the_cache_rereads_only_claims_whose_records_or_content_changed(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_catalog(site_hub)
    cache_dir = site_hub / "build" / "cache"
    first = collect_results(catalog, ResultsCache(cache_dir))

    read = _calls(monkeypatch, "claim_status")
    again = collect_results(catalog, ResultsCache(cache_dir))
    assert read == []
    assert {k: r.status.state for k, r in again.items()} == {
        k: r.status.state for k, r in first.items()
    }
    assert again["logistic-modes"].plot is not None
    assert again["logistic-modes"].plot.key == first["logistic-modes"].plot.key  # type: ignore[union-attr]
    assert again["logistic-modes"].plot.series is None  # type: ignore[union-attr]

    write_runs(
        site_hub, catalog.claims["width-limit"], [{"slope": -0.5}] * 3, series=logistic_series()
    )
    third = collect_results(catalog, ResultsCache(cache_dir))
    assert read == ["width-limit"]
    assert third["width-limit"].status.state == "reproduced"

    # A plot missing from the plot cache makes its claim be read again, for its series.
    read.clear()
    collect_results(catalog, ResultsCache(cache_dir), have_plot=set())
    assert sorted(read) == ["logistic-modes", "sharpness-threshold", "width-limit"]


def _age(root: Path, seconds: float = 60) -> None:
    """Make every file and folder of the hub look modified ``seconds`` ago (older than the
    window in which a modification time is not trusted)."""
    then = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then))


def test_a_key_is_computed_again_only_when_its_claim_a_file_it_runs_or_its_records_change(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(site_hub)
    catalog = load_catalog(site_hub)
    cache_dir = site_hub / "build" / "cache"
    first = collect_results(catalog, ResultsCache(cache_dir))

    computed = _calls(monkeypatch, "identities")
    again = collect_results(catalog, ResultsCache(cache_dir))
    assert computed == []
    assert {k: r.key for k, r in again.items()} == {k: r.key for k, r in first.items()}

    def fresh() -> dict[str, str]:
        return {k: r.key for k, r in collect_results(catalog, ResultsCache(None)).items()}

    # A changed script (its size and time differ) changes its claim's identity.
    script = site_hub / "repro" / "width_limit.py"
    script.write_text(script.read_text() + "\n# changed\n")
    _age(script, 30)
    computed.clear()
    third = collect_results(catalog, ResultsCache(cache_dir))
    assert computed == ["width-limit"]
    assert third["width-limit"].key != again["width-limit"].key
    computed.clear()
    assert {k: r.key for k, r in third.items()} == fresh()

    # A changed claim, and a file added to repro/ (a module a script may import).
    claim = catalog.claims["lr-transfer"]
    catalog.claims["lr-transfer"] = claim.model_copy(update={"title": "Renamed"})
    computed.clear()
    collect_results(catalog, ResultsCache(cache_dir))
    assert computed == ["lr-transfer"]
    (site_hub / "repro" / "sitecustomize.py").write_text("print('hello')\n")
    _age(site_hub / "repro", 20)
    computed.clear()
    fourth = collect_results(catalog, ResultsCache(cache_dir))
    assert sorted(computed) == sorted(catalog.claims)
    assert {k: r.key for k, r in fourth.items()} != {k: r.key for k, r in third.items()}
    assert {k: r.key for k, r in fourth.items()} == fresh()

    # A new record: its folder's time changes.
    write_runs(
        site_hub,
        catalog.claims["width-limit"],
        [{"slope": -0.5}] * 3,
        series=logistic_series(),
        started=T0 + timedelta(days=3),
    )
    _age(site_hub / ".evidence" / "width-limit", 10)
    computed.clear()
    fifth = collect_results(catalog, ResultsCache(cache_dir))
    assert computed == ["width-limit"]
    assert fifth["width-limit"].key != fourth["width-limit"].key
    assert {k: r.key for k, r in fifth.items()} == fresh()

    # A file modified within the untrusted window is not remembered: computed every time.
    script.write_text(script.read_text() + "\n# again\n")
    for _ in range(2):
        computed.clear()
        collect_results(catalog, ResultsCache(cache_dir))
        assert computed == ["width-limit"]


def test_a_damaged_cache_costs_time_not_correctness(site_hub: Path) -> None:
    catalog = load_catalog(site_hub)
    cache_dir = site_hub / "cache"
    cache_dir.mkdir()
    (cache_dir / "results.json").write_text("{not json", encoding="utf-8")
    results = collect_results(catalog, ResultsCache(cache_dir))
    assert results["logistic-modes"].status.state == "reproduced"


def test_a_claim_read_with_a_plot_cache_lets_its_records_go(site_hub: Path) -> None:
    catalog = load_catalog(site_hub)
    plots = PlotCache(site_hub / "build" / "plots")
    results = collect_results(catalog, ResultsCache(site_hub / "build" / "cache"), plots=plots)
    modes = results["logistic-modes"]
    assert modes.plot is not None and modes.plot.series is None, "series held after drawing"
    assert plots.drawn >= 1 and modes.plot.key in plots.keys
    assert modes.status.state == "reproduced" and [r.seed for r in modes.shown] == [0, 1, 2]
    assert all(not r.series for r in modes.status.history), "the status keeps plot data"


def test_parsed_statuses_are_kept_for_the_last_few_claims_only(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_module, "RECENT_STATUSES", 1)
    monkeypatch.setattr(results_module, "_RECENT", type(results_module._RECENT)())
    catalog = load_catalog(site_hub)
    cache = ResultsCache(site_hub / "build" / "cache")
    results = collect_results(catalog, cache, plots=PlotCache(None))
    for result in results.values():
        assert result.summaries is result.summaries  # parsed once while in use
    assert len(results_module._RECENT) == 1


def test_each_status_is_a_file_of_its_own_read_only_when_shown(
    site_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_catalog(site_hub)
    cache_dir = site_hub / "build" / "cache"
    collect_results(catalog, ResultsCache(cache_dir))
    statuses = sorted((cache_dir / results_module.STATUSES).iterdir())
    assert len(statuses) == len(catalog.claims)
    # The memo holds what the index pages need, not the records.
    assert "started_at" not in (cache_dir / "results.json").read_text(encoding="utf-8")

    opened: list[str] = []
    real = results_module._load_status
    monkeypatch.setattr(results_module, "_load_status", lambda t: opened.append(t) or real(t))
    again = collect_results(catalog, ResultsCache(cache_dir))
    assert opened == []  # nothing parsed until a page asks
    assert again["logistic-modes"].status.state == "reproduced" and len(opened) == 1

    # A new record gives its claim a new key: the old status file goes, a new one comes.
    write_runs(
        site_hub, catalog.claims["width-limit"], [{"slope": -0.5}] * 3, series=logistic_series()
    )
    third = collect_results(catalog, ResultsCache(cache_dir))
    kept = sorted(p.name for p in (cache_dir / results_module.STATUSES).iterdir())
    assert len(kept) == len(catalog.claims)
    assert f"{third['width-limit'].key}.json" in kept
    assert f"{again['width-limit'].key}.json" not in kept


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_a_lost_or_damaged_status_file_is_read_from_the_records_again(
    site_hub: Path, damage: str
) -> None:
    catalog = load_catalog(site_hub)
    cache_dir = site_hub / "build" / "cache"
    first = collect_results(catalog, ResultsCache(cache_dir))
    path = cache_dir / results_module.STATUSES / f"{first['logistic-modes'].key}.json"
    if damage == "delete":
        path.unlink()
    else:
        path.write_text('{"status": {', encoding="utf-8")
    results_module._RECENT.clear()
    again = collect_results(catalog, ResultsCache(cache_dir))
    modes = again["logistic-modes"]
    assert modes.status.state == "reproduced" and [r.seed for r in modes.shown] == [0, 1, 2]

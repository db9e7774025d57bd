"""Caching and the reasons the runner gives for running a claim again."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from site_tools.hub import HubPaths
from site_tools.identity import claim_identity, predictions_digest
from site_tools.records import RunRecord, record_filename, write_record
from site_tools.runner.cache import load_hub_claims
from site_tools.runner.plan import changed_inputs, plan_claim
from site_tools.status import claim_status
from tests.runner.conftest import FAULTS, RunnerHub, age, only_record, records, run, snapshot

pytestmark = pytest.mark.timeout(60)


def _later_name(record: RunRecord) -> str:
    """A record file name that sorts after ``record``'s: what a later run would write."""
    later = record.model_copy(update={"started_at": record.started_at + timedelta(seconds=1)})
    return record_filename(later)


def _plan(root: Path, cid: str, **kw: bool) -> tuple[list[str], int]:
    hub = load_hub_claims(root, use_cache=False)
    claim = hub.claims[cid]
    plan = plan_claim(claim, claim_identity(claim, root), root / "results", **kw)
    return [t.reason for t in plan.tasks], len(plan.cached)


def test_a_second_run_runs_nothing(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha=("ok", {"seeds": (0, 1, 2)}), beta="ok")
    report, log = run(root, all_claims=True)
    assert "  alpha: seeds 0, 1, 2 (new)\n  beta: seed 0 (new)\n" in log
    assert report.exit_code == 0 and len(report.written) == 4
    before = snapshot(root)
    again, log = run(root, all_claims=True)
    assert log == "2 claims chosen: 0 runs to make, 2 claims up to date\n"
    assert again.written == [] and again.exit_code == 0
    assert [r.state for r in again.results] == ["reproduced", "reproduced"]
    assert all(r.cached for r in again.results)
    assert snapshot(root) == before


def test_force_runs_settled_seeds_again(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    run(root, "alpha")
    report, log = run(root, "alpha", force=True)
    assert "  alpha: seed 0 (forced)\n" in log
    assert len(records(root, "alpha")) == 2 and report.exit_code == 0


def test_reasons_name_what_changed(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha=("ok", {"seeds": (0, 1)}))
    assert _plan(root, "alpha") == (["new", "new"], 0)
    run(root, "alpha")
    assert _plan(root, "alpha") == ([], 2)
    script = root / "repro" / "ok.py"
    script.write_text(script.read_text() + "# a comment\n")
    assert _plan(root, "alpha") == (["script changed"] * 2, 0)
    run(root, "alpha")
    helper = root / "repro" / "harness.py"
    helper.write_text(helper.read_text() + "\n# tweak\n")
    assert _plan(root, "alpha") == (["file repro/harness.py changed"] * 2, 0)
    run(root, "alpha")
    (root / "repro" / "sitecustomize.py").write_text("import os\n")
    assert _plan(root, "alpha") == (["file repro/sitecustomize.py added"] * 2, 0)


def test_presentation_and_predictions_are_not_identity(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha=("ok", {"seeds": (0, 1)}))
    run(root, "alpha")
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text()
        .replace("title: Claim alpha", "title: Claim alpha, renamed")
        .replace("source: the test's own arithmetic", "source: a sentence, reworded")
        .replace("timeout_s: 20", "timeout_s: 25")
    )
    assert _plan(root, "alpha") == ([], 2)
    # A tighter prediction re-judges the stored numbers (ok.py reports 1.0) without a run.
    yaml.write_text(
        yaml.read_text().replace("value: 1.0, abs_tol: 0.01", "value: 2.0, abs_tol: 0.01")
    )
    assert _plan(root, "alpha") == ([], 2)
    report, _log = run(root, "alpha")
    assert report.written == [] and report.results[0].state == "failed"
    assert report.exit_code == 1


def test_a_parameter_is_identity(runner_hub: RunnerHub) -> None:
    root = runner_hub(
        alpha="params",
        files={"repro/params.py": (FAULTS / "params.py").read_text()},
    )
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text().replace(
            "  seeds: [0]\n",
            "  seeds: [0]\n  parameters:\n    value: {value: 1.0, meaning: what to report}\n",
        )
    )
    report, _ = run(root, "alpha")
    assert report.results[0].state == "reproduced"
    record = only_record(root, "alpha")
    assert record.parameters == {"value": 1.0}
    yaml.write_text(yaml.read_text().replace("value: {value: 1.0", "value: {value: 1.5"))
    assert _plan(root, "alpha") == (["parameters changed"], 0)
    report, _ = run(root, "alpha")
    assert report.results[0].state == "failed"
    assert records(root, "alpha")[-1].parameters == {"value": 1.5}
    assert records(root, "alpha")[-1].metrics == {"value": 1.5}


def test_a_declared_input_is_identity(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok", beta="ok")
    (root / "repro" / "table.csv").write_text("1,2\n")
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text().replace("  seeds: [0]\n", "  seeds: [0]\n  inputs: [repro/table.csv]\n")
    )
    run(root, all_claims=True)
    (root / "repro" / "table.csv").write_text("1,3\n")
    assert _plan(root, "alpha") == (["file repro/table.csv changed"], 0)
    assert _plan(root, "beta") == ([], 1)


def test_a_record_from_the_future_never_pins_a_seed(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    run(root, "alpha")
    good = only_record(root, "alpha")
    future = good.model_copy(
        update={"status": "error", "started_at": good.started_at + timedelta(days=400)}
    )
    write_record(root / "results", future)
    assert _plan(root, "alpha") == ([], 1)
    report, _ = run(root, "alpha")
    assert report.results[0].state == "reproduced"
    assert any("in the future" in b.reason for b in report.bad)


def test_a_results_entry_that_is_a_file_is_a_clear_error(runner_hub: RunnerHub) -> None:
    from site_tools.runner.select import UsageError

    root = runner_hub(alpha="ok")
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "alpha").write_text("not a folder")
    with pytest.raises(UsageError, match="results/alpha is a file, not a folder of run records"):
        run(root, "alpha")


def test_changed_inputs_words() -> None:
    old = {"scheme": "v2", "script": "1", "file repro/a.py": "2", "parameters": "x"}
    new = {"scheme": "v2", "script": "1", "file repro/b.py": "3", "parameters": "y"}
    assert changed_inputs(old, new) == [
        "file repro/a.py no longer imported",
        "file repro/b.py added",
        "parameters changed",
    ]
    assert changed_inputs({}, new) == ["inputs changed"]


def test_an_errored_seed_runs_again_and_a_settled_one_does_not(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha=("ok", {"seeds": (0, 1)}))
    run(root, "alpha")
    # Make seed 1's latest record an error, as a crashed earlier run would have left it.
    record = next(r for r in records(root, "alpha") if r.seed == 1)
    broken = record.model_copy(
        update={
            "status": "error",
            "message": "exited with code 1",
            "started_at": record.started_at + timedelta(seconds=1),
        }
    )
    write_record(root / "results", broken)
    assert _plan(root, "alpha") == (["previous run errored"], 1)
    report, log = run(root, "alpha")
    assert "  alpha: seed 1 (previous run errored)\n" in log
    assert report.results[0].state == "reproduced"


def test_a_failed_verdict_settles_but_exits_1(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="misses")
    first, _ = run(root, "alpha")
    again, _ = run(root, "alpha")
    assert (first.exit_code, again.exit_code) == (1, 1)
    assert again.written == [] and again.results[0].state == "failed"


def test_a_corrupt_record_is_reported_and_ignored(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    run(root, "alpha")
    good = only_record(root, "alpha")
    corrupt = root / "results" / "alpha" / _later_name(good)
    corrupt.write_text('{"format_version": 1, "claim_id": "alpha", "sta')
    stray = root / "results" / "alpha" / "notes.json"
    stray.write_text("[]")
    before = snapshot(root)
    report, log = run(root, "alpha")
    assert "  alpha: seed 0 (previous record unreadable)\n" in log
    assert [(b.path.name, b.reason) for b in report.bad] == [
        ("notes.json", "file name is not a record name; ignored"),
        (corrupt.name, "not valid JSON (JSONDecodeError); left in place, ignored"),
    ]
    assert report.exit_code == 0 and report.results[0].state == "reproduced"
    after = snapshot(root)
    assert all(after[k] == v for k, v in before.items())
    assert len(records(root, "alpha")) == 2 and good in records(root, "alpha")


def test_a_record_of_an_unknown_version_is_refused_with_a_message(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    run(root, "alpha")
    good = only_record(root, "alpha")
    data = json.loads(good.model_dump_json())
    data["format_version"] = 99
    future = root / "results" / "alpha" / _later_name(good)
    future.write_text(json.dumps(data))
    report, _ = run(root, "alpha")
    assert [(b.path, b.reason) for b in report.bad] == [
        (
            future,
            "record format version 99 is not supported (this lmhub reads version 2); "
            "upgrade lmhub or move the record aside",
        )
    ]
    assert f"problem: {future}: record format version 99 is not supported" in (
        "\n".join(report.footer())
    )
    assert report.exit_code == 0
    claim = load_hub_claims(root, use_cache=False).claims["alpha"]
    status = claim_status(claim, HubPaths(root))
    # results/ holds reported records: they are judged and shown, never the claim's state.
    assert status.state == "not-run" and len(status.bad) == 1
    assert [e.state for e in status.reported] == ["reproduced"]


def _forbid_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the hub is validated again: the claims cache must answer."""

    def no_validation(root: Path) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr("site_tools.runner.cache.load_catalog", no_validation)


def test_the_claim_cache_is_used_until_a_file_changes(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = runner_hub(alpha="ok")
    age(root)
    first = load_hub_claims(root)
    assert (root / ".hub-cache" / "runner" / "claims.json").is_file()
    _forbid_validation(monkeypatch)
    assert load_hub_claims(root) == first
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(yaml.read_text().replace("timeout_s: 20", "timeout_s: 25"))
    with pytest.raises(AssertionError, match="validated again"):
        load_hub_claims(root)


def test_a_damaged_claim_cache_only_costs_time(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    age(root)
    first = load_hub_claims(root)
    store = root / ".hub-cache" / "runner" / "claims.json"
    data = json.loads(store.read_text())
    data["claims"]["alpha"]["reproduction"]["timeout_s"] = "soon"
    store.write_text(json.dumps(data))
    assert load_hub_claims(root) == first
    store.write_text("not json")
    assert load_hub_claims(root) == first


def test_the_claim_cache_keeps_each_claims_predictions_digest(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = runner_hub(alpha="ok", beta="ok")
    age(root)
    first = load_hub_claims(root)
    expected = {cid: predictions_digest(c) for cid, c in first.claims.items()}
    assert first.predictions == expected
    with monkeypatch.context() as patched:
        _forbid_validation(patched)
        assert load_hub_claims(root).predictions == expected
    # A cache whose digests do not cover every claim is not trusted, nor one of version 1.
    store = root / ".hub-cache" / "runner" / "claims.json"
    data = json.loads(store.read_text())
    del data["predictions"]["beta"]
    store.write_text(json.dumps(data))
    assert load_hub_claims(root).predictions == expected
    data = json.loads(store.read_text())
    data["version"] = 1
    data.pop("predictions")
    store.write_text(json.dumps(data))
    assert load_hub_claims(root).predictions == expected


def test_the_claim_cache_keeps_each_claims_full_identity(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = runner_hub(alpha=("ok", {"inputs": ("repro/table.csv",)}), beta="ok")
    (root / "repro" / "table.csv").write_text("1,2\n")
    age(root)
    first = load_hub_claims(root)
    assert first.full == {cid: claim_identity(c, root) for cid, c in first.claims.items()}
    run(root, all_claims=True)

    def no_hashing(*args: object) -> None:
        raise AssertionError("hashed again")

    # A no-op run takes the identities from the cache, without reading a script.
    with monkeypatch.context() as patched:
        patched.setattr("site_tools.runner.cache.claim_identities", no_hashing)
        _, log = run(root, all_claims=True)
        assert log == "2 claims chosen: 0 runs to make, 2 claims up to date\n"
        # Other configurations are not cached: they are hashed as before.
        with pytest.raises(AssertionError, match="hashed again"):
            run(root, "alpha", smoke=True)
    # A declared input is no Python file, and the cache sees it change all the same.
    table = root / "repro" / "table.csv"
    table.write_text("1,3\n")
    os.utime(table, (time.time() - 60, time.time() - 60))  # the only file that changed
    again = load_hub_claims(root)
    assert again.full["alpha"] != first.full["alpha"]
    assert again.full["alpha"] == claim_identity(again.claims["alpha"], root)
    assert again.full["beta"] == first.full["beta"]
    _, log = run(root, all_claims=True)
    assert "  alpha: seed 0 (file repro/table.csv changed)\n" in log


def test_bytecode_under_repro_does_not_invalidate_the_claim_cache(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = runner_hub(alpha="ok")
    age(root)
    first = load_hub_claims(root)
    (root / "repro" / "__pycache__").mkdir()
    (root / "repro" / "__pycache__" / "ok.cpython-311.pyc").write_bytes(b"\0")
    _forbid_validation(monkeypatch)
    assert load_hub_claims(root) == first


def test_the_file_digest_memo_sees_a_same_size_edit(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    claim = load_hub_claims(root, use_cache=False).claims["alpha"]
    first = claim_identity(claim, root)
    script = root / "repro" / "ok.py"
    script.write_text(script.read_text().replace("1.0}", "2.0}"))  # same size, same second
    assert claim_identity(claim, root).parts["script"] != first.parts["script"]


def test_the_run_lock_never_follows_a_symlink(runner_hub: RunnerHub, tmp_path: Path) -> None:
    from site_tools.runner.select import UsageError

    root = runner_hub(alpha="ok")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / ".lock").symlink_to(victim)
    with pytest.raises(UsageError, match="it is a symbolic link; remove it"):
        run(root, "alpha")
    assert victim.read_text() == "keep me\n"


def test_a_plot_label_is_not_identity(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text().replace(
            "  seeds: [0]\n", "  seeds: [0]\n  plot: {x_label: step, y_label: loss}\n"
        )
    )
    run(root, "alpha")
    yaml.write_text(yaml.read_text().replace("x_label: step", "x_label: training step t"))
    assert _plan(root, "alpha") == ([], 1)


def test_changed_since_selects_exactly_the_claims_a_file_can_change(
    runner_hub: RunnerHub,
) -> None:
    import subprocess

    from site_tools.runner.select import select_claims

    root = runner_hub(alpha="ok", beta="misses")
    (root / "repro" / "table.csv").write_text("1,2\n")
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text().replace("  seeds: [0]\n", "  seeds: [0]\n  inputs: [repro/table.csv]\n")
    )
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "hub"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    hub = load_hub_claims(root, use_cache=False)

    def chosen() -> list[str]:
        files = hub.file_digests()
        return select_claims(root, hub.claims, hub.sources, files, (), False, "HEAD").ids

    assert chosen() == []
    (root / "repro" / "table.csv").write_text("1,3\n")  # a declared data file
    assert chosen() == ["alpha"]
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, env=env, check=True)
    (root / "repro" / "sitecustomize.py").write_text("import os\n")  # run at every start-up
    assert chosen() == ["alpha", "beta"]

"""Tabulated mode from Python and the command line: counts as in exact mode, sums of
severities from quantile tables; every output names the mode, a results file replays in
its own mode, parts of a tabulated run join into the whole run, and a bad mode or a
severity the tables cannot hold is an error naming where."""
from __future__ import annotations

import json

import numpy as np
import pytest

import apmsim


@pytest.fixture(scope="module")
def scenario():
    return apmsim.Scenario.default_cmc_program(members=200, years=2)


@pytest.fixture(scope="module")
def tabulated(scenario):
    return apmsim.run(scenario, trials=40, seed=11, mode="tabulated", progress=False)


def test_counts_are_exact_modes_and_the_mode_is_named(scenario, tabulated):
    exact = apmsim.run(scenario, trials=40, seed=11, progress=False)
    assert (tabulated.mode, exact.mode) == ("tabulated", "exact")
    assert "mode=tabulated" in repr(tabulated) and "mode" not in repr(exact)
    d, e = tabulated.to_dict(), exact.to_dict()
    assert (d["mode"], e["mode"]) == ("tabulated", "exact")
    assert d["resolved_scenario"]["settings"]["mode"] == "tabulated"
    assert "mode" not in e["resolved_scenario"]["settings"]  # exact: the default, as before
    for arm in ("baseline", "intervention"):
        assert np.array_equal(tabulated.samples("events", arm), exact.samples("events", arm))
        costs, exact_costs = tabulated.samples("total_cost", arm), exact.samples("total_cost", arm)
        assert not np.array_equal(costs, exact_costs)
        # The same counts and frailties: per trial-year the pool costs differ by the severity
        # noise only, and that difference has mean 0 (4 standard errors).
        difference = (costs - exact_costs).ravel()
        assert abs(difference.mean()) < 4 * difference.std(ddof=1) / np.sqrt(difference.size)


def test_a_results_file_replays_in_its_mode(cli, tabulated, tmp_path):
    path = tmp_path / "tabulated.json"
    tabulated.save(path)
    f = apmsim.ResultsFile.load(path)
    assert f.mode == "tabulated" and "mode='tabulated'" in repr(f)
    done = cli("run", "--replay", path, "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"replay: identical to {path}" in done.stdout
    # A mode on the command line with --replay is refused: a replay runs what was recorded.
    refused = cli("run", "--replay", path, "--mode", "exact", "--quiet")
    assert refused.returncode != 0 and "--mode" in refused.stderr


def test_the_command_line_names_the_mode(cli, bundled_scenario_path, tmp_path):
    out = tmp_path / "r.json"
    done = cli("run", bundled_scenario_path, "--mode", "tabulated", "--trials", "20", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "tabulated mode" in done.stdout.splitlines()[0]
    assert json.loads(out.read_text())["mode"] == "tabulated"
    bad = cli("run", bundled_scenario_path, "--mode", "fast", "--trials", "2")
    assert bad.returncode != 0
    assert "--mode" in bad.stderr and "tabulated" in bad.stderr and "fast" in bad.stderr


def test_parts_of_a_tabulated_run_join_into_the_whole(scenario, tabulated):
    joined = apmsim.run_split(scenario, 3, trials=40, seed=11, mode="tabulated")
    assert joined == tabulated
    assert joined.mode == "tabulated"


def test_bad_modes_and_untabulable_severities_are_refused(scenario):
    with pytest.raises(apmsim.InvalidInput, match="mode.*tabulated.*fast"):
        apmsim.run(scenario, trials=2, mode="fast", progress=False)
    d = scenario.to_dict()
    d["settings"]["mode"] = "Tabulated"
    with pytest.raises(apmsim.InvalidInput, match=r"settings\.mode"):
        apmsim.Scenario.from_dict(d)
    d["settings"]["mode"] = "tabulated"
    d["cost_model"]["cells"]["inpatient"]["A"]["severity"] = {"type": "pareto", "shape": 1.5, "scale": 20000.0}
    # Infinite variance: no minimum savings rate can be set from it, so fee for service alone.
    d["payment_models"] = [m for m in d["payment_models"] if m["name"] == "fee_for_service"]
    heavy = apmsim.Scenario.from_dict(d)
    with pytest.raises(apmsim.InvalidInput, match=r"cost_model\.cells\.inpatient\.A\.severity.*exact mode"):
        apmsim.run(heavy, trials=2, progress=False)
    assert apmsim.run(heavy, trials=2, mode="exact", progress=False).mode == "exact"

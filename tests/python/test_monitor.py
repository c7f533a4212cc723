"""Monitoring a contract year from Python and the command line: the same report from paths,
DataFrames and `apmsim monitor`, its tables and fan chart, and errors that name the input."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import apmsim


@pytest.fixture(scope="module")
def half_year(tmp_path_factory):
    out = tmp_path_factory.mktemp("half_year")
    # 2023 is the base year (synthetic data year 0 is untrended, as the engine's base year) and the run-out history
    apmsim.synthesize(out, apmsim.Scenario.default_cmc_program(300, 1), members=300, years=2, seed=3, start="2023-01",
                      valuation="2024-06-30")
    return out


def test_paths_and_dataframes_give_the_same_report(half_year):
    scenario = apmsim.Scenario.default_cmc_program(300, 1)
    by_path = apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", scenario, start="2024-01", through="2024-06", first="2023-01",
                             trials=200, seed=5)
    members = pd.read_csv(half_year / "members.csv", dtype=str, keep_default_na=False)
    claims = pd.read_csv(half_year / "claims.csv", dtype=str, keep_default_na=False)
    by_frame = apmsim.monitor(members, claims, scenario, start="2024-01", through="2024-06", first="2023-01", trials=200, seed=5)
    for key in ("year_to_date", "actual_vs_expected", "fan_chart", "year_end", "outcomes"):
        assert by_frame.report[key] == by_path.report[key], key
    r = by_path.report
    assert r["contract_year"] == 1 and r["months_observed"] == 6 and len(r["completeness"]) == 6
    assert r["completeness"][-1] < r["completeness"][0] <= 1.0  # June's claims are not all paid by June's end
    assert 0.0 <= by_path.year_to_date["percentile"] <= 1.0 and by_path.flag in {"above", "below", "within"}


def test_tables_and_fan_chart(half_year):
    scenario = apmsim.Scenario.default_cmc_program(300, 1)
    m = apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", scenario, start="2024-01", through="2024-06", first="2023-01", trials=200)
    ae = m.actual_vs_expected
    total = ae.loc[("", "")]
    assert total["actual"] == pytest.approx(m.year_to_date["paid_to_date"])
    # the cells add up to the total, actual and expected
    cells = ae[(ae.index.get_level_values(0) != "") & (ae.index.get_level_values(1) != "")]
    assert cells["actual"].sum() == pytest.approx(total["actual"], rel=1e-12)
    assert cells["expected"].sum() == pytest.approx(total["expected"], rel=1e-12)
    fan = m.fan
    assert list(fan["observed"]) == [True] * 6 + [False] * 6
    assert (fan["conditional_p05"] <= fan["conditional_p50"]).all() and (fan["conditional_p50"] <= fan["conditional_p95"]).all()
    assert set(m.outcomes.index) == {pm.name for pm in scenario.payment_models}
    ax = m.fan_chart()
    assert ax.get_ylabel() == "cumulative allowed PMPM" and len(ax.get_xticklabels()) == 12
    assert "Monitoring(year 1, 6 months through 2024-06" in repr(m)


def test_the_command_line_writes_the_same_report(half_year, tmp_path, cli):
    scenario = apmsim.Scenario.default_cmc_program(300, 1)
    scenario.save(tmp_path / "s.json")
    r = cli("monitor", tmp_path / "s.json", "--members", half_year / "members.csv", "--claims", half_year / "claims.csv",
            "--start", "2024-01", "--through", "2024-06", "--first", "2023-01", "--trials", 200, "--seed", 5, "--out", tmp_path / "m.json")
    assert r.returncode == 0, r.stderr
    assert "percentile" in r.stdout and "Actual vs expected" in r.stdout
    from_cli = json.loads((tmp_path / "m.json").read_text())
    from_python = apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", scenario, start="2024-01", through="2024-06", first="2023-01",
                                 trials=200, seed=5).report
    assert from_cli["year_to_date"] == from_python["year_to_date"]
    assert from_cli["outcomes"] == from_python["outcomes"]


def test_bad_input_names_what_is_wrong(half_year, tmp_path, cli):
    with pytest.raises(ValueError, match="through"):
        apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", start="2024-01", through="2027-06", trials=50)
    with pytest.raises(ValueError, match="start"):
        apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", start="2024/01", through="2024-06", trials=50)
    r = cli("monitor", "--members", half_year / "members.csv", "--claims", half_year / "claims.csv", "--start", "2024-01",
            "--out", tmp_path / "m.json")
    assert r.returncode == 2 and "--through" in r.stderr
    assert not (tmp_path / "m.json").exists()
    # A window with no claims at all (the extracts end in 2024) said "run_out_triangle[*][0]:
    # expected some amount paid by development period 0"; it now names the file and the window.
    with pytest.raises(ValueError, match=r"claims\.csv: expected claims incurred and paid from 2026-01 to 2026-03 .*none: of (\d+) rows, \d+ incurred outside those months and 0 paid after 2026-03"):
        apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", apmsim.Scenario.default_cmc_program(300, 3), start="2026-01",
                       through="2026-03", first="2026-01", trials=50)


def test_html_pages_of_a_calibration_and_a_monitoring(half_year, tmp_path, cli):
    d = apmsim.Scenario.default_cmc_program(300, 1).to_dict()
    d["name"] = "<script>alert(1)</script>"
    scenario = apmsim.Scenario.from_dict(d)
    m = apmsim.monitor(half_year / "members.csv", half_year / "claims.csv", scenario, start="2024-01", through="2024-06", first="2023-01", trials=100)
    page = apmsim.report(m, tmp_path / "monitor.html").read_text()
    assert "Monitoring the contract year" in page and page.count("<img") == 1
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page
    cal = apmsim.calibrate(half_year / "members.csv", half_year / "claims.csv", manual="default", first="2023-01", valuation="2023-12")
    page = apmsim.report(cal, tmp_path / "calibration.html").read_text()
    for heading in ("Standardisation", "Run-out", "Calibration and goodness of fit"):
        assert heading in page
    assert page.count("<img") == 1 and "reconcile" in page
    # the JSON reports give the same pages, from Python and from python3 -m apmsim report
    m.save(tmp_path / "monitor.json")
    assert apmsim.report(tmp_path / "monitor.json", tmp_path / "again.html").read_text().count("<img") == 1

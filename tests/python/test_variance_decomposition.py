"""Where the noise comes from: the nested-design decomposition (apmsim.variance_decomposition)
against its closed form. A pool of N members, Poisson(lambda) counts and lognormal
severities (mean m, cv c), costs scaled by (1 + g) with a trend g ~ Normal(mu, s) drawn
once per trial: X = (1 + g) S, so Var(E[X | g]) = (N lambda m)^2 s^2 and
E[Var(X | g)] = ((1 + mu)^2 + s^2) N lambda m^2 (1 + c^2)."""
from __future__ import annotations

import numpy as np
import pytest

import apmsim

N, LAMBDA, MEAN, CV = 300, 1.0, 10000.0, 1.5
TREND_MEAN, TREND_SD = 0.03, 0.05


def pool(trend_sd: float = TREND_SD, effect_sd: float = 0.0) -> apmsim.Scenario:
    doc = {
        "name": "pool", "years": 1, "tiers": ["A"], "categories": ["inpatient"],
        "population": {"generate": {"members": N, "tier_mix": {"A": 1.0}}},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": TREND_MEAN, "sd": trend_sd},
                       "cells": {"inpatient": {"A": {"frequency": {"type": "poisson", "mean": LAMBDA},
                                                     "severity": {"type": "lognormal", "mean": MEAN, "cv": CV}}}}},
        "settings": {"seed": 99, "threads": 2},
    }
    if effect_sd:
        doc["intervention"] = {"name": "care", "effects": {"inpatient": {"mean": -0.1, "sd": effect_sd}}}
    return apmsim.Scenario.from_dict(doc)


def closed_form(trend_sd: float) -> tuple[float, float]:
    parameter = (N * LAMBDA * MEAN) ** 2 * trend_sd ** 2
    process = ((1 + TREND_MEAN) ** 2 + trend_sd ** 2) * N * LAMBDA * MEAN ** 2 * (1 + CV ** 2)
    return parameter, process


def test_the_trend_share_matches_the_law_of_total_variance():
    table = apmsim.variance_decomposition(pool(), outer=400, inner=10)
    row = table.loc[("", "baseline", 1, "", "total_cost")]
    parameter, process = closed_form(TREND_SD)
    share = parameter / (parameter + process)  # about 0.18
    assert abs(row.parameter_share - share) < 4 * row.parameter_share_se, (row.parameter_share, share, row.parameter_share_se)
    assert 0.0 < row.parameter_share_se < 0.1
    # The process variance: 3,600 within-draw degrees of freedom of a heavy-tailed sum; 15%.
    assert row.process_variance == pytest.approx(process, rel=0.15)


def test_without_a_common_shock_there_is_no_parameter_share():
    row = apmsim.variance_decomposition(pool(trend_sd=0.0), outer=200, inner=5).loc[("", "baseline", 1, "", "total_cost")]
    assert abs(row.parameter_share) < 4 * row.parameter_share_se + 1e-12
    parameter, process = closed_form(0.0)
    assert row.process_variance == pytest.approx(process, rel=0.15)


def test_an_uncertain_effect_shows_in_the_savings_share():
    """Savings on common random numbers: their noise is mostly the effect's uncertainty
    (sd 5 points of a 10% effect) and the trend; the process part is small."""
    table = apmsim.variance_decomposition(pool(effect_sd=0.05), outer=100, inner=5)
    savings = table.loc[("", "", 1, "", "savings")]
    assert savings.parameter_share > 0.5
    costs = table.loc[("", "baseline", 1, "", "total_cost")]
    assert costs.parameter_share < savings.parameter_share


def test_party_results_of_payment_models_are_decomposed():
    s = apmsim.Scenario.default_cmc_program(members=200, years=2)
    table = apmsim.variance_decomposition(s, outer=20, inner=3)
    net = table.xs("net", level="measure")
    assert set(net.index.get_level_values("model")) == {m.name for m in s.payment_models}
    assert set(net.index.get_level_values("year")) == {0, 1, 2}
    assert np.allclose(net.variance, net.parameter_variance + net.process_variance)


def test_bad_designs_are_refused():
    with pytest.raises(ValueError, match="outer: expected 3 to 1000000 parameter draws, got 2"):
        apmsim.variance_decomposition(pool(), outer=2, inner=10)
    with pytest.raises(ValueError, match="inner: expected 2 to"):
        apmsim.variance_decomposition(pool(), outer=10, inner=1)
    with pytest.raises(ValueError, match=r"outer, inner: expected outer x inner at most 4294967295 trials, got 1000000 x 5000"):
        apmsim.variance_decomposition(pool(), outer=1_000_000, inner=5000)
    with pytest.raises(TypeError):
        apmsim.variance_decomposition("pool.json")


def test_the_command_line_prints_the_same_shares(cli, tmp_path):
    path = tmp_path / "pool.json"
    pool().save(path)
    done = cli("decompose", path, "--outer", "50", "--inner", "4")
    assert done.returncode == 0, done.stderr
    row = apmsim.variance_decomposition(pool(), outer=50, inner=4).loc[("", "baseline", 1, "", "total_cost")]
    line = next(l for l in done.stdout.splitlines() if "baseline" in l and "total_cost" in l)
    assert line.split()[-2:] == [f"{100 * row.parameter_share:.1f}%", f"{100 * row.parameter_share_se:.1f}%"]
    bad = cli("decompose", path, "--outer", "2")
    assert bad.returncode == 2 and "--outer: expected a whole number from 3" in bad.stderr
    # Without parameter uncertainty the unbiased shares scatter around 0: a share below 0 is
    # explained under the table, and only then.
    for trend_sd in (0.0, TREND_SD):
        pool(trend_sd).save(path)
        done = cli("decompose", path, "--outer", "30", "--inner", "3")
        table = apmsim.variance_decomposition(pool(trend_sd), outer=30, inner=3)
        below = bool((table.parameter_share < 0).any())
        assert ("A share below 0 is chance around a true share of 0" in done.stdout) == below, (trend_sd, done.stdout)


def test_a_scenario_of_a_runs_part_decomposes_as_the_whole():
    """Settings of a part of a larger run (settings.trial_begin) do not shift the nested
    design's parameter blocks: the same table as without them."""
    s = pool()
    part = s.with_value("/settings/trial_begin", 5)
    assert apmsim.variance_decomposition(part, outer=50, inner=4).equals(apmsim.variance_decomposition(s, outer=50, inner=4))

"""apmsim.fit_trend: a PMPM history's annual trend, its standard error and seasonality,
recovered from histories simulated with known values, and fed into a scenario."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest

import apmsim

SEASON = np.array([1.08, 1.05, 1.02, 0.98, 0.97, 0.95, 0.93, 0.95, 0.99, 1.01, 1.03, 1.04])
SEASON = SEASON / SEASON.mean()


def history(seed: int, months: int = 36, monthly_growth: float = 0.004, first_month: int = 7, sigma: float = 0.8):
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    member_months = 800.0 + 5.0 * t
    season = SEASON[(first_month - 1 + t) % 12]
    pmpm = 3500.0 * np.exp(monthly_growth * t + rng.normal(0.0, sigma / np.sqrt(member_months))) * season
    return pd.Series(pmpm), pd.Series(member_months)


def test_recovers_the_trend_and_seasonality_within_their_standard_errors():
    truth = np.expm1(12 * 0.004)
    z = []
    for seed in range(200):
        fit = apmsim.fit_trend(*history(seed), first_month=7)
        z.append((fit.annual_trend - truth) / fit.annual_trend_se)
    z = np.array(z)
    # Standardised errors: mean 0 within 4 standard errors, sd near 1 (t with 23 dof: 1.045).
    assert abs(z.mean()) < 4 / np.sqrt(len(z)), z.mean()
    assert 0.85 < z.std() < 1.25, z.std()
    # Ten years with sigma 0.1: each month's log PMPM has sd 0.1 / sqrt(~1100) = 0.003, so a
    # factor averaged over ten Januaries has a standard error of about 0.001; 0.005 is 5 of them.
    fit = apmsim.fit_trend(*history(0, months=120, sigma=0.1), first_month=7)
    np.testing.assert_allclose(fit.seasonality, SEASON, atol=0.005)
    assert fit.seasonality.mean() == pytest.approx(1.0, abs=1e-12)


def test_a_fit_goes_into_a_scenario():
    fit = apmsim.fit_trend(*history(1), first_month=7)
    d = apmsim.Scenario.default_cmc_program(members=50, years=2, payment_models=False).to_dict()
    d["cost_model"]["trend"] = fit.scenario_trend
    s = apmsim.Scenario.from_dict(d)
    assert s.to_dict()["cost_model"]["trend"] == {"mean": fit.annual_trend, "sd": fit.annual_trend_se}


def test_value_behaviour_and_bad_input():
    fit = apmsim.fit_trend(*history(2))
    assert pickle.loads(pickle.dumps(fit)) == fit and copy.copy(fit) == fit
    assert "annual_trend=" in repr(fit)
    pmpm, mm = history(3)
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.fit_trend(pmpm[:20], mm[:20])
    assert e.value.where == "pmpm" and "24 months" in str(e.value)
    bad = pmpm.copy()
    bad[4] = -1.0
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.fit_trend(bad, mm)
    assert e.value.where == "pmpm[4]"
    flat = apmsim.fit_trend(pmpm[:20], mm[:20], seasonality=False)
    assert not flat.seasonal and list(flat.seasonality) == [1.0] * 12

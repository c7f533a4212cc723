"""apmsim.fit_frequency and apmsim.fit_severity: a cost model cell from claims experience,
round-tripped through a scenario: counts and amounts drawn with known parameters are fitted
back within their standard errors, and the fitted distributions run in the engine."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import apmsim


def test_counts_with_exposure_give_back_the_negative_binomial_and_it_runs():
    rng = np.random.default_rng(5)
    exposure = rng.uniform(0.25, 1.0, 3000)
    rate, r = 1.6, 1.0  # NB(rate x exposure, r) drawn as Poisson-gamma: numpy's own sampler, not apmsim's
    events = rng.poisson(rng.gamma(r, rate * exposure / r))
    fit = apmsim.fit_frequency(events, exposure)
    assert fit.selected == "negative_binomial" and fit.overdispersion_p_value < 1e-6
    assert abs(fit.rate - rate) < 4 * fit.rate_se and abs(fit.dispersion - r) < 4 * fit.dispersion_se
    f = fit.frequency()
    assert isinstance(f, apmsim.NegativeBinomial) and f.mean() == pytest.approx(fit.rate)
    assert pickle.loads(pickle.dumps(fit)) == fit and copy.deepcopy(fit) == fit
    assert "negative_binomial" in repr(fit)


def test_poisson_counts_stay_poisson():
    rng = np.random.default_rng(6)
    exposure = rng.uniform(0.25, 1.0, 1000)
    fit = apmsim.fit_frequency(rng.poisson(4.0 * exposure), exposure)
    assert fit.selected == "poisson" and isinstance(fit.frequency(), apmsim.Poisson)
    assert abs(fit.rate - 4.0) < 4 * fit.rate_se


def test_amounts_give_back_their_family_and_a_fitted_cell_runs_in_a_scenario():
    rng = np.random.default_rng(7)
    sigma = np.sqrt(np.log1p(2.5 ** 2))
    amounts = rng.lognormal(np.log(26000) - sigma ** 2 / 2, sigma, 4000)
    fit = apmsim.fit_severity(amounts)
    assert fit.selected == "lognormal" and abs(fit.lognormal_sigma - sigma) < 4 * fit.lognormal_sigma_se
    gamma_fit = apmsim.fit_severity(rng.gamma(2.0, 500.0, 4000))
    assert gamma_fit.selected == "gamma" and abs(gamma_fit.gamma_shape - 2.0) < 4 * gamma_fit.gamma_shape_se
    assert pickle.loads(pickle.dumps(gamma_fit)) == gamma_fit and gamma_fit != fit

    # The fitted frequency and severity replace a cell of the default program, which then runs.
    exposure = rng.uniform(0.5, 1.0, 2000)
    counts = apmsim.fit_frequency(rng.poisson(rng.gamma(1.0, 1.6 * exposure)), exposure)
    d = apmsim.Scenario.default_cmc_program(members=60, years=1, payment_models=False).to_dict()
    d["cost_model"]["cells"]["inpatient"]["A"] = {"frequency": counts.frequency().to_dict(), "severity": fit.severity().to_dict()}
    d["settings"]["trials"] = 20
    results = apmsim.run(apmsim.Scenario.from_dict(d), progress=False)
    assert results.samples("total_cost", category="inpatient", tier="A").mean() > 0


@pytest.mark.parametrize("call, where", [
    (lambda: apmsim.fit_frequency([1, 2.5], [1, 1]), "events[1]"),
    (lambda: apmsim.fit_frequency([1, 2], [1, 0]), "exposure[1]"),
    (lambda: apmsim.fit_frequency([1, 2], [1]), "exposure"),
    (lambda: apmsim.fit_severity([5.0, -1.0]), "amounts[1]"),
    (lambda: apmsim.fit_severity([5.0]), "amounts"),
])
def test_bad_data_name_the_value(call, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        call()
    assert e.value.where == where, str(e.value)


def test_member_months_from_spans_in_a_dataframe():
    import pandas as pd
    spans = pd.DataFrame({
        "member": ["A", "B", "B", "C"],
        "start": pd.to_datetime(["2024-01-15", "2024-01-01", "2024-01-10", "2023-12-01"]),
        "end": pd.to_datetime(["2024-03-10", "2024-01-20", "2024-02-05", "2024-01-31"]),
    })
    table = apmsim.member_months(spans.member, spans.start, spans.end, "2024-01", "2024-03")
    assert list(table.columns) == ["2024-01", "2024-02", "2024-03"] and list(table.index) == ["A", "B", "C"]
    assert table.loc["A", "2024-01"] == pytest.approx(17 / 31) and table.loc["A", "2024-02"] == 1.0
    assert table.loc["B", "2024-01"] == 1.0 and table.loc["B", "2024-02"] == pytest.approx(5 / 29)  # overlap once
    assert table.loc["C"].tolist() == [1.0, 0.0, 0.0]  # clipped to the window
    same = apmsim.member_months(["A"], ["2024-01-15"], ["2024-03-10"], "2024-01", "2024-03")  # ISO strings too
    assert same.loc["A"].tolist() == table.loc["A"].tolist()
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.member_months(["A"], ["2023-02-29"], ["2023-03-01"], "2023-01", "2023-12")
    assert e.value.where == "start[0]"

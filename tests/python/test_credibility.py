"""apmsim.credibility from Python: Buhlmann-Straub on Hachemeister's data (published
results) from DataFrames and arrays, missing cells, Buhlmann hand cases, truncation of a
negative between variance, limited-fluctuation standards, blended rates, and the
risk-adjustment fitter (known weights recovered from simulated data, an independent numpy
WLS, budget neutrality, the scenario convenience)."""
from __future__ import annotations

import math
import pathlib
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import apmsim
from apmsim import credibility as cred


@pytest.fixture(scope="module")
def hachemeister() -> pd.DataFrame:
    path = pathlib.Path(__file__).resolve().parents[1] / "data" / "hachemeister.csv"
    assert path.is_file(), f"Hachemeister data not found at {path}"
    return pd.read_csv(path, index_col="state")


# --- Buhlmann-Straub ----------------------------------------------------------------------

PUBLISHED_FACTORS = [0.9847, 0.9276, 0.8985, 0.7279, 0.9588]
PUBLISHED_PREMIUMS = [2055.165, 1523.706, 1793.444, 1442.967, 1603.285]


def test_hachemeister_from_dataframes(hachemeister):
    # DOMAIN section 8; tolerances half a unit of the last published digit.
    r = cred.buhlmann_straub(hachemeister.filter(like="ratio"), hachemeister.filter(like="weight"))
    assert r.collective_premium == pytest.approx(1683.713, abs=0.0005)
    assert r.between_variance == pytest.approx(89_638.73, abs=0.005)
    assert r.within_variance == pytest.approx(139_120_026, abs=0.5)
    np.testing.assert_allclose(r.credibility_factors, PUBLISHED_FACTORS, atol=0.00005)
    np.testing.assert_allclose(r.premiums, PUBLISHED_PREMIUMS, atol=0.0005)
    assert not r.between_variance_truncated and r.note == ""
    assert r.risks == [1, 2, 3, 4, 5]
    frame = r.to_frame()
    assert list(frame.columns) == ["weight", "mean", "credibility_factor", "premium"]
    assert frame.loc[4, "premium"] == pytest.approx(1442.967, abs=0.0005)
    assert frame.loc[1, "weight"] == hachemeister.filter(like="weight").loc[1].sum()


def test_hachemeister_from_numpy_matches(hachemeister):
    x = hachemeister.filter(like="ratio").to_numpy()
    w = hachemeister.filter(like="weight").to_numpy()
    r = cred.buhlmann_straub(x, w)
    np.testing.assert_allclose(r.premiums, PUBLISHED_PREMIUMS, atol=0.0005)
    assert r.risks == [0, 1, 2, 3, 4]
    # The core result object is reachable too.
    core = apmsim._core.credibility.buhlmann_straub(x, w)
    assert core.collective_premium == pytest.approx(r.collective_premium, rel=1e-15)


def test_missing_cells(hachemeister):
    x = hachemeister.filter(like="ratio").to_numpy(dtype=float)
    w = hachemeister.filter(like="weight").to_numpy(dtype=float)
    # A cell missing in both frames (NaN ratio and NaN weight, as pandas gives) is absent,
    # exactly as a zero weight is.
    x1, w1 = x.copy(), w.copy()
    x1[1, 11] = np.nan
    w1[1, 11] = np.nan
    w0 = w.copy()
    w0[1, 11] = 0.0
    a, b = cred.buhlmann_straub(x1, w1), cred.buhlmann_straub(x, w0)
    assert a.collective_premium == b.collective_premium
    assert a.risk_means[1] == pytest.approx(np.average(x[1, :11], weights=w[1, :11]), rel=1e-13)
    # A NaN ratio with a positive weight is rejected, naming the cell.
    x2 = x.copy()
    x2[1, 2] = np.nan
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.buhlmann_straub(x2, w)
    assert e.value.where == "ratios[1, 2]"
    # A NaN weight next to a ratio, and a negative weight, too.
    w2 = w.copy()
    w2[3, 4] = np.nan
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.buhlmann_straub(x, w2)
    assert e.value.where == "weights[3, 4]"
    w2[3, 4] = -1
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.buhlmann_straub(x, w2)
    assert e.value.where == "weights[3, 4]"


@pytest.mark.parametrize(
    "ratios, weights, where",
    [
        (np.ones(5), np.ones(5), "ratios"),  # 1-D
        (np.ones((3, 4)), np.ones((3, 3)), "weights"),  # shapes differ
        (np.ones((1, 4)), np.ones((1, 4)), "ratios"),  # one risk
        ([["a", "b"], ["c", "d"]], np.ones((2, 2)), "ratios"),  # not numbers
    ],
)
def test_buhlmann_straub_rejects_bad_input(ratios, weights, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.buhlmann_straub(ratios, weights)
    assert e.value.where == where


def test_buhlmann_hand_case_and_truncation():
    # Means 4, 7, 13; sigma^2 = 20/3; tau^2 = 21 - (20/3)/4 = 58/3; Z = 58/63; collective 8.
    r = cred.buhlmann(pd.DataFrame([[1, 3, 5, 7], [4, 6, 8, 10], [10, 12, 14, 16]], index=["x", "y", "z"]))
    assert r.within_variance == pytest.approx(20 / 3, rel=1e-14)
    assert r.between_variance == pytest.approx(58 / 3, rel=1e-14)
    np.testing.assert_allclose(r.credibility_factors, 58 / 63, rtol=1e-14)
    np.testing.assert_allclose(r.premiums, [(58 * m + 5 * 8) / 63 for m in (4, 7, 13)], rtol=1e-14)
    assert r.risks == ["x", "y", "z"]
    # Equal means, large within variance: tau^2 estimate 0 - 50/2 < 0 -> 0, Z = 0, note.
    t = cred.buhlmann(np.array([[0.0, 10.0], [10.0, 0.0]]))
    assert t.between_variance_truncated
    assert t.between_variance == 0.0 and t.between_variance_estimate == pytest.approx(-25.0)
    assert "set to 0" in t.note
    np.testing.assert_array_equal(t.credibility_factors, [0.0, 0.0])
    np.testing.assert_allclose(t.premiums, [5.0, 5.0])
    assert math.isinf(t.credibility_coefficient)


# --- Limited fluctuation and blended rates ------------------------------------------------

def test_limited_fluctuation():
    z = NormalDist().inv_cdf(0.95)
    assert cred.full_credibility_claims() == pytest.approx((z / 0.05) ** 2, rel=1e-13)
    assert round(cred.full_credibility_claims(0.90, 0.05)) == 1082
    assert cred.full_credibility_aggregate(2.0) == pytest.approx(5 * (z / 0.05) ** 2, rel=1e-13)
    assert cred.full_credibility_exposure(1.676) == pytest.approx(1.676**2 * (z / 0.05) ** 2, rel=1e-13)
    nf = cred.full_credibility_claims()
    np.testing.assert_allclose(cred.partial_credibility(np.array([0, nf / 4, nf, 4 * nf]), nf), [0, 0.5, 1, 1], atol=1e-15)
    assert cred.credibility_weighted(0.25, 400.0, 200.0) == pytest.approx(250.0)
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.full_credibility_claims(1.5)
    assert e.value.where == "probability"


def test_blended_rate_hand_case():
    claims, months = [1_000, 2_000, 50_000, 3_000], [12, 12, 12, 12]
    b = cred.blended_rate(claims, np.array(months, dtype=float), 300.0, pooling_level=25_000,
                          pooling_charge_pmpm=20.0, full_credibility_member_months=12_000)
    z = math.sqrt(48 / 12_000)
    assert b.credibility == pytest.approx(z, rel=1e-15)
    assert b.pooled_experience_pmpm == pytest.approx(31_000 / 48)
    assert b.blended_pmpm == pytest.approx(z * 31_000 / 48 + (1 - z) * 280 + 20, rel=1e-14)
    assert b.members_pooled == 1 and b.method == "square-root rule"
    k = cred.blended_rate(claims, months, 300.0, pooling_level=25_000, pooling_charge_pmpm=20.0, buhlmann_k=480)
    assert k.credibility == pytest.approx(48 / 528, rel=1e-15)
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.blended_rate(claims, months, 300.0)
    assert e.value.where == "full_credibility_member_months"
    # Pooling charge from an exponential annual cost: theta e^{-L/theta} / 12.
    assert cred.pooling_charge_pmpm(apmsim.Gamma(1.0, 40_000.0), 100_000) == pytest.approx(
        40_000 * math.exp(-2.5) / 12, rel=1e-9)
    with pytest.raises(apmsim.InvalidInput) as e:
        cred.pooling_charge_pmpm(apmsim.Poisson(2.0), 100_000)
    assert e.value.where == "cost"


# --- Risk adjustment ----------------------------------------------------------------------

TRUTH = {"tier=A": 2_500.0, "tier=B": 1_000.0, "tier=C": 500.0, "sex=M": 150.0, "marker": 800.0}


def simulated_members(n: int, seed: int) -> pd.DataFrame:
    """Gamma costs over 1-12 months with known additive PMPM weights (TRUTH); the cost of
    m months has mean m x PMPM and variance proportional to PMPM^2 m (annual CV 1.5)."""
    rng = np.random.default_rng(seed)
    tier = rng.choice(["A", "B", "C"], size=n, p=[0.25, 0.5, 0.25])
    sex = rng.choice(["F", "M"], size=n)
    marker = (rng.random(n) < 0.2).astype(float)
    months = rng.integers(1, 13, size=n).astype(float)
    pmpm = (np.select([tier == "A", tier == "B"], [TRUTH["tier=A"], TRUTH["tier=B"]], TRUTH["tier=C"])
            + TRUTH["sex=M"] * (sex == "M") + TRUTH["marker"] * marker)
    shape = months / 12 / 1.5**2
    cost = months * pmpm * rng.gamma(shape, 1 / shape)
    return pd.DataFrame({"tier": tier, "sex": sex, "marker": marker, "months": months, "cost": cost})


def test_fit_risk_weights_recovers_known_weights():
    d = simulated_members(20_000, 7)
    f = apmsim.fit_risk_weights(d, cost="cost", exposure="months", tier="tier", sex="sex", markers=["marker"])
    assert f.names == list(TRUTH)
    dollars = f.coefficients_pmpm
    se = f.robust_standard_errors * f.mean_pmpm
    for k, name in enumerate(f.names):
        assert abs(dollars[k] - TRUTH[name]) < 3 * se[k], (name, dollars[k], se[k])
    # Budget neutrality: exposure-weighted mean score 1 (to summation rounding).
    assert np.average(f.scores, weights=d["months"]) == pytest.approx(1.0, abs=1e-13)
    np.testing.assert_allclose(f.predictive_ratios, 1.0, atol=1e-11)
    assert f.group_names == ["A", "B", "C"]
    frame = f.to_frame()
    assert list(frame.index) == list(TRUTH)
    assert frame.loc["tier=A", "coefficient_pmpm"] == pytest.approx(dollars[0])
    assert list(f.predictive_ratio_frame().index) == ["A", "B", "C"]


def test_fit_risk_weights_matches_numpy_wls():
    # Independent: numpy least squares on sqrt(w) X, y = (cost / months) / mean PMPM.
    d = simulated_members(3_000, 8)
    X = np.column_stack([(d.tier == t).astype(float) for t in "ABC"] + [(d.sex == "M").astype(float), d.marker])
    w = d.months.to_numpy()
    y = (d.cost / d.months).to_numpy() / (d.cost.sum() / d.months.sum())
    beta, *_ = np.linalg.lstsq(X * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)
    f = apmsim.fit_risk_weights(cost=d.cost.to_numpy(), exposure=w, tier=d.tier.to_numpy(), sex=list(d.sex),
                                markers={"marker": d.marker.to_numpy()})
    np.testing.assert_allclose(f.coefficients, beta, rtol=1e-10)
    resid = y - X @ beta
    s2 = np.sum(w * resid**2) / (len(y) - X.shape[1])
    cov = s2 * np.linalg.inv(X.T @ (w[:, None] * X))
    np.testing.assert_allclose(f.standard_errors, np.sqrt(np.diag(cov)), rtol=1e-9)
    # The same fit from an explicit design matrix (DataFrame columns name the terms).
    design = pd.DataFrame(X, columns=list(TRUTH))
    g = apmsim.fit_risk_weights_design(design, d.cost, w)
    np.testing.assert_allclose(g.coefficients, beta, rtol=1e-10)
    assert g.names == list(TRUTH) and g.group_names == ["all"]


def test_fit_risk_weights_from_a_simulated_scenario():
    sc = apmsim.Scenario.default_cmc_program(300, 1)
    res = apmsim.run(sc, trials=2, seed=5, threads=1, member_detail=True)
    costs = res.member_costs[0, 1, 0]  # baseline arm, trial 1, year 0
    f = apmsim.fit_risk_weights(scenario=sc, cost=costs, sex=False)
    assert f.names[:3] == ["tier=A", "tier=B", "tier=C"]
    assert f.observations == 300
    np.testing.assert_allclose(f.predictive_ratios, 1.0, atol=1e-11)
    assert np.mean(f.scores) == pytest.approx(1.0, abs=1e-13)  # everyone has 12 months
    # Tier A costs several times tier C (DOMAIN section 2: $94,600 vs $14,750).
    assert 3.0 < f.coefficients[0] / f.coefficients[2] < 12.0
    with pytest.raises(apmsim.InvalidInput) as e:  # sex alternates with age band: collinear
        apmsim.fit_risk_weights(scenario=sc, cost=costs)
    assert e.value.where == "design"


@pytest.mark.parametrize(
    "kwargs, where",
    [
        (dict(cost=[1.0, 2.0, 3.0]), "exposure"),
        (dict(cost="cost", exposure="months"), "cost"),  # a column name without data=
        (dict(cost=[1.0, -2.0, 3.0, 4.0], exposure=[12.0] * 4), "cost[1]"),
        (dict(cost=[1.0, 2.0, 3.0, 4.0], exposure=[12.0] * 4, tier=["A", None, "B", "B"]), "tier[1]"),
        (dict(cost=[1.0, 2.0, 3.0, 4.0], exposure=[12.0] * 4, sex=["F", "M"]), "sex"),
        (dict(cost=[1.0, 2.0, 3.0, 4.0], exposure=[12.0] * 4, tier=["A", "A", "B", "B"],
              markers={"flag": [1.0, 1.0, 1.0, 1.0]}), "design"),
    ],
)
def test_fit_risk_weights_rejects_bad_input(kwargs, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.fit_risk_weights(**kwargs)
    assert e.value.where == where

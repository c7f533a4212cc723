"""Exact and approximate aggregate distributions from Python (apmsim.discretize,
apmsim.aggregate, apmsim.pool_distribution) and the ``apmsim aggregate`` command: results
checked against independent Python computations (numpy brute force on the lattice,
closed-form moments written out here, statistics.NormalDist, the Monte Carlo engine),
plus input validation."""
from __future__ import annotations

import math
import os
import subprocess
from statistics import NormalDist

import numpy as np
import pytest

import apmsim

LOGNORMAL = apmsim.Lognormal.from_mean_cv(1000, 2)
GAMMA = apmsim.Gamma.from_mean_cv(1000, 1.5)


# --- discretize ------------------------------------------------------------------

@pytest.mark.parametrize("severity", [LOGNORMAL, GAMMA], ids=["lognormal", "gamma"])
@pytest.mark.parametrize("method", ["upper", "lower", "rounding", "unbiased"])
def test_discretize_masses_sum_to_one_minus_tail(severity, method):
    # The masses telescope, so the sum is 1 - tail to rounding (1e-13).
    d = apmsim.discretize(severity, step=25.0, upper=50_000.0, method=method)
    masses = np.asarray(d)
    assert masses.shape == (2001,)
    assert d.method == method and d.step == 25.0 and d.upper == 50_000.0
    assert d.tail_mass > 0.0
    assert masses.sum() == pytest.approx(1.0 - d.tail_mass, abs=1e-13)
    assert np.array_equal(d.grid, 25.0 * np.arange(2001))


@pytest.mark.parametrize("severity", [LOGNORMAL, GAMMA], ids=["lognormal", "gamma"])
def test_discretize_unbiased_keeps_the_limited_mean(severity):
    # Loss Models: local moment matching keeps E[min(X, U)]; the tail counts at U.
    d = apmsim.discretize(severity, step=20.0, upper=60_000.0, method="unbiased")
    lattice_mean = float(np.dot(d.grid, d.masses)) + d.upper * d.tail_mass
    assert lattice_mean == pytest.approx(float(severity.limited_expected_value(60_000.0)), rel=1e-12)


def test_discretize_rounding_masses_are_cdf_differences():
    d = apmsim.discretize(GAMMA, step=50.0, nodes=100)
    edges = 50.0 * (np.arange(100) + 0.5)
    expected = np.diff(np.concatenate([[0.0], GAMMA.cdf(edges)]))
    np.testing.assert_allclose(d.masses, expected, atol=1e-15)


def test_discretize_rejects_bad_input():
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.discretize(LOGNORMAL, step=10.0, method="midpoint")
    assert e.value.where == "method"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.discretize(LOGNORMAL, step=-1.0)
    assert e.value.where == "step"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.discretize("lognormal", step=1.0)
    assert e.value.where == "severity"
    with pytest.raises(ValueError):  # InvalidInput is a ValueError
        apmsim.discretize(LOGNORMAL, step=1e-3, upper=1e9)


# --- aggregate ---------------------------------------------------------------------

def compound_poisson_moments(lam, mean, cv):
    """Compound Poisson with lognormal severities, written out independently:
    E[S] = lam E[X], Var[S] = lam E[X^2], skew = lam E[X^3] / Var^1.5 with
    E[X^k] = mean^k (1 + cv^2)^(k(k-1)/2)."""
    m = [mean ** k * (1 + cv * cv) ** (k * (k - 1) / 2) for k in (1, 2, 3)]
    return lam * m[0], lam * m[1], lam * m[2] / (lam * m[1]) ** 1.5


def test_panjer_and_fft_agree_on_the_same_lattice():
    kw = dict(frequency=apmsim.Poisson(2), severity=LOGNORMAL, step=25.0, nodes=8192)
    p = apmsim.aggregate(method="panjer", **kw)
    f = apmsim.aggregate(method="fft", **kw)
    assert np.max(np.abs(p.cdf() - f.cdf())) < 1e-9
    assert f.diagnostics["fft_length"] == 16384
    assert f.diagnostics["aliasing_estimate"] < 1e-9


def test_moments_against_independent_formulas():
    # Lognormal cv 1 on a lattice reaching its far tail, unbiased discretisation: the mean
    # is exact (1e-10); the variance carries the method's h^2/6 per claim (about 1e-5 here).
    mean, var, skew = compound_poisson_moments(3.0, 1000.0, 1.0)
    d = apmsim.aggregate(frequency=apmsim.Poisson(3), severity=apmsim.Lognormal.from_mean_cv(1000, 1),
                         step=10.0, nodes=60_000, discretization="unbiased")
    a = d.analytic_moments()
    assert a["mean"] == pytest.approx(mean, rel=1e-12)
    assert a["variance"] == pytest.approx(var, rel=1e-12)
    assert a["skewness"] == pytest.approx(skew, rel=1e-12)
    m = d.moments()
    assert m["mean"] == pytest.approx(mean, rel=1e-10)
    assert m["variance"] == pytest.approx(var, rel=1e-4)
    assert m["skewness"] == pytest.approx(skew, rel=1e-4)
    assert abs(d.moment_errors()["mean_relative"]) < 1e-10


def test_risk_measures_match_numpy_brute_force():
    # A lattice that holds all the probability (the mass beyond one: test_exact.cpp).
    d = apmsim.aggregate(frequency=apmsim.NegativeBinomial(4, 1.5), severity=GAMMA, step=25.0, nodes=8000)
    assert d.diagnostics["missing_mass"] < 1e-12
    x, g = d.grid, d.pmf()
    c = np.cumsum(g)
    for p in (0.5, 0.9, 0.99):
        var = x[np.searchsorted(c, p)]
        assert d.quantile(p) == var
        tvar = var + np.sum(np.maximum(x - var, 0) * g) / (1 - p)
        assert d.expected_shortfall(p) == pytest.approx(tvar, rel=1e-10)
    for r in (0.0, 2000.0, 9000.0):
        assert d.stop_loss_premium(r) == pytest.approx(np.sum(np.maximum(x - r, 0) * g), rel=1e-10, abs=1e-9)
        # E[min(S, r)] counts the mass beyond the lattice (missing_mass) at r.
        lev = np.sum(np.minimum(x, r) * g) + r * d.diagnostics["missing_mass"]
        assert d.limited_expected_value(r) == pytest.approx(lev, rel=1e-10, abs=1e-9)
    q = d.quantile(np.array([0.1, 0.5, 0.9]))
    assert isinstance(q, np.ndarray) and q.shape == (3,)
    assert isinstance(d.cdf(1000.0), float)


def test_simulation_agrees_with_panjer():
    # 20,000 draws: Kolmogorov-Smirnov at the 0.001 level, 1.95/sqrt(n) = 0.0138, compared
    # at the lattice's rounding boundaries.
    kw = dict(frequency=apmsim.Poisson(2), severity=GAMMA, step=5.0, nodes=1 << 14)
    p = apmsim.aggregate(method="panjer", **kw)
    s = apmsim.aggregate(method="simulation", samples=20_000, seed=3, **kw)
    assert s.diagnostics["samples"] == 20_000
    edges = p.grid + 2.5
    assert np.max(np.abs(p.cdf() - s.cdf(edges))) < 1.95 / math.sqrt(20_000)


def test_approximations():
    mean, var, skew = compound_poisson_moments(20.0, 1000.0, 0.5)
    sev = apmsim.Lognormal.from_mean_cv(1000, 0.5)
    n = apmsim.aggregate(frequency=apmsim.Poisson(20), severity=sev, method="normal")
    nd = NormalDist(mean, math.sqrt(var))
    for p in (0.05, 0.5, 0.99):
        assert n.quantile(p) == pytest.approx(nd.inv_cdf(p), rel=1e-12)
    tg = apmsim.aggregate(frequency=apmsim.Poisson(20), severity=sev, method="translated_gamma")
    assert tg.moments()["skewness"] == pytest.approx(skew, rel=1e-12)
    npw = apmsim.aggregate(frequency=apmsim.Poisson(20), severity=sev, method="normal_power")
    # NP quantile formula, written out: mu + sigma (z + gamma/6 (z^2 - 1)).
    z = NormalDist().inv_cdf(0.99)
    assert npw.quantile(0.99) == pytest.approx(mean + math.sqrt(var) * (z + skew / 6 * (z * z - 1)), rel=1e-12)


def test_panjer_when_probability_of_zero_underflows():
    # Poisson mean 2,000: e^-2000 underflows; the result is still complete.
    d = apmsim.aggregate(frequency=apmsim.Poisson(2000), severity=apmsim.Lognormal.from_mean_cv(1000, 1),
                         step=200.0, nodes=15_001, discretization="unbiased")
    assert d.diagnostics["rescalings"] > 0
    assert d.pmf().sum() == pytest.approx(1.0, abs=1e-10)
    assert d.moments()["mean"] == pytest.approx(2e6, rel=1e-10)


def test_aggregate_takes_dicts_and_validates():
    d = apmsim.aggregate(frequency={"type": "poisson", "mean": 2}, severity={"type": "gamma", "mean": 100, "cv": 1},
                         step=10.0, nodes=2000)
    assert d.method == "panjer"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.aggregate(frequency=apmsim.Poisson(2), severity=GAMMA, method="exact")
    assert e.value.where == "method"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.aggregate(frequency=apmsim.Poisson(2), severity=GAMMA, discretization="middle")
    assert e.value.where == "discretization"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.aggregate(frequency={"type": "poisson", "mean": -1}, severity=GAMMA)
    assert e.value.where == "frequency.mean"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.aggregate(frequency=apmsim.Poisson(2), severity=GAMMA, step=0.0)
    assert e.value.where == "step"
    d = apmsim.aggregate(frequency=apmsim.Poisson(2), severity=LOGNORMAL, step=25.0, nodes=400)
    with pytest.raises(apmsim.ComputationError):  # beyond the probability the lattice holds
        d.quantile(0.9999)
    with pytest.raises(apmsim.InvalidInput):
        d.quantile(1.5)


# --- pool ----------------------------------------------------------------------------

def small_program(members=150, frailty=0.0):
    s = apmsim.Scenario.default_cmc_program(members=members, years=1).to_dict()
    s["cost_model"]["frailty_cv"] = frailty
    s["cost_model"]["trend"] = {"mean": 0.0, "sd": 0.0}
    return apmsim.Scenario.from_dict(s)


def test_pool_distribution_agrees_with_the_engine():
    # 150 children of the bundled program, frailty 0, one year; 1,500 engine trials.
    # KS at the 0.001 level: 1.95/sqrt(1500) = 0.050; the mean within 4 standard errors.
    scenario = small_program()
    pool = apmsim.pool_distribution(scenario)
    assert set(pool.tiers) == {"A", "B", "C"}
    assert sum(pool.members_by_tier.values()) == 150
    total = pool.total
    assert total.diagnostics["missing_mass"] < 1e-6
    x = np.sort(apmsim.run(scenario, trials=1500, seed=5).samples("total_cost", "baseline")[:, 0])
    n = len(x)
    f = total.cdf(x)
    ks = max(np.max(np.abs(f - np.arange(1, n + 1) / n)), np.max(np.abs(f - np.arange(n) / n)))
    assert ks < 1.95 / math.sqrt(n)
    m = total.moments()
    assert abs(x.mean() - m["mean"]) < 4 * math.sqrt(m["variance"] / n)
    # The tiers convolve to the total: the means add.
    assert sum(t.analytic_moments()["mean"] for t in pool.tiers.values()) == pytest.approx(
        total.analytic_moments()["mean"], rel=1e-12)


def test_pool_error_rates_from_the_exact_distribution():
    total = apmsim.pool_distribution(small_program(100)).total
    b = total.analytic_moments()["mean"]
    assert total.false_reward_probability(0.05) == pytest.approx(float(total.cdf(0.95 * b)), abs=1e-15)
    assert total.false_penalty_probability(0.05) == pytest.approx(1.0 - float(total.cdf_left(1.05 * b)), abs=1e-15)
    # First-dollar sharing at 50% once 5% is saved, brute force on the lattice.
    x, g = total.grid, total.pmf()
    payout = 0.5 * np.sum(np.where(x <= 0.95 * b, b - x, 0.0) * g)
    assert total.expected_shared_savings(0.5, 0.05) == pytest.approx(payout, rel=1e-9)
    assert total.false_reward_probability(0.10) < total.false_reward_probability(0.02)


def test_pool_rejects_common_shocks():
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.pool_distribution(small_program(frailty=0.5))
    assert e.value.where == "cost_model.frailty_cv"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.pool_distribution(small_program(), arm="intervention")
    assert e.value.where == "intervention.effects.inpatient.sd"
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.pool_distribution(small_program(), year=2)
    assert e.value.where == "year"


# --- command line ------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([os.environ["APMSIM_CLI"], "aggregate", *args], capture_output=True, text=True, timeout=120)


def test_cli_prints_the_tables():
    r = run_cli("--frequency", '{"type": "poisson", "mean": 2}', "--severity",
                '{"type": "lognormal", "mean": 1000, "cv": 2}', "--method", "fft", "--step", "50")
    assert r.returncode == 0, r.stderr
    for text in ("method fft", "analytic", "quantile", "exp_shortfall", "E[(S-d)+]", "aliasing estimate"):
        assert text in r.stdout
    # The mean row shows the analytic mean 2000.
    assert any(line.split()[:1] == ["mean"] and "2000" in line for line in r.stdout.splitlines())


def test_cli_an_infinite_variance_severity_gives_its_quantiles_and_says_what_the_lattice_misses():
    """Pareto shape 1.5: 0.7.0 printed VaR 0 at 50%, 90% and 99%, and -nan for the analytic
    skewness. The quantiles are those of an independent numpy FFT (step 25, 2^19 nodes)
    within two steps; a quantile and a retention beyond the lattice say so."""
    r = run_cli("--frequency", '{"type": "poisson", "mean": 3}', "--severity", '{"type": "pareto", "shape": 1.5, "scale": 1000}',
                "--quantiles", "0.5,0.9,0.99,0.99999", "--retentions", "6000,1e7")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split()[1:] for line in r.stdout.splitlines() if line.split()}
    for p, q in (("0.5", 2650.0), ("0.9", 11825.0), ("0.99", 49125.0)):
        assert abs(float(rows[p][0]) - q) < 60, (p, rows[p])
    assert rows["0.99999"] == ["beyond", "lattice", "beyond", "lattice"]
    assert abs(float(rows["6000"][0]) - 2954.0) < 3 and rows["10000000"] == ["beyond", "lattice", "beyond", "lattice"]
    assert rows["sd"][1] == "infinite" and rows["skewness"][1] == "n/a" and "nan" not in r.stdout
    assert "1/256 of the mean given a claim" in r.stdout


def test_cli_all_methods_and_help():
    r = run_cli("--frequency", '{"type": "negative_binomial", "mean": 3, "dispersion": 2}', "--severity",
                '{"type": "gamma", "mean": 500, "cv": 1}', "--method", "all", "--samples", "2000")
    assert r.returncode == 0, r.stderr
    for m in ("== panjer ==", "== fft ==", "== normal ==", "== normal_power ==", "== translated_gamma ==",
              "== simulation =="):
        assert m in r.stdout
    h = run_cli("--help")
    assert h.returncode == 0 and "--frequency" in h.stdout


@pytest.mark.parametrize("args, name", [
    (["--frequency", '{"type": "poisson", "mean": -2}', "--severity", '{"type": "gamma", "mean": 5, "cv": 1}'],
     "--frequency.mean"),
    (["--frequency", '{"type": "poisson", "mean": 2}', "--severity", '{"type": "gamma", "mean": 5}'],
     "--severity"),
    (["--frequency", "poisson", "--severity", '{"type": "gamma", "mean": 5, "cv": 1}'], "--frequency"),
    (["--frequency", '{"type": "poisson", "mean": 2}', "--severity", '{"type": "gamma", "mean": 5, "cv": 1}',
      "--step", "-3"], "--step"),
    (["--frequency", '{"type": "poisson", "mean": 2}', "--severity", '{"type": "gamma", "mean": 5, "cv": 1}',
      "--method", "magic"], "--method"),
    (["--frequency", '{"type": "poisson", "mean": 2}', "--severity", '{"type": "gamma", "mean": 5, "cv": 1}',
      "--discretization", "middle"], "--discretization"),
    (["--severity", '{"type": "gamma", "mean": 5, "cv": 1}'], "--frequency"),
])
def test_cli_bad_input_exits_2_naming_the_parameter(args, name):
    r = run_cli(*args)
    assert r.returncode == 2
    assert name in r.stderr
    assert r.stdout == "" or "Traceback" not in r.stderr

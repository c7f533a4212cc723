"""Small-population analytics from Python: the MSSP table, the confidence-interval MSR and
its inverse, members needed for power, error rates and expected payouts (each checked
against a published figure, an independent closed form with statistics.NormalDist,
numerical integration or a numpy simulation), vectorisation, bad input, and the
``apmsim msr`` command line."""
from __future__ import annotations

import math
import os
import subprocess
from statistics import NormalDist

import numpy as np
import pytest

import apmsim

N = NormalDist()
Z90 = N.inv_cdf(0.95)  # two-sided 90% = one-sided 95%: 1.6449


# --- MSSP table ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "beneficiaries, msr",
    [(5_000, 0.039), (6_000, 0.036), (7_000, 0.034), (8_000, 0.032), (9_000, 0.031), (10_000, 0.030),
     (15_000, 0.027), (20_000, 0.025), (50_000, 0.022), (60_000, 0.020), (250_000, 0.020),
     (7_500, 0.033), (5_500, 0.0375), (12_500, 0.0285), (35_000, 0.0235)],
)
def test_mssp_table_band_ends_and_interpolated_points(beneficiaries, msr):
    # 42 CFR 425.604(b) (DOMAIN section 4); 7,500 -> 3.3% is CMS's worked example.
    assert apmsim.mssp_minimum_savings_rate(beneficiaries) == pytest.approx(msr, abs=1e-15)


def test_mssp_table_is_vectorised_and_rejects_small_pools():
    got = apmsim.mssp_minimum_savings_rate(np.array([5_000, 7_500, 60_000]))
    np.testing.assert_allclose(got, [0.039, 0.033, 0.020], atol=1e-15)
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.mssp_minimum_savings_rate(4_999)
    assert e.value.where == "beneficiaries"
    assert isinstance(e.value, ValueError)


# --- Confidence-interval MSR ------------------------------------------------------------

def test_ci_msr_reproduces_the_domain_figures():
    # z = 1.645, cv = 1.676 -> 12.3%, 8.7%, 5.0%, 3.9% (published to 0.1%).
    members = np.array([500, 1_000, 3_000, 5_000])
    got = apmsim.minimum_savings_rate(members, 1.676)
    assert got.shape == (4,)
    np.testing.assert_allclose(got, [0.123, 0.087, 0.050, 0.039], atol=0.0005)
    # Independent closed form with statistics.NormalDist (AS 241 in both: 1e-14).
    np.testing.assert_allclose(got, Z90 * 1.676 / np.sqrt(members), rtol=1e-13)
    assert isinstance(apmsim.minimum_savings_rate(500, 1.676), float)


def test_ci_msr_one_sided_and_one_over_sqrt_n():
    assert apmsim.minimum_savings_rate(1_000, 1.5, 0.95, "one") == pytest.approx(Z90 * 1.5 / math.sqrt(1_000), rel=1e-13)
    m = apmsim.minimum_savings_rate(np.array([100.0, 400.0, 10_000.0]), 2.0)
    np.testing.assert_allclose(m[1], m[0] / 2, rtol=1e-14)
    np.testing.assert_allclose(m[2], m[0] / 10, rtol=1e-14)


def test_members_needed_inverts_the_ci_msr():
    n = np.array([50.0, 733.0, 5_000.0, 123_456.0])
    for sides in ("one", "two"):
        msr = apmsim.minimum_savings_rate(n, 1.676, 0.8, sides)
        np.testing.assert_allclose(apmsim.members_needed(cv=1.676, msr=msr, confidence=0.8, sides=sides, round_up=False),
                                   n, rtol=1e-12)
        np.testing.assert_array_equal(apmsim.members_needed(cv=1.676, msr=msr, confidence=0.8, sides=sides),
                                      n.astype(np.int64))
    assert apmsim.members_needed(cv=1.676, msr=0.039) == math.ceil((Z90 * 1.676 / 0.039) ** 2)


# --- Power and members needed -----------------------------------------------------------

def test_members_to_detect_saving_closed_form():
    # sqrt(n) = (z_{1-a} + z_power (1 - s)) c / s, with NormalDist quantiles.
    s, c, a, p = 0.046, 1.676, 0.05, 0.80
    expected = ((N.inv_cdf(1 - a) + N.inv_cdf(p) * (1 - s)) * c / s) ** 2
    assert apmsim.members_needed(cv=c, saving=s, false_reward=a, power=p, round_up=False) == pytest.approx(expected, rel=1e-12)
    n = apmsim.members_to_detect_saving(s, c, a, p)
    msr = apmsim.msr_for_false_reward(n, c, a)
    # Round trip through the cdf: P(reward | 0) = a and P(reward | s) = power, to 1e-10.
    assert apmsim.reward_probability(n, c, msr, 0.0) == pytest.approx(a, abs=1e-10)
    assert apmsim.reward_probability(n, c, msr, s) == pytest.approx(p, abs=1e-10)
    # Vectorised over savings.
    got = apmsim.members_to_detect_saving(np.array([0.02, 0.05, 0.10]), c)
    assert got.shape == (3,) and np.all(np.diff(got) < 0)


def test_members_to_detect_saving_agrees_with_a_numpy_simulation():
    # 40,000 pools of n gamma members (pool sum ~ Gamma(n k), exact) under s = 0 and s = 5%:
    # shares rewarded at the MSR vs 5% and 80%. Tolerances: 4 binomial SEs (0.0011, 0.0020)
    # plus the normal approximation's skewness effect (~0.0012 at the 5% tail): 0.006, 0.010.
    c, s, a, p = 1.676, 0.05, 0.05, 0.80
    n = math.ceil(apmsim.members_to_detect_saving(s, c, a, p))
    msr = apmsim.msr_for_false_reward(n, c, a)
    rng = np.random.default_rng(20240601)
    k = 1 / c**2
    for true_saving, target, tol in ((0.0, a, 0.006), (s, p, 0.010)):
        pool_mean = rng.gamma(n * k, (1 - true_saving) * c**2, size=40_000) / n
        rewarded = np.mean(1 - pool_mean >= msr)
        assert rewarded == pytest.approx(target, abs=tol)


# --- Error rates and payouts ------------------------------------------------------------

def test_false_reward_and_penalty_closed_forms():
    n, c, m = 5_000, 1.676, 0.039
    expected = 1 - N.cdf(m * math.sqrt(n) / c)
    assert apmsim.false_reward_probability(n, c, m) == pytest.approx(expected, abs=1e-14)
    assert apmsim.false_penalty_probability(n, c, m) == pytest.approx(expected, abs=1e-14)
    s = -0.02
    sd = (1 - s) * c / math.sqrt(n)
    assert apmsim.false_reward_probability(n, c, m, s) == pytest.approx(N.cdf((s - m) / sd), abs=1e-14)
    assert apmsim.penalty_probability(n, c, m, s) == pytest.approx(N.cdf((-m - s) / sd), abs=1e-14)
    assert apmsim.savings_rate_sd(n, c, s) == pytest.approx(sd, rel=1e-15)
    got = apmsim.false_reward_probability(np.array([500, 5_000, 50_000]), c, 0.02)
    assert got.shape == (3,) and np.all(np.diff(got) < 0)
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.false_reward_probability(1_000, c, 0.03, 0.01)
    assert e.value.where == "true_saving"


def test_expected_payout_matches_numerical_integration():
    # Trapezoid integration of settle_savings_rate against the normal density on 2,000,001
    # points over +-12 sd; the cliffs cost at most jump x h x density ~ 1e-8: tolerance 1e-7.
    terms = dict(msr=0.02, sharing_rate=0.75, savings_cap=0.05, mlr=0.02, loss_rate=0.6, loss_limit=0.05)
    for n, s in ((500, -0.03), (2_000, 0.046), (5_000, 0.0)):
        p = apmsim.expected_payout(n, 1.676, s, **terms)
        sd = apmsim.savings_rate_sd(n, 1.676, s)
        r = np.linspace(s - 12 * sd, s + 12 * sd, 2_000_001)
        density = np.exp(-0.5 * ((r - s) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        integral = np.sum((apmsim.settle_savings_rate(r, **terms) * density)[:-1] + (apmsim.settle_savings_rate(r, **terms) * density)[1:]) * (r[1] - r[0]) / 2
        assert p.expected_payout == pytest.approx(integral, abs=1e-7)
        assert p.p_reward == pytest.approx(apmsim.reward_probability(n, 1.676, 0.02, s), abs=1e-15)
        assert p.to_dict()["expected_payout"] == p.expected_payout
    # Uncapped 100% sharing from MSR 0 at s = 0 is E[R+] = sd / sqrt(2 pi).
    sd = apmsim.savings_rate_sd(1_000, 1.676)
    assert apmsim.expected_payout(1_000, 1.676, msr=0.0, sharing_rate=1.0).expected_payout == pytest.approx(
        sd / math.sqrt(2 * math.pi), rel=1e-13)


def test_msr_table_frame():
    t = apmsim.msr_table([500, 1_000, 5_000, 7_500], 1.676, saving=0.046)
    assert list(t["members"]) == [500, 1_000, 5_000, 7_500]
    assert np.isnan(t["mssp_msr"][0]) and t["mssp_msr"][3] == pytest.approx(0.033, abs=1e-15)
    np.testing.assert_allclose(t["p_false_reward_at_ci_msr"], 0.05, atol=1e-12)
    assert t["p_reward_at_ci_msr"].is_monotonic_increasing


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda: apmsim.minimum_savings_rate(1_000, -1.0), "cv"),
        (lambda: apmsim.minimum_savings_rate(0, 1.676), "members"),
        (lambda: apmsim.minimum_savings_rate(1_000, 1.676, 1.5), "confidence"),
        (lambda: apmsim.minimum_savings_rate(1_000, 1.676, sides="three"), "sides"),
        (lambda: apmsim.minimum_savings_rate(np.array([1_000, -5]), 1.676), "members"),
        (lambda: apmsim.members_needed(cv=1.676), "msr"),
        (lambda: apmsim.members_needed(cv=1.676, msr=0.03, saving=0.05), "msr"),
        (lambda: apmsim.members_needed(cv=1.676, saving=1.5), "saving"),
        (lambda: apmsim.members_needed(cv=1.676, saving=0.05, power=1.0), "power"),
        (lambda: apmsim.expected_payout(1_000, 1.676, sharing_rate=2.0), "sharing_rate"),
        (lambda: apmsim.expected_payout(1_000, 1.676, 1.0), "true_saving"),
    ],
)
def test_bad_input_names_the_parameter(call, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        call()
    assert e.value.where == where


# --- Command line -----------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([os.environ["APMSIM_CLI"], "msr", *args], capture_output=True, text=True, timeout=60)


def test_cli_prints_the_msr_table():
    r = run_cli("--members", "500,1000,3000,5000,7500", "--cv", "1.676")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line.strip()[:1].isdigit()}
    assert rows["500"][1:3] == ["12.3%", "-"]
    assert rows["1,000"][1] == "8.7%"
    assert rows["3,000"][1] == "5.0%"
    assert rows["5,000"][1:3] == ["3.9%", "3.9%"]
    assert rows["7,500"][2] == "3.3%"
    assert rows["500"][3] == "5.0%"  # false-reward rate at the two-sided 90% CI MSR
    needed = math.ceil((N.inv_cdf(0.95) + N.inv_cdf(0.8) * (1 - 0.046)) ** 2 * (1.676 / 0.046) ** 2 * (1 - 1e-12))
    assert f"{needed:,}" in r.stdout
    assert f"{math.ceil((Z90 * 1.676 / 0.02) ** 2 * (1 - 1e-12)):,}" in r.stdout  # members for a 2% CI MSR


def test_cli_help():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "--members" in r.stdout and "--confidence" in r.stdout


@pytest.mark.parametrize(
    "args, option",
    [
        (["--members", "1000", "--cv", "-1"], "--cv"),
        (["--members", "1000", "--confidence", "1.5"], "--confidence"),
        (["--members", "1000", "--sides", "three"], "--sides"),
        (["--members", "10x0"], "--members"),
        (["--members", "0"], "--members"),
        (["--cv", "1.5"], "--members"),
        (["--members", "1000", "--saving", "0"], "--saving"),
        (["--members", "1000", "--cv"], "--cv"),
        (["--members", "1000", "--bogus", "1"], "--bogus"),
    ],
)
def test_cli_rejects_bad_input(args, option):
    r = run_cli(*args)
    assert r.returncode == 2
    assert option in r.stderr
    assert r.stdout == ""

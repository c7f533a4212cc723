"""Enrolment churn (population.churn): members leave at the end of a month with their
tier's probability q and Poisson(n_t q_t) new members of each tier join each month from
month 2 on. Closed forms (population/churn.hpp): the expected size of every tier stays n_t
in every month, so mean member-months per year are 12 n_t; the members enrolled in year y
are Binomial(n, (1 - q)^(12 y)) starters plus an independent Poisson number of entrants
with mean n q (sum_{k=1}^{12y-1} (1 - q)^k + 12) (11 in year 1), by Poisson thinning."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import apmsim

N = 1000
Q = 0.01
YEARS = 3
TRIALS = 1000


def scenario(churn: dict, tiers=("A",), members=None, **extra) -> dict:
    members = members or {"A": N}
    listed = [t for t in tiers for _ in range(members[t])]
    doc = {
        "name": "churn", "years": YEARS, "tiers": list(tiers), "categories": ["inpatient"],
        "population": {"members": {"tier": listed, "months": 12}, "churn": churn},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": 0.0, "sd": 0.0},
                       "cells": {"inpatient": {t: {"frequency": {"type": "poisson", "mean": 0.5},
                                                   "severity": {"type": "lognormal", "mean": 20000, "cv": 1.0}} for t in tiers}}},
        "settings": {"trials": TRIALS, "seed": 17, "threads": 2},
    }
    doc.update(extra)
    return doc


def run(doc, **options):
    return apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, **options)


def within(sample: np.ndarray, expected: float, k: float = 4.0) -> None:
    se = sample.std(ddof=1) / math.sqrt(len(sample))
    assert abs(sample.mean() - expected) < k * se, (sample.mean(), expected, se)


def entrant_mean(y: int, q: float = Q, n: int = N) -> float:
    if y == 0:
        return n * q * 11
    return n * q * (sum((1 - q) ** k for k in range(1, 12 * y)) + 12)


def size_pmf(y: int) -> np.ndarray:
    """Binomial(N, (1 - q)^(12 y)) convolved with Poisson(entrant_mean(y)), on 0 .. 2N."""
    p = (1 - Q) ** (12 * y)
    k = np.arange(N + 1)
    log_binom = np.array([math.lgamma(N + 1) - math.lgamma(i + 1) - math.lgamma(N - i + 1) for i in k])
    binom = np.exp(log_binom + k * math.log(p) + (N - k) * math.log1p(-p)) if p < 1 else (k == N).astype(float)
    mu = entrant_mean(y)
    j = np.arange(N + 1)
    poisson = np.exp(-mu + j * math.log(mu) - np.array([math.lgamma(i + 1) for i in j]))
    return np.convolve(binom, poisson)


def test_member_months_and_members_match_the_exit_and_entry_process():
    r = run(scenario({"monthly_exit": Q}))
    months = r.samples("member_months")
    members = r.samples("members")
    for y in range(YEARS):
        within(months[:, y], 12 * N)
        p = (1 - Q) ** (12 * y)
        mean, var = N * p + entrant_mean(y), N * p * (1 - p) + entrant_mean(y)
        within(members[:, y], mean)
        assert members[:, y].var(ddof=1) == pytest.approx(var, rel=0.25)
    # The pool's size varies: the whole distribution of year 3's members against the
    # closed form, by a chi-square over bins of at least 20 expected trials (the statistic
    # must be within 5 of its sd, sqrt(2 df), of its mean df).
    pmf = size_pmf(2)
    observed = np.bincount(members[:, 2].astype(int), minlength=len(pmf))[: len(pmf)]
    edges, acc = [0], 0.0
    for i, mass in enumerate(pmf):
        acc += mass * TRIALS
        if acc >= 20:
            edges.append(i + 1)
            acc = 0.0
    edges[-1] = len(pmf)
    exp_bins = np.add.reduceat(pmf * TRIALS, edges[:-1])
    obs_bins = np.add.reduceat(observed, edges[:-1])
    chi2 = float(((obs_bins - exp_bins) ** 2 / exp_bins).sum())
    df = len(exp_bins) - 1
    assert df > 10
    assert abs(chi2 - df) < 5 * math.sqrt(2 * df), (chi2, df)


def test_entrants_replace_each_tiers_expected_exits():
    q = {"A": 0.02, "B": 0.004}
    members = {"A": 300, "B": 700}
    r = run(scenario({"monthly_exit": q}, tiers=("A", "B"), members=members))
    for tier, n in members.items():
        tier_months = r.samples("member_months", tier=tier)
        for y in range(YEARS):
            within(tier_months[:, y], 12 * n)
    # Year 3's members of tier A: Binomial starters plus Poisson entrants at A's own rate.
    heads = r.samples("members", tier="A")[:, 2]
    p = (1 - q["A"]) ** 24
    within(heads, 300 * p + entrant_mean(2, q["A"], 300))


def test_entrants_join_the_program_and_eligibility_is_the_same_in_both_arms():
    iv = {"name": "care", "effects": {"inpatient": {"mean": -0.2, "sd": 0.0}}, "program_cost_pmpm": {"team": 100.0},
          "target_tiers": ["B"]}
    doc = scenario({"monthly_exit": {"A": 0.01, "B": 0.02}}, tiers=("A", "B"), members={"A": 400, "B": 600}, intervention=iv)
    doc["settings"]["trials"] = 200
    r = run(doc, member_detail=True)
    # The program does not change who is enrolled.
    np.testing.assert_array_equal(r.samples("member_months", "baseline"), r.samples("member_months", "intervention"))
    # Every enrolled month of tier B, entrants' included, is a participant's month, and is paid for.
    np.testing.assert_array_equal(r.participant_months(), r.samples("member_months", "intervention", tier="B"))
    np.testing.assert_array_equal(r.samples("program_cost", "intervention"), 100.0 * r.participant_months())
    costs = r.member_costs  # (arms, trials, years, member slots): the 1000 members, then entrants
    assert costs.shape[3] == r.member_slots > 1000
    assert r.members == 1000  # the population at the start, not its slots
    assert "members=1000," in repr(r)
    # Tier A members (the first 400) are not in the program: bit-identical between arms.
    np.testing.assert_array_equal(costs[0][:, :, :400], costs[1][:, :, :400])


def test_results_file_counts_the_members_at_the_start_and_keeps_the_slots_apart(tmp_path):
    import json
    import os
    import subprocess
    doc = copy.deepcopy(scenario({"monthly_exit": Q}))
    doc["settings"]["trials"] = 5
    path, out = tmp_path / "churn.json", tmp_path / "results.json"
    path.write_text(json.dumps(doc))
    subprocess.run([os.environ["APMSIM_CLI"], "run", str(path), "--out", str(out), "--quiet"], check=True, capture_output=True)
    results = json.loads(out.read_text())
    assert results["members"] == N and results["member_slots"] > N and results["results_format"] == 4
    assert apmsim.ResultsFile.load(out).members == N
    # A results file of format 2 counted the slots as members: its replay is still "identical".
    results["results_format"] = 2
    results["members"] = results.pop("member_slots")
    out.write_text(json.dumps(results))
    replay = subprocess.run([os.environ["APMSIM_CLI"], "run", "--replay", str(out), "--quiet"], capture_output=True, text=True)
    assert replay.returncode == 0 and "identical" in replay.stdout, replay.stdout + replay.stderr
    assert apmsim.ResultsFile.load(out).members == N  # the population, read from its scenario
    # Without churn there are no slots beyond the members and nothing new in the file.
    del doc["population"]["churn"]
    path.write_text(json.dumps(doc))
    subprocess.run([os.environ["APMSIM_CLI"], "run", str(path), "--out", str(out), "--quiet"], check=True, capture_output=True)
    results = json.loads(out.read_text())
    assert results["members"] == N and "member_slots" not in results


def test_json_round_trip_of_both_forms():
    for churn in ({"monthly_exit": 0.004}, {"monthly_exit": {"A": 0.003, "B": 0.0}}):
        s = apmsim.Scenario.from_dict(scenario(churn, tiers=("A", "B"), members={"A": 5, "B": 5}))
        assert s.to_dict()["population"]["churn"] == churn
        assert apmsim.Scenario.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("churn, path, words", [
    ({"monthly_exit": 1.0}, "population.churn.monthly_exit", "below 1"),
    ({"monthly_exit": -0.1}, "population.churn.monthly_exit", "-0.1"),
    ({"monthly_exit": {"Z": 0.1}}, "population.churn.monthly_exit.Z", "tier"),
    ({"monthly_exit": {"A": 0.0}}, "population.churn.monthly_exit", "no effect"),
    ({"monthly_exit": 0.0}, "population.churn.monthly_exit", "no effect"),
    ({"monthly_exit": 0.01, "monthly_entry": 0.01}, "population.churn.monthly_entry", "monthly_entry"),
    ({}, "population.churn.monthly_exit", "monthly_exit"),
])
def test_bad_churn_is_refused_naming_the_json_path(churn, path, words):
    with pytest.raises(apmsim.InvalidInput) as e:
        run(scenario(churn))
    assert path in str(e.value) and words in str(e.value), str(e.value)


def test_exact_pool_distribution_refuses_churn():
    s = apmsim.Scenario.from_dict(scenario({"monthly_exit": Q}))
    with pytest.raises(apmsim.InvalidInput, match="population.churn"):
        apmsim.pool_distribution(s)


def test_cli_prints_enrolment(tmp_path):
    import json
    import os
    import subprocess
    doc = copy.deepcopy(scenario({"monthly_exit": Q}))
    doc["settings"]["trials"] = 20
    path = tmp_path / "churn.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run([os.environ["APMSIM_CLI"], "run", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Enrolment (mean over trials)" in out
    assert "member-months" in out


def test_report_says_the_pool_churns():
    from apmsim._scenario_words import population_sentence
    s = apmsim.Scenario.from_dict(scenario({"monthly_exit": {"A": 0.01}}, tiers=("A", "B"), members={"A": 5, "B": 5}))
    text = population_sentence(s.to_dict(), 10)
    assert "leave at 1.0% (A) / 0.0% (B) a month" in text
    assert "leave" not in population_sentence(dict(s.to_dict(), population={"members": {}}), 10)


# --- Exits at the annual renewal only (12 months of continuous eligibility) -----------------

R = 0.05  # shared/DOMAIN.md section 9: 5% of children leave at each annual renewal


def test_renewal_exits_follow_the_closed_form_and_every_member_stays_the_whole_year():
    """Members leave only at the end of a year, with probability r, and Poisson(n r) join at
    the start of the next: year k holds Binomial(n, (1 - r)^(k-1)) starters and
    Poisson(n r sum_{j=1..k-1} (1 - r)^(k-1-j)) entrants, each enrolled 12 months."""
    r = run(scenario({"renewal_exit": R}))
    months, members = r.samples("member_months"), r.samples("members")
    np.testing.assert_array_equal(months, 12 * members)  # nobody joins or leaves within a year
    np.testing.assert_array_equal(members[:, 0], N)
    for y in range(1, YEARS):
        p = (1 - R) ** y
        entrants = N * R * sum((1 - R) ** (y - j) for j in range(1, y + 1))
        within(members[:, y], N * p + entrants)
        assert members[:, y].var(ddof=1) == pytest.approx(N * p * (1 - p) + entrants, rel=0.25)
        within(months[:, y], 12 * N)


def test_renewal_exits_by_tier_keep_each_tiers_size():
    q = {"A": 0.10, "B": 0.02}
    members = {"A": 300, "B": 700}
    r = run(scenario({"renewal_exit": q}, tiers=("A", "B"), members=members))
    for tier, n in members.items():
        heads = r.samples("members", tier=tier)
        np.testing.assert_array_equal(heads[:, 0], n)
        for y in range(1, YEARS):
            within(heads[:, y], n)
    heads = r.samples("members", tier="A")[:, 1]
    assert heads.var(ddof=1) == pytest.approx(300 * 0.9 * 0.1 + 300 * 0.1, rel=0.25)


def test_renewal_churn_round_trips_and_is_checked():
    for churn in ({"renewal_exit": 0.05}, {"renewal_exit": {"A": 0.05, "B": 0.0}}):
        s = apmsim.Scenario.from_dict(scenario(churn, tiers=("A", "B"), members={"A": 5, "B": 5}))
        assert s.to_dict()["population"]["churn"] == churn
        assert apmsim.Scenario.from_dict(s.to_dict()) == s
    for churn, path, words in [
        ({"renewal_exit": 1.0}, "population.churn.renewal_exit", "below 1"),
        ({"renewal_exit": 0.05, "monthly_exit": 0.01}, "population.churn.monthly_exit", "both"),
        ({"renewal_exit": {"A": 0.0}}, "population.churn.renewal_exit", "no effect"),
    ]:
        with pytest.raises(apmsim.InvalidInput) as e:
            run(scenario(churn))
        assert path in str(e.value) and words in str(e.value), str(e.value)
    one_year = scenario({"renewal_exit": R}, years=1)
    with pytest.raises(apmsim.InvalidInput, match="population.churn.renewal_exit: expected a horizon of 2 years"):
        apmsim.Scenario.from_dict(one_year)


def test_report_says_members_leave_at_renewal():
    from apmsim._scenario_words import population_sentence
    s = apmsim.Scenario.from_dict(scenario({"renewal_exit": R}))
    assert "5.0% of members leave at each annual renewal" in population_sentence(s.to_dict(), N)


def test_staff_are_sized_by_the_children_enrolled_at_one_time():
    """A coordinator per 10 participants: the staff cost of each year is ceil(busiest
    month's census / 10) x $60,000, checked against this test's own simulation of the
    census (each child leaves at the end of a month with probability 0.05, Poisson(2)
    join in each month from the second on, everyone takes part), within 4 SE of the
    difference. 0.7.0 counted every child enrolled in the year, about 62 for a census
    near 40: $398,000 a year against about $270,000."""
    q, n, trials = 0.05, 40, 2000
    doc = scenario({"monthly_exit": q}, members={"A": n}, years=2)
    doc["intervention"] = {"name": "care", "staffing": {"coordinator": {"participants_per_staff": 10, "annual_cost": 60000}}}
    r = run(doc, trials=trials, seed=31, threads=2)
    cost = r.samples("program_cost", "intervention", item="coordinator")
    rng = np.random.default_rng(20261208)
    paths = 20000
    census = np.full(paths, n)
    busiest = np.zeros((paths, 2))
    for month in range(24):
        if month > 0:
            census = rng.binomial(census, 1 - q) + rng.poisson(n * q, paths)  # exits at the end of the last month, then entrants
        busiest[:, month // 12] = np.maximum(busiest[:, month // 12], census)
    expected = np.ceil(busiest / 10) * 60000
    for y in range(2):
        se = math.sqrt(cost[:, y].var(ddof=1) / trials + expected[:, y].var(ddof=1) / paths)
        assert abs(cost[:, y].mean() - expected[:, y].mean()) < 4 * se, (y, cost[:, y].mean(), expected[:, y].mean(), se)
        assert expected[:, y].mean() < 300000  # far below the 0.7.0 figure

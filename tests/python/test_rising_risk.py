"""Rising risk (intervention.upward_transition_change): a program that changes its
participants' chance of moving to a costlier tier. Checked against the Markov chain's
closed form: the expected number of members in each tier in year k is n0 P^(k-1) without
the program and n0 P'^(k-1) with it (P' from the trial's factor, rising_risk.hpp), within
4 standard errors of the simulated mean over trials; the savings it makes come only from
the later years' tier mix."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import apmsim

TIERS = ["A", "B", "C"]
MEMBERS = {"A": 300, "B": 600, "C": 300}
LAMBDA = {"A": 1.6, "B": 0.6, "C": 0.2}  # inpatient admissions per member-year: A costliest
SEVERITY = 20000.0
# shared/DOMAIN.md section 9 (illustrative): 10% of C rise to B, 5% of B to A, 10% of A fall to B.
TRANSITIONS = {"A": {"A": 0.9, "B": 0.1, "C": 0.0}, "B": {"A": 0.05, "B": 0.95, "C": 0.0}, "C": {"A": 0.0, "B": 0.1, "C": 0.9}}
YEARS = 4
TRIALS = 300


def program(change: dict, **intervention) -> dict:
    tiers = [t for t in TIERS for _ in range(MEMBERS[t])]
    iv = {"name": "prevention", "upward_transition_change": change}
    iv.update(intervention)
    return {
        "name": "rising_risk", "years": YEARS, "tiers": TIERS, "categories": ["inpatient"],
        "population": {"members": {"tier": tiers, "months": 12}},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": 0.0, "sd": 0.0},
                       "cells": {"inpatient": {t: {"frequency": {"type": "poisson", "mean": LAMBDA[t]},
                                                   "severity": {"type": "lognormal", "mean": SEVERITY, "cv": 1.0}}
                                               for t in TIERS}},
                       "tier_transitions": TRANSITIONS},
        "intervention": iv,
        "settings": {"trials": TRIALS, "seed": 99, "threads": 2},
    }


def run(doc, **options):
    return apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, **options)


def matrix() -> np.ndarray:
    return np.array([[TRANSITIONS[a][b] for b in TIERS] for a in TIERS])


def participant_matrix(factor: float) -> np.ndarray:
    """P' written out independently: moves to a costlier tier (higher lambda here, one
    severity for all) scaled by the factor, capped where the stay would go negative; the
    rest stays."""
    p = matrix()
    out = p.copy()
    cost = np.array([LAMBDA[t] for t in TIERS])
    for i in range(3):
        up = [j for j in range(3) if cost[j] > cost[i]]
        u = p[i, up].sum()
        f = min(factor, (p[i, i] + u) / u) if u > 0 else 1.0
        out[i, up] = f * p[i, up]
        out[i, i] = p[i, i] + (1 - f) * u
    return out


def occupancy(p_by_year: list[np.ndarray]) -> np.ndarray:
    """Expected members by year (rows) and tier (columns) from the members' first tiers."""
    n = np.array([MEMBERS[t] for t in TIERS], dtype=float)
    rows = [n]
    for p in p_by_year:
        rows.append(rows[-1] @ p)
    return np.array(rows)


def assert_occupancy(r, arm: str, expected: np.ndarray) -> None:
    for k, tier in enumerate(TIERS):
        heads = r.samples("members", arm, tier=tier)
        for y in range(YEARS):
            se = heads[:, y].std(ddof=1) / math.sqrt(TRIALS)
            assert abs(heads[:, y].mean() - expected[y, k]) <= 4 * se + 1e-9, (arm, tier, y, heads[:, y].mean(), expected[y, k], se)


def test_occupancy_with_and_without_the_program_matches_the_markov_chain():
    r = run(program({"mean": -0.2, "sd": 0.0}))
    assert_occupancy(r, "baseline", occupancy([matrix()] * (YEARS - 1)))
    assert_occupancy(r, "intervention", occupancy([participant_matrix(0.8)] * (YEARS - 1)))
    np.testing.assert_array_equal(r.upward_transition_factors, 0.8)
    # The program makes fewer children rise: more stay in C, fewer reach A.
    a_base = r.samples("members", "baseline", tier="A")[:, -1].mean()
    a_prog = r.samples("members", "intervention", tier="A")[:, -1].mean()
    assert a_prog < a_base - 10
    # Heads in a tier are a sum of independent member indicators: the variance over trials
    # is sum_i p_i (1 - p_i), from each first tier's row of P^(k-1).
    p3 = np.linalg.matrix_power(matrix(), YEARS - 1)
    n = np.array([MEMBERS[t] for t in TIERS], dtype=float)
    var_a = float(n @ (p3[:, 0] * (1 - p3[:, 0])))
    assert r.samples("members", "baseline", tier="A")[:, -1].std(ddof=1) == pytest.approx(math.sqrt(var_a), rel=0.2)


def test_drawn_factor_and_ramp_up_follow_the_trials_draws():
    change = {"mean": -0.3, "sd": 0.15}
    ramp = [0.5, 1.0]
    r = run(program(change, ramp_up=ramp))
    f = r.upward_transition_factors
    assert f.shape == (TRIALS,)
    se = f.std(ddof=1) / math.sqrt(TRIALS)
    assert abs(f.mean() - 0.7) < 4 * se
    assert f.std(ddof=1) == pytest.approx(0.15, rel=0.15)
    # Expected occupancy given each trial's factor: the move into year k is made in program
    # year k - 1, whose ramp scales the change.
    expected = np.zeros((YEARS, 3))
    for ft in f:
        steps = [participant_matrix(1 + ramp[min(k, len(ramp) - 1)] * (ft - 1)) for k in range(YEARS - 1)]
        expected += occupancy(steps)
    assert_occupancy(r, "intervention", expected / TRIALS)


def test_savings_come_from_the_later_years_tier_mix():
    r = run(program({"mean": -0.5, "sd": 0.0}))
    savings = r.samples("savings")
    # Year 1: the same tiers in both arms and no count effect: the arms are identical.
    np.testing.assert_array_equal(savings[:, 0], 0.0)
    base = occupancy([matrix()] * (YEARS - 1))
    prog = occupancy([participant_matrix(0.5)] * (YEARS - 1))
    cost = np.array([LAMBDA[t] * SEVERITY for t in TIERS])
    for y in range(1, YEARS):
        expected = float((base[y] - prog[y]) @ cost)
        se = savings[:, y].std(ddof=1) / math.sqrt(TRIALS)
        assert expected > 0
        assert abs(savings[:, y].mean() - expected) < 4 * se, (y, savings[:, y].mean(), expected, se)


def test_non_participants_keep_their_tiers_and_costs():
    r = run(program({"mean": -0.5, "sd": 0.0}, target_tiers=["C"]), member_detail=True)
    costs = r.member_costs  # (arms, trials, years, members)
    not_enrolled = slice(0, MEMBERS["A"] + MEMBERS["B"])
    assert np.array_equal(costs[0][:, :, not_enrolled], costs[1][:, :, not_enrolled])
    assert not np.array_equal(costs[0], costs[1])


def test_json_round_trip_keeps_the_change():
    doc = program({"mean": -0.2, "sd": 0.1})
    s = apmsim.Scenario.from_dict(doc)
    back = s.to_dict()["intervention"]["upward_transition_change"]
    assert back == {"mean": -0.2, "sd": 0.1}
    assert apmsim.Scenario.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("edit, path, words", [
    (lambda d: d["cost_model"].pop("tier_transitions"), "intervention.upward_transition_change", "tier_transitions"),
    (lambda d: d["intervention"].update(target_tiers=["A"]), "intervention.upward_transition_change", "moves up"),
    (lambda d: d["intervention"].update(target_tiers=["D"]), "intervention.target_tiers[0]", "a tier of the cost model"),
    (lambda d: d["intervention"]["upward_transition_change"].update(mean=-1.5), "intervention.upward_transition_change.mean", "-1.5"),
    (lambda d: d["intervention"]["upward_transition_change"].update(sd=-0.1), "intervention.upward_transition_change.sd", "-0.1"),
    (lambda d: d["intervention"]["upward_transition_change"].update(mean=0.0), "intervention.upward_transition_change", "no effect"),
    (lambda d: d["intervention"]["upward_transition_change"].update(when=2), "intervention.upward_transition_change.when", "when"),
    (lambda d: d.update(years=1), "intervention.upward_transition_change", "1 year"),
])
def test_bad_changes_are_refused_naming_the_json_path(edit, path, words):
    doc = copy.deepcopy(program({"mean": -0.2, "sd": 0.0}))
    edit(doc)
    with pytest.raises(apmsim.InvalidInput) as e:
        run(doc)
    assert path in str(e.value) and words in str(e.value)


def test_exact_pool_distribution_refuses_a_changed_chain():
    s = apmsim.Scenario.from_dict(program({"mean": -0.2, "sd": 0.0}))
    with pytest.raises(apmsim.InvalidInput, match="upward_transition_change"):
        apmsim.pool_distribution(s, year=2, arm="intervention")


def test_report_says_what_the_program_prevents():
    from apmsim._scenario_words import program_sentences
    text = " ".join(program_sentences(apmsim.Scenario.from_dict(program({"mean": -0.2, "sd": 0.1})).to_dict()))
    assert "costlier tier by -20.0% (sd 10.0%)" in text

"""Who takes part in a program and when it works (intervention.target_tiers, uptake,
ramp_up): non-participants' costs are bit-identical between the arms; the saving and the
program cost by year match their closed forms within 4 standard errors (Poisson counts
by inversion on common uniforms: E[n(lambda) - n(lambda f)] = lambda (1 - f)); results of
scenarios without these terms are those of version 0.3 (to the last bits of the elementary
functions, which version 0.5 takes from SLEEF: src/core/deterministic_math.cpp)."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import apmsim
from conftest import source_dir

MEMBERS = {"A": 600, "B": 400}
LAMBDA = {"A": 0.6, "B": 1.5}          # inpatient admissions per member-year
SEVERITY = {"mean": 20000.0, "cv": 1.5}  # lognormal
EFFECT = -0.2
RAMP = [0.5, 1.0]
PMPM = 100.0
YEARS = 3
TRIALS = 400


def program(**intervention) -> dict:
    tiers = ["A"] * MEMBERS["A"] + ["B"] * MEMBERS["B"]
    iv = {"name": "care", "effects": {"inpatient": {"mean": EFFECT, "sd": 0.0}}, "program_cost_pmpm": {"team": PMPM}}
    iv.update(intervention)
    return {
        "name": "targeted", "years": YEARS, "tiers": ["A", "B"], "categories": ["inpatient"],
        "population": {"members": {"tier": tiers, "months": 12}},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": 0.0, "sd": 0.0},
                       "cells": {"inpatient": {t: {"frequency": {"type": "poisson", "mean": LAMBDA[t]},
                                                   "severity": {"type": "lognormal", **SEVERITY}} for t in LAMBDA}}},
        "intervention": iv,
        "settings": {"trials": TRIALS, "seed": 4242, "threads": 2},
    }


def run(doc, **options):
    return apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, **options)


def within(sample: np.ndarray, expected: float, k: float = 4.0) -> None:
    se = sample.std(ddof=1) / math.sqrt(len(sample))
    assert abs(sample.mean() - expected) < k * se + 1e-9 * abs(expected), (sample.mean(), expected, se)


def test_targeted_tiers_ramp_up_and_their_costs():
    r = run(program(target_tiers=["B"], ramp_up=RAMP), member_detail=True)
    costs = r.member_costs  # (arms, trials, years, members)
    a_members = slice(0, MEMBERS["A"])
    # Members of tier A are not in the program: their costs are the same in both arms, bit for bit.
    assert np.array_equal(costs[0][:, :, a_members], costs[1][:, :, a_members])
    savings = r.samples("savings")
    for y in range(YEARS):
        ramp = RAMP[min(y, len(RAMP) - 1)]
        expected = MEMBERS["B"] * LAMBDA["B"] * SEVERITY["mean"] * ramp * -EFFECT
        within(savings[:, y], expected)
    # Costs are paid for participants' months only: tier B's, every month.
    np.testing.assert_array_equal(r.samples("program_cost", "intervention"), PMPM * 12 * MEMBERS["B"])
    np.testing.assert_array_equal(r.participant_months(), 12 * MEMBERS["B"])
    np.testing.assert_array_equal(r.participant_months("A"), 0)


def test_uptake_picks_a_share_of_the_targeted_members():
    share = 0.6
    r = run(program(uptake=share))
    months = r.participant_months()[:, 0]
    n = sum(MEMBERS.values())
    # Each member takes part with probability 0.6: months ~ 12 Binomial(n, 0.6).
    within(months, 12 * n * share)
    assert months.std(ddof=1) == pytest.approx(12 * math.sqrt(n * share * (1 - share)), rel=0.2)
    np.testing.assert_array_equal(r.samples("program_cost", "intervention")[:, 0], PMPM * months)
    # The same members every year (participation is drawn once per trial).
    np.testing.assert_array_equal(r.participant_months()[:, 0], r.participant_months()[:, 2])
    expected_saving = share * sum(MEMBERS[t] * LAMBDA[t] for t in MEMBERS) * SEVERITY["mean"] * -EFFECT
    within(r.samples("savings")[:, 0], expected_saving)


def test_uptake_drawn_per_trial():
    r = run(program(uptake={"mean": 0.5, "sd": 0.2}))
    share = r.participant_months()[:, 0] / (12 * sum(MEMBERS.values()))
    within(share, 0.5, k=4.0)  # clipping at 0 and 1 is symmetric about 0.5
    # Between-trial spread: the sd of the share plus binomial noise (clipping trims a little).
    assert 0.15 < share.std(ddof=1) < 0.22


def far_apart(old, new, path=""):
    """The JSON paths where two results documents differ: in structure or text, or in a
    number by more than 1e-12 of its magnitude (the elementary functions' last bits, moved
    by at most about an ULP each in version 0.5, add up to a few 1e-15 over a run)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return [path]
        return [p for k in old for p in far_apart(old[k], new[k], f"{path}/{k}")]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [path]
        return [p for k, (a, b) in enumerate(zip(old, new)) for p in far_apart(a, b, f"{path}/{k}")]
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool):
        return [] if abs(old - new) <= 1e-12 * max(abs(old), abs(new)) else [path]
    return [] if old == new else [path]


SIMULATED_BENCHMARKS = ("ffs_care_fee_shared_savings", "ffs_shared_risk_glide_path")  # the default program's


def test_everyone_from_the_start_is_version_0_3(cli, tmp_path):
    recorded = source_dir() / "tests" / "data" / "default_cmc_program_0_8_results.json"
    done = cli("run", "--replay", recorded, "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"replay: identical to {recorded}" in done.stdout
    # Version 0.3's and 0.5's files of the same run: the same numbers but for the last bits
    # (0.5 took the elementary functions from SLEEF), and since 0.8 but for the models with a
    # simulated benchmark (test_version_0_5_results_differ_only_in_simulated_benchmarks).
    older = source_dir() / "tests" / "data" / "default_cmc_program_0_3_results.json"
    v05 = source_dir() / "tests" / "data" / "default_cmc_program_0_5_results.json"
    assert far_apart(json.loads(older.read_text())["samples"], json.loads(recorded.read_text())["samples"]) == []
    assert far_apart(json.loads(older.read_text())["payment_models"], json.loads(v05.read_text())["payment_models"]) == []
    # Stating the defaults changes nothing either: every member, from the start, whole effect.
    doc = program()
    base = run(doc)
    stated = run(program(uptake=1.0, ramp_up=[1.0, 1.0]))
    assert stated.to_dict()["samples"] == base.to_dict()["samples"]


def without_model(part, model):
    """A payment_models part of a results document without the rows or entries of `model`."""
    if isinstance(part, list):
        return [row for row in part if not (isinstance(row, dict) and row.get("model") == model)]
    if isinstance(part, dict):
        return {k: v for k, v in part.items() if k != model}
    return part


def test_version_0_5_results_differ_only_in_simulated_benchmarks(cli, tmp_path):
    """Version 0.8 simulates the benchmark base period with every member in its year-1 tier
    (0.5 ran it forward through the tier transitions, so its latest base years had drifted
    furthest from year 1, and a model with one base year took the last of the three another
    model asked for). Replaying 0.5's file changes the two models with a simulated benchmark
    (their status-quo comparisons too) and nothing else, to the last bits."""
    recorded = source_dir() / "tests" / "data" / "default_cmc_program_0_5_results.json"
    done = cli("run", "--replay", recorded, "--out", tmp_path / "now.json", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "replay: differs" in done.stdout
    old, now = json.loads(recorded.read_text()), json.loads((tmp_path / "now.json").read_text())
    for key in old:
        if key not in ("payment_models", "status_quo", "apmsim_version"):
            assert far_apart(old[key], now[key]) == [], key
    for section in ("payment_models", "status_quo"):
        for key, part in old[section].items():
            kept_old, kept_now = part, now[section][key]
            for model in SIMULATED_BENCHMARKS:
                kept_old, kept_now = without_model(kept_old, model), without_model(kept_now, model)
            assert far_apart(kept_old, kept_now) == [], (section, key)
    for model in SIMULATED_BENCHMARKS:
        assert far_apart(old["payment_models"]["net_samples"][model], now["payment_models"]["net_samples"][model]) != []


def test_version_0_2_results_differ_only_where_0_3_fixed_a_settlement(cli, tmp_path):
    """Version 0.3 settles a capitated-basis risk corridor on cost net of the party's stop-loss
    recoveries (before, a dollar above the attachment was reimbursed by both). Replaying a
    0.2 results file changes the default program's capitation model with corridor and
    stop-loss, and nothing else: the simulation and the other three models to the last bits."""
    recorded = source_dir() / "tests" / "data" / "default_cmc_program_0_2_results.json"
    done = cli("run", "--replay", recorded, "--out", tmp_path / "now.json", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "written by apmsim 0.2.0" in done.stderr and "replay: differs" in done.stdout
    old, now = json.loads(recorded.read_text()), json.loads((tmp_path / "now.json").read_text())
    for key in old:
        if key not in ("payment_models", "apmsim_version"):
            assert far_apart(old[key], now[key]) == [], key
    fixed = "global_capitation_corridor_stop_loss"
    for key, part in old["payment_models"].items():
        kept_old, kept_now = without_model(part, fixed), without_model(now["payment_models"][key], fixed)
        for model in SIMULATED_BENCHMARKS:  # changed again in 0.8 (the test above)
            kept_old, kept_now = without_model(kept_old, model), without_model(kept_now, model)
        assert far_apart(kept_old, kept_now) == [], key
    assert far_apart(old["payment_models"]["net_samples"][fixed], now["payment_models"]["net_samples"][fixed]) != []


@pytest.mark.parametrize("change, where", [
    ({"target_tiers": ["D"]}, "intervention.target_tiers[0]"),
    ({"target_tiers": ["B", "B"]}, "intervention.target_tiers[1]"),
    ({"target_tiers": []}, "intervention.target_tiers"),
    ({"uptake": 1.5}, "intervention.uptake.mean"),
    ({"uptake": 0}, "intervention.uptake"),
    ({"uptake": {"mean": 0.5, "sd": -0.1}}, "intervention.uptake.sd"),
    ({"uptake": {"mean": 0.5, "spread": 0.1}}, "intervention.uptake.spread"),
    ({"ramp_up": [0.2, 0.5, 1.0, 1.0]}, "intervention.ramp_up"),
    ({"ramp_up": [0.5, -1]}, "intervention.ramp_up[1]"),
    ({"ramp_up": "slow"}, "intervention.ramp_up"),
])
def test_bad_participation_terms_name_their_path(change, where):
    with pytest.raises(ValueError, match="^" + re.escape(where) + ": expected"):
        apmsim.Scenario.from_dict(program(**change))
    assert apmsim.validate(program(**change))["errors"][0]["where"] == where


def test_the_exact_pool_distribution_refuses_a_targeted_program():
    s = apmsim.Scenario.from_dict(program(target_tiers=["B"]))
    with pytest.raises(ValueError, match="intervention: expected every member in the program"):
        apmsim.pool_distribution(s, arm="intervention")
    assert apmsim.pool_distribution(s, arm="baseline").total.moments()["mean"] > 0


def test_participation_round_trips_through_json_and_pickle():
    s = apmsim.Scenario.from_dict(program(target_tiers=["B"], uptake={"mean": 0.7, "sd": 0.1}, ramp_up=RAMP))
    d = s.to_dict()
    assert d["intervention"]["target_tiers"] == ["B"] and d["intervention"]["ramp_up"] == RAMP
    assert d["intervention"]["uptake"] == {"mean": 0.7, "sd": 0.1}
    assert apmsim.Scenario.from_dict(json.loads(json.dumps(d))) == s
    assert "target_tiers" not in apmsim.Scenario.from_dict(program()).to_dict()["intervention"]


# --- costs as a program budgets them --------------------------------------------------------

RATIO, SALARY, START_UP = 50, 85000.0, 250000.0


def staffed(b_members: int, months_of_last: int = 12) -> dict:
    """Tier B only in the program, b_members of them; the last member eligible for months_of_last months."""
    doc = program(target_tiers=["B"], staffing={"care_coordinator": {"participants_per_staff": RATIO, "annual_cost": SALARY,
                                                                     "tiers": ["B"]}},
                  start_up_cost={"analytics": START_UP})
    tiers = ["A"] * 10 + ["B"] * b_members
    months = [12] * (len(tiers) - 1) + [months_of_last]
    doc["population"] = {"members": {"tier": tiers, "months": months}}
    doc["settings"]["trials"] = 3
    return doc


@pytest.mark.parametrize("b_members, staff", [(100, 2), (101, 3), (50, 1), (51, 2), (1, 1)])
def test_staff_come_in_steps_at_the_caseload_edges(b_members, staff):
    r = run(staffed(b_members))
    items = r.program_cost_items
    assert items == ["team", "care_coordinator", "analytics"]
    coordinator = r.samples("program_cost", "intervention", item="care_coordinator")
    np.testing.assert_array_equal(coordinator, staff * SALARY)  # by hand: ceil(N / 50) coordinators, every year
    analytics = r.samples("program_cost", "intervention", item="analytics")
    np.testing.assert_array_equal(analytics[:, 0], START_UP)
    np.testing.assert_array_equal(analytics[:, 1:], 0.0)
    np.testing.assert_array_equal(r.samples("program_cost", "intervention", item="team"), PMPM * 12 * b_members)


def test_a_member_eligible_for_a_month_still_needs_a_caseload_place():
    r = run(staffed(101, months_of_last=1))
    np.testing.assert_array_equal(r.samples("program_cost", "intervention", item="care_coordinator"), 3 * SALARY)
    np.testing.assert_array_equal(r.samples("program_cost", "intervention", item="team"), PMPM * (12 * 100 + 1))


def test_program_cost_items_are_borne_and_settled(cli, tmp_path):
    """Staffing and start-up are program cost items like the others: a bearer can be named for
    them and a payment model settles them (the provider's delivery cost includes them)."""
    doc = staffed(120)
    doc["delivery"] = {"program_cost_borne_by": {"care_coordinator": "pcp"}}
    doc["payment_models"] = [{"name": "fee_for_service", "components": [{"type": "fee_for_service"}]}]
    r = run(doc)
    pcp_cost = r.payments.samples("fee_for_service", "pcp", "delivery_cost", "intervention")
    provider_cost = r.payments.samples("fee_for_service", "provider", "delivery_cost", "intervention")
    # The PCP delivers no care here (the default basis): its cost is the coordinators', 3 for 120 children.
    np.testing.assert_array_equal(pcp_cost, 3 * SALARY)
    np.testing.assert_array_equal(r.payments.samples("fee_for_service", "pcp", "delivery_cost", "baseline"), 0.0)
    total_program = r.samples("program_cost", "intervention")
    care = r.samples("total_cost", "intervention")
    np.testing.assert_allclose(pcp_cost + provider_cost, care + total_program, rtol=1e-12)
    path = tmp_path / "staffed.json"
    path.write_text(json.dumps(doc))
    done = cli("run", path, "--quiet", "--trials", "3")
    assert done.returncode == 0, done.stderr
    assert "care_coordinator: one per 50 participants enrolled at a time (the busiest month) at $85,000 a year" in done.stdout
    assert "mean cost per participant per month by item and year" in done.stdout


@pytest.mark.parametrize("change, where", [
    (lambda iv: iv["staffing"]["care_coordinator"].update(participants_per_staff=-5), "intervention.staffing.care_coordinator.participants_per_staff"),
    (lambda iv: iv["staffing"]["care_coordinator"].update(annual_cost=-1), "intervention.staffing.care_coordinator.annual_cost"),
    (lambda iv: iv["staffing"]["care_coordinator"].update(tiers=["A"]), "intervention.staffing.care_coordinator.tiers[0]"),
    (lambda iv: iv["staffing"]["care_coordinator"].update(tiers=["Z"]), "intervention.staffing.care_coordinator.tiers[0]"),
    (lambda iv: iv["staffing"].update(team={"participants_per_staff": 10, "annual_cost": 1}), "intervention.staffing.team"),
    (lambda iv: iv["start_up_cost"].update(analytics=-3), "intervention.start_up_cost.analytics"),
    (lambda iv: iv["staffing"]["care_coordinator"].update(salary=1), "intervention.staffing.care_coordinator.salary"),
])
def test_bad_staffing_terms_name_their_path(change, where):
    doc = staffed(10)
    change(doc["intervention"])
    with pytest.raises(ValueError, match="^" + re.escape(where) + ": expected"):
        apmsim.Scenario.from_dict(doc)


# --- effects by tier --------------------------------------------------------------------------

def test_an_effect_by_tier_changes_only_that_tier():
    doc = program(effects={"inpatient": {"by_tier": {"B": {"mean": EFFECT, "sd": 0.02}}}})
    r = run(doc, member_detail=True)
    costs = r.member_costs
    a_members = slice(0, MEMBERS["A"])
    assert np.array_equal(costs[0][:, :, a_members], costs[1][:, :, a_members])  # tier A: no effect, bit for bit
    factors = r.tier_effect_factors  # (trials, tiers, categories)
    np.testing.assert_array_equal(factors[:, 0, 0], 1.0)
    within(factors[:, 1, 0], 1 + EFFECT)
    assert np.isnan(r.effect_factors).all()  # no single factor for the category: see tier_effect_factors
    # E[savings | factor] = N_B lambda_B m (1 - f): on the trial's own draw, within 4 SE.
    savings = r.samples("savings")[:, 0]
    expected = MEMBERS["B"] * LAMBDA["B"] * SEVERITY["mean"] * (1 - factors[:, 1, 0])
    within(savings - expected, 0.0)


def test_effects_on_every_tier_keep_their_stream():
    """The shorthand (every tier) draws what version 0.2 drew; its tier factors repeat it."""
    r = run(program())
    np.testing.assert_array_equal(r.tier_effect_factors[:, 0, 0], r.effect_factors[:, 0])
    np.testing.assert_array_equal(r.tier_effect_factors[:, 1, 0], r.effect_factors[:, 0])


@pytest.mark.parametrize("effects, where", [
    ({"inpatient": {"by_tier": {"D": {"mean": -0.1}}}}, "intervention.effects.inpatient.by_tier.D"),
    ({"inpatient": {"by_tier": {"B": {"mean": -2}}}}, "intervention.effects.inpatient.by_tier.B.mean"),
    ({"inpatient": {"by_tier": {"B": {"mean": -0.1, "size": 1}}}}, "intervention.effects.inpatient.by_tier.B.size"),
    ({"inpatient": {"mean": -0.1, "by_tier": {"B": {"mean": -0.1}}}}, "intervention.effects.inpatient.mean"),
])
def test_bad_effects_by_tier_name_their_path(effects, where):
    with pytest.raises(ValueError, match="^" + re.escape(where) + ": expected"):
        apmsim.Scenario.from_dict(program(effects=effects))


def test_effects_by_tier_round_trip_and_the_exact_method_refuses_them():
    doc = program(effects={"inpatient": {"by_tier": {"A": {"mean": -0.05, "sd": 0.0}, "B": {"mean": EFFECT, "sd": 0.0}}}})
    s = apmsim.Scenario.from_dict(doc)
    assert s.to_dict()["intervention"]["effects"] == doc["intervention"]["effects"]
    assert apmsim.Scenario.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="intervention.effects.inpatient.by_tier"):
        apmsim.pool_distribution(s, arm="intervention")


# --- Program PMPM by tier, and targeting by a rule on the risk score -------------------------

def test_program_pmpm_by_tier_is_paid_for_each_tiers_participant_months(cli, tmp_path):
    """A care team that costs more for the costlier tier: each item's cost is the sum over
    tiers of its PMPM there x the participants' months there (by hand from participant_months)."""
    by_tier = {"A": 40.0, "B": 175.0}
    doc = program(uptake=0.7, program_cost_pmpm={"team": {"by_tier": by_tier}, "family_support": 15.0})
    doc["settings"]["trials"] = 20
    r = run(doc)
    months = {t: r.participant_months(t) for t in ("A", "B")}
    assert months["A"].min() > 0 and months["B"].min() > 0
    team = r.samples("program_cost", "intervention", item="team")
    np.testing.assert_allclose(team, by_tier["A"] * months["A"] + by_tier["B"] * months["B"], rtol=1e-14)
    family = r.samples("program_cost", "intervention", item="family_support")
    np.testing.assert_allclose(family, 15.0 * (months["A"] + months["B"]), rtol=1e-14)
    # The scenario writes back what it read, and the CLI shows the PMPM by tier.
    assert apmsim.Scenario.from_dict(doc).intervention["program_cost_pmpm"]["team"] == {"by_tier": by_tier}
    path = tmp_path / "by_tier.json"
    path.write_text(json.dumps(doc))
    done = cli("run", path, "--quiet", "--trials", "3")
    assert done.returncode == 0, done.stderr
    assert "Program cost PMPM by tier: A $55 (team $40, family_support $15); B $190 (team $175, family_support $15)" in done.stdout


def test_a_tier_without_a_listed_pmpm_pays_nothing_for_that_item():
    doc = program(target_tiers=["A", "B"], program_cost_pmpm={"team": {"by_tier": {"B": 120.0}}})
    doc["settings"]["trials"] = 3
    r = run(doc)
    np.testing.assert_array_equal(r.samples("program_cost", "intervention"), 120.0 * 12 * MEMBERS["B"])


@pytest.mark.parametrize("costs, where, words", [
    ({"team": {"by_tier": {"A": 50.0}}}, "intervention.program_cost_pmpm.team.by_tier.A", "a tier the program enrols"),
    ({"team": {"by_tier": {"Z": 50.0}}}, "intervention.program_cost_pmpm.team.by_tier.Z", "a tier of the cost model"),
    ({"team": {"by_tier": {"B": -5.0}}}, "intervention.program_cost_pmpm.team.by_tier.B", "-5"),
    ({"team": {"by_tier": {}}}, "intervention.program_cost_pmpm.team.by_tier", "one tier or more"),
    ({"team": {"B": 50.0}}, "intervention.program_cost_pmpm.team.by_tier", "required key"),
    ({"team": "lots"}, "intervention.program_cost_pmpm.team", "number"),
])
def test_bad_pmpm_by_tier_names_its_path(costs, where, words):
    doc = program(target_tiers=["B"], program_cost_pmpm=costs)
    with pytest.raises(ValueError, match="^" + re.escape(where) + ": expected") as e:
        apmsim.Scenario.from_dict(doc)
    assert words in str(e.value)


SCORES = {"A": (0.5, 1.5), "B": (0.8, 2.0)}  # alternating within each tier


def scored_program(**intervention) -> dict:
    doc = program(**intervention)
    scores = [SCORES[t][i % 2] for t in ("A", "B") for i in range(MEMBERS[t])]
    doc["population"]["members"]["risk_score"] = scores
    return doc


def test_targeting_by_risk_score_enrols_the_members_the_rule_keeps():
    """target_risk_score {min: 1}: the members scoring 1.5 (tier A) and 2.0 (tier B) take part.
    A member's expected count is its tier's times score / the tier's mean score, so the
    expected saving is sum over participants of lambda_t s_i / mean_t x E[severity] x 20%;
    everyone else costs the same in both arms, bit for bit."""
    r = run(scored_program(target_risk_score={"min": 1.0}), member_detail=True)
    costs = r.member_costs
    kept = np.array([SCORES[t][i % 2] >= 1.0 for t in ("A", "B") for i in range(MEMBERS[t])])
    assert np.array_equal(costs[0][:, :, ~kept], costs[1][:, :, ~kept])
    assert not np.array_equal(costs[0][:, :, kept], costs[1][:, :, kept])
    np.testing.assert_array_equal(r.participant_months(), 12 * kept.sum())
    expected = sum(MEMBERS[t] / 2 * LAMBDA[t] * SCORES[t][1] / (sum(SCORES[t]) / 2) for t in ("A", "B")) * SEVERITY["mean"] * -EFFECT
    for y in range(YEARS):
        within(r.samples("savings")[:, y], expected)


def test_a_risk_score_rule_narrows_the_target_tiers_and_round_trips():
    doc = scored_program(target_tiers=["B"], target_risk_score={"min": 0.6, "max": 1.0})
    doc["settings"]["trials"] = 3
    r = run(doc)
    # Tier B members scoring 0.8 only: half of tier B.
    np.testing.assert_array_equal(r.participant_months("A"), 0)
    np.testing.assert_array_equal(r.participant_months("B"), 12 * MEMBERS["B"] / 2)
    s = apmsim.Scenario.from_dict(doc)
    assert s.intervention["target_risk_score"] == {"min": 0.6, "max": 1.0}
    assert apmsim.Scenario.from_dict(s.to_dict()) == s
    only_min = apmsim.Scenario.from_dict(scored_program(target_risk_score={"min": 1.0}))
    assert only_min.intervention["target_risk_score"] == {"min": 1.0}


@pytest.mark.parametrize("rule, where, words", [
    ({"min": 3.0}, "intervention.target_risk_score", "0 of 1000 kept"),
    ({"min": 0.0}, "intervention.target_risk_score", "1000 of 1000 kept"),
    ({"min": 1.0, "max": 0.5}, "intervention.target_risk_score.max", "at least min"),
    ({"min": -1.0}, "intervention.target_risk_score.min", "-1"),
    ({}, "intervention.target_risk_score.min", "min, max or both"),
    ({"above": 1.0}, "intervention.target_risk_score.above", "above"),
])
def test_bad_risk_score_rules_name_their_path(rule, where, words):
    with pytest.raises(ValueError, match="^" + re.escape(where) + ": expected") as e:
        apmsim.Scenario.from_dict(scored_program(target_risk_score=rule))
    assert words in str(e.value)


def test_the_exact_pool_distribution_refuses_a_risk_score_rule():
    doc = program(target_risk_score={"min": 1.0})  # one score per tier: the rule keeps tier B
    doc["population"]["members"]["risk_score"] = [0.5] * MEMBERS["A"] + [2.0] * MEMBERS["B"]
    s = apmsim.Scenario.from_dict(doc)
    with pytest.raises(ValueError, match="target_tiers"):
        apmsim.pool_distribution(s, arm="intervention")


def test_the_report_says_who_takes_part_and_what_each_tier_costs():
    from apmsim._scenario_words import program_sentences
    doc = scored_program(target_tiers=["B"], target_risk_score={"min": 1.0}, uptake={"mean": 0.8, "sd": 0.1}, ramp_up=RAMP,
                         program_cost_pmpm={"team": {"by_tier": {"B": 175.0}}})
    text = " ".join(program_sentences(apmsim.Scenario.from_dict(doc).to_dict()))
    assert ("It enrols the members of tier(s) B whose risk score at the start is at least 1; 80.0% of them take part "
            "(sd 10.0%, drawn once per trial); its effects are 50.0% in year 1 and 100.0% in year 2 of their full size.") in text
    assert "It costs an amount by tier PMPM in all: team by tier B $175" in text
    assert "It enrols every member; all of them take part." in " ".join(program_sentences(apmsim.Scenario.from_dict(program()).to_dict()))


def test_a_risk_score_rule_with_churn_is_refused():
    doc = scored_program(target_risk_score={"min": 1.0})
    doc["population"]["churn"] = {"renewal_exit": 0.05}
    with pytest.raises(ValueError, match="^intervention.target_risk_score: expected no churn with a rule on the risk score"):
        apmsim.Scenario.from_dict(doc)

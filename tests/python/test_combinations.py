"""Contract components combined (issue 8): each item of the issue reproduced end to end,
and a property test that recomputes every party's net independently in numpy from the
settlement inputs (allowed cost by category and tier, member-months, program costs,
member costs and the delivery basis) for random combinations of 2-4 components."""
from __future__ import annotations

import json
import math
import os
import subprocess

import numpy as np
import pytest

import apmsim

SEED = 20261124
CATEGORIES = ["inpatient", "emergency", "outpatient", "professional", "pharmacy", "home_health", "dme",
              "behavioral_health"]
PARTIES = ["payer", "provider", "pcp", "other_providers", "reinsurer"]


def program(members=300, years=1, models=()):
    s = apmsim.Scenario.default_cmc_program(members=members, years=years, payment_models=False)
    s.payment_models = list(models)
    return s


def tier_pmpm(s, categories):
    """Closed-form expected allowed cost PMPM of `categories` per tier (base year)."""
    return {t: sum(s.member_year_moments(t)["categories"][c][0] for c in categories) / 12 for t in s.tiers}


def aca_kept(d):
    """ACA corridor (DOMAIN section 5): the plan keeps all of the first 3%, half of 3-8%,
    20% beyond 8% of the target."""
    return min(d, 0.03) + 0.5 * min(max(d - 0.03, 0), 0.05) + 0.2 * max(d - 0.08, 0)


# --- Item 1: a corridor next to a partial capitation ----------------------------------------

def test_corridor_next_to_partial_capitation_measures_the_capitated_categories():
    capitated = ["emergency", "outpatient", "professional"]
    s = program(300)
    pmpm = tier_pmpm(s, capitated)
    s.payment_models = [apmsim.PaymentModel("partial", [
        apmsim.Capitation(pmpm=pmpm, categories=capitated), apmsim.FeeForService(), apmsim.RiskCorridor(preset="aca")])]
    r = apmsim.run(s, trials=200, seed=SEED)
    arm = "intervention"
    spent = sum(r.samples("total_cost", arm, category=c) for c in capitated)[:, 0]
    target = sum(pmpm[t] * r.samples("member_months", arm, tier=t) for t in s.tiers)[:, 0]
    np.testing.assert_allclose(r.payments.metric("partial", "expenditure")[:, 0], spent, rtol=1e-12)
    np.testing.assert_allclose(r.payments.metric("partial", "benchmark")[:, 0], target, rtol=1e-12)
    d = (target - spent) / target
    # Capitated basis: the provider returns the savings it does not keep and is paid the
    # losses it does not keep.
    expected = np.array([-np.sign(x) * T * (abs(x) - aca_kept(abs(x))) for x, T in zip(d, target)])
    np.testing.assert_allclose(r.payments.metric("partial", "corridor_transfer")[:, 0], expected, rtol=1e-9,
                               atol=1e-6 * target.mean())
    # Before the fix the corridor compared all allowed cost with the partial capitation:
    # millions a year paid to the provider. The transfers are now a few percent of target.
    assert np.abs(expected).max() < 0.2 * target.mean()


def test_corridor_listing_categories_the_capitation_does_not_cover_is_an_error():
    s = program(50)
    s.payment_models = [apmsim.PaymentModel("m", [
        apmsim.Capitation(pmpm=900, categories=["professional"]), apmsim.FeeForService(),
        apmsim.RiskCorridor(preset="aca", categories=["professional", "inpatient"])])]
    with pytest.raises(apmsim.InvalidInput, match=r"payment_models\[0\]\.components\[2\]\.categories"):
        apmsim.run(s, trials=2)


# --- Item 2: a corridor with nothing to compare with ----------------------------------------

@pytest.mark.parametrize("components", [
    [apmsim.FeeForService(), apmsim.RiskCorridor(preset="aca")],
    [apmsim.FeeForService(), apmsim.SharedRisk(benchmark={"pmpm": 4000}, sharing_rate=0.5, loss_rate=0.3),
     apmsim.RiskCorridor(preset="reach_global")],
])
def test_corridor_without_capitation_or_target_is_an_error(components):
    s = program(50, models=[apmsim.PaymentModel("m", components)])
    with pytest.raises(apmsim.InvalidInput, match=r"components\[\d\]\.target: expected a target, or a capitation paid to the provider"):
        apmsim.run(s, trials=2)


# --- Item 3: two fee-for-service components paying for the same care ------------------------

@pytest.mark.parametrize("components, where", [
    ([apmsim.FeeForService(), apmsim.FeeForService()], r"components\[1\]"),
    ([apmsim.FeeForService(categories=["inpatient"]), apmsim.FeeForService(categories=["inpatient", "dme"])], r"components\[1\]"),
    ([apmsim.Capitation(pmpm=900, categories=["dme"]), apmsim.FeeForService(categories=["dme"])], r"components\[1\]"),
])
def test_care_paid_twice_is_an_error(components, where):
    s = program(50, models=[apmsim.PaymentModel("m", components)])
    with pytest.raises(apmsim.InvalidInput, match=where):
        apmsim.run(s, trials=2)


def test_fee_for_service_split_by_category_pays_each_dollar_once():
    s = program(100, models=[apmsim.PaymentModel("split", [
        apmsim.FeeForService(categories=["inpatient", "emergency"]), apmsim.FeeForService(fee_multiplier=1.1)])])
    r = apmsim.run(s, trials=20, seed=SEED)
    arm = "intervention"
    hospital = r.samples("total_cost", arm, category="inpatient") + r.samples("total_cost", arm, category="emergency")
    expected = hospital + 1.1 * (r.samples("total_cost", arm) - hospital)
    np.testing.assert_allclose(r.payments.samples("split", "payer", "payments"), expected, rtol=1e-12)


# --- Item 4: comparisons are per component, never summed ------------------------------------

def test_benchmark_and_expenditure_are_stated_per_component():
    s = program(200, models=[apmsim.PaymentModel("two", [
        apmsim.FeeForService(),
        apmsim.SharedRisk(benchmark={"pmpm": 4000}, sharing_rate=0.5, minimum_savings_rate=0.0, minimum_loss_rate=0.0,
                          loss_rate=0.3),
        apmsim.RiskCorridor(preset="reach_global", basis="shared", target={"pmpm": 3900})])])
    r = apmsim.run(s, trials=30, seed=SEED)
    assert r.payments.comparing_components == {"two": ["shared_risk", "risk_corridor"]}
    cost = r.samples("total_cost", "intervention")
    months = r.samples("member_months", "intervention")
    for component, pmpm in (("shared_risk", 4000.0), ("risk_corridor", 3900.0)):
        np.testing.assert_allclose(r.payments.metric("two", "benchmark", component=component), pmpm * months, rtol=1e-12)
        np.testing.assert_allclose(r.payments.metric("two", "expenditure", component=component), cost, rtol=1e-12)
        np.testing.assert_allclose(r.payments.metric("two", "savings_rate", component=component),
                                   1 - cost / (pmpm * months), rtol=1e-9)
    with pytest.raises(apmsim.InvalidInput, match="component"):
        r.payments.metric("two", "benchmark")  # two comparisons: say which
    summary = r.payments.metric_summary()
    row = summary.loc[("two", "intervention", 1, "risk_corridor", "benchmark")]
    assert row["mean"] == pytest.approx((3900.0 * months[:, 0]).mean(), rel=1e-12)
    # savings_paid counts the payments of both components once each.
    paid = r.payments.metric("two", "savings_paid")
    transfer = r.payments.metric("two", "corridor_transfer")
    np.testing.assert_allclose(paid, r.payments.metric("two", "shared_savings") + np.maximum(transfer, 0), rtol=1e-12,
                               atol=1e-6)


# --- Item 5: years outside the horizon ------------------------------------------------------

def test_years_outside_the_horizon_are_an_error_from_python_and_json():
    ss = apmsim.SharedSavings(benchmark={"pmpm": 4000}, sharing_rate=0.5, years=[4])
    with pytest.raises(apmsim.InvalidInput, match=r"payment_models\[0\]\.components\[1\]\.years\[0\]: expected a year "
                                                  r"of the scenario's horizon, 1 to 3, got 4"):
        program(50, years=3, models=[apmsim.PaymentModel("m", [apmsim.FeeForService(), ss])])
    d = apmsim.Scenario.default_cmc_program(members=50, years=3).to_dict()
    d["payment_models"][1]["components"][3]["years"] = [1, 1]
    with pytest.raises(apmsim.InvalidInput, match=r"payment_models\[1\]\.components\[3\]\.years\[1\]"):
        apmsim.Scenario.from_dict(d)


# --- Item 6: quality terms without a score, a score without a use ----------------------------

def test_quality_gate_without_a_score_and_a_score_without_a_use_are_errors():
    gate = apmsim.SharedSavings(benchmark={"pmpm": 4000}, sharing_rate=0.5, quality="gate", quality_threshold=0.8)
    with pytest.raises(apmsim.InvalidInput, match=r"quality: expected a quality score .* for .*components\[1\]"):
        apmsim.PaymentModel("m", [apmsim.FeeForService(), gate])
    with pytest.raises(apmsim.InvalidInput, match=r"quality"):
        apmsim.PaymentModel("m", [apmsim.FeeForService()], quality={"fixed": 0.9})
    with pytest.raises(apmsim.InvalidInput, match=r"quality_threshold"):
        apmsim.SharedSavings(benchmark={"pmpm": 4000}, sharing_rate=0.5, quality_threshold=0.8)
    # With a score, the gate decides: a fixed 0.7 below the 0.8 threshold pays nothing.
    s = program(100, models=[apmsim.PaymentModel("gated", [apmsim.FeeForService(), gate], quality={"fixed": 0.7})])
    r = apmsim.run(s, trials=20, seed=SEED)
    assert np.all(r.payments.metric("gated", "shared_savings") == 0)
    assert np.any(r.payments.metric("gated", "savings_rate") > 0)


# --- Item 7: corridor-based sharing counts in the error rates --------------------------------

def test_reach_corridor_on_a_target_counts_as_savings_paid_and_false_reward():
    s = program(600)
    expected = sum(tier_pmpm(s, CATEGORIES)[t] * n for t, n in zip(s.tiers, (150, 300, 150))) / 600
    s.payment_models = [apmsim.PaymentModel("reach", [
        apmsim.FeeForService(), apmsim.RiskCorridor(preset="reach_global", basis="shared", target={"pmpm": expected})])]
    r = apmsim.run(s, trials=300, seed=SEED)
    ind = r.payments.indicators().loc[("reach", 1)]
    base = r.payments.metric("reach", "corridor_transfer", arm="baseline")[:, 0]
    prog = r.payments.metric("reach", "corridor_transfer")[:, 0]
    assert ind["p_savings_paid"] == pytest.approx(np.mean(prog > 0))
    assert ind["p_losses_owed"] == pytest.approx(np.mean(prog < 0))
    assert ind["p_false_reward"] == pytest.approx(np.mean(base > 0))
    # A target at the expected cost rewards the program-less baseline about half the time.
    assert 0.3 < ind["p_false_reward"] < 0.7


# --- Item 8: exact zeros where the cash flow is zero -----------------------------------------

def test_a_party_paid_at_cost_has_a_net_of_exactly_zero():
    s = apmsim.Scenario.default_cmc_program(members=300, years=2)
    r = apmsim.run(s, trials=100, seed=SEED)
    net = r.payments.samples("fee_for_service", "other_providers")
    assert np.all(net == 0.0)
    row = r.payments.summary().loc[("fee_for_service", "intervention", 0, "other_providers", "net")]
    assert row["p_negative"] == 0.0


# --- Item 9: risk measures on the side that hurts --------------------------------------------

def test_net_results_report_the_worst_outcomes():
    s = apmsim.Scenario.default_cmc_program(members=300, years=2)
    r = apmsim.run(s, trials=200, seed=SEED)
    net = r.payments.samples("ffs_shared_risk_glide_path", "provider").sum(axis=1)
    row = r.payments.summary().loc[("ffs_shared_risk_glide_path", "intervention", 0, "provider", "net")]
    assert row["adverse_tail"] == "lower"
    assert row["p05"] == pytest.approx(np.quantile(net, 0.05), rel=1e-12)
    assert row["expected_shortfall_95"] == pytest.approx(net[net <= np.quantile(net, 0.05)].mean(), rel=1e-12)
    assert row["expected_shortfall_95"] < row["p05"] < row["mean"]
    cost = r.payments.summary().loc[("ffs_shared_risk_glide_path", "intervention", 0, "provider", "delivery_cost")]
    assert cost["adverse_tail"] == "upper" and cost["expected_shortfall_95"] > cost["p95"]
    x = np.arange(1.0, 101.0)
    assert apmsim.stats.summarize(x, adverse_tail="lower")["expected_shortfall_95"] == 3.0
    assert apmsim.stats.summarize(x)["expected_shortfall_95"] == 98.0
    with pytest.raises(apmsim.InvalidInput, match="adverse_tail"):
        apmsim.stats.summarize(x, adverse_tail="left")


# --- Item 10: in-place edits are refused, whole assignments work ----------------------------

def test_in_place_edits_are_refused_and_whole_assignments_work():
    s = apmsim.Scenario.default_cmc_program(members=50, years=2)
    with pytest.raises(TypeError, match="assign the whole attribute"):
        s.payment_models.append(s.payment_models[0])
    with pytest.raises(TypeError, match="assign the whole attribute"):
        s.settings["trials"] = 7
    with pytest.raises(TypeError, match="assign the whole attribute"):
        s.delivery["provider_share"]["inpatient"] = 0.5
    with pytest.raises(TypeError, match="build a new model"):
        s.payment_models[0].components.append({"type": "fee_for_service"})
    settings = apmsim.thaw(s.settings)
    settings["trials"] = 7
    s.settings = settings
    delivery = apmsim.thaw(s.delivery)
    delivery["provider_share"]["inpatient"] = 0.5
    s.delivery = delivery
    s.payment_models = list(s.payment_models)[:1]
    assert s.settings["trials"] == 7 and s.delivery["provider_share"]["inpatient"] == 0.5
    assert len(s.payment_models) == 1 and apmsim.run(s).trials == 7
    bad = apmsim.thaw(s.settings)
    bad["trials"] = 0
    with pytest.raises(apmsim.InvalidInput, match="settings.trials"):
        s.settings = bad


# --- Item 11: small things -------------------------------------------------------------------

def test_default_program_without_models_keeps_its_delivery_basis():
    with_models = apmsim.Scenario.default_cmc_program(members=50, years=1)
    without = apmsim.Scenario.default_cmc_program(members=50, years=1, payment_models=False)
    assert without.delivery == with_models.delivery and len(without.payment_models) == 0
    one_year = apmsim.Scenario.default_cmc_program(members=50, years=1)
    glide = [c["type"] for c in one_year.payment_models[2].components]
    assert "shared_risk" not in glide  # the glide path's shared risk starts in year 2


def test_cli_help_equals_form_and_output_checked_first(tmp_path, bundled_scenario_path):
    cli = os.environ.get("APMSIM_CLI")
    if not cli:
        pytest.skip("APMSIM_CLI is not set")
    run = lambda *a: subprocess.run([cli, *a], capture_output=True, text=True, timeout=120, check=False)
    assert run("run", "--help").returncode == 0
    p = run("run", str(bundled_scenario_path), "--trials=3", "--threads", "50")
    assert p.returncode == 0 and "50 threads requested, 3 used" in p.stderr
    assert "ES95" in p.stdout and "P(sav. paid)" in p.stdout
    out = tmp_path / "r.json"
    p = run("run", str(bundled_scenario_path), "--trials=3", "--calibration-trials=40", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["payment_models"]["calibration"]["trials"] == 40
    p = run("run", str(bundled_scenario_path), "--calibration-trials", "0")
    assert p.returncode == 2 and "--calibration-trials: expected a whole number from 1 to 10000000" in p.stderr
    p = run("run", str(bundled_scenario_path), "--trials=4000000000", "--out", str(tmp_path / "missing" / "r.json"))
    assert p.returncode == 2 and "expected a path in an existing folder" in p.stderr


# --- Item 12: the MSR's cv ---------------------------------------------------------------------

def test_confidence_interval_msr_uses_the_within_tier_cv_unless_told():
    s = program(600)
    mix = dict(zip(s.tiers, (0.25, 0.5, 0.25)))
    moments = {t: s.member_year_moments(t) for t in s.tiers}
    mean = sum(mix[t] * moments[t]["mean"] for t in s.tiers)
    within = math.sqrt(sum(mix[t] * moments[t]["variance"] for t in s.tiers)) / mean
    total = math.sqrt(sum(mix[t] * (moments[t]["variance"] + moments[t]["mean"] ** 2) for t in s.tiers) - mean ** 2) / mean
    z = 1.6448536269514722
    benchmark = mean / 12 * 1.02

    def settled(cv):
        msr = {"method": "confidence_interval", "confidence": 0.9, "sides": "two", "cv": cv}
        return apmsim.PaymentModel(cv, [apmsim.FeeForService(), apmsim.SharedSavings(
            benchmark={"pmpm": benchmark}, sharing_rate=0.5, minimum_savings_rate=msr)])

    s.payment_models = [settled("within_tier"), settled("total")]
    r = apmsim.run(s, trials=300, seed=SEED)
    members = r.samples("members", "intervention")[:, 0]
    rate = r.payments.metric("total", "savings_rate")[:, 0]
    for name, cv in (("within_tier", within), ("total", total)):
        msr = z * cv / np.sqrt(members)
        paid = r.payments.metric(name, "shared_savings")[:, 0] > 0
        np.testing.assert_array_equal(paid, rate >= msr)
    assert within < total  # the between-tier variance is not noise for a fixed tier mix
    assert 10.0 / 100 < z * within / math.sqrt(600) < 11.0 / 100


def test_confidence_interval_msr_on_some_categories_uses_their_cv():
    """A contract measuring inpatient cost only (or inpatient and pharmacy) takes the cv of
    that cost: Var = sum_c Var S_c + frailty_cv^2 sum_{c != d} m_c mu_c m_d mu_d (the shared
    frailty), per tier, mixed within tiers. 0.7 used the whole cost's cv (the chance of paying
    savings by luck on an inpatient-only contract was 21% against the 10% intended)."""
    s = program(600)
    mix = dict(zip(s.tiers, (0.25, 0.5, 0.25)))
    v = s.to_dict()["cost_model"]["frailty_cv"] ** 2
    z = 1.6448536269514722

    def within_cv(categories):
        mean = variance = 0.0
        for t in s.tiers:
            cells = s.member_year_moments(t)["categories"]
            m = [cells[c][0] for c in categories]
            mean += mix[t] * sum(m)
            variance += mix[t] * (sum(cells[c][1] for c in categories) + v * (sum(m) ** 2 - sum(x * x for x in m)))
        return math.sqrt(variance) / mean, mean

    cases = {"inpatient": ["inpatient"], "inpatient_pharmacy": ["inpatient", "pharmacy"]}

    def settled(name):
        cv, mean = within_cv(cases[name])
        return apmsim.PaymentModel(name, [apmsim.FeeForService(), apmsim.SharedSavings(
            benchmark={"pmpm": mean / 12 * 1.02}, sharing_rate=0.5, categories=cases[name],
            minimum_savings_rate={"method": "confidence_interval", "confidence": 0.9, "sides": "two"})])

    s.payment_models = [settled(name) for name in cases]
    r = apmsim.run(s, trials=300, seed=SEED)
    members = r.samples("members", "intervention")[:, 0]
    whole = s.member_year_moments(s.tiers[0])["mean"]
    for name in cases:
        cv, _ = within_cv(cases[name])
        rate = r.payments.metric(name, "savings_rate")[:, 0]
        paid = r.payments.metric(name, "shared_savings")[:, 0] > 0
        np.testing.assert_array_equal(paid, rate >= z * cv / np.sqrt(members))
        assert 0 < rate.mean() and paid.any() and not paid.all(), name  # the test can tell the rates apart
    assert whole > 0


# --- Item 13: payments do not depend on the trial count --------------------------------------

def test_payments_with_stop_loss_and_truncation_do_not_depend_on_the_trial_count():
    s = apmsim.Scenario.default_cmc_program(members=200, years=2)
    few, many = apmsim.run(s, trials=6, seed=SEED), apmsim.run(s, trials=25, seed=SEED)
    for model in s.payment_models:
        for party in PARTIES:
            np.testing.assert_array_equal(few.payments.samples(model.name, party), many.payments.samples(model.name, party)[:6])
    assert few.payments.calibration_trials == 500
    assert few.payments.calibration().equals(many.payments.calibration())


# --- Item 14: member risk scores scale expected cost within a tier ---------------------------

def member_list_scenario(members=400, spread=0.8):
    d = apmsim.Scenario.default_cmc_program(members=members, years=1, payment_models=False).to_dict()
    rng = np.random.default_rng(5)
    tiers = ["A"] * (members // 4) + ["B"] * (members // 2) + ["C"] * (members - members // 4 - members // 2)
    scores = rng.lognormal(-spread ** 2 / 2, spread, members)
    d["population"] = {"members": {
        "id": list(range(members)), "tier": tiers, "age_band": ["5-9"] * members, "sex": ["F"] * members,
        "risk_score": scores.tolist(), "months": [[12]] * members}}
    return d, np.array(tiers), scores


def test_member_risk_scores_scale_expected_cost_within_the_tier():
    d, tiers, scores = member_list_scenario()
    s = apmsim.Scenario.from_dict(d)
    r = apmsim.run(s, trials=400, seed=SEED, member_detail=True)
    cost = r.member_costs[0, :, 0, :].mean(axis=0)  # baseline, mean over trials
    for tier in s.tiers:
        m = tiers == tier
        relative = scores[m] / scores[m].mean()
        # Budget neutral: the tier's mean cost is its closed-form mean within 4 standard
        # errors; the relative scores (variance e^0.64 - 1 = 0.9) add at most about
        # 0.9 mean^2 to a member's variance, so mean^2 on top is generous.
        # Year 1 carries one year of the 4% trend.
        mo = s.member_year_moments(tier)
        mean = mo["mean"] * 1.04
        se = 1.04 * math.sqrt((mo["variance"] + mo["mean"] ** 2) / (400 * m.sum()))
        assert abs(cost[m].mean() - mean) < 4 * se, tier
        # Each member's expected cost is proportional to its relative score: the slope of
        # cost / tier mean on the relative score is 1 (least squares through the origin).
        slope = np.sum(relative * cost[m] / mean) / np.sum(relative ** 2)
        assert slope == pytest.approx(1.0, abs=0.1), tier
        assert np.corrcoef(relative, cost[m])[0, 1] > 0.5, tier


def test_exact_pool_distribution_refuses_scores_that_vary_within_a_tier():
    d, _, _ = member_list_scenario(members=40)
    d["cost_model"]["frailty_cv"] = 0
    d["cost_model"]["trend"] = {"mean": 0.04, "sd": 0}
    del d["intervention"]
    d.get("delivery", {}).pop("program_cost_borne_by", None)  # no intervention, no program cost to bear
    s = apmsim.Scenario.from_dict(d)
    with pytest.raises(apmsim.InvalidInput, match="population.members.risk_score"):
        apmsim.pool_distribution(s)


# --- Property: every party's net recomputed independently ------------------------------------

CARE = ["provider", "pcp", "other_providers"]
CORRIDOR_BANDS = [{"from": 0, "to": 0.02, "keep": 1}, {"from": 0.02, "to": 0.1, "keep": 0.6}, {"from": 0.1, "to": None, "keep": 0.3}]


def kept(d, bands):
    return sum(b["keep"] * max(0.0, min(d, math.inf if b["to"] is None else b["to"]) - b["from"]) for b in bands)


def resolve(spec, category, fallback):
    if isinstance(spec, dict):
        return spec.get(category, spec.get("default", fallback))
    return fallback if spec is None else spec


class Inputs:
    """The settlement inputs of one arm, from the simulation's tidy outputs only."""

    def __init__(self, s, r, arm):
        self.allowed = {c: r.samples("total_cost", arm, category=c) for c in s.categories}
        self.total = sum(self.allowed.values())
        self.tier_months = {t: r.samples("member_months", arm, tier=t) for t in s.tiers}
        self.months = r.samples("member_months", arm)
        self.members = r.member_costs[r.arms.index(arm)]  # (trials, years, members)
        dl = s.delivery
        self.share = {c: {} for c in s.categories}
        self.ratio = {c: {} for c in s.categories}
        for c in s.categories:
            self.share[c]["provider"] = resolve(dl.get("provider_share"), c, 1.0)
            self.share[c]["pcp"] = resolve(dl.get("pcp_share"), c, 0.0)
            self.share[c]["other_providers"] = 1.0 - self.share[c]["provider"] - self.share[c]["pcp"]
            self.ratio[c] = {"provider": resolve(dl.get("provider_cost_ratio"), c, 1.0),
                             "pcp": resolve(dl.get("pcp_cost_ratio"), c, 1.0), "other_providers": 1.0}
        bearer = dl.get("program_cost_borne_by", {})
        self.program = {p: 0.0 for p in CARE}
        if arm == "intervention":
            for k in r.program_cost_items:
                self.program[bearer.get(k, "provider")] = self.program[bearer.get(k, "provider")] + \
                    r.samples("program_cost", arm, item=k)


def random_model(rng, name, categories, tiers):
    """A payment basis (fee-for-service, capitation or both) and 1-3 other components;
    returns the components as (type, terms) and the apmsim model."""
    spec = []
    basis = rng.integers(4)
    subset = sorted(rng.choice(categories, size=int(rng.integers(1, len(categories))), replace=False).tolist())
    cap_party = str(rng.choice(["provider", "pcp"]))
    cap_pmpm = {t: float(rng.uniform(500, 9000)) for t in tiers}
    if basis in (1, 2):
        spec.append(("capitation", dict(pmpm=cap_pmpm, party=cap_party, fee_multiplier=float(rng.uniform(0.8, 1.2)),
                                         categories=categories if basis == 1 else subset)))
    if basis == 3:
        spec.append(("fee_for_service", dict(fee_multiplier=float(rng.uniform(0.8, 1.3)), categories=subset)))
    if basis != 1:
        spec.append(("fee_for_service", dict(fee_multiplier=float(rng.uniform(0.8, 1.3)))))
    # Shared savings and risk measure what is not capitated to their party; stop-loss insures
    # what is (here all of it: the member totals the recomputation has are over all categories).
    provider_capitated = categories if basis == 1 else subset if basis == 2 else []
    if cap_party != "provider":
        provider_capitated = []
    measured = [c for c in categories if c not in provider_capitated]
    extras = ["care_management_fee", "target_corridor"]
    if measured:
        extras += ["shared_savings", "shared_risk"]
    if basis == 1 and cap_party == "provider":
        extras += ["capitation_corridor", "specific_stop_loss", "aggregate_stop_loss"]
    for kind in rng.choice(extras, size=min(len(extras), int(rng.integers(1, 5 - len(spec)))), replace=False):
        benchmark = {"pmpm": float(rng.uniform(3000, 4500))}
        if kind == "care_management_fee":
            spec.append((kind, dict(party=str(rng.choice(["provider", "pcp"])), pmpm=float(rng.uniform(10, 200)))))
        elif kind == "shared_savings":
            spec.append((kind, dict(benchmark=benchmark, sharing_rate=float(rng.uniform(0.2, 0.8)), categories=measured,
                                    minimum_savings_rate=float(rng.uniform(0, 0.05)), savings_cap=float(rng.uniform(0.02, 0.2)))))
        elif kind == "shared_risk":
            spec.append((kind, dict(benchmark=benchmark, sharing_rate=float(rng.uniform(0.2, 0.8)), categories=measured,
                                    minimum_savings_rate=float(rng.uniform(0, 0.05)), minimum_loss_rate=float(rng.uniform(0, 0.05)),
                                    loss_rate=float(rng.uniform(0.1, 0.6)), loss_limit_benchmark=float(rng.uniform(0.01, 0.1)))))
        elif kind == "target_corridor":
            spec.append(("risk_corridor", dict(target=benchmark, basis="shared", bands=CORRIDOR_BANDS)))
        elif kind == "capitation_corridor":
            spec.append(("risk_corridor", dict(preset="aca")))
        elif kind == "specific_stop_loss":
            spec.append((kind, dict(attachment=float(rng.uniform(50_000, 300_000)), coinsurance=float(rng.uniform(0.5, 1)),
                                    loading=float(rng.uniform(0, 0.3)), expected_recoveries_pmpm=float(rng.uniform(50, 500)))))
        else:
            spec.append((kind, dict(attachment_ratio=float(rng.uniform(0.9, 1.2)), coinsurance=float(rng.uniform(0.5, 1)),
                                    expected_pmpm=float(rng.uniform(3000, 4500)), loading=float(rng.uniform(0, 0.3)),
                                    expected_recoveries_pmpm=float(rng.uniform(20, 200)))))
    classes = {t: getattr(apmsim, c) for t, c in apmsim.component_types().items()}
    return spec, apmsim.PaymentModel(name, [classes[t](**terms) for t, terms in spec])


def settle_independently(spec, x):
    """Each party's net (trials, years) and each comparing component's benchmark, from the
    settlement inputs `x` alone: revenue - payments - cost of delivering care and program."""
    zero = np.zeros_like(x.total)
    rev = {p: zero.copy() for p in PARTIES}
    pay = {p: zero.copy() for p in PARTIES}

    def transfer(a, b, amount):
        pay[a] = pay[a] + amount
        rev[b] = rev[b] + amount

    capitated, listed, received = {}, set(), {p: zero.copy() for p in CARE}
    for kind, t in spec:
        if kind == "capitation":
            for c in t["categories"]:
                capitated[c] = t["party"]
        if kind == "fee_for_service" and "categories" in t:
            listed.update(t["categories"])
    specific = sum(((np.maximum(x.members - t["attachment"], 0) * t["coinsurance"]).sum(axis=2)
                    for kind, t in spec if kind == "specific_stop_loss"), zero.copy())

    def recovered(kind, t):
        """What a stop-loss pays the provider: the aggregate layer on claims net of the specific one."""
        if kind == "specific_stop_loss":
            return (np.maximum(x.members - t["attachment"], 0) * t["coinsurance"]).sum(axis=2)
        return t["coinsurance"] * np.maximum(x.total - specific - t["attachment_ratio"] * t["expected_pmpm"] * x.months, 0)

    # A capitated corridor measures cost net of the provider's stop-loss recoveries (45 CFR 153.500).
    recoveries = sum((recovered(kind, t) for kind, t in spec if kind.endswith("stop_loss")), zero.copy())
    comparisons = {}
    for kind, t in spec:
        if kind == "fee_for_service":
            cats = t.get("categories") or [c for c in x.allowed if c not in capitated and c not in listed]
            for c in cats:
                for p in CARE:
                    transfer("payer", p, t["fee_multiplier"] * x.share[c][p] * x.allowed[c])
        elif kind == "capitation":
            q = t["party"]
            amount = sum(t["pmpm"][tier] * m for tier, m in x.tier_months.items())
            transfer("payer", q, amount)
            received[q] = received[q] + amount
            for c in t["categories"]:
                for p in CARE:
                    if p != q:
                        transfer(q, p, t["fee_multiplier"] * x.share[c][p] * x.allowed[c])
        elif kind == "care_management_fee":
            transfer("payer", t["party"], t["pmpm"] * x.months)
        elif kind in ("shared_savings", "shared_risk"):
            b = t["benchmark"]["pmpm"] * x.months
            s = b - sum(x.allowed[c] for c in t["categories"])
            comparisons[kind] = b
            paid = np.where((s > 0) & (s / b >= t["minimum_savings_rate"]), np.minimum(t["sharing_rate"] * s, t.get("savings_cap", np.inf) * b), 0)
            transfer("payer", "provider", paid)
            if kind == "shared_risk":
                owed = np.where((s < 0) & (-s / b >= t["minimum_loss_rate"]),
                                np.minimum(t["loss_rate"] * -s, t["loss_limit_benchmark"] * b), 0)
                transfer("provider", "payer", owed)
        elif kind == "risk_corridor" and "target" in t:
            target = t["target"]["pmpm"] * x.months
            comparisons["risk_corridor"] = target
            d = (target - x.total) / target
            amount = target * np.vectorize(lambda v: kept(abs(v), t["bands"]))(d)
            transfer("payer", "provider", np.where(d > 0, amount, 0))
            transfer("provider", "payer", np.where(d < 0, amount, 0))
        elif kind == "risk_corridor":
            target = received["provider"]
            comparisons["risk_corridor"] = target
            spent = sum(x.allowed[c] for c, q in capitated.items() if q == "provider") - recoveries
            d = (target - spent) / target
            amount = target * np.vectorize(lambda v: abs(v) - aca_kept(abs(v)))(d)
            transfer("provider", "payer", np.where(d > 0, amount, 0))
            transfer("payer", "provider", np.where(d < 0, amount, 0))
        elif kind.endswith("stop_loss"):
            transfer("reinsurer", "provider", recovered(kind, t))
            transfer("provider", "reinsurer", t["expected_recoveries_pmpm"] * x.months * (1 + t["loading"]))
    net = {}
    for p in PARTIES:
        cost = zero.copy()
        if p in CARE:
            cost = sum(x.share[c][p] * x.ratio[c][p] * x.allowed[c] for c in x.allowed) + x.program[p]
        net[p] = rev[p] - pay[p] - cost
    return net, comparisons


def test_random_combinations_settle_as_recomputed_independently():
    rng = np.random.default_rng(SEED)
    s = apmsim.Scenario.default_cmc_program(members=150, years=2, payment_models=False)
    specs, models = [], []
    for k in range(40):
        spec, model = random_model(rng, f"case_{k}", s.categories, s.tiers)
        specs.append(spec)
        models.append(model)
    s.payment_models = models
    r = apmsim.run(s, trials=30, seed=SEED, member_detail=True)
    kinds = set()
    for arm in r.arms:
        x = Inputs(s, r, arm)
        scale = x.total.max()
        for spec, model in zip(specs, models):
            kinds.update(kind + ("_on_target" if "target" in t else "") for kind, t in spec)
            net, comparisons = settle_independently(spec, x)
            for party in PARTIES:
                # Sums of a few dozen amounts of order 1e7 in another order: 1e-9 of the pool's cost.
                np.testing.assert_allclose(r.payments.samples(model.name, party, arm=arm), net[party],
                                           rtol=0, atol=1e-9 * scale, err_msg=f"{model!r} {party} {arm}")
            # Each comparison is the component's own, whatever else reports one.
            for label, benchmark in comparisons.items():
                np.testing.assert_allclose(r.payments.metric(model.name, "benchmark", arm=arm, component=label), benchmark,
                                           rtol=1e-12, err_msg=f"{model!r} {label}")
    assert len(kinds) == 9, kinds  # every kind of component met the others (quality withholds: their own test)


# --- Bad input for what issue 8 added ----------------------------------------------------------

@pytest.mark.parametrize("value, actual", [(0, "got 0"), (10_000_001, "got 10000001"), ("many", "got string")])
def test_bad_calibration_trials_name_the_setting(value, actual):
    d = apmsim.Scenario.default_cmc_program(members=20, years=1).to_dict()
    d["settings"]["calibration_trials"] = value
    with pytest.raises(apmsim.InvalidInput, match=rf"settings\.calibration_trials: expected .*{actual}"):
        apmsim.Scenario.from_dict(d)


def test_metric_names_a_comparing_component_or_refuses():
    s = apmsim.Scenario.default_cmc_program(members=50, years=1)
    p = apmsim.run(s, trials=3, seed=SEED).payments
    with pytest.raises(apmsim.InvalidInput, match=r"component: expected one of: shared_savings, got \"risk_corridor\""):
        p.metric("ffs_care_fee_shared_savings", "benchmark", component="risk_corridor")
    with pytest.raises(apmsim.InvalidInput, match=r"component: expected no component for the flow metric"):
        p.metric("ffs_care_fee_shared_savings", "shared_savings", component="shared_savings")
    with pytest.raises(apmsim.InvalidInput, match=r"metric: expected a model with a component that compares"):
        p.metric("fee_for_service", "benchmark")


# --- Stop-loss, shared savings and quality beside the others (review of session 10) ----------

def test_both_stop_loss_layers_never_recover_a_dollar_twice():
    # Specific from the first dollar (attachment 0, coinsurance 1) recovers every claim; the
    # aggregate layer attaches on what is left, nothing: recoveries equal the claims (they
    # were twice the claims when the aggregate measured gross claims).
    s = program(80, models=[apmsim.PaymentModel("m", [
        apmsim.Capitation(pmpm=3000),
        apmsim.SpecificStopLoss(attachment=0, coinsurance=1.0, expected_recoveries_pmpm=0),
        apmsim.AggregateStopLoss(attachment_ratio=0.0, coinsurance=1.0, expected_pmpm=3000, expected_recoveries_pmpm=0)])])
    r = apmsim.run(s, trials=5, seed=1)
    cost = r.samples("total_cost", "intervention")
    np.testing.assert_allclose(r.payments.metric("m", "stop_loss_recoveries"), cost, rtol=1e-12)


@pytest.mark.parametrize("components, where, says", [
    ([apmsim.FeeForService(), apmsim.SpecificStopLoss(attachment=50000)], r"components\[1\]\.categories",
     "stop-loss reimburses claims the insured party bears"),
    ([apmsim.Capitation(pmpm=300, categories=["professional"]), apmsim.FeeForService(),
      apmsim.SpecificStopLoss(attachment=100000), apmsim.RiskCorridor(preset="aca")], r"components\[2\]\.categories",
     'got "inpatient", not capitated to the provider'),
    ([apmsim.Capitation(pmpm=3900), apmsim.SharedSavings(benchmark={"pmpm": 3900}, sharing_rate=0.5)],
     r"components\[1\]\.categories", "its capitation already keeps their savings"),
    ([apmsim.Capitation(pmpm=3300), apmsim.SpecificStopLoss(attachment=100000),
      apmsim.RiskCorridor(preset="aca", target={"pmpm": 3300}, categories=["professional"])],
     r"components\[2\]\.categories", "measures cost net of those recoveries"),
])
def test_insurance_and_sharing_that_would_pay_for_a_dollar_twice_are_refused(components, where, says):
    s = program(50, models=[apmsim.PaymentModel("m", components)])
    with pytest.raises(apmsim.InvalidInput, match=where) as e:
        apmsim.run(s, trials=2)
    assert says in str(e.value)


def test_stop_loss_without_claims_risk_is_refused_by_the_cli(tmp_path, bundled_scenario_path, cli):
    d = json.loads(bundled_scenario_path.read_text())
    d["payment_models"] = [{"name": "ffs_insured", "components": [
        {"type": "fee_for_service"}, {"type": "specific_stop_loss", "attachment": 50000}]}]
    path = tmp_path / "insured.json"
    path.write_text(json.dumps(d))
    for command in (["validate", path], ["run", path, "--trials", "2", "--out", tmp_path / "r.json"]):
        p = cli(*command)
        assert p.returncode == 2, p.stderr
        assert "payment_models[0].components[1].categories: expected categories whose claims the provider pays" in p.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_quality_score_equal_to_the_threshold_meets_it():
    def paid(quality):
        m = apmsim.PaymentModel("m", [apmsim.FeeForService(), apmsim.SharedSavings(
            benchmark={"pmpm": 4500}, sharing_rate=0.5, quality="gate", quality_threshold=0.8)], quality=quality)
        return apmsim.run(program(300, models=[m]), trials=10, seed=9).payments.metric("m", "shared_savings")
    measured = paid({"measures": [{"name": "a", "weight": 1, "mean": 0.7}, {"name": "b", "weight": 2, "mean": 0.85}]})
    assert measured.max() > 0
    np.testing.assert_array_equal(measured, paid({"fixed": 0.8}))


def test_a_truncation_amount_keeps_benchmark_and_expenditure_level_every_year():
    # Year 1's amount, grown with the expected trend: the simulated base period (deflated by a
    # year of it) and every performance year are truncated at the same real threshold, so with
    # no program the benchmark matches expenditure in every year (with a flat amount the
    # benchmark ran 1.9% above expenditure by year 3: savings made by the contract alone).
    m = apmsim.PaymentModel("m", [apmsim.FeeForService(), apmsim.SharedSavings(
        benchmark={"baseline_pmpm": "simulated"}, truncation_amount=150000, sharing_rate=0.5)])
    s = program(300, years=3, models=[m])
    r = apmsim.run(s, trials=400, seed=5)
    g = s.cost_model["trend"]["mean"]
    points = r.payments.calibration().xs("truncation_point", level="quantity")["value"].to_numpy()
    np.testing.assert_allclose(points, [150000, 150000 * (1 + g), 150000 * (1 + g) ** 2], rtol=1e-15)
    ratio = r.payments.metric("m", "benchmark", arm="baseline") / r.payments.metric("m", "expenditure", arm="baseline")
    error = ratio.std(axis=0) / np.sqrt(ratio.shape[0])
    assert np.all(np.abs(ratio.mean(axis=0) - 1) < 4 * error), (ratio.mean(axis=0), error)


def test_the_minimum_loss_rate_follows_the_savings_rate_unless_given():
    risk = {"type": "shared_risk", "benchmark": {"pmpm": 3000}, "sharing_rate": 0.5, "minimum_savings_rate": 0.03, "loss_rate": 0.3}
    s = program(50, models=[apmsim.PaymentModel("m", [apmsim.FeeForService(), risk])])
    assert "minimum_loss_rate" not in s.to_dict()["payment_models"][0]["components"][1]
    varied = s.with_value("/payment_models/0/components/1/minimum_savings_rate", 0.05)
    assert varied.payment_models[0].components[1]["minimum_savings_rate"] == 0.05
    assert "minimum_loss_rate" not in varied.to_dict()["payment_models"][0]["components"][1]
    # Settled alike: the loss rate is the savings rate, 0.05, as when both are given.
    both = program(50, models=[apmsim.PaymentModel("m", [apmsim.FeeForService(), dict(risk, minimum_savings_rate=0.05,
                                                                                      minimum_loss_rate=0.05)])])
    a, b = apmsim.run(varied, trials=20, seed=3), apmsim.run(both, trials=20, seed=3)
    assert a.payments.metric("m", "shared_losses").max() > 0
    np.testing.assert_array_equal(a.payments.metric("m", "shared_losses"), b.payments.metric("m", "shared_losses"))
    given = dict(risk, minimum_loss_rate=0.01)
    assert apmsim.SharedRisk.from_dict(given).to_dict()["minimum_loss_rate"] == 0.01


def test_the_422_208_preset_covers_ninety_percent_above_the_deductible():
    assert apmsim.SpecificStopLoss(preset_422_208="combined").to_dict()["coinsurance"] == 0.9
    assert apmsim.SpecificStopLoss(preset_422_208="combined", coinsurance=1.0).to_dict()["coinsurance"] == 1.0
    assert apmsim.SpecificStopLoss(attachment=1000).to_dict()["coinsurance"] == 1.0


def test_a_simulated_benchmark_starts_from_year_one_whatever_the_other_models():
    """The base period is the years before the contract: every member in its year-1 tier
    (0.7 ran it forward through the tier transitions, so with rising risk the latest base
    years, weighted most, had drifted furthest from year 1: here +29% for base year 2, a
    saving paid with no program). Without program or trend, each model's benchmark is then
    the year-1 pool's expected cost, sum_t n_t lambda_t E[X], within 4 SE; and a model with
    one base year gets the same benchmark, trial by trial, alone or beside a model with three
    (0.7 gave it the last of the three)."""
    lam, mean_x = {"A": 1.0, "B": 0.4, "C": 0.1}, 10000.0
    doc = {
        "name": "drift", "years": 1, "tiers": ["A", "B", "C"], "categories": ["inpatient"],
        "population": {"generate": {"members": 300, "tier_mix": {"A": 0.1, "B": 0.3, "C": 0.6}}},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": 0.0, "sd": 0.0},
                       "tier_transitions": {"A": {"A": 1.0, "B": 0.0, "C": 0.0}, "B": {"A": 0.2, "B": 0.8, "C": 0.0},
                                            "C": {"A": 0.0, "B": 0.25, "C": 0.75}},
                       "cells": {"inpatient": {t: {"frequency": {"type": "poisson", "mean": lam[t]},
                                                   "severity": {"type": "gamma", "mean": mean_x, "cv": 1.0}} for t in lam}}},
        "settings": {"trials": 400, "seed": 3, "threads": 2, "calibration_trials": 50},
    }

    def model(name, weights):
        return {"name": name, "components": [{"type": "fee_for_service"}, {
            "type": "shared_savings", "benchmark": {"baseline_pmpm": "simulated", "base_year_weights": weights}, "sharing_rate": 0.5}]}

    alone = apmsim.run(apmsim.Scenario.from_dict({**doc, "payment_models": [model("one", [1.0])]}), progress=False)
    both = apmsim.run(apmsim.Scenario.from_dict({**doc, "payment_models": [model("three", [0.1, 0.3, 0.6]), model("one", [1.0])]}),
                      progress=False)
    np.testing.assert_array_equal(alone.payments.metric("one", "benchmark", "baseline", "shared_savings"),
                                  both.payments.metric("one", "benchmark", "baseline", "shared_savings"))
    heads = {t: both.samples("members", tier=t)[0, 0] for t in lam}
    expected = sum(heads[t] * lam[t] * mean_x for t in lam)
    for name in ("one", "three"):
        benchmark = both.payments.metric(name, "benchmark", "baseline", "shared_savings")[:, 0]
        se = benchmark.std(ddof=1) / math.sqrt(len(benchmark))
        assert abs(benchmark.mean() - expected) < 4 * se, (name, benchmark.mean(), expected, se)


def test_a_benchmark_list_runs_over_the_years_its_component_is_in_force():
    """A shared-savings component in force in years 2 and 3 with a benchmark of 4,000 then
    4,200 PMPM uses 4,000 in year 2 and 4,200 in year 3 (0.7 indexed the list by the
    horizon's year: 4,200 in both, the 4,000 without effect); a list longer than the years
    in force (values that could have no effect) is refused with its path."""
    savings = {"type": "shared_savings", "years": [2, 3], "benchmark": {"pmpm": [4000, 4200]}, "sharing_rate": 0.5}
    s = program(members=100, years=3)
    doc = s.to_dict()
    doc["payment_models"] = [{"name": "later", "components": [{"type": "fee_for_service"}, savings]}]
    doc["settings"]["trials"] = 20
    r = apmsim.run(apmsim.Scenario.from_dict(doc), progress=False)
    months = r.samples("member_months", "intervention")
    benchmark = r.payments.metric("later", "benchmark", "intervention", "shared_savings")
    np.testing.assert_allclose(benchmark[:, 1:] / months[:, 1:], np.broadcast_to([4000.0, 4200.0], (20, 2)), rtol=1e-12)
    for years, values in (([2, 3], [4000, 4100, 4200]), (None, [1, 2, 3, 4])):
        bad = {**savings, "benchmark": {"pmpm": values}}
        if years is None:
            del bad["years"]
        doc["payment_models"] = [{"name": "later", "components": [{"type": "fee_for_service"}, bad]}]
        with pytest.raises(apmsim.InvalidInput) as e:
            apmsim.Scenario.from_dict(doc).validate()
        assert e.value.where == "payment_models[0].components[1].benchmark.pmpm", str(e.value)
        assert f"at most {3 if years is None else 2} PMPM(s): one per year the component is in force" in str(e.value)


def test_a_withhold_or_adjustment_without_a_basis_in_some_year_is_refused():
    """A performance adjustment takes a share of what the payer paid its party as the flows
    of its basis (default: care-management fees); a quality withhold of its fee-for-service,
    capitation or care fees. In a year when no component in force pays that, it can have no
    effect: 0.7 settled it as 0 (a capitation model's adjustment at a score of 0.95 paid
    nothing where +50% of the capitation was meant). Refused naming the component and the year."""
    cap = {"type": "capitation", "pmpm": {"A": 2600, "B": 1200, "C": 500}}
    adjustment = {"type": "performance_adjustment"}
    doc = program(members=50, years=2).to_dict()

    def check(components, where, year):
        doc["payment_models"] = [{"name": "m", "quality": {"fixed": 0.95}, "components": components}]
        with pytest.raises(apmsim.InvalidInput) as e:
            apmsim.Scenario.from_dict(doc).validate()
        assert e.value.where == where and f"none in year {year}" in str(e.value), str(e.value)

    check([cap, adjustment], "payment_models[0].components[1]", 1)
    check([cap, {"type": "quality_withhold", "party": "pcp", "rate": 0.02, "quality": "scale"}], "payment_models[0].components[1]", 1)
    check([{"type": "fee_for_service"}, {"type": "care_management_fee", "pmpm": 50, "years": [1]}, {**adjustment, "years": [2]}],
          "payment_models[0].components[2]", 2)
    # With the basis it means, the adjustment pays +50% of the capitation (rate at 0.95).
    doc["payment_models"] = [{"name": "m", "quality": {"fixed": 0.95}, "components": [cap, {**adjustment, "basis": ["capitation"]}]}]
    r = apmsim.run(apmsim.Scenario.from_dict(doc), trials=3, progress=False)
    paid = r.payments.metric("m", "performance_adjustment", "intervention")
    capitation = r.payments.metric("m", "capitation", "intervention")
    np.testing.assert_allclose(paid, 0.5 * capitation, rtol=1e-12)

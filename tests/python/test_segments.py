"""Population segments (population.segments, payment_models[].segment): a CMC program
inside a larger attributed population, settled on the segment or on the whole pool.

The pooling check is against the normal approximation: with independent members (no
frailty, trend or copula) the pool's annual cost S has mean E and variance V from the
closed-form member moments, and a one-sided shared savings paid from the first dollar
once savings reach the MSR m, against a benchmark of E, pays in the base case with
probability P(S < (1 - m) E) ~ Phi(-m E / sqrt(V)). The simulated false-reward
probability (the share of trials paid, binomial) must be within 4 standard errors of it,
for the CMC program alone and inside pools of 5,000 and 20,000."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import apmsim

CMC = 500
LAMBDA = {"A": 1.5, "N": 0.3}          # admissions per member-year
SEVERITY = {"A": 20000.0, "N": 5000.0}  # lognormal mean, cv 1
MSR = 0.03
TRIALS = 2000


def pooled(others: int, **extra) -> dict:
    doc = {
        "name": "pooled", "years": 1, "tiers": ["A", "N"], "categories": ["inpatient"],
        "population": {"members": {"tier": ["A"] * CMC + ["N"] * others, "months": 12},
                       "segments": {"cmc": ["A"], "other_children": ["N"]}},
        "cost_model": {"frailty_cv": 0.0, "trend": {"mean": 0.0, "sd": 0.0},
                       "cells": {"inpatient": {t: {"frequency": {"type": "poisson", "mean": LAMBDA[t]},
                                                   "severity": {"type": "lognormal", "mean": SEVERITY[t], "cv": 1.0}}
                                               for t in LAMBDA}}},
        "settings": {"trials": TRIALS, "seed": 5, "threads": 2},
    }
    doc.update(extra)
    return doc


def moments(tier: str) -> tuple[float, float]:
    """Mean and variance of a member-year: compound Poisson, E[X^2] = mean^2 (1 + cv^2)."""
    return LAMBDA[tier] * SEVERITY[tier], LAMBDA[tier] * SEVERITY[tier] ** 2 * 2.0


def shared_savings_model(name: str, members: dict, segment=None) -> dict:
    expected = sum(n * moments(t)[0] for t, n in members.items())
    pmpm = expected / (12 * sum(members.values()))
    model = {"name": name, "components": [
        {"type": "fee_for_service"},
        {"type": "shared_savings", "benchmark": {"pmpm": pmpm}, "sharing_rate": 0.5, "minimum_savings_rate": MSR}]}
    if segment:
        model["segment"] = segment
    return model


def normal_false_reward(members: dict) -> float:
    e = sum(n * moments(t)[0] for t, n in members.items())
    v = sum(n * moments(t)[1] for t, n in members.items())
    return 0.5 * math.erfc(MSR * e / math.sqrt(v) / math.sqrt(2))


@pytest.mark.parametrize("others", [4500, 19500])
def test_false_reward_falls_with_pool_size_as_the_normal_approximation_says(others):
    doc = pooled(others, payment_models=[shared_savings_model("cmc_alone", {"A": CMC}, "cmc"),
                                         shared_savings_model("pooled", {"A": CMC, "N": others})])
    r = apmsim.run(apmsim.Scenario.from_dict(doc), progress=False)
    rates = r.payments.indicators()["p_false_reward"]
    measured = {"cmc_alone": rates[("cmc_alone", 1)], "pooled": rates[("pooled", 1)]}
    expected = {"cmc_alone": normal_false_reward({"A": CMC}), "pooled": normal_false_reward({"A": CMC, "N": others})}
    for model, p in expected.items():
        se = math.sqrt(p * (1 - p) / TRIALS)
        assert abs(measured[model] - p) < 4 * se, (model, measured[model], p, se)
    assert measured["pooled"] < measured["cmc_alone"] - 0.05


def test_a_segment_model_settles_its_segment_only():
    iv = {"name": "care", "effects": {"inpatient": {"mean": -0.1, "sd": 0.0}}, "program_cost_pmpm": {"team": 50.0},
          "target_tiers": ["A"]}
    ffs = lambda name, segment=None: dict({"name": name, "components": [{"type": "fee_for_service"}]},  # noqa: E731
                                          **({"segment": segment} if segment else {}))
    doc = pooled(1000, intervention=iv, payment_models=[ffs("whole"), ffs("cmc", "cmc"), ffs("others", "other_children")])
    doc["settings"]["trials"] = 50
    r = apmsim.run(apmsim.Scenario.from_dict(doc), progress=False)
    p = r.payments
    for arm in ("baseline", "intervention"):
        cost_a = r.samples("total_cost", arm, tier="A")[:, 0]
        cost_n = r.samples("total_cost", arm, tier="N")[:, 0]
        # Fee-for-service: the payer pays the allowed cost of the members it covers.
        np.testing.assert_allclose(p.samples("cmc", "payer", "net", arm)[:, 0], -cost_a, rtol=1e-12)
        np.testing.assert_allclose(p.samples("others", "payer", "net", arm)[:, 0], -cost_n, rtol=1e-12)
        np.testing.assert_allclose(p.samples("whole", "payer", "net", arm)[:, 0], -(cost_a + cost_n), rtol=1e-12)
    # The program's cost (borne by the provider) belongs to the segment that holds its tiers.
    program = r.samples("program_cost", "intervention")[:, 0]
    np.testing.assert_array_equal(program, 50.0 * 12 * CMC)
    cost = {(m, arm): p.samples(m, "provider", "delivery_cost", arm)[:, 0]
            for m in ("whole", "cmc", "others") for arm in ("baseline", "intervention")}
    # Tier N is not in the program: the others' segment carries none of its cost ...
    np.testing.assert_array_equal(cost[("others", "intervention")], cost[("others", "baseline")])
    # ... and the segments add up to the whole population, program cost included.
    np.testing.assert_allclose(cost[("cmc", "intervention")] + cost[("others", "intervention")], cost[("whole", "intervention")], rtol=1e-12)
    assert np.all(cost[("cmc", "intervention")] - cost[("cmc", "baseline")] > 50.0 * 12 * CMC - r.samples("savings", tier="A")[:, 0] - 1e-6)


def test_python_payment_model_takes_a_segment_and_round_trips():
    m = apmsim.PaymentModel("cmc", [apmsim.FeeForService()], segment="cmc")
    assert m.segment == "cmc"
    assert apmsim.PaymentModel.from_dict(m.to_dict()) == m
    s = apmsim.Scenario.from_dict(pooled(10))
    s.payment_models = [m]
    back = apmsim.Scenario.from_dict(s.to_dict())
    assert back == s
    assert back.to_dict()["population"]["segments"] == {"cmc": ["A"], "other_children": ["N"]}


def bad(edit):
    doc = copy.deepcopy(pooled(10, payment_models=[{"name": "m", "components": [{"type": "fee_for_service"}], "segment": "cmc"}]))
    edit(doc)
    return doc


@pytest.mark.parametrize("edit, path, words", [
    (lambda d: d["population"]["segments"].update(other_children=["N", "A"]), "population.segments.other_children[1]", "already in cmc"),
    (lambda d: d["population"]["segments"].update(other_children=["Z"]), "population.segments.other_children[0]", "a tier of the cost model"),
    (lambda d: d["population"]["segments"].pop("other_children"), "population.segments", "1 segment"),
    (lambda d: d["population"]["segments"].update(other_children=[], cmc=["A", "N"]), "population.segments.other_children", "empty"),
    (lambda d: d["population"].update(segments={"cmc": ["A"], "x": ["A"], "y": ["N"]}), "population.segments.x[0]", "already in cmc"),
    (lambda d: d["payment_models"][0].update(segment="adults"), "payment_models[0].segment", "one of: cmc, other_children"),
    (lambda d: d["population"].pop("segments"), "payment_models[0].segment", "no population.segments"),
    (lambda d: d["payment_models"][0].update(segment=""), "payment_models[0].segment", "a segment name"),
])
def test_bad_segments_are_refused_naming_the_json_path(edit, path, words):
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.run(apmsim.Scenario.from_dict(bad(edit)), progress=False, trials=2)
    assert path in str(e.value) and words in str(e.value), str(e.value)


def test_a_segment_must_hold_all_or_none_of_the_programs_tiers():
    doc = pooled(10, payment_models=[{"name": "m", "components": [{"type": "fee_for_service"}], "segment": "cmc"}])
    doc["tiers"] = ["A", "B", "N"]
    doc["population"]["members"]["tier"] = ["A", "B", "N"]
    doc["population"]["segments"] = {"cmc": ["A"], "other_children": ["B", "N"]}
    doc["cost_model"]["cells"]["inpatient"]["B"] = doc["cost_model"]["cells"]["inpatient"]["A"]
    doc["intervention"] = {"name": "care", "effects": {"inpatient": {"mean": -0.1}}, "target_tiers": ["A", "B"]}
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, trials=2)
    assert "payment_models[0].segment" in str(e.value) and "holds 1 of its 2" in str(e.value)


def with_other_tier(doc: dict, others: int) -> dict:
    """`doc` with a tier "N" of `others` members (tier C's cells at a fifth of the counts) and
    segments cmc / other_children; every payment model on the cmc segment (whose terms by tier
    name the cmc tiers only)."""
    doc = copy.deepcopy(doc)
    doc["tiers"] = doc["tiers"] + ["N"]
    for by_tier in doc["cost_model"]["cells"].values():
        cell = copy.deepcopy(by_tier["C"])
        cell["frequency"]["mean"] *= 0.2
        by_tier["N"] = cell
    if not others:  # tier N has no members: terms by tier still need a value for it
        for m in doc["payment_models"]:
            for c in m["components"]:
                if isinstance(c.get("pmpm"), dict) and "default" not in c["pmpm"]:
                    c["pmpm"]["N"] = 0.0
    if others:
        doc["population"]["members"]["tier"] += ["N"] * others
        doc["population"]["segments"] = {"cmc": ["A", "B", "C"], "other_children": ["N"]}
        doc["intervention"]["target_tiers"] = ["A", "B", "C"]
        for m in doc["payment_models"]:
            m["segment"] = "cmc"
    return doc


def test_every_component_on_a_segment_settles_as_the_segment_alone():
    """Members draw their numbers by position, so the CMC members listed first have the same
    costs with or without 2,000 other children after them: every model of the bundled
    comparison (capitation, corridors, shared savings and risk with simulated benchmarks and
    truncation, stop-loss with calibrated premiums, quality) settled on the CMC segment gives
    the results of the CMC members alone, trial by trial."""
    path = __import__("conftest").source_dir() / "examples" / "scenarios" / "payment_models_compared.json"
    doc = __import__("json").loads(path.read_text())
    tiers = [t for t, n in zip(("A", "B", "C"), (100, 200, 100)) for _ in range(n)]
    doc["population"] = {"members": {"tier": tiers, "months": 12}}
    doc["years"] = 2
    doc["settings"] = {"trials": 40, "seed": 3, "threads": 2, "calibration_trials": 60}
    for m in doc["payment_models"]:
        for c in m["components"]:
            c.pop("years", None) if c.get("years") and max(c["years"]) > 2 else None
    alone = apmsim.run(apmsim.Scenario.from_dict(with_other_tier(doc, 0)), progress=False)
    pooled = apmsim.run(apmsim.Scenario.from_dict(with_other_tier(doc, 2000)), progress=False)
    assert alone.payments.models == pooled.payments.models and len(alone.payments.models) >= 4
    for model in alone.payments.models:
        for party in apmsim.PaymentResults.parties:
            for arm in ("baseline", "intervention"):
                for measure in ("revenue", "payments", "delivery_cost", "net"):
                    np.testing.assert_allclose(pooled.payments.samples(model, party, measure, arm),
                                               alone.payments.samples(model, party, measure, arm), rtol=1e-12, atol=1e-6,
                                               err_msg=f"{model} {party} {measure} {arm}")
    np.testing.assert_array_equal(pooled.payments.calibration().to_numpy(), alone.payments.calibration().to_numpy())


def test_terms_by_tier_of_a_segment_model_name_its_tiers_only():
    ffs = {"type": "fee_for_service"}
    fee = {"type": "care_management_fee", "pmpm": {"A": 30.0, "N": 5.0}}
    doc = pooled(10, payment_models=[{"name": "m", "components": [ffs, fee], "segment": "cmc"}])
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, trials=2)
    assert "payment_models[0].components[1].pmpm.N" in str(e.value) and "a tier of the model's segment (A)" in str(e.value)
    del fee["pmpm"]["N"]
    r = apmsim.run(apmsim.Scenario.from_dict(doc), progress=False, trials=3)
    months = r.samples("member_months", tier="A")[:, 0]
    np.testing.assert_allclose(r.payments.metric("m", "care_management_fees")[:, 0], 30.0 * months, rtol=1e-12)


def test_churn_rising_risk_segments_and_federal_match_together():
    """Every population term of issue 12 at once: churn, a program that prevents rising
    risk, a model on the CMC segment and one on the pool, and a federal match. Cash paid is
    cash received across the five parties, state + federal = payer, and the pool's model is the
    segments' sum under fee-for-service."""
    doc = pooled(300, years=2)
    doc["tiers"] = ["A", "B", "N"]
    doc["population"]["members"]["tier"] = ["A"] * 100 + ["B"] * 200 + ["N"] * 300
    doc["population"]["segments"] = {"cmc": ["A", "B"], "other_children": ["N"]}
    doc["population"]["churn"] = {"monthly_exit": 0.01}
    doc["cost_model"]["cells"]["inpatient"]["B"] = {"frequency": {"type": "poisson", "mean": 0.8},
                                                    "severity": {"type": "lognormal", "mean": 15000, "cv": 1.0}}
    doc["cost_model"]["tier_transitions"] = {"A": {"A": 0.9, "B": 0.1}, "B": {"A": 0.1, "B": 0.9}, "N": {"N": 1.0}}
    doc["intervention"] = {"name": "care", "target_tiers": ["A", "B"], "upward_transition_change": {"mean": -0.3, "sd": 0.1},
                           "program_cost_pmpm": {"team": 40.0}}
    ffs = [{"type": "fee_for_service"}]
    doc["payment_models"] = [{"name": "cmc", "components": ffs, "segment": "cmc"},
                             {"name": "others", "components": ffs, "segment": "other_children"},
                             {"name": "pool", "components": ffs}]
    doc["federal_match"] = {"fmap": 0.6}
    doc["settings"]["trials"] = 30
    r = apmsim.run(apmsim.Scenario.from_dict(doc), progress=False)
    p = r.payments
    for arm in ("baseline", "intervention"):
        for model in ("cmc", "others", "pool"):
            flows = sum(p.samples(model, party, "revenue", arm) - p.samples(model, party, "payments", arm)
                        for party in apmsim.PaymentResults.parties)
            np.testing.assert_allclose(flows, 0.0, atol=1e-6 * np.abs(p.samples(model, "payer", "net", arm)).max())
            np.testing.assert_allclose(p.samples(model, "payer_state", "net", arm) + p.samples(model, "payer_federal", "net", arm),
                                       p.samples(model, "payer", "net", arm), rtol=1e-12)
        np.testing.assert_allclose(p.samples("cmc", "payer", "net", arm) + p.samples("others", "payer", "net", arm),
                                   p.samples("pool", "payer", "net", arm), rtol=1e-12)
    assert r.upward_transition_factors.shape == (30,)
    assert r.samples("member_months").std(axis=0).min() > 0  # churn makes the pool's size vary

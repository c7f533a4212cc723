"""Property-based tests (Hypothesis) over randomly generated valid scenarios and contracts.

Every scenario is the bundled default CMC program (Scenario.default_cmc_program) with its
size (1-300 members, 1-3 years), trend, frailty, severities (mean and cv per category),
delivery basis, federal match and payment models drawn at random; every contract is built
from the component classes with random terms (sharing rates, minimum savings and loss
rates, caps, benchmarks, corridor bands, stop-loss attachments, capitation PMPMs, quality
withholds...). Trials are kept small (5-40) so the file runs in about 35 s on 2 cores.

The properties: cash is conserved and each party's delivery cost is what the delivery
basis makes of the simulated costs; every number is finite; results are bit-identical
whatever the threads and when a run is split into trial ranges and merged; the JSON form
of a scenario round-trips exactly; shared savings are zero below the MSR and
non-decreasing in savings up to the cap (and shared losses likewise); a capitated
provider's net result never rises with cost; extreme but valid inputs give finite answers
or a clear InvalidInput.

Reproducible in CI: every test uses a database-less, derandomized Hypothesis profile, and
states its number of examples in its docstring.
"""
from __future__ import annotations

import copy
import json
import math
import os
import pickle
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import apmsim

CATEGORIES = ["inpatient", "emergency", "outpatient", "professional", "pharmacy", "home_health", "dme",
              "behavioral_health"]
TIERS = ["A", "B", "C"]
MIX = {"A": 0.25, "B": 0.5, "C": 0.25}
PROGRAM_ITEMS = ["care_team", "family_support", "care_coordination", "pcp_oversight"]
PARTIES = list(apmsim.PaymentResults.parties)  # the five ledger parties
MEASURES = ("revenue", "payments", "delivery_cost", "net")
# Indicators that are NaN by definition when a model pays nothing on performance (docs/glossary.md).
NAN_WHEN_NOT_APPLICABLE = {"p_false_reward", "p_false_penalty", "p_missed_reward", "p_penalty_despite_savings"}

# Reproducible: no example database, a fixed derivation of the examples from the test.
PROFILE = settings(database=None, derandomize=True, deadline=None, print_blob=False,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much])


def profile(examples: int) -> settings:
    return settings(PROFILE, max_examples=examples)


# --- Strategies ------------------------------------------------------------------------------

def grid(lo: float, hi: float, step: float) -> st.SearchStrategy[float]:
    """Numbers lo, lo + step, ..., hi (readable examples when a property fails)."""
    n = int(round((hi - lo) / step))
    return st.integers(0, n).map(lambda i: round(lo + i * step, 10))


def log_grid(lo_exp: float, hi_exp: float, per_decade: int = 4) -> st.SearchStrategy[float]:
    """Numbers from 10**lo_exp to 10**hi_exp, evenly spaced in log, three significant digits."""
    return st.integers(int(lo_exp * per_decade), int(hi_exp * per_decade)).map(
        lambda i: float(f"{10 ** (i / per_decade):.3g}"))


def lognormal_mean(severity: dict) -> float:
    return math.exp(severity["mu"] + 0.5 * severity["sigma"] ** 2)


def resolve(values, name: str, fallback: float) -> float:
    """A NamedValues term of the delivery basis for one category (docs/scenario-format.md)."""
    if values is None:
        return fallback
    if isinstance(values, (int, float)):
        return float(values)
    return float(values[name]) if name in values else float(values.get("default", fallback))


@st.composite
def cost_model_changes(draw, extreme: bool = False):
    """(trend, frailty_cv, {category: (mean factor or absolute mean, cv)}) for the default cost model."""
    if extreme:
        trend = {"mean": draw(grid(-0.5, 1.0, 0.05)), "sd": draw(grid(0.0, 0.08, 0.01))}
        frailty = draw(grid(0.0, 10.0, 0.25))
        severities = {c: ("absolute", draw(log_grid(-6, 7)), draw(log_grid(-1, 1))) for c in CATEGORIES}
    else:
        trend = {"mean": draw(grid(-0.05, 0.15, 0.01)), "sd": draw(grid(0.0, 0.05, 0.005))}
        frailty = draw(grid(0.0, 2.0, 0.1))
        severities = {c: ("factor", draw(log_grid(-0.7, 0.7, 10)), draw(grid(0.3, 4.0, 0.1))) for c in CATEGORIES}
    return trend, frailty, severities


def apply_cost_model(d: dict, trend: dict, frailty: float, severities: dict) -> None:
    cm = d["cost_model"]
    cm["trend"] = trend
    cm["frailty_cv"] = frailty
    for c, (how, value, cv) in severities.items():
        cells = cm["cells"][c]
        b_mean = lognormal_mean(cells["B"]["severity"])
        for t in TIERS:
            mean = lognormal_mean(cells[t]["severity"])
            mean = mean * value if how == "factor" else value * mean / b_mean  # keep the tiers' relativities
            cells[t]["severity"] = {"type": "lognormal", "mean": mean, "cv": cv}


def tier_pmpm(s: apmsim.Scenario) -> dict:
    """Closed-form expected allowed cost PMPM of each tier (base year, no program)."""
    return {t: s.member_year_moments(t)["mean"] / 12.0 for t in s.tiers}


def pool_pmpm(pmpm: dict) -> float:
    return sum(MIX[t] * pmpm[t] for t in TIERS)


@st.composite
def deliveries(draw, min_provider_cost_ratio: float = 0.5):
    provider_share, pcp_share = {}, {}
    for c in CATEGORIES:
        j = draw(st.integers(0, 20))
        provider_share[c] = j / 20
        pcp_share[c] = draw(st.integers(0, 20 - j)) / 20
    return {
        "provider_share": provider_share,
        "pcp_share": pcp_share,
        "provider_cost_ratio": {c: draw(grid(min_provider_cost_ratio, 2.0, 0.05)) for c in CATEGORIES},
        "pcp_cost_ratio": {c: draw(grid(0.5, 2.0, 0.05)) for c in CATEGORIES},
        "program_cost_borne_by": {i: draw(st.sampled_from(["provider", "pcp"])) for i in PROGRAM_ITEMS},
    }


@st.composite
def corridor_bands(draw):
    """Contiguous bands from 0, the last unbounded, with random keeps."""
    cuts = sorted(set(draw(st.lists(st.integers(1, 100), min_size=0, max_size=3))))
    edges = [0.0] + [k / 200 for k in cuts] + [None]
    return [{"from": a, "to": b, "keep": draw(grid(0.0, 1.0, 0.05))} for a, b in zip(edges, edges[1:])]


def minimum_rates():
    return st.one_of(
        grid(0.0, 0.5, 0.005),
        grid(0.0, 0.5, 0.01).map(lambda r: {"method": "fixed", "rate": r}),
        st.builds(lambda conf, sides, cv: {"method": "confidence_interval", "confidence": conf, "sides": sides, "cv": cv},
                  grid(0.5, 0.99, 0.01), st.sampled_from(["one", "two"]),
                  st.one_of(st.sampled_from(["within_tier", "total"]), grid(0.5, 5.0, 0.1))),
    )


@st.composite
def benchmarks(draw, pmpm: float):
    if draw(st.booleans()):
        b = {"pmpm": round(pmpm * draw(grid(0.7, 1.4, 0.01)), 2)}
    else:
        b = {"baseline_pmpm": "simulated",
             "base_year_weights": draw(st.sampled_from([[1.0], [0.5, 0.5], [0.1, 0.3, 0.6]])),
             "risk_adjustment": draw(st.sampled_from(["none", "tier_mix", "risk_score"]))}
        if draw(st.booleans()):
            b["trend"] = draw(grid(-0.05, 0.1, 0.01))
    if draw(st.booleans()):
        b["discount"] = draw(grid(0.0, 0.1, 0.01))
    return b


@st.composite
def in_force(draw, years: int):
    """None (every year) or a non-empty subset of the horizon."""
    if draw(st.booleans()):
        return None
    return sorted(draw(st.sets(st.integers(1, years), min_size=1, max_size=years)))


def sharing_terms(draw, pmpm: float, years: int) -> dict:
    terms = {"benchmark": draw(benchmarks(pmpm)), "sharing_rate": draw(grid(0.0, 1.0, 0.05)),
             "minimum_savings_rate": draw(minimum_rates())}
    if draw(st.booleans()):
        terms["savings_cap"] = draw(grid(0.0, 1.0, 0.01))
    truncation = draw(st.sampled_from(["none", "amount", "percentile"]))
    if truncation == "amount":
        terms["truncation_amount"] = draw(log_grid(4, 6))
    elif truncation == "percentile":
        terms["truncation_percentile"] = draw(grid(0.9, 0.999, 0.001))
    years_in_force = draw(in_force(years))
    if years_in_force is not None:
        terms["years"] = years_in_force
    return terms


@st.composite
def payment_models(draw, name: str, pmpm_by_tier: dict, years: int):
    """One random payment model of one of six families."""
    pmpm = pool_pmpm(pmpm_by_tier)
    family = draw(st.sampled_from(["shared_savings", "shared_risk", "global_capitation", "shared_corridor",
                                   "pcp_capitation_quality", "aggregate_stop_loss"]))
    ffs = apmsim.FeeForService(fee_multiplier=draw(grid(0.8, 1.2, 0.05)))
    quality = None
    if family == "shared_savings":
        components = [ffs, apmsim.SharedSavings(**sharing_terms(draw, pmpm, years))]
        if draw(st.booleans()):
            components.append(apmsim.CareManagementFee(party=draw(st.sampled_from(["provider", "pcp"])),
                                                       pmpm={t: draw(grid(0, 300, 10)) for t in TIERS}))
    elif family == "shared_risk":
        terms = sharing_terms(draw, pmpm, years)
        terms["loss_rate"] = draw(grid(0.0, 1.0, 0.05))
        if draw(st.booleans()):
            terms["minimum_loss_rate"] = draw(minimum_rates())
        if draw(st.booleans()):
            terms["loss_limit_benchmark"] = draw(grid(0.0, 1.0, 0.01))
        if draw(st.booleans()):
            terms["loss_limit_revenue"] = draw(grid(0.0, 1.0, 0.01))
            terms["loss_limit_rule"] = draw(st.sampled_from(["lesser", "greater"]))
        components = [ffs, apmsim.SharedRisk(**terms)]
    elif family == "global_capitation":
        factor = draw(grid(0.5, 1.5, 0.05))
        components = [apmsim.Capitation(pmpm={t: round(factor * pmpm_by_tier[t], 2) for t in TIERS},
                                        fee_multiplier=draw(grid(0.8, 1.2, 0.05)))]
        if draw(st.booleans()):
            components.append(apmsim.RiskCorridor(basis=draw(st.sampled_from(["capitated", "shared"])),
                                                  savings_bands=draw(corridor_bands()), loss_bands=draw(corridor_bands())))
        if draw(st.booleans()):
            components.append(stop_loss(draw, "specific"))
    elif family == "shared_corridor":
        components = [ffs, apmsim.RiskCorridor(basis="shared", target={"pmpm": round(pmpm * draw(grid(0.7, 1.4, 0.01)), 2)},
                                               savings_bands=draw(corridor_bands()), loss_bands=draw(corridor_bands()))]
    elif family == "pcp_capitation_quality":
        cats = ["professional", "behavioral_health"]
        components = [ffs,
                      apmsim.Capitation(party="pcp", categories=cats, pmpm=round(draw(grid(0.5, 1.5, 0.05)) * 150, 2)),
                      apmsim.CareManagementFee(party="provider", pmpm=draw(grid(0, 300, 10))),
                      apmsim.QualityWithhold(party="pcp", rate=draw(grid(0.0, 0.5, 0.01)), quality="scale"),
                      apmsim.PerformanceAdjustment(party="provider",
                                                   schedule=[{"score": 0.5, "rate": draw(grid(-0.5, 0.0, 0.05))},
                                                             {"score": 0.9, "rate": draw(grid(0.05, 1.0, 0.05))}])]
        quality = draw(st.one_of(
            grid(0.0, 1.0, 0.05).map(lambda q: {"fixed": q}),
            st.builds(lambda m, sd, lift: {"measures": [{"name": "q", "mean": m, "sd": sd, "intervention_lift": lift}]},
                      grid(0.3, 0.8, 0.05), grid(0.0, 0.1, 0.01), grid(0.0, 0.1, 0.01))))
    else:  # stop-loss insures claims its party pays: under a global capitation, one layer or both
        factor = draw(grid(0.5, 1.5, 0.05))
        components = [apmsim.Capitation(pmpm={t: round(factor * pmpm_by_tier[t], 2) for t in TIERS}), stop_loss(draw, "aggregate")]
        if draw(st.booleans()):
            components.append(stop_loss(draw, "specific"))
    return apmsim.PaymentModel(name, components, quality=quality)


def stop_loss(draw, kind: str):
    terms = {"coinsurance": draw(grid(0.0, 1.0, 0.05)), "loading": draw(grid(0.0, 0.5, 0.05)),
             "insurer": draw(st.sampled_from(["reinsurer", "payer"]))}
    if draw(st.booleans()):
        terms["limit"] = draw(log_grid(4, 7))
    if draw(st.booleans()):
        terms["expected_recoveries_pmpm"] = draw(grid(0, 200, 5))
    if kind == "specific":
        return apmsim.SpecificStopLoss(attachment=draw(log_grid(3, 6)), **terms)
    return apmsim.AggregateStopLoss(attachment_ratio=draw(grid(0.5, 2.0, 0.05)), **terms)


@st.composite
def programs(draw, *, max_members: int = 300, extreme: bool = False):
    """A valid scenario: the default program resized, its cost model, delivery basis and
    federal match varied, with the default payment models and/or 1-3 random ones."""
    members = draw(st.integers(1, max_members))
    years = draw(st.integers(1, 3))
    keep_default_models = draw(st.booleans())
    d = apmsim.Scenario.default_cmc_program(members=members, years=years, payment_models=keep_default_models).to_dict()
    apply_cost_model(d, *draw(cost_model_changes(extreme)))
    if draw(st.booleans()):
        d["delivery"] = draw(deliveries())
    pmpm = tier_pmpm(apmsim.Scenario.from_dict(d))
    n_random = draw(st.integers(0 if keep_default_models else 1, 3))
    d["payment_models"] = d.get("payment_models", []) + [
        draw(payment_models(f"random_{i}", pmpm, years)).to_dict() for i in range(n_random)]
    if draw(st.booleans()):
        d["federal_match"] = {"fmap": draw(st.one_of(grid(0.5, 1.0, 0.01),
                                                     st.lists(grid(0.5, 1.0, 0.01), min_size=years, max_size=years)))}
    return apmsim.Scenario.from_dict(d)


def run(s: apmsim.Scenario, trials: int, seed: int, threads: int = 2, **kwargs) -> apmsim.Results:
    return apmsim.run(s, trials=trials, seed=seed, threads=threads, calibration_trials=20, progress=False, **kwargs)


SEEDS = st.integers(0, 2**32 - 1)


# --- 1. Cash conservation --------------------------------------------------------------------

@profile(60)
@given(s=programs(), seed=SEEDS)
def test_cash_is_conserved_and_delivery_costs_follow_the_basis(s, seed):
    """60 examples. For every model, arm, trial and year: revenue and payments are gross
    (>= 0) and sum to the same total over the five parties (every dollar paid is received);
    each party's net is revenue - payments - delivery_cost (exactly 0 within 1e-12 of the
    gross); the nets sum to minus the total delivery cost; each party's delivery cost is
    what the delivery basis makes of the simulated allowed cost by category plus the program
    cost items it bears, whatever the model; with a federal match, payer_federal = FMAP x
    payer and payer_state = payer - payer_federal."""
    r = run(s, trials=20, seed=seed)
    pay = r.payments
    delivery = s.delivery
    bearer = dict(delivery.get("program_cost_borne_by", {}))
    fmap = (s.federal_match or {}).get("fmap")
    for arm in pay.arms:
        allowed = {c: r.samples("total_cost", arm, category=c) for c in CATEGORIES}
        program = {i: r.samples("program_cost", arm, item=i) for i in r.program_cost_items}
        expected_cost = {p: np.zeros((r.trials, r.years)) for p in PARTIES}
        for c in CATEGORIES:
            ps = resolve(delivery.get("provider_share"), c, 1.0)
            pcs = resolve(delivery.get("pcp_share"), c, 0.0)
            expected_cost["provider"] += allowed[c] * ps * resolve(delivery.get("provider_cost_ratio"), c, 1.0)
            expected_cost["pcp"] += allowed[c] * pcs * resolve(delivery.get("pcp_cost_ratio"), c, 1.0)
            expected_cost["other_providers"] += allowed[c] * max(0.0, 1.0 - ps - pcs)
        for item, cost in program.items():
            expected_cost[bearer.get(item, "provider")] += cost
        for model in pay.models:
            book = {p: {m: pay.samples(model, p, m, arm) for m in MEASURES} for p in PARTIES}
            gross = sum(book[p]["revenue"] + book[p]["payments"] + np.abs(book[p]["delivery_cost"]) for p in PARTIES)
            for p in PARTIES:
                b = book[p]
                assert np.all(b["revenue"] >= 0) and np.all(b["payments"] >= 0), (model, arm, p)
                own_gross = b["revenue"] + b["payments"] + np.abs(b["delivery_cost"])
                assert np.all(np.abs(b["net"] - (b["revenue"] - b["payments"] - b["delivery_cost"])) <= 1e-12 * own_gross), (model, arm, p)
                np.testing.assert_allclose(b["delivery_cost"], expected_cost[p], rtol=1e-9, atol=1e-9 * gross.max(),
                                           err_msg=f"{model} {arm} {p} delivery_cost")
            revenue = sum(book[p]["revenue"] for p in PARTIES)
            payments = sum(book[p]["payments"] for p in PARTIES)
            net = sum(book[p]["net"] for p in PARTIES)
            cost = sum(book[p]["delivery_cost"] for p in PARTIES)
            assert np.all(np.abs(revenue - payments) <= 1e-9 * gross), (model, arm, "revenue != payments")
            assert np.all(np.abs(net + cost) <= 1e-9 * gross), (model, arm, "sum of nets != -delivery cost")
            if fmap is not None:
                assert pay.derived_parties == ["payer_state", "payer_federal"]
                share = np.broadcast_to(np.asarray(fmap, dtype=float), (r.years,))
                for m in ("revenue", "payments", "net"):
                    payer = book["payer"][m]
                    federal = pay.samples(model, "payer_federal", m, arm)
                    state = pay.samples(model, "payer_state", m, arm)
                    np.testing.assert_allclose(federal, share * payer, rtol=1e-12, atol=1e-9 * gross.max())
                    np.testing.assert_allclose(state + federal, payer, rtol=1e-12, atol=1e-9 * gross.max())
            else:
                assert pay.derived_parties == []


# --- 2. Finite results -----------------------------------------------------------------------

def comparison_years(model: apmsim.PaymentModel, label: str, years: int) -> set:
    """The years (1-based) the comparing component `label` (type, or type@index) is in force."""
    components = model.components
    if "@" in label:
        component = components[int(label.split("@")[1])]
    else:
        (component,) = [c for c in components if c["type"] == label]
    return set(component.get("years") or range(1, years + 1))


def assert_simulated_samples_finite(r: apmsim.Results) -> None:
    """Every simulated measure of every arm, category and tier is finite, but cost_pmpm of
    a selection with no member-months (a tier nobody is in that year), which is NaN: a
    cost per member-month with no member-month is undefined, and NaN says so."""
    for arm in r.arms:
        for c, t in [(None, None)] + [(c, None) for c in CATEGORIES] + [(None, t) for t in TIERS]:
            months = r.samples("member_months", arm, tier=t)
            for measure in ("total_cost", "events", "member_months", "members", "program_cost", "net_cost"):
                assert np.all(np.isfinite(r.samples(measure, arm, category=c, tier=t))), (measure, arm, c, t)
            pmpm = r.samples("cost_pmpm", arm, category=c, tier=t)
            assert np.all(np.isfinite(pmpm[months > 0])), ("cost_pmpm", arm, c, t)
            assert np.all(np.isnan(pmpm[months == 0])), ("cost_pmpm without member-months", arm, c, t)


@profile(50)
@given(s=programs(extreme=True), seed=SEEDS)
def test_results_are_finite_even_for_extreme_cost_models(s, seed):
    """50 examples, cost models at the edges of the valid ranges (severity means 1e-6 to
    1e7, severity cv 0.1 to 10, frailty cv up to 10, trend -50% to +100%): every sample of
    every measure, arm, category and tier (but cost_pmpm of a tier with no member-month,
    NaN: see assert_simulated_samples_finite), every party's revenue, payments, delivery cost
    and net (derived rows included) and every flow are finite; a comparison (benchmark,
    expenditure, savings rate) is finite in the years its component is in force and NaN in
    the others; every statistic of Results.statistics() is finite but the four error-rate
    indicators of models that pay nothing on performance."""
    r = run(s, trials=15, seed=seed)
    assert_simulated_samples_finite(r)
    for measure in ("savings", "net_savings"):
        assert np.all(np.isfinite(r.samples(measure))), measure
    pay = r.payments
    models = {m.name: m for m in s.payment_models}
    for model in pay.models:
        for arm in pay.arms:
            for party in PARTIES + pay.derived_parties:
                for measure in MEASURES:
                    assert np.all(np.isfinite(pay.samples(model, party, measure, arm))), (model, arm, party, measure)
            for flow in pay.metrics:
                assert np.all(np.isfinite(pay.metric(model, flow, arm))), (model, arm, flow)
            for label in pay.comparing_components[model]:
                years = comparison_years(models[model], label, r.years)
                for name in pay.comparisons:
                    x = pay.metric(model, name, arm, component=label)
                    for y in range(1, r.years + 1):
                        if y in years:
                            assert np.all(np.isfinite(x[:, y - 1])), (model, arm, label, name, y)
                        else:
                            assert np.all(np.isnan(x[:, y - 1])), (model, arm, label, name, y)
    table = r.statistics()
    values = table["value"].to_numpy(dtype=float)
    allowed_nan = (table["measure"] == "indicator") & table["statistic"].isin(NAN_WHEN_NOT_APPLICABLE)
    bad = table[~np.isfinite(values) & ~allowed_nan.to_numpy()]
    assert bad.empty, bad.head(10).to_string()
    assert not np.any(np.isinf(values))


# --- 3. Bit-identical whatever the threads and the split ---------------------------------------

@profile(25)
@given(s=programs(max_members=150), seed=SEEDS, data=st.data())
def test_results_are_bit_identical_across_threads_and_trial_ranges(s, seed, data):
    """25 examples. The same scenario and seed run on 1, 2 and 3 threads give equal Results
    (every per-trial array, the payments and the resolved scenario); the same trials run as
    2-4 consecutive trial ranges (each on a random thread count) and joined by
    merge_trial_ranges, or by run_split, give the whole run, bit for bit."""
    trials = 12
    whole = run(s, trials=trials, seed=seed, threads=1)
    for threads in (2, 3):
        other = run(s, trials=trials, seed=seed, threads=threads)
        assert other == whole, f"threads={threads} differs from threads=1"
        for model in whole.payments.models:
            np.testing.assert_array_equal(other.payments.samples(model, "provider"), whole.payments.samples(model, "provider"))
    cuts = sorted(data.draw(st.sets(st.integers(1, trials - 1), min_size=1, max_size=3), label="cuts"))
    edges = [0] + cuts + [trials]
    parts = [run(s, trials=e - b, seed=seed, threads=data.draw(st.integers(1, 3), label="part threads"), trial_begin=b)
             for b, e in zip(edges, edges[1:])]
    merged = apmsim.merge_trial_ranges(parts)
    assert merged == whole
    np.testing.assert_array_equal(merged.samples("total_cost", "intervention"), whole.samples("total_cost", "intervention"))
    assert apmsim.run_split(s, len(parts), trials=trials, seed=seed, calibration_trials=20) == whole


# --- 4. JSON round trip ----------------------------------------------------------------------

@st.composite
def scenario_documents(draw):
    """Scenario dicts exercising optional parts: listed members with per-year months and
    risk scores, seasonality, tier transitions, churn, a copula (without payment models),
    intervention options, full-precision floats, a federal match and random models."""
    s = draw(programs(max_members=40))
    d = s.to_dict()
    years = d["years"]
    cm = d["cost_model"]
    cm["frailty_cv"] = draw(st.floats(0.0, 10.0))  # any double: the text form must carry every bit
    cm["trend"] = {"mean": draw(st.floats(-0.5, 0.5)), "sd": draw(st.floats(0.0, 0.05))}
    cm["cells"]["inpatient"]["A"]["severity"] = {"type": "lognormal", "mean": draw(st.floats(1e-6, 1e7)),
                                                 "cv": draw(st.floats(0.01, 10.0))}
    if draw(st.booleans()):
        raw = draw(st.lists(st.floats(0.1, 3.0), min_size=12, max_size=12))
        cm["seasonality"] = {"emergency": [x * 12 / sum(raw) for x in raw]}
    if draw(st.booleans()):
        stay = draw(st.lists(grid(0.5, 1.0, 0.05), min_size=3, max_size=3))
        cm["tier_transitions"] = {t: {u: (p if u == t else (1 - p) / 2) for u in TIERS} for t, p in zip(TIERS, stay)}
    if draw(st.booleans()):
        n = draw(st.integers(1, 12))
        tiers = draw(st.lists(st.sampled_from(TIERS), min_size=n, max_size=n))
        months = [draw(st.one_of(st.integers(0, 12), st.lists(st.integers(0, 12), min_size=years, max_size=years)))
                  for _ in range(n)]
        months[0] = 12  # someone is eligible in every year
        d["population"] = {"members": {"tier": tiers, "id": list(range(100, 100 + n)),
                                       "risk_score": draw(st.lists(st.floats(0.0, 1000.0), min_size=n, max_size=n)),
                                       "months": months}}
    elif years >= 2 and draw(st.booleans()):
        d["population"]["churn"] = {"renewal_exit": draw(st.floats(0.0001, 0.5))}
    elif draw(st.booleans()):
        d["population"]["churn"] = {"monthly_exit": {"A": draw(st.floats(0.0001, 0.1)), "C": 0.0}}
    iv = d["intervention"]
    if draw(st.booleans()):
        iv["uptake"] = draw(st.one_of(st.floats(0.01, 1.0), st.builds(lambda m, sd: {"mean": m, "sd": sd},
                                                                       st.floats(0.1, 1.0), st.floats(0.0, 0.2))))
    if draw(st.booleans()):
        iv["ramp_up"] = draw(st.lists(st.floats(0.0, 2.0), min_size=1, max_size=years))
    if draw(st.booleans()):
        iv["target_tiers"] = sorted(draw(st.sets(st.sampled_from(TIERS), min_size=1)), key=TIERS.index)
        d["payment_models"] = []
        d.pop("federal_match", None)
    if draw(st.booleans()) and not d.get("payment_models"):
        rho = draw(st.floats(-0.1, 0.999))
        cm["copula"] = {"correlation": [[1.0 if i == j else rho for j in range(len(CATEGORIES))] for i in range(len(CATEGORIES))]}
        d.pop("federal_match", None)
    d["settings"] = {"trials": draw(st.integers(1, 10**6)), "seed": draw(st.integers(0, 2**64 - 1)),
                     "threads": draw(st.integers(0, 8)), "member_detail": draw(st.booleans()),
                     "calibration_trials": draw(st.integers(1, 10**6))}
    return d


@profile(150)
@given(doc=scenario_documents())
def test_json_round_trip_is_exact(doc):
    """150 examples. A scenario read from a dict writes a canonical dict that reads back to
    an equal scenario writing the same dict (a fixed point); the dict survives JSON text
    (json.dumps / json.loads), save / load and pickling unchanged, to the last bit of every
    double; a lognormal given by mean and cv keeps its mean through the canonical mu and
    sigma (relative error below 1e-12)."""
    s = apmsim.Scenario.from_dict(doc)
    canonical = s.to_dict()
    again = apmsim.Scenario.from_dict(canonical)
    assert again == s
    assert again.to_dict() == canonical
    text = json.dumps(canonical)
    assert apmsim.Scenario.from_dict(json.loads(text)).to_dict() == canonical
    assert json.dumps(apmsim.Scenario.from_dict(json.loads(text)).to_dict()) == text
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "s.json")
        s.save(path)
        loaded = apmsim.Scenario.load(path)
    assert loaded == s and loaded.to_dict() == canonical
    assert pickle.loads(pickle.dumps(s)).to_dict() == canonical
    assert copy.deepcopy(s) == s
    given_sev = doc["cost_model"]["cells"]["inpatient"]["A"]["severity"]
    written = canonical["cost_model"]["cells"]["inpatient"]["A"]["severity"]
    assert written["type"] == "lognormal" and set(written) == {"type", "mu", "sigma"}
    assert lognormal_mean(written) == pytest.approx(given_sev["mean"], rel=1e-12)
    assert math.sqrt(math.expm1(written["sigma"] ** 2)) == pytest.approx(given_sev["cv"], rel=1e-9)
    for model in s.payment_models:
        assert apmsim.PaymentModel.from_dict(model.to_dict()) == model


# --- 5. Shared savings: zero below the MSR, non-decreasing up to the cap ------------------------

@profile(300)
@given(rates=st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=50), msr=grid(0.0, 0.5, 0.005),
       sharing=grid(0.0, 1.0, 0.05), cap=st.one_of(st.just(math.inf), grid(0.01, 1.0, 0.01)),  # this helper takes a cap > 0
       first_dollar=st.booleans())
def test_settle_savings_rate_is_zero_below_the_msr_and_monotone_up_to_the_cap(rates, msr, sharing, cap, first_dollar):
    """300 examples of apmsim.settle_savings_rate (one observed savings rate settled under
    one-sided terms): nothing below the MSR, never negative, never above the cap, and
    non-decreasing in the savings rate."""
    r = np.sort(np.asarray(rates))
    paid = apmsim.settle_savings_rate(r, msr=msr, sharing_rate=sharing, savings_cap=cap, first_dollar=first_dollar)
    assert np.all(paid[r < msr] == 0)
    assert np.all(paid >= 0) and np.all(paid <= cap)
    assert np.all(np.diff(paid) >= 0), (r, paid)


@profile(60)
@given(members=st.integers(1, 300), years=st.integers(1, 3), seed=SEEDS, changes=cost_model_changes(),
       two_sided=st.booleans(), factor=grid(0.8, 1.3, 0.01), msr=grid(0.0, 0.3, 0.005), sharing=grid(0.05, 1.0, 0.05),
       cap=st.one_of(st.none(), grid(0.01, 1.0, 0.01)), truncation=st.one_of(st.none(), log_grid(4, 6)),
       mlr=grid(0.0, 0.3, 0.005), loss_rate=grid(0.05, 1.0, 0.05), loss_limit=st.one_of(st.none(), grid(0.01, 1.0, 0.01)))
def test_settled_shared_savings_are_zero_below_the_msr_and_monotone_in_savings(
        members, years, seed, changes, two_sided, factor, msr, sharing, cap, truncation, mlr, loss_rate, loss_limit):
    """60 examples, settled by the engine: FFS plus shared savings (or shared risk) on a
    given benchmark, every year, pooling both arms' trials of each year (one benchmark:
    the months are fixed). Shared savings are 0 when the savings rate is below the MSR,
    never negative, at most savings_cap x benchmark, and non-decreasing in savings (B - X);
    with shared risk, shared losses are likewise 0 below the MLR, at most the loss limit,
    and non-decreasing in losses."""
    d = apmsim.Scenario.default_cmc_program(members=members, years=years, payment_models=False).to_dict()
    apply_cost_model(d, *changes)
    s = apmsim.Scenario.from_dict(d)
    terms = {"benchmark": {"pmpm": round(factor * pool_pmpm(tier_pmpm(s)), 2)}, "sharing_rate": sharing,
             "minimum_savings_rate": msr}
    if cap is not None:
        terms["savings_cap"] = cap
    if truncation is not None:
        terms["truncation_amount"] = truncation
    if two_sided:
        terms.update(minimum_loss_rate=mlr, loss_rate=loss_rate)
        if loss_limit is not None:
            terms["loss_limit_benchmark"] = loss_limit
    component = apmsim.SharedRisk(**terms) if two_sided else apmsim.SharedSavings(**terms)
    s.payment_models = [apmsim.PaymentModel("sharing", [apmsim.FeeForService(), component])]
    pay = run(s, trials=40, seed=seed).payments

    def pooled(name):
        return np.concatenate([pay.metric("sharing", name, arm) for arm in pay.arms])

    benchmark, expenditure, rate = pooled("benchmark"), pooled("expenditure"), pooled("savings_rate")
    paid = pooled("shared_savings")
    owed = pooled("shared_losses") if two_sided else np.zeros_like(paid)
    for y in range(years):
        b = benchmark[:, y]
        assert np.all(b == b[0]) and b[0] > 0, "one benchmark per year"
        savings, p, o, r = b - expenditure[:, y], paid[:, y], owed[:, y], rate[:, y]
        assert np.all(p[r < msr] == 0), "shared savings paid below the MSR"
        assert np.all(p >= 0) and np.all(o >= 0)
        if cap is not None:
            assert np.all(p <= cap * b[0] * (1 + 1e-12))
        order = np.argsort(savings, kind="stable")
        assert np.all(np.diff(p[order]) >= -1e-9 * b[0]), "shared savings fall as savings rise"
        if two_sided:
            assert np.all(o[-r < mlr] == 0), "shared losses owed below the MLR"
            if loss_limit is not None:
                assert np.all(o <= loss_limit * b[0] * (1 + 1e-12))
            assert np.all(np.diff(o[order]) <= 1e-9 * b[0]), "shared losses fall as losses rise"
        # Something happens at all: where the rate clears a zero MSR with savings, the party is paid.
        clears = (r >= msr) & (savings > 0)
        assert np.all(p[clears] > 0)


# --- 6. A capitated provider's net never rises with cost ----------------------------------------

def scaled(s: apmsim.Scenario, k: float) -> apmsim.Scenario:
    """The scenario with every severity multiplied by k (lognormal mu + log k): on the same
    seed, every claim costs exactly k times as much."""
    d = s.to_dict()
    for by_tier in d["cost_model"]["cells"].values():
        for cell in by_tier.values():
            cell["severity"]["mu"] += math.log(k)
    return apmsim.Scenario.from_dict(d)


@profile(60)
@given(members=st.integers(1, 300), years=st.integers(1, 3), seed=SEEDS, changes=cost_model_changes(),
       delivery=deliveries(min_provider_cost_ratio=1.0), k=grid(1.05, 3.0, 0.05), factor=grid(0.5, 1.5, 0.05),
       fee=grid(1.0, 1.5, 0.05), protection=st.sampled_from(["none", "corridor", "specific", "aggregate", "corridor+specific",
                                                             "corridor+aggregate", "specific+aggregate",
                                                             "corridor+specific+aggregate"]), data=st.data())
def test_capitated_provider_net_never_rises_with_cost(members, years, seed, changes, delivery, k, factor, fee,
                                                      protection, data):
    """60 examples. A provider under global capitation (any PMPM, alone or with a
    capitated-basis risk corridor with random bands, a specific or an aggregate stop-loss
    with random terms, or several of them together) whose cost of a dollar of allowed care is at least a dollar (its
    cost ratios >= 1, and it pays others >= 1 x allowed): with every severity multiplied
    by k > 1 on the same seed, its net result is no higher in any trial, year or arm."""
    d = apmsim.Scenario.default_cmc_program(members=members, years=years, payment_models=False).to_dict()
    apply_cost_model(d, *changes)
    d["delivery"] = delivery
    s = apmsim.Scenario.from_dict(d)
    pmpm = tier_pmpm(s)
    components = [apmsim.Capitation(pmpm={t: round(factor * pmpm[t], 2) for t in TIERS}, fee_multiplier=fee)]
    if protection.startswith("corridor"):
        components.append(apmsim.RiskCorridor(basis="capitated", savings_bands=data.draw(corridor_bands()),
                                              loss_bands=data.draw(corridor_bands())))
    for kind in ("specific", "aggregate"):
        if kind in protection:
            components.append(stop_loss(data.draw, kind))
    s.payment_models = [apmsim.PaymentModel("capitated", components)]
    base, costly = run(s, trials=20, seed=seed), run(scaled(s, k), trials=20, seed=seed)
    for arm in base.arms:
        # The premise: the same random numbers, every claim k times as costly.
        np.testing.assert_allclose(costly.samples("total_cost", arm), k * base.samples("total_cost", arm), rtol=1e-9)
        net, net_costly = base.payments.samples("capitated", "provider", "net", arm), costly.payments.samples("capitated", "provider", "net", arm)
        scale = np.abs(base.payments.samples("capitated", "provider", "revenue", arm)) + costly.samples("total_cost", arm)
        rises = net_costly > net + 1e-9 * scale
        assert not rises.any(), (f"{arm}: net rose with cost in {rises.sum()} trial-years, e.g. "
                                 f"{net[rises][0]:.2f} -> {net_costly[rises][0]:.2f}")


def test_capitated_provider_with_corridor_and_stop_loss_net_never_rises_with_cost():
    """One deterministic case, the reproducer of a bug this file found: a capitated-basis
    corridor measured allowed cost gross of the provider's stop-loss recoveries, so beyond
    its full-keep band a dollar above the attachment was reimbursed twice (net +0.7 a
    dollar of cost with the ACA bands and coinsurance 0.9). The corridor now measures cost
    net of recoveries (contracts/risk_corridor.hpp)."""
    s = apmsim.Scenario.default_cmc_program(members=1, years=1, payment_models=False)
    s.delivery = {}
    s.payment_models = [apmsim.PaymentModel("capitated", [
        apmsim.Capitation(pmpm=3300),
        apmsim.RiskCorridor(preset="aca"),
        apmsim.SpecificStopLoss(attachment=20000, coinsurance=0.9, expected_recoveries_pmpm=0)])]
    base, costly = run(s, trials=5, seed=3), run(scaled(s, 1.5), trials=5, seed=3)
    for arm in base.arms:
        net = base.payments.samples("capitated", "provider", "net", arm)
        net_costly = costly.payments.samples("capitated", "provider", "net", arm)
        assert np.all(net_costly <= net), f"{arm}: net rose with cost in {(net_costly > net).sum()} of {net.size} trial-years"


# --- Extreme but valid inputs ------------------------------------------------------------------

def _with_severity(d, severity):
    for by_tier in d["cost_model"]["cells"].values():
        for t in by_tier:
            by_tier[t]["severity"] = dict(severity)
    return d


def _default(members=30, years=2, payment_models=True):
    return apmsim.Scenario.default_cmc_program(members=members, years=years, payment_models=payment_models).to_dict()


def _listed_members(months):
    d = _default()
    n = len(months)
    d["population"] = {"members": {"tier": [TIERS[i % 3] for i in range(n)], "months": months}}
    return d


def _copula(rho):
    d = _default(payment_models=False)
    n = len(CATEGORIES)
    d["cost_model"]["copula"] = {"correlation": [[1.0 if i == j else rho for j in range(n)] for i in range(n)]}
    return d


EXTREMES = [
    # (id, scenario dict, trials, expected: "finite" or the JSON path of the error)
    ("one_member_one_trial", _default(members=1, years=3), 1, "finite"),
    ("100000_members", _default(members=100_000, years=1), 2, "finite"),
    ("severity_cv_10", _with_severity(_default(), {"type": "lognormal", "mean": 3000.0, "cv": 10.0}), 20, "finite"),
    ("severity_mean_1e-6_cv_10", _with_severity(_default(), {"type": "lognormal", "mean": 1e-6, "cv": 10.0}), 20, "finite"),
    ("severity_mean_1e-6", _with_severity(_default(), {"type": "gamma", "mean": 1e-6, "cv": 1.0}), 20, "finite"),
    ("severity_mean_1e7", _with_severity(_default(), {"type": "lognormal", "mean": 1e7, "cv": 2.0}), 20, "finite"),
    ("severity_mean_1e7_cv_10", _with_severity(_default(), {"type": "lognormal", "mean": 1e7, "cv": 10.0}), 20, "finite"),
    ("copula_0.999", _copula(0.999), 20, "finite"),
    ("frailty_cv_10", dict(_default(), cost_model=dict(_default()["cost_model"], frailty_cv=10.0)), 20, "finite"),
    ("a_tier_with_no_months_in_year_2", _listed_members([[12, 0] if i % 3 == 0 else [12, 12] for i in range(30)]), 20, "finite"),
    ("one_tier_only", dict(_default(), population={"generate": {"members": 30, "tier_mix": {"A": 1.0}}}), 20, "finite"),
    ("all_members_zero_months_in_year_2", _listed_members([[12, 0]] * 30), 20, "population.members.months"),
    ("all_members_zero_months_in_year_1", _listed_members([[0, 12]] * 30), 20, "population.members.months"),
    ("pareto_infinite_variance", _with_severity(_default(), {"type": "pareto", "shape": 1.01, "scale": 1000.0}), 20,
     "payment_models[1].components[3].minimum_savings_rate.cv"),
]


@pytest.mark.parametrize("doc, trials, expected", [pytest.param(d, t, e, id=i) for i, d, t, e in EXTREMES])
def test_extreme_but_valid_inputs_give_finite_answers_or_a_clear_error(doc, trials, expected):
    """14 explicit cases (no Hypothesis): one member and one trial; 100,000 members; severity cv 10; severity
    means 1e-6 and 1e7; a copula of correlation 0.999; frailty cv 10; a tier with no
    eligible month in a year; a one-tier population: every sample, payment and statistic is
    finite. Every member at zero months in a year, and Pareto severities of infinite
    variance under a confidence-interval MSR: apmsim.InvalidInput (a ValueError) naming the
    JSON path, never NaN."""
    if expected != "finite":
        with pytest.raises(apmsim.InvalidInput) as info:
            run(apmsim.Scenario.from_dict(doc), trials=trials, seed=1)
        assert isinstance(info.value, ValueError)
        assert info.value.where == expected, str(info.value)
        assert "nan" not in str(info.value).lower()
        return
    r = run(apmsim.Scenario.from_dict(doc), trials=trials, seed=1)
    assert_simulated_samples_finite(r)
    if r.payments is not None:
        for model in r.payments.models:
            for arm in r.payments.arms:
                for party in PARTIES:
                    for measure in MEASURES:
                        assert np.all(np.isfinite(r.payments.samples(model, party, measure, arm))), (model, party, measure)
    table = r.statistics()
    values = table["value"].to_numpy(dtype=float)
    allowed_nan = ((table["measure"] == "indicator") & table["statistic"].isin(NAN_WHEN_NOT_APPLICABLE)).to_numpy()
    assert np.all(np.isfinite(values) | allowed_nan), table[~np.isfinite(values) & ~allowed_nan].head().to_string()

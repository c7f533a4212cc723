"""Payment models from Python: the component classes generated from the C++ registry,
validation errors that name the parameter or JSON path, settlement identities (cash is
conserved; fee-for-service with everything delivered at cost leaves the provider exactly
its program cost), hand-computed shared savings on a given benchmark, reproducibility,
the pandas tables, JSON output and the CLI."""
from __future__ import annotations

import json
import os
import pickle
import subprocess

import numpy as np
import pytest

import apmsim

MEMBERS, YEARS, TRIALS, SEED = 200, 2, 40, 5
PROGRAM_PMPM = 150.0
PARTIES = ["payer", "provider", "pcp", "other_providers", "reinsurer"]


def mssp_like(msr=0.02, benchmark_pmpm=3800.0, years=None):
    return apmsim.PaymentModel("mssp_like", [
        apmsim.FeeForService(),
        apmsim.SharedSavings(benchmark={"pmpm": benchmark_pmpm}, sharing_rate=0.5, minimum_savings_rate=msr,
                             savings_cap=0.1, years=years),
    ])


@pytest.fixture(scope="module")
def default_results():
    scenario = apmsim.Scenario.default_cmc_program(members=MEMBERS, years=YEARS)
    return scenario, apmsim.run(scenario, trials=TRIALS, seed=SEED)


def test_every_registered_component_has_a_class():
    types = apmsim.component_types()  # the C++ registry, however many types it holds
    assert "fee_for_service" in types and len(set(types.values())) == len(types)
    for type_name, class_name in types.items():
        cls = getattr(apmsim, class_name)
        assert cls.type_name == type_name and class_name in apmsim.__all__
        # The class name is the type name in CamelCase, as the glossary says.
        assert class_name.lower() == type_name.replace("_", "").lower()
        # Its example builds it, round trips and pickles.
        c = cls.from_dict(json.loads(cls.example))
        assert c.to_dict()["type"] == type_name
        assert cls.from_dict(c.to_dict()) == c and pickle.loads(pickle.dumps(c)) == c


def test_components_fill_defaults_and_round_trip():
    ss = apmsim.SharedSavings(benchmark={"pmpm": 3000}, sharing_rate=0.4, years=[1, 2])
    d = ss.to_dict()
    assert d["type"] == "shared_savings" and d["years"] == [1, 2]
    assert d["minimum_savings_rate"] == 0.0 and d["party"] == "provider" and d["quality"] == "none"
    assert apmsim.SharedSavings(**{k: v for k, v in d.items() if k != "type"}) == ss
    model = apmsim.PaymentModel("m", [apmsim.FeeForService(), ss, {"type": "risk_corridor", "preset": "aca"}])
    assert apmsim.PaymentModel.from_dict(model.to_dict()) == model
    assert pickle.loads(pickle.dumps(model)) == model
    corridor = model.components[2]
    assert corridor["basis"] == "capitated" and corridor["savings_bands"][1] == {"from": 0.03, "to": 0.08, "keep": 0.5}
    assert corridor["savings_bands"][-1]["to"] is None


@pytest.mark.parametrize("make, where", [
    (lambda: apmsim.SharedSavings(benchmark={"pmpm": 3000}, sharing_rate=1.5), "SharedSavings.sharing_rate"),
    (lambda: apmsim.SharedSavings(benchmark={"pmpm": 3000}, sharing_rate=0.5, loss_limit_benchmark=0.02),
     "SharedSavings.loss_limit_benchmark"),
    (lambda: apmsim.RiskCorridor(savings_bands=[{"from": 0, "to": 0.05, "keep": 1}, {"from": 0.04, "to": None, "keep": 0.5}],
                                 loss_bands=[{"from": 0, "to": None, "keep": 1}]), "RiskCorridor.savings_bands[1].from"),
    (lambda: apmsim.RiskCorridor(bands=[{"from": 0.05, "to": None, "keep": 1}, {"from": 0, "to": 0.05, "keep": 0.5}]),
     "RiskCorridor.bands[0].from"),
    (lambda: apmsim.SpecificStopLoss(attachment=-1), "SpecificStopLoss.attachment"),
    (lambda: apmsim.Capitation(pmpm=100, base_pmpm=100), "Capitation"),
    (lambda: apmsim.FeeForService(fee_multpliers=1.1), "FeeForService.fee_multpliers"),
    (lambda: apmsim.PaymentModel("m", [{"type": "fee_for_servce"}]), "PaymentModel.components[0].type"),
])
def test_invalid_terms_name_the_parameter(make, where):
    with pytest.raises(apmsim.InvalidInput) as e:
        make()
    assert e.value.where == where


def test_scenario_json_errors_name_the_json_path(bundled_scenario_path):
    with open(bundled_scenario_path, encoding="utf-8") as f:
        doc = json.load(f)
    doc["payment_models"][1]["components"][3]["sharing_rate"] = 1.5
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.Scenario.from_dict(doc)
    assert e.value.where == "payment_models[1].components[3].sharing_rate"
    assert e.value.actual == "1.5"


def test_unknown_category_and_double_payment_are_caught_before_simulating():
    scenario = apmsim.Scenario.default_cmc_program(members=50, years=1, payment_models=False)
    scenario.payment_models = [apmsim.PaymentModel("x", [apmsim.FeeForService(categories=["inpatient", "dentistry"])])]
    with pytest.raises(apmsim.InvalidInput) as e:
        apmsim.run(scenario, trials=2)
    assert e.value.where == "payment_models[0].components[0].categories[1]"
    scenario.payment_models = [apmsim.PaymentModel("x", [apmsim.Capitation(pmpm=3000),
                                                         apmsim.FeeForService(categories=["pharmacy"])])]
    with pytest.raises(apmsim.InvalidInput, match="paid twice"):
        apmsim.run(scenario, trials=2)


def test_cash_is_conserved_for_every_model_arm_and_year(default_results):
    _, r = default_results
    pay = r.payments
    assert pay.models == [m.name for m in apmsim.Scenario.default_cmc_program(10, 1).payment_models]
    for model in pay.models:
        for arm in pay.arms:
            revenue = sum(pay.samples(model, p, "revenue", arm) for p in PARTIES)
            payments = sum(pay.samples(model, p, "payments", arm) for p in PARTIES)
            np.testing.assert_allclose(revenue, payments, rtol=1e-12)
            net = sum(pay.samples(model, p, "net", arm) for p in PARTIES)
            cost = sum(pay.samples(model, p, "delivery_cost", arm) for p in PARTIES)
            np.testing.assert_allclose(net, -cost, rtol=1e-9)


def test_ffs_at_cost_leaves_the_provider_exactly_its_program_cost():
    # Default delivery: the provider delivers all care at a cost-to-payment ratio of 1 and
    # bears every program cost, so under FFS its net is minus the program cost, exactly.
    scenario = apmsim.Scenario.default_cmc_program(members=MEMBERS, years=YEARS, payment_models=False)
    scenario.delivery = {}  # the default basis: the provider delivers everything at cost ratio 1
    scenario.payment_models = [apmsim.PaymentModel("ffs", [apmsim.FeeForService()])]
    r = apmsim.run(scenario, trials=TRIALS, seed=SEED)
    months = r.samples("member_months", "intervention")
    np.testing.assert_allclose(r.payments.samples("ffs", "provider"), -PROGRAM_PMPM * months, rtol=1e-12)
    np.testing.assert_allclose(r.payments.samples("ffs", "provider", arm="baseline"), 0.0, atol=1e-6)
    np.testing.assert_allclose(r.payments.samples("ffs", "payer", "payments", "intervention"),
                               r.samples("total_cost", "intervention"), rtol=1e-12)


def test_shared_savings_on_a_given_benchmark_matches_a_hand_settlement():
    scenario = apmsim.Scenario.default_cmc_program(members=MEMBERS, years=YEARS, payment_models=False)
    scenario.payment_models = [mssp_like(msr=0.02, benchmark_pmpm=3800.0)]
    r = apmsim.run(scenario, trials=TRIALS, seed=SEED)
    cost = r.samples("total_cost", "intervention")
    months = r.samples("member_months", "intervention")
    benchmark = 3800.0 * months
    rate = (benchmark - cost) / benchmark
    expected = np.where(rate >= 0.02, np.minimum(0.5 * (benchmark - cost), 0.1 * benchmark), 0.0)
    np.testing.assert_allclose(r.payments.metric("mssp_like", "shared_savings"), expected, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(r.payments.metric("mssp_like", "savings_rate"), rate, rtol=1e-12)
    ind = r.payments.indicators()
    for y in range(1, YEARS + 1):
        assert ind.loc[("mssp_like", y), "p_savings_paid"] == pytest.approx(np.mean(expected[:, y - 1] > 0))
        baseline = r.samples("total_cost", "baseline")[:, y - 1]
        false_reward = np.mean((3800.0 * months[:, y - 1] - baseline) / (3800.0 * months[:, y - 1]) >= 0.02)
        assert ind.loc[("mssp_like", y), "p_false_reward"] == pytest.approx(false_reward)


def test_glide_path_switches_components_by_year():
    scenario = apmsim.Scenario.default_cmc_program(members=MEMBERS, years=YEARS, payment_models=False)
    scenario.payment_models = [mssp_like(msr=0.0, benchmark_pmpm=9000.0, years=[2])]
    r = apmsim.run(scenario, trials=10, seed=SEED)
    paid = r.payments.metric("mssp_like", "shared_savings")
    assert np.all(paid[:, 0] == 0) and np.all(paid[:, 1] > 0)


def test_same_seed_same_payments_whatever_the_threads(default_results):
    scenario, r = default_results
    r1 = apmsim.run(scenario, trials=TRIALS, seed=SEED, threads=1)
    for model in r.payments.models:
        for party in PARTIES:
            np.testing.assert_array_equal(r.payments.samples(model, party), r1.payments.samples(model, party))


def test_tables_and_json(default_results):
    scenario, r = default_results
    summary = r.payments.summary()
    assert list(summary.index.names) == ["model", "arm", "year", "party", "measure"]
    row = summary.loc[("fee_for_service", "intervention", 0, "provider", "net")]
    total = r.payments.samples("fee_for_service", "provider").sum(axis=1)
    assert row["mean"] == pytest.approx(total.mean()) and row["p_negative"] == pytest.approx(np.mean(total < 0))
    metrics = r.payments.metric_summary()
    assert list(metrics.index.names) == ["model", "arm", "year", "component", "metric"]
    fees = r.payments.metric("ffs_care_fee_shared_savings", "care_management_fees")[:, 1]
    assert metrics.loc[("ffs_care_fee_shared_savings", "intervention", 2, "", "care_management_fees"), "mean"] == pytest.approx(fees.mean())
    ind = r.payments.indicators()
    assert np.isnan(ind.loc[("fee_for_service", 1), "p_false_reward"])
    assert 0 <= ind.loc[("ffs_care_fee_shared_savings", 1), "p_false_reward"] <= 1
    doc = r.to_dict(scenario.name)
    assert doc["payment_models"]["models"] == r.payments.models
    assert len(doc["payment_models"]["indicators"]) == len(r.payments.models) * YEARS
    assert r.payments.to_dict() == doc["payment_models"]


def test_simulate_without_payment_models_has_no_payments():
    scenario = apmsim.Scenario.default_cmc_program(members=20, years=1, payment_models=False)
    assert apmsim.run(scenario, trials=3).payments is None


def test_cli_prints_and_writes_payment_models(tmp_path, bundled_scenario_path):
    cli = os.environ.get("APMSIM_CLI")
    if not cli:
        pytest.skip("APMSIM_CLI is not set")
    out = tmp_path / "results.json"
    proc = subprocess.run([cli, "run", str(bundled_scenario_path), "--trials", "20", "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Payment models" in proc.stdout and "Contract error rates" in proc.stdout
    doc = json.loads(out.read_text())
    assert "global_capitation_corridor_stop_loss" in doc["payment_models"]["models"]

    bad = json.loads(bundled_scenario_path.read_text())
    bad["payment_models"][3]["components"][1]["savings_bands"] = [{"from": 0, "to": 0.1, "keep": 1}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    proc = subprocess.run([cli, "run", str(path), "--trials", "2"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "payment_models[3].components[1]" in proc.stderr and proc.stdout == ""

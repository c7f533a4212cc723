"""The performance-based payment adjustment end to end (Python, the JSON file and the
CLI), recomputed independently in numpy from the tidy outputs, and next to the other
components it can meet: each of those settles exactly as without it."""
from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

import apmsim

SEED = 20261202
QUALITY = {"measures": [{"name": "followup", "mean": 0.7, "sd": 0.12, "intervention_lift": 0.05}]}
SCHEDULE = [{"score": 0.5, "rate": -0.10}, {"score": 0.9, "rate": 0.50}]


def rate(q):
    """rate(q) of the schedule: straight lines, flat beyond the ends (numpy's interp)."""
    return np.interp(q, [p["score"] for p in SCHEDULE], [p["rate"] for p in SCHEDULE])


def program(models):
    s = apmsim.Scenario.default_cmc_program(members=150, years=2, payment_models=False)
    s.payment_models = models
    return s


def pcf(name, adjust=True):
    components = [apmsim.FeeForService(), apmsim.CareManagementFee(party="pcp", pmpm={"A": 60, "B": 40, "C": 28})]
    if not adjust:  # nothing else uses a quality score, so the model has none
        return apmsim.PaymentModel(name, components)
    components.append(apmsim.PerformanceAdjustment(party="pcp", schedule=SCHEDULE))
    return apmsim.PaymentModel(name, components, quality=QUALITY)


def test_adjustment_is_the_schedules_rate_times_the_population_based_payment():
    r = apmsim.run(program([pcf("pcf"), pcf("fees_only", adjust=False)]), trials=40, seed=SEED)
    p = r.payments
    for arm in r.arms:
        q = p.metric("pcf", "quality_score", arm=arm)
        fees = p.metric("pcf", "care_management_fees", arm=arm)  # all paid to the pcp
        adjustment = rate(q) * fees
        np.testing.assert_allclose(p.metric("pcf", "performance_adjustment", arm=arm), adjustment, rtol=1e-12)
        # The same random numbers: only the pcp and the payer differ, by the adjustment.
        np.testing.assert_allclose(p.samples("pcf", "pcp", arm=arm) - p.samples("fees_only", "pcp", arm=arm), adjustment,
                                   rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(p.samples("pcf", "payer", arm=arm) - p.samples("fees_only", "payer", arm=arm), -adjustment,
                                   rtol=1e-9, atol=1e-6)
        for party in ("provider", "other_providers"):
            np.testing.assert_array_equal(p.samples("pcf", party, arm=arm), p.samples("fees_only", party, arm=arm))
    # The program lifts quality, so the adjustment is larger on average in its arm.
    assert p.metric("pcf", "performance_adjustment").mean() > p.metric("pcf", "performance_adjustment", arm="baseline").mean()


def test_next_to_every_component_it_can_meet_the_others_settle_as_without_it():
    def model(name, adjust):
        components = [
            apmsim.Capitation(party="pcp", categories=["professional"], pmpm={"A": 600, "B": 400, "C": 250}),
            apmsim.FeeForService(),
            apmsim.CareManagementFee(party="pcp", pmpm=20),
            apmsim.QualityWithhold(party="pcp", rate=0.05, quality_threshold=0.75),
            apmsim.SharedSavings(party="pcp", benchmark={"pmpm": 3300}, sharing_rate=0.4, quality="gate", quality_threshold=0.6,
                                 categories=[c for c in apmsim.Scenario.default_cmc_program(members=1).categories if c != "professional"]),
            apmsim.RiskCorridor(party="pcp", preset="aca"),
            apmsim.SpecificStopLoss(party="pcp", attachment=150000, coinsurance=0.9, categories=["professional"],
                                    expected_recoveries_pmpm=5),
        ]
        if adjust:
            components.insert(3, apmsim.PerformanceAdjustment(party="pcp", basis=["capitation", "care_management_fees"],
                                                              schedule=SCHEDULE))
        return apmsim.PaymentModel(name, components, quality=QUALITY)

    r = apmsim.run(program([model("with", True), model("without", False)]), trials=30, seed=SEED)
    p = r.payments
    for arm in r.arms:
        q = p.metric("with", "quality_score", arm=arm)
        base = p.metric("with", "capitation", arm=arm) + p.metric("with", "care_management_fees", arm=arm)
        adjustment = rate(q) * base
        np.testing.assert_allclose(p.metric("with", "performance_adjustment", arm=arm), adjustment, rtol=1e-12)
        for name in p.metrics:
            if name != "performance_adjustment":
                np.testing.assert_array_equal(p.metric("with", name, arm=arm), p.metric("without", name, arm=arm), err_msg=name)
        np.testing.assert_allclose(p.samples("with", "pcp", arm=arm) - p.samples("without", "pcp", arm=arm), adjustment,
                                   rtol=1e-9, atol=1e-5)


def test_from_a_scenario_file_through_the_command_line(tmp_path, cli):
    s = program([pcf("pcf")])
    path = tmp_path / "pcf.json"
    s.save(path)
    assert json.loads(path.read_text())["payment_models"][0]["components"][2]["type"] == "performance_adjustment"
    out = tmp_path / "results.json"
    done = cli("run", path, "--trials", "12", "--seed", str(SEED), "--out", out)
    assert done.returncode == 0, done.stderr
    rows = [row for row in json.loads(out.read_text())["payment_models"]["metric_summary"]
            if row["metric"] == "performance_adjustment" and row["arm"] == "intervention"]
    assert [row["year"] for row in rows] == [1, 2]
    r = apmsim.run(apmsim.Scenario.load(path), trials=12, seed=SEED)
    for row in rows:
        assert row["mean"] == pytest.approx(r.payments.metric("pcf", "performance_adjustment")[:, row["year"] - 1].mean(), rel=1e-15)


def test_terms_are_checked_and_round_trip():
    a = apmsim.PerformanceAdjustment(party="pcp", schedule=SCHEDULE)
    assert apmsim.PerformanceAdjustment.from_dict(a.to_dict()) == a
    with pytest.raises(apmsim.InvalidInput, match=r"PerformanceAdjustment\.schedule\[1\]\.score"):
        apmsim.PerformanceAdjustment(schedule=[{"score": 0.9, "rate": 0.1}, {"score": 0.5, "rate": 0.2}])
    with pytest.raises(apmsim.InvalidInput, match=r"quality"):
        apmsim.PaymentModel("no_score", [apmsim.FeeForService(), apmsim.PerformanceAdjustment()])

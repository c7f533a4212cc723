"""Who pays (issue 12): the payer's results split into payer_state and payer_federal.

Scenario.federal_match and CareManagementFee(health_home=True); state + federal = payer to
the cent; a hand-computed split; the enhanced match switching off after its quarters;
bad input naming its JSON path; round trips (JSON, pickle, results file); the CLI's table.
"""
from __future__ import annotations

import json
import os
import pickle
import subprocess

import numpy as np
import pytest

import apmsim

SEED = 20261205
ACA_FROM_5 = {"fmap": [0.6, 0.62, 0.65], "health_home": {"rule": "aca_2703", "first_quarter": 5}}


def marked_scenario(federal_match=ACA_FROM_5, members=120):
    """The default program with model 1's provider care fees marked as health-home services."""
    doc = apmsim.Scenario.default_cmc_program(members=members, years=3).to_dict()
    doc["payment_models"][1]["components"][1]["health_home"] = True
    doc["federal_match"] = federal_match
    return apmsim.Scenario.from_dict(doc)


@pytest.fixture(scope="module")
def results():
    scenario = marked_scenario()
    return scenario, apmsim.run(scenario, trials=12, seed=SEED, calibration_trials=200)


def test_the_scenario_part_and_the_component_flag():
    scenario = marked_scenario()
    assert apmsim.thaw(scenario.federal_match) == ACA_FROM_5
    fee = apmsim.CareManagementFee(pmpm=150, health_home=True)
    assert fee.to_dict()["health_home"] is True
    assert "health_home" not in apmsim.CareManagementFee(pmpm=150).to_dict()
    plain = apmsim.Scenario.default_cmc_program(members=50, years=3)
    assert plain.federal_match is None
    plain.federal_match = {"fmap": 0.7}
    assert apmsim.thaw(plain.federal_match) == {"fmap": 0.7}
    assert plain.to_dict()["federal_match"] == {"fmap": 0.7}
    plain.federal_match = None
    assert "federal_match" not in plain.to_dict()
    with pytest.raises(TypeError):
        scenario.federal_match["fmap"] = 0.9  # a read-only view


def test_state_plus_federal_is_the_payer_to_the_cent(results):
    _, r = results
    pay = r.payments
    assert pay.derived_parties == ["payer_state", "payer_federal"]
    assert "payer_state" not in pay.parties
    for model in pay.models:
        for arm in pay.arms:
            for measure in ("revenue", "payments", "delivery_cost", "net"):
                payer = pay.samples(model, "payer", measure, arm)
                split = pay.samples(model, "payer_state", measure, arm) + pay.samples(model, "payer_federal", measure, arm)
                assert np.max(np.abs(split - payer)) < 0.005, (model, arm, measure)


def test_the_enhanced_match_switches_off_after_its_quarters(results):
    _, r = results
    pay = r.payments
    fmap = np.array([0.6, 0.62, 0.65])
    for arm in pay.arms:
        payer = pay.samples("ffs_care_fee_shared_savings", "payer", "net", arm)
        federal = pay.samples("ffs_care_fee_shared_savings", "payer_federal", "net", arm)
        fees = pay.metric("ffs_care_fee_shared_savings", "care_management_fees", arm)
        # Program quarters 5-8 are year 1; year 2 starts at quarter 9, past the 8 enhanced quarters.
        np.testing.assert_array_less(federal[:, 0], fmap[0] * payer[:, 0])
        np.testing.assert_allclose(federal[:, 1:], fmap[1:] * payer[:, 1:], rtol=1e-12)
        assert np.all(fees[:, 0] > 0)
        # The fee-for-service model has no health-home flows: the FMAP every year.
        np.testing.assert_allclose(pay.samples("fee_for_service", "payer_federal", "net", arm),
                                   fmap * pay.samples("fee_for_service", "payer", "net", arm), rtol=1e-12)


def test_a_hand_computed_split():
    doc = apmsim.Scenario.default_cmc_program(members=80, years=3, payment_models=False).to_dict()
    doc["payment_models"] = [{"name": "hh", "components": [
        {"type": "fee_for_service"},
        {"type": "care_management_fee", "pmpm": {"A": 300, "B": 120, "C": 40}, "health_home": True}]}]
    doc["federal_match"] = {"fmap": 0.8, "health_home": {"rule": "ace_kids"}}
    r = apmsim.run(apmsim.Scenario.from_dict(doc), trials=8, seed=SEED)
    pay = r.payments
    h = np.array([0.5 * 0.9 + 0.5 * 0.8, 0.8, 0.8])  # quarters 1-2 at min(0.9, 0.95), the rest at 0.8
    for arm in pay.arms:
        fees = pay.metric("hh", "care_management_fees", arm)
        ffs = pay.metric("hh", "fee_for_service", arm)
        expected = -(0.8 * ffs + h * fees)
        np.testing.assert_allclose(pay.samples("hh", "payer_federal", "net", arm), expected, rtol=1e-12)
        np.testing.assert_allclose(pay.samples("hh", "payer_state", "payments", arm), 0.2 * ffs + (1 - h) * fees, rtol=1e-12)


def test_the_summary_and_the_results_file(results, tmp_path):
    scenario, r = results
    summary = r.payments.summary()
    row = summary.loc[("fee_for_service", "intervention", 0, "payer_state", "net")]
    assert row["mean"] == pytest.approx(r.payments.samples("fee_for_service", "payer_state").sum(axis=1).mean())
    doc = r.to_dict(scenario.name)
    assert doc["payment_models"]["derived_parties"] == ["payer_state", "payer_federal"]
    assert doc["payment_models"]["parties"] == ["payer", "provider", "pcp", "other_providers", "reinsurer"]
    assert doc["resolved_scenario"]["federal_match"] == ACA_FROM_5
    path = tmp_path / "results.json"
    r.save(path, scenario.name)
    back = apmsim.Results.load(path)
    np.testing.assert_allclose(back.payments.samples("fee_for_service", "payer_federal"),
                               r.payments.samples("fee_for_service", "payer_federal"))
    assert apmsim.Scenario.from_results(path).federal_match == scenario.federal_match
    # The report's tables list the derived rows after the parties.
    from apmsim._report_tables import net_by_party, status_quo_comparison
    rows = {(row[0], row[1]): row for row in net_by_party(back).rows}
    assert ("fee_for_service", "payer_state") in rows and ("fee_for_service", "payer_federal") in rows
    assert {party for _, party in rows} >= {"payer", "payer_state", "payer_federal"}
    assert any(row[1] == "payer_federal" for row in status_quo_comparison(back).rows)


def test_pickle_and_equality(results):
    _, r = results
    again = pickle.loads(pickle.dumps(r.payments))
    assert again == r.payments
    assert again.derived_parties == r.payments.derived_parties
    np.testing.assert_array_equal(again.samples("fee_for_service", "payer_state"), r.payments.samples("fee_for_service", "payer_state"))
    scenario = marked_scenario()
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    assert scenario != marked_scenario({"fmap": 0.6, "health_home": {"rule": "aca_2703"}})


def test_without_a_federal_match_nothing_changes(results):
    _, r = results
    plain = apmsim.Scenario.default_cmc_program(members=120, years=3)
    p = apmsim.run(plain, trials=12, seed=SEED, calibration_trials=200).payments
    assert p.derived_parties == []
    assert set(p.summary().index.get_level_values("party")) <= set(apmsim.PaymentResults.parties)
    assert "derived_parties" not in p.to_dict()
    with pytest.raises(apmsim.InvalidInput, match="party"):
        p.samples("fee_for_service", "payer_state")
    # The split is derived: every ledger value is the same with it.
    for model in p.models:
        for party in apmsim.PaymentResults.parties:
            np.testing.assert_array_equal(p.samples(model, party), r.payments.samples(model, party))


BAD = [
    ("fmap above 1", {"fmap": 1.2}, False, "federal_match.fmap"),
    ("negative fmap", {"fmap": -0.6}, False, "federal_match.fmap"),
    ("fmap list of the wrong length", {"fmap": [0.6, 0.6]}, False, "federal_match.fmap"),
    ("unknown rule", {"fmap": 0.6, "health_home": {"rule": "aca"}}, True, "federal_match.health_home.rule"),
    ("first quarter 0", {"fmap": 0.6, "health_home": {"rule": "aca_2703", "first_quarter": 0}}, True,
     "federal_match.health_home.first_quarter"),
    ("rule with no marked component", {"fmap": 0.6, "health_home": {"rule": "aca_2703"}}, False, "federal_match.health_home"),
    ("marked component without a rule", {"fmap": 0.6}, True, "payment_models[1].components[1].health_home"),
    ("marked component without a federal match", None, True, "payment_models[1].components[1].health_home"),
]


@pytest.mark.parametrize("what,match,mark,where", BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_its_json_path(what, match, mark, where):
    doc = apmsim.Scenario.default_cmc_program(members=50, years=3).to_dict()
    if mark:
        doc["payment_models"][1]["components"][1]["health_home"] = True
    if match is not None:
        doc["federal_match"] = match
    with pytest.raises(apmsim.InvalidInput) as error:
        apmsim.Scenario.from_dict(doc)
    assert str(error.value).startswith(where + ":"), str(error.value)
    assert [e["where"] for e in apmsim.validate(doc)["errors"]] == [where]


def test_an_fmap_above_any_states_is_a_warning():
    doc = apmsim.Scenario.default_cmc_program(members=50, years=3).to_dict()
    doc["federal_match"] = {"fmap": [0.6, 0.9, 0.62]}
    report = apmsim.validate(doc)
    assert report["errors"] == []
    assert [w["where"] for w in report["warnings"] if "FMAP" in w["message"]] == ["federal_match.fmap[1]"]
    doc["federal_match"] = {"fmap": 0.77}
    assert not [w for w in apmsim.validate(doc)["warnings"] if "FMAP" in w["message"]]


def test_cli_prints_the_derived_rows(tmp_path):
    cli = os.environ.get("APMSIM_CLI")
    if not cli:
        pytest.skip("APMSIM_CLI is not set")
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(marked_scenario(members=60).to_dict()))
    out = tmp_path / "results.json"
    proc = subprocess.run([cli, "run", str(path), "--trials", "6", "--calibration-trials", "100", "--out", str(out)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any("payer_state" in line and "fee_for_service" in line for line in lines), proc.stdout
    assert any("payer_federal" in line for line in lines), proc.stdout
    assert json.loads(out.read_text())["payment_models"]["derived_parties"] == ["payer_state", "payer_federal"]

"""The bundled example of a program as hospitals run it (examples/scenarios/cmc_program_as_run.json,
shared/DOMAIN.md section 9's illustrative budget): tiers A and B enrolled, 80% uptake,
effects ramped 50% then 100%, care coordinators in steps by tier, a start-up cost, family
support by tier, rising risk, 5% of children leaving at each annual renewal, a health-home
federal match and fee for service as the status quo, all together. Checked where the
answer is known whatever the draws: cash is conserved, state + federal = payer, the pool
starts at 1,000 and nobody joins or leaves within a year, the program's costs are paid for
participants only, and every summary compares with fee_for_service."""
from __future__ import annotations

import json

import numpy as np

import apmsim
from conftest import source_dir

EXAMPLE = source_dir() / "examples" / "scenarios" / "cmc_program_as_run.json"


def test_the_program_as_run_example_holds_together(cli, tmp_path):
    s = apmsim.Scenario.load(EXAMPLE)
    r = apmsim.run(s, trials=30, calibration_trials=20, progress=False)
    members, months = r.samples("members"), r.samples("member_months")
    np.testing.assert_array_equal(members[:, 0], 1000)
    np.testing.assert_array_equal(months, 12 * members)  # renewal churn: whole years only
    assert members[:, 1:].std() > 0
    # Family support by tier: $40 in A, $20 in B, none in C (not enrolled).
    family = r.samples("program_cost", "intervention", item="family_support")
    np.testing.assert_allclose(family, 40 * r.participant_months("A") + 20 * r.participant_months("B"), rtol=1e-14)
    np.testing.assert_array_equal(r.participant_months("C"), 0)
    p = r.payments
    for model in p.models:
        for arm in ("baseline", "intervention"):
            total = sum(p.samples(model, x, "revenue", arm) - p.samples(model, x, "payments", arm) for x in p.parties)
            np.testing.assert_allclose(total, 0.0, atol=1e-6 * np.abs(p.samples(model, "payer", "payments", arm)).max())
            split = p.samples(model, "payer_state", "net", arm) + p.samples(model, "payer_federal", "net", arm)
            np.testing.assert_allclose(split, p.samples(model, "payer", "net", arm), rtol=1e-12)
    assert r.status_quo == "fee_for_service" and r.to_dict()["status_quo"]["model"] == "fee_for_service"
    done = cli("run", EXAMPLE, "--trials", "10", "--calibration-trials", "20", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "1,000 members at the start" in done.stdout
    assert "Compared with fee_for_service" in done.stdout and "Enrolment (mean over trials)" in done.stdout
    assert apmsim.Scenario.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_renewal_churn_with_a_one_year_simulated_base_period():
    """The simulated base period is every member as in year 1, without churn: a one-year
    base period next to renewal churn runs (it used to fail the churn's horizon check)."""
    d = apmsim.Scenario.load(EXAMPLE).to_dict()
    d["population"]["generate"]["members"] = 200
    d["payment_models"] = [m for m in d["payment_models"] if m["name"] in ("fee_for_service", "ffs_shared_risk_glide_path")]
    for c in d["payment_models"][1]["components"]:
        if "benchmark" in c:
            c["benchmark"]["base_year_weights"] = [1.0]
    r = apmsim.run(apmsim.Scenario.from_dict(d), trials=5, calibration_trials=20, progress=False)
    assert r.payments.samples("ffs_shared_risk_glide_path", "provider", "net", "intervention").shape == (5, 3)


def test_pmpm_by_tier_follows_participants_into_the_tier_they_move_to():
    """Participation is fixed at the start, the PMPM is the tier's that year: with tier
    transitions a participant who moves from A to B is paid B's rate, which may be named."""
    d = apmsim.Scenario.load(EXAMPLE).to_dict()
    d["population"] = {"generate": {"members": 200, "tier_mix": {"A": 0.25, "B": 0.5, "C": 0.25}}}
    iv = d["intervention"]
    iv.update(target_tiers=["A"], uptake=1.0, program_cost_pmpm={"care": {"by_tier": {"A": 100.0, "C": 30.0}}})
    for key in ("staffing", "start_up_cost", "upward_transition_change"):
        iv.pop(key)
    d["delivery"].pop("program_cost_borne_by")
    d["cost_model"]["tier_transitions"] = {"A": {"A": 0.6, "B": 0.0, "C": 0.4}, "B": {"B": 1.0}, "C": {"C": 1.0}}
    d.pop("payment_models"), d.pop("federal_match"), d.pop("status_quo")
    r = apmsim.run(apmsim.Scenario.from_dict(d), trials=6, progress=False)
    months_a, months_c = r.participant_months("A"), r.participant_months("C")
    assert months_c[:, 1:].min() > 0  # participants moved into C
    np.testing.assert_allclose(r.samples("program_cost", "intervention"), 100.0 * months_a + 30.0 * months_c, rtol=1e-14)

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

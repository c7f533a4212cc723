"""Results.compare: each payment model minus the status quo, trial by trial. Every number
is recomputed here with numpy from the per-trial samples; the common-random-numbers claim
(the difference is less noisy than on independent simulations) is checked where it must
hold, for the payer, whose payments under any model move with the same simulated costs."""
from __future__ import annotations

import numpy as np
import pytest

import apmsim
from conftest import source_dir

COMPARED = source_dir() / "examples" / "scenarios" / "payment_models_compared.json"


@pytest.fixture(scope="module")
def results():
    return apmsim.run(apmsim.Scenario.load(COMPARED), trials=120, seed=11, calibration_trials=40, progress=False)


def test_every_row_is_the_trial_by_trial_difference(results):
    table = results.compare()
    p = results.payments
    others = [m for m in p.models if m != "fee_for_service"]
    assert sorted(set(table.index.get_level_values("model"))) == sorted(others)
    assert set(table.index.get_level_values("arm")) == {"intervention"}
    for model in others:
        for party in ("payer", "provider", "pcp"):
            for measure in ("revenue", "net"):
                a = p.samples(model, party, measure, "intervention")
                b = p.samples("fee_for_service", party, measure, "intervention")
                for year in range(0, p.years + 1):
                    x = (a.sum(axis=1) if year == 0 else a[:, year - 1])
                    z = (b.sum(axis=1) if year == 0 else b[:, year - 1])
                    d = x - z
                    row = table.loc[(model, "intervention", year, party, measure)]
                    assert row["mean"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-6)
                    assert row["sd"] == pytest.approx(d.std(ddof=1), rel=1e-9, abs=1e-6)
                    assert row["standard_error"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)), rel=1e-9, abs=1e-6)
                    assert row["p50"] == pytest.approx(np.quantile(d, 0.5), rel=1e-12, abs=1e-6)
                    assert row["p_negative"] == pytest.approx(np.mean(d < 0))
                    independent = np.sqrt((x.var(ddof=1) + z.var(ddof=1)) / len(d))
                    assert row["standard_error_independent"] == pytest.approx(independent, rel=1e-9, abs=1e-6)


def test_common_random_numbers_make_the_difference_less_noisy(results):
    table = results.compare()
    payer = table.xs(("intervention", 0, "payer", "payments"), level=("arm", "year", "party", "measure"))
    # The payer's payments under every model follow the same simulated costs: the
    # difference's standard error is a small part of what independent runs would give.
    assert (payer.standard_error < 0.5 * payer.standard_error_independent).all(), payer[["standard_error", "standard_error_independent"]]


def test_another_baseline_and_arm(results):
    base = "two_sided_shared_risk_corridor"
    table = results.compare(baseline_model=base, arm="baseline")
    assert base not in set(table.index.get_level_values("model"))
    ffs = table.loc[("fee_for_service", "baseline", 0, "provider", "net")]
    a = results.payments.samples("fee_for_service", "provider", "net", "baseline").sum(axis=1)
    b = results.payments.samples(base, "provider", "net", "baseline").sum(axis=1)
    assert ffs["mean"] == pytest.approx((a - b).mean(), rel=1e-12)
    assert results.payments.compare(base, "baseline").equals(table)


def test_bad_baselines_are_refused(results):
    with pytest.raises(ValueError, match=r"baseline_model: expected a settled payment model \(fee_for_service, .*got \"ffs\""):
        results.compare("ffs")
    with pytest.raises(ValueError, match="arm"):
        results.compare(arm="both")
    with pytest.raises(TypeError):
        results.compare(3)
    assert results.compare(None).equals(results.compare("fee_for_service"))  # None: the scenario's status quo
    plain = apmsim.run(apmsim.Scenario.default_cmc_program(members=30, years=1, payment_models=False), trials=4, progress=False)
    with pytest.raises(ValueError, match="Results.compare: expected results with settled payment models"):
        plain.compare()


def test_the_command_line_prints_the_same_comparison(results, cli):
    done = cli("run", COMPARED, "--trials", "120", "--seed", "11", "--calibration-trials", "40", "--quiet",
               "--compare-with", "fee_for_service")
    assert done.returncode == 0, done.stderr
    table = results.compare()
    lines = done.stdout.split("Compared with fee_for_service")[1].splitlines()
    printed = {tuple(line.split()[:2]): line.split()[2:] for line in lines[3:] if line.strip()}
    for (model, party), values in printed.items():
        row = table.loc[(model, "intervention", 0, party, "net")]
        assert values[0] == f"{row['mean']:,.0f}".replace("-0", "0") and values[1] == f"{row['standard_error']:,.0f}"
        assert values[3] == f"{100 * row['p_negative']:.1f}%"
    assert ("care_fee_one_sided_shared_savings", "provider") in printed
    bad = cli("run", COMPARED, "--trials", "2", "--compare-with", "ffs")
    assert bad.returncode == 2 and "--compare-with: expected a payment model of the scenario with another on its population segment (fee_for_service" in bad.stderr


def test_the_wide_view_of_a_summary(results):
    net = results.payments.summary().xs("net", level="measure")
    table = apmsim.wide(net, "mean", "year")
    assert list(table.columns) == list(range(0, results.years + 1))
    for year in range(0, results.years + 1):
        assert table.loc[("fee_for_service", "intervention", "provider"), year] == net.loc[("fee_for_service", "intervention", year, "provider"), "mean"]
    # All years together is the sum of the years (of each trial, so of the means too).
    row = table.loc[("two_sided_shared_risk_corridor", "intervention", "provider")]
    assert row[0] == pytest.approx(sum(row[y] for y in range(1, results.years + 1)), rel=1e-9)
    with pytest.raises(ValueError, match="statistic: expected a column"):
        apmsim.wide(net, "average")
    with pytest.raises(ValueError, match="across: expected an index level"):
        apmsim.wide(net, "mean", "trial")
    with pytest.raises(TypeError):
        apmsim.wide([1, 2])

"""From claims extracts to a cost model, from Python and the command line: synthetic
extracts, calibration from paths and DataFrames, column maps, the strict mode, malformed
files, and a scenario that names the calibrated cost model by path."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import apmsim
from apmsim import _core
from conftest import source_dir


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    out = tmp_path_factory.mktemp("extracts")
    truth = apmsim.synthesize(out, members=400, years=2, seed=21)
    return out, truth


def test_calibration_reconciles_and_recovers_the_frequencies(extracts):
    out, truth = extracts
    cal = apmsim.calibrate(out / "members.csv", out / "claims.csv", manual="default", first="2024-01")
    assert cal.reconciles
    assert cal.report["standardisation"]["rows_kept"] == truth["files"]["claims.csv"]["true_lines"]
    default = _core._cost_model_document(apmsim.Scenario.default_cmc_program())
    assert cal.cost_model["tiers"] == default["tiers"] and cal.cost_model["categories"] == default["categories"]
    for cell in cal.report["calibration"]["cells"]:
        fit = cell["frequency_fit"]
        truth_mean = default["cells"][cell["category"]][cell["tier"]]["frequency"]["mean"]
        assert abs(fit["rate"] - truth_mean) < 4 * fit["rate_se"], cell
    cells = cal.cells
    assert cells.shape[0] == 24 and {"observed_frequency", "fitted_frequency", "frequency_credibility"} <= set(cells.columns)
    assert cal.months["completeness"].iloc[-1] < 0.8  # the last month's claims are not all paid
    assert cal.run_out_triangle.shape[0] == 24


def test_dataframes_give_the_same_calibration_as_files(extracts):
    out, _ = extracts
    by_path = apmsim.calibrate(out / "members.csv", out / "claims.csv", first="2024-01")
    members = pd.read_csv(out / "members.csv", dtype=str, keep_default_na=False)
    claims = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False)
    by_frame = apmsim.calibrate(members, claims, first="2024-01")
    assert by_frame.cost_model == by_path.cost_model
    assert by_frame.report["standardisation"]["findings"][0]["file"] == "<claims DataFrame>"


def test_a_column_map_renames_columns_and_maps_codes(tmp_path):
    (tmp_path / "m.csv").write_text("MBR,ACUITY,FROM,THRU\nM1,1,2024-01-01,2024-12-31\nM2,2,2024-01-01,2024-12-31\n")
    rows = ["CLM,MBR,DOS,PD,REV,AMT"]
    for month in range(1, 13):
        for k, (member, code, amount) in enumerate([("M1", "0450", 1000 + 37 * month), ("M2", "0100", 9000 + 11 * month),
                                                    ("M1", "0100", 7000 + 53 * month), ("M2", "0450", 800 + 29 * month)]):
            rows.append(f"C{month}-{k},{member},2024-{month:02d}-10,2024-{month:02d}-20,{code},{amount}")
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n")
    mapping = {"members": {"member_id": "MBR", "tier": "ACUITY", "enrolment_start": "FROM", "enrolment_end": "THRU"},
               "claims": {"claim_id": "CLM", "member_id": "MBR", "service_date": "DOS", "paid_date": "PD", "category": "REV",
                          "allowed": "AMT"},
               "tiers": {"1": "A", "2": "B"}, "categories": {"0450": "emergency", "0100": "inpatient"}}
    cal = apmsim.calibrate(tmp_path / "m.csv", tmp_path / "c.csv", map=mapping, seasonality="no")
    assert cal.cost_model["tiers"] == ["A", "B"]
    assert cal.cost_model["categories"] == ["emergency", "inpatient"]
    assert cal.report["standardisation"]["rows_kept"] == 48
    cell = cal.cells.loc[("A", "emergency")]
    assert cell["events"] == 12
    assert cell["observed_frequency"] == pytest.approx(12.0)


def test_strict_mode_and_malformed_files_name_the_file_and_line(extracts, tmp_path):
    out, _ = extracts
    with pytest.raises(ValueError, match=r"claims\.csv, line \d+: expected no \w+ finding \(strict mode\)"):
        apmsim.calibrate(out / "members.csv", out / "claims.csv", strict=True)
    members = out / "members.csv"
    header = "claim_id,line,member_id,service_date,paid_date,category,allowed\n"
    cases = {
        "quote.csv": (header + 'C1,1,M000001,2024-01-01,2024-01-05,"inpatient,100\n', r"quote\.csv, line 2"),
        "columns.csv": (header + "C1,1,M000001,2024-01-01,2024-01-05,inpatient\n", r"columns\.csv, line 2"),
        "missing.csv": ("claim_id,member_id\nC1,M1\n", r"missing\.csv.*service_date"),
        "empty.csv": ("", r"empty\.csv"),
    }
    for name, (text, pattern) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=pattern):
            apmsim.calibrate(members, tmp_path / name)
    (tmp_path / "binary.csv").write_bytes(header.encode() + b"\x00\x01\x02\xff\xfe\n")
    with pytest.raises(ValueError, match=r"binary\.csv, line 2"):
        apmsim.calibrate(members, tmp_path / "binary.csv")


def test_cli_synth_is_reproducible_and_calibrate_writes_a_cost_model_a_scenario_can_name(cli, tmp_path, bundled_scenario_path):
    for name in ("a", "b"):
        r = cli("synth", "--members", 300, "--years", 2, "--seed", 9, "--out", tmp_path / name)
        assert r.returncode == 0, r.stderr
    for f in ("members.csv", "claims.csv", "truth.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    r = cli("calibrate", "--members", tmp_path / "a" / "members.csv", "--claims", tmp_path / "a" / "claims.csv", "--manual", "default",
            "--first", "2024-01", "--out", tmp_path / "cost_model.json", "--report", tmp_path / "report.json")
    assert r.returncode == 0, r.stderr
    assert "reconciles: yes" in r.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["standardisation"]["reconciles"]
    scenario = json.loads(bundled_scenario_path.read_text())
    scenario["cost_model"] = "cost_model.json"
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    loaded = apmsim.Scenario.load(tmp_path / "scenario.json")
    document = json.loads((tmp_path / "cost_model.json").read_text())
    assert _core._cost_model_document(loaded) == document
    r = cli("run", tmp_path / "scenario.json", "--trials", 20, "--out", tmp_path / "results.json", "--quiet")
    assert r.returncode == 0, r.stderr


def test_cli_errors_exit_2_and_leave_no_output(cli, tmp_path, extracts):
    out, _ = extracts
    r = cli("synth", "--members", 10, "--duplicate", 1.5, "--out", tmp_path / "x")
    assert r.returncode == 2 and "command line --duplicate" in r.stderr
    (tmp_path / "bad.csv").write_text('claim_id,member_id,service_date,paid_date,category,allowed\nC1,"M1,2024-01-01\n')
    r = cli("calibrate", "--members", out / "members.csv", "--claims", tmp_path / "bad.csv", "--out", tmp_path / "cm.json")
    assert r.returncode == 2 and "bad.csv, line 2" in r.stderr, r.stderr
    assert not (tmp_path / "cm.json").exists()
    r = cli("calibrate", "--members", out / "members.csv", "--claims", out / "claims.csv", "--out", tmp_path / "cm.json", "--strict")
    assert r.returncode == 2 and "strict mode" in r.stderr
    assert not (tmp_path / "cm.json").exists()
    for option, value, named in [("--seasonality", "maybe", "seasonality"), ("--tail", "0.5", "tail_factor")]:
        r = cli("calibrate", "--members", out / "members.csv", "--claims", out / "claims.csv", "--out", tmp_path / "cm.json", option, value)
        assert r.returncode == 2 and named in r.stderr and value in r.stderr, r.stderr
        assert not (tmp_path / "cm.json").exists()


def test_a_column_map_with_an_unknown_key_is_refused_naming_it(extracts):
    out, _ = extracts
    with pytest.raises(ValueError, match="amount"):
        apmsim.calibrate(out / "members.csv", out / "claims.csv", map={"claims": {"amount": "AMT"}})
    with pytest.raises(ValueError, match="codes"):
        apmsim.calibrate(out / "members.csv", out / "claims.csv", map={"codes": {}})


def test_a_scenario_refuses_a_cost_model_file_of_other_tiers(tmp_path, bundled_scenario_path):
    document = _core._cost_model_document(apmsim.Scenario.default_cmc_program())
    document["tiers"] = ["X", "Y", "Z"]
    (tmp_path / "cm.json").write_text(json.dumps(document))
    scenario = json.loads(bundled_scenario_path.read_text())
    scenario["cost_model"] = "cm.json"
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    with pytest.raises(ValueError, match=r"cm\.json: tiers: expected the scenario's tiers"):
        apmsim.Scenario.load(tmp_path / "scenario.json")


def test_synthesize_rejects_an_unknown_mess_rule(tmp_path):
    with pytest.raises(ValueError, match="mess.typo"):
        apmsim.synthesize(tmp_path, members=10, typo=0.1)
    assert math.isfinite(apmsim.synthesize(tmp_path, members=10, years=1, clean=True)["seed"])


def test_a_calibrated_cost_model_can_be_assigned_to_a_scenario(extracts):
    out, _ = extracts
    cal = apmsim.calibrate(out / "members.csv", out / "claims.csv", manual="default", first="2024-01")
    scenario = apmsim.Scenario.default_cmc_program(400, 1)
    scenario.cost_model = cal.cost_model
    assert scenario.cost_model["frailty_cv"] == cal.cost_model["frailty_cv"]
    assert scenario.cost_model["cells"] == cal.cost_model["cells"]
    other = dict(cal.cost_model, tiers=["X", "Y", "Z"])
    with pytest.raises(ValueError, match=r"cost_model\.tiers: expected the scenario's tiers"):
        scenario.cost_model = other


def test_a_severity_tail_is_fitted_where_the_cells_are_large_enough(extracts, cli, tmp_path):
    out, _ = extracts
    cal = apmsim.calibrate(out / "members.csv", out / "claims.csv", first="2024-01", tail_quantile=0.9)
    tails = cal.tails
    assert len(tails) >= 1 and set(tails.columns) >= {"threshold", "shape", "shape_se", "scale", "exceedances", "used"}
    assert (tails["exceedances"] >= 50).all() and tails["used"].all()  # no manual model: every fitted tail is used
    for (tier, category), row in tails.iterrows():
        severity = cal.cost_model["cells"][category][tier]["severity"]
        assert severity["type"] == "spliced_lognormal_pareto" and severity["threshold"] == row["threshold"]
    r = cli("calibrate", "--members", out / "members.csv", "--claims", out / "claims.csv", "--first", "2024-01", "--tail-quantile", 0.9,
            "--out", tmp_path / "cm.json")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "cm.json").read_text())["cells"] == cal.cost_model["cells"]
    with pytest.raises(ValueError, match="tail_quantile"):
        apmsim.calibrate(out / "members.csv", out / "claims.csv", tail_quantile=1.5)


def test_a_fit_that_fails_on_a_kept_extreme_line_names_that_line(cli, tmp_path):
    # One line of 1e100 dollars (flagged extreme_value and kept, as documented) makes the
    # severity fit impossible; the error said only "Lognormal.sigma ...". It now names the line.
    data = source_dir() / "examples" / "data" / "cmc_program"
    lines = (data / "claims.csv").read_text().splitlines()
    fields = lines[3].split(",")
    fields[6] = fields[7] = "1e100"
    lines[3] = ",".join(fields)
    (tmp_path / "claims.csv").write_text("\n".join(lines) + "\n")
    r = cli("calibrate", "--members", data / "members.csv", "--claims", tmp_path / "claims.csv", "--manual", "default",
            "--out", tmp_path / "cm.json")
    assert r.returncode == 2, r.stderr
    assert "flagged extreme_value, e.g. " in r.stderr and "claims.csv, line 4" in r.stderr, r.stderr
    assert not (tmp_path / "cm.json").exists()


def test_a_window_opened_by_a_future_claim_names_that_claim(cli, tmp_path):
    # One claim paid in 2099 stretches the default window to 2099-03; the error said only
    # "claims[2024-07]: expected claims in every month of the window". It now says where the
    # window's ends come from, with the line.
    data = source_dir() / "examples" / "data" / "cmc_program"
    lines = (data / "claims.csv").read_text().splitlines()
    lines.append("C99,1,M000001,2099-03-01,2099-03-05,outpatient,100,100,original")
    (tmp_path / "claims.csv").write_text("\n".join(lines) + "\n")
    r = cli("calibrate", "--members", data / "members.csv", "--claims", tmp_path / "claims.csv", "--out", tmp_path / "cm.json")
    assert r.returncode == 2, r.stderr
    assert f"to 2099-03 (the latest payment: {tmp_path / 'claims.csv'}, line {len(lines)})" in r.stderr, r.stderr
    assert not (tmp_path / "cm.json").exists()


def _count_variance(cell: dict, frailty_cv: float) -> float:
    """Var N of a member-year in a cell (mean m, 1 / r) with gamma frailty of variance v:
    m + m^2 (v + (1 + v) / r), from the frequency document alone."""
    f = cell["frequency"]
    m = f["mean"]
    inv_r = 1.0 / f["dispersion"] if f["type"] == "negative_binomial" else 0.0
    v = frailty_cv ** 2
    return m + m * m * (v + (1.0 + v) * inv_r)


def test_a_thin_program_blended_with_a_manual_keeps_the_manual_frailty_and_count_variance(tmp_path):
    # Four members with pharmacy claims only: the claims cannot estimate frailty (it needs
    # two categories), so the cost model's frailty is the manual's; the cells the manual
    # fills keep the manual's count variance. 0.6.1 kept the experience's frailty, 0, and
    # the manual's 1 / r: the count variance of every cell fell (to 0.42 of the manual's in
    # tier A's pharmacy, the independent review's example).
    (tmp_path / "members.csv").write_text("member_id,tier,enrolment_start,enrolment_end\n"
                                          "M1,A,2024-01-01,2024-03-31\nM2,A,2024-01-01,2024-03-31\n"
                                          "M3,A,2024-01-16,2024-03-31\nM4,A,2024-01-01,2024-03-31\n")
    rows = [("M1", "01-05", 100), ("M2", "01-10", 250), ("M3", "01-20", 300), ("M4", "02-10", 400), ("M1", "02-03", 200),
            ("M2", "03-05", 500), ("M3", "03-01", 120), ("M4", "03-10", 90), ("M1", "03-20", 40)]
    (tmp_path / "claims.csv").write_text("claim_id,member_id,service_date,paid_date,category,allowed\n" + "".join(
        f"C{k},{m},2024-{d},2024-{d},pharmacy,{a}\n" for k, (m, d, a) in enumerate(rows)))
    manual = apmsim.Scenario.default_cmc_program().to_dict()["cost_model"]
    cal = apmsim.calibrate(tmp_path / "members.csv", tmp_path / "claims.csv", manual="default", seasonality="no")
    assert cal.frailty["estimated"] is False and cal.frailty["credibility"] == 0.0
    assert cal.cost_model["frailty_cv"] == pytest.approx(manual["frailty_cv"], rel=1e-12)
    fitted = {(c["tier"], c["category"]): c for c in cal.cells.reset_index().to_dict("records")}
    for category in manual["cells"]:
        for tier in manual["cells"][category]:
            mine, theirs = cal.cost_model["cells"][category][tier], manual["cells"][category][tier]
            if fitted[(tier, category)]["events"] == 0:  # filled by the manual: its count variance
                assert _count_variance(mine, cal.cost_model["frailty_cv"]) == pytest.approx(
                    _count_variance(theirs, manual["frailty_cv"]), rel=1e-9), (tier, category)
    # The pharmacy cell of tier A, 9 claims: Z = sqrt(9 / 1082.2) blends the overdispersion
    # beyond Poisson, c = Var N / m^2 - 1 / m, of a Poisson experience (0) with the manual's.
    z = fitted[("A", "pharmacy")]["frequency_credibility"]
    assert z == pytest.approx((9 / 1082.2) ** 0.5, rel=1e-3)
    cell, man = cal.cost_model["cells"]["pharmacy"]["A"], manual["cells"]["pharmacy"]["A"]
    c_manual = _count_variance(man, manual["frailty_cv"]) / man["frequency"]["mean"] ** 2 - 1 / man["frequency"]["mean"]
    c_model = _count_variance(cell, cal.cost_model["frailty_cv"]) / cell["frequency"]["mean"] ** 2 - 1 / cell["frequency"]["mean"]
    assert c_model == pytest.approx((1 - z) * c_manual, rel=1e-9)


def test_monitoring_reads_the_whole_history_for_the_run_out_and_refuses_too_short_a_one(tmp_path, cli):
    # A program's first quarter of 2024 with 2023 before it, paid after an exponential lag
    # of mean 40 days (whole days, rounded up). 0.6.1 read only the quarter by default, took
    # January's claims as complete (completeness 1.00, 0.85, 0.51 against the lag's 0.84,
    # 0.67, 0.30) and flagged the program far below its expected cost.
    import datetime
    import math

    apmsim.synthesize(tmp_path, apmsim.Scenario.default_cmc_program(300, 1), members=300, years=2, seed=11, start="2023-01",
                      valuation="2024-03-31", clean=True)
    scenario = apmsim.Scenario.default_cmc_program(300, 1)
    m = apmsim.monitor(tmp_path / "members.csv", tmp_path / "claims.csv", scenario, start="2024-01", through="2024-03",
                       trials=100, seed=5)
    end = datetime.date(2024, 3, 31)

    def paid_share(month: int) -> float:  # P(lag <= days to the end of March), service days uniform in the month
        days = [datetime.date(2024, month, 1) + datetime.timedelta(d) for d in range(31)]
        days = [d for d in days if d.month == month]
        return sum(1 - math.exp(-(end - d).days / 40) for d in days) / len(days)

    # The chain ladder's factors from 15 months of 300 members: within 0.1 (its sampling
    # error here is about 0.03-0.06; the bug was 0.16-0.21 off).
    assert m.report["completeness"] == pytest.approx([paid_share(1), paid_share(2), paid_share(3)], abs=0.1)
    # Only the quarter: claims still developing at its longest lag, so refused, naming the remedies.
    with pytest.raises(ValueError, match=r"first: expected claims history long enough to see claims finish developing .* "
                                         r"or a tail factor above 1 .*got [0-9]+(\.[0-9])?% paid in 2024-03, 2 months after service"):
        apmsim.monitor(tmp_path / "members.csv", tmp_path / "claims.csv", scenario, start="2024-01", through="2024-03",
                       first="2024-01", trials=50)
    r = cli("monitor", "--members", tmp_path / "members.csv", "--claims", tmp_path / "claims.csv", "--start", "2024-01",
            "--through", "2024-03", "--first", "2024-01", "--trials", "50", "--out", tmp_path / "m.json")
    assert r.returncode == 2 and "tail factor above 1" in r.stderr and not (tmp_path / "m.json").exists()
    # A tail factor stands for the development beyond the quarter: accepted.
    short = apmsim.monitor(tmp_path / "members.csv", tmp_path / "claims.csv", scenario, start="2024-01", through="2024-03",
                           first="2024-01", tail_factor=1.2, trials=50)
    assert short.report["completeness"][-1] < 1 / 1.2 + 1e-12
    with pytest.raises(ValueError, match="first: expected claims history long enough"):  # calibration too
        apmsim.calibrate(tmp_path / "members.csv", tmp_path / "claims.csv", first="2024-01", seasonality="no")


def test_with_a_manual_the_amounts_are_restated_by_the_blended_trend(tmp_path):
    # Amounts of 100 and 110 that do not trend, but counts that fall by chance (14 claims in
    # January, 5 in December): the experience fits a PMPM trend near -65% a year that the
    # blend with the manual credits below 1%. 0.6.1 still restated the amounts by the
    # fitted slope, giving a severity cv of 0.31 and a mean 4.6% low (the review's case).
    counts = [14, 9, 16, 8, 12, 6, 10, 5, 9, 4, 7, 5]
    rows, amounts, k = [], [], 0
    for month, n in enumerate(counts, start=1):
        for j in range(n):
            k += 1
            amounts.append(100 if k % 2 else 110)
            rows.append(f"C{k},M{j % 10 + 1},2024-{month:02d}-{j % 27 + 1:02d},2024-{month:02d}-28,pharmacy,{amounts[-1]}\n")
    (tmp_path / "claims.csv").write_text("claim_id,member_id,service_date,paid_date,category,allowed\n" + "".join(rows))
    (tmp_path / "members.csv").write_text("member_id,tier,enrolment_start,enrolment_end\n" +
                                          "".join(f"M{i},A,2024-01-01,2024-12-31\n" for i in range(1, 11)))
    cal = apmsim.calibrate(tmp_path / "members.csv", tmp_path / "claims.csv", manual="default")
    assert cal.trend["annual_trend"] < -0.5 and cal.trend["credibility"] < 0.01
    g = cal.trend["cost_model_mean"]
    mean = sum(amounts) / len(amounts)
    sd = (sum((a - mean) ** 2 for a in amounts) / (len(amounts) - 1)) ** 0.5
    cell = cal.cells.loc[("A", "pharmacy")]
    # Restated by g over at most 11.5 months, the amounts move by under 4% (g is about 3.5%):
    # the fitted mean is within 4% of the raw mean and the cv within 0.02 of the raw 0.048.
    assert abs(g) < 0.05
    assert cell["observed_severity_mean"] == pytest.approx(mean, rel=0.04)
    assert cell["observed_severity_cv"] == pytest.approx(sd / mean, abs=0.02)


def test_frequency_credibility_counts_the_overdispersion_of_the_counts(extracts):
    # Loss Models' limited fluctuation standard for claim counts is n_full sigma_N^2 / mu_N
    # expected claims: an overdispersed cell (negative binomial, 1 + rate / r > 1) needs
    # more claims for the same credibility. 0.6.1 used sqrt(events / n_full) for every cell.
    out, _ = extracts
    cal = apmsim.calibrate(out / "members.csv", out / "claims.csv", manual="default")
    checked = 0
    for c in cal.report["calibration"]["cells"]:
        fit = c.get("frequency_fit")
        if not fit or c["events"] == 0:
            continue
        vmr = 1 + fit["rate"] / fit["dispersion"] if fit["selected"] == "negative_binomial" else 1.0
        assert c["frequency_credibility"] == pytest.approx(min(1.0, (c["events"] / (1082.2 * vmr)) ** 0.5), rel=1e-3), c["category"]
        checked += vmr > 1.5 and c["frequency_credibility"] < 1.0
    assert checked > 0  # some cells are both overdispersed and partially credible


def test_a_cell_with_one_distinct_amount_keeps_its_frequency_and_a_perfect_fit_is_not_a_certain_trend(tmp_path):
    # Six pharmacy claims of $100 in February (one amount, even restated: no severity can be
    # fitted) still tell about the frequency; and three months of equal PMPMs fit a trend of
    # 0 with a standard error of 0 (no residuals), which says nothing about its precision.
    # 0.6.1 gave the cell the manual's frequency (credibility 0) and the cost model a certain
    # trend of 0% (credibility 1) in place of the manual's 4% +/- 1% (the review's case).
    (tmp_path / "members.csv").write_text("member_id,tier,enrolment_start,enrolment_end\n" +
                                          "".join(f"M{i},A,2024-01-01,2024-03-31\n" for i in (1, 2, 3)))
    header = "claim_id,member_id,service_date,paid_date,category,allowed\n"
    rows = [("M1", "01-05"), ("M2", "01-06"), ("M3", "02-05"), ("M1", "02-05"), ("M2", "03-05"), ("M3", "03-05")]
    (tmp_path / "equal.csv").write_text(header + "".join(f"C{k},{m},2024-{d},2024-{d[:2]}-20,pharmacy,100\n" for k, (m, d) in enumerate(rows)))
    manual = apmsim.Scenario.default_cmc_program().to_dict()["cost_model"]
    cal = apmsim.calibrate(tmp_path / "members.csv", tmp_path / "equal.csv", manual="default", seasonality="no")
    assert cal.trend["annual_trend_se"] == 0.0 and cal.trend["credibility"] == 0.0
    assert (cal.cost_model["trend"]["mean"], cal.cost_model["trend"]["sd"]) == (manual["trend"]["mean"], manual["trend"]["sd"])

    other = [(f"O{k}", f"M{k % 3 + 1}", f"2024-{k % 3 + 1:02d}-1{k % 7}", 50 + 13 * k) for k in range(12)]
    (tmp_path / "one_amount.csv").write_text(header + "".join(f"C{k},M{k % 3 + 1},2024-02-0{k + 1},2024-02-20,pharmacy,100\n" for k in range(6)) +
                                             "".join(f"{c},{m},{d},{d[:8]}25,outpatient,{a}\n" for c, m, d, a in other))
    cal = apmsim.calibrate(tmp_path / "members.csv", tmp_path / "one_amount.csv", manual="default", seasonality="no")
    cell = cal.cells.loc[("A", "pharmacy")]
    z = (6 / 1082.2) ** 0.5  # Poisson counts (two claims a member): the standard is n_full claims
    assert cell["frequency_credibility"] == pytest.approx(z, rel=1e-3) and cell["severity_credibility"] == 0.0
    assert cell["observed_frequency"] == pytest.approx(8.0)  # 6 claims in 0.75 exposure-years
    expected = z * 8.0 + (1 - z) * manual["cells"]["pharmacy"]["A"]["frequency"]["mean"]
    assert cal.cost_model["cells"]["pharmacy"]["A"]["frequency"]["mean"] == pytest.approx(expected, rel=1e-3)
    assert cal.cost_model["cells"]["pharmacy"]["A"]["severity"] == manual["cells"]["pharmacy"]["A"]["severity"]

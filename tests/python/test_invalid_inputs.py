"""A corpus of bad scenario, sweep and solve files and arguments for the command line.
Each must exit with 2 and a message naming the file, JSON path or option (the fragment
below), never crash, hang or exit 1/3, and leave no output file behind."""
from __future__ import annotations

import json
import os
import pathlib
import sqlite3

import pytest

from conftest import source_dir

BUNDLED = source_dir() / "examples" / "scenarios" / "default_cmc_program.json"
GOOD = json.loads(BUNDLED.read_text())
SHARING = "/payment_models/1/components/3/sharing_rate"
TARGET = "model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.2"


def mutated(change) -> str:
    doc = json.loads(json.dumps(GOOD))
    change(doc)
    return json.dumps(doc)


def setitem(path, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def sweep(**fields) -> str:
    doc = {"base": str(BUNDLED), "axes": [{"pointer": SHARING, "values": [0.4, 0.6]}]}
    doc.update(fields)
    return json.dumps(doc)


RUN = ["run", "{in}", "--trials", "2", "--calibration-trials", "5", "--out", "{dir}/out.json"]
SWEEP = ["sweep", "{in}", "--db", "{dir}/out.sqlite", "--trials", "2", "--calibration-trials", "5"]
SOLVE = ["solve", str(BUNDLED), "--trials", "5", "--calibration-trials", "5", "--out", "{dir}/out.json"]

# (id, file text or None, command, fragment of the error message)
CASES = [
    # scenario files
    ("missing_file", None, ["run", "{dir}/nothing.json"], "nothing.json: expected a scenario file (JSON), got no such file"),
    ("folder", None, ["run", "{dir}"], "got a folder"),
    ("device", None, ["run", "/dev/zero"], "not a regular file"),
    ("truncated", json.dumps(GOOD)[:500], RUN, "expected valid JSON"),
    ("empty", "", RUN, "expected valid JSON"),
    ("nan", json.dumps(GOOD).replace('"frailty_cv": 0.5', '"frailty_cv": NaN'), RUN, "expected valid JSON"),
    ("deep_nesting", "[" * 100000 + "]" * 100000, RUN, "nested at most 64 deep"),
    ("huge_number", json.dumps(GOOD).replace('"frailty_cv": 0.5', '"frailty_cv": 1e400'), RUN, "cost_model.frailty_cv: expected a number within the range"),
    ("huge_trials", json.dumps(GOOD).replace('"trials": 1000', '"trials": 1e400'), ["run", "{in}", "--out", "{dir}/o.json"], "settings.trials"),
    ("unknown_key", mutated(setitem(["paymnet_models"], [])), RUN, 'unknown key "paymnet_models"'),
    ("old_key", json.dumps(GOOD).replace('"program_cost_pmpm"', '"costs_pmpm"'), RUN, '"program_cost_pmpm" (renamed from "costs_pmpm"'),
    ("years_text", mutated(setitem(["years"], "three")), RUN, "years"),
    ("years_zero", mutated(setitem(["years"], 0)), RUN, "years"),
    ("members_negative", mutated(setitem(["population", "generate", "members"], -5)), RUN, "population.generate.members"),
    ("sharing_rate_above_one", mutated(setitem(["payment_models", 1, "components", 3, "sharing_rate"], 1.5)), RUN,
     "payment_models[1].components[3].sharing_rate"),
    ("duplicate_model_names", mutated(setitem(["payment_models", 1, "name"], "fee_for_service")), RUN, "payment_models[1].name"),
    ("unknown_component", mutated(setitem(["payment_models", 0, "components", 0, "type"], "fee_for_servise")), RUN,
     "payment_models[0].components[0].type"),
    ("huge_name", mutated(setitem(["payment_models", 0, "components", 0, "type"], "x" * 1_000_000)), RUN,
     "payment_models[0].components[0].type"),
    # run arguments
    ("trials_zero", json.dumps(GOOD), ["run", "{in}", "--trials", "0"], "--trials: expected a whole number from 1 to"),
    ("trials_text", json.dumps(GOOD), ["run", "{in}", "--trials", "abc"], "--trials"),
    ("threads_too_many", json.dumps(GOOD), ["run", "{in}", "--threads", "5000"], "--threads"),
    ("seed_negative", json.dumps(GOOD), ["run", "{in}", "--seed", "-1"], "--seed"),
    ("calibration_zero", json.dumps(GOOD), ["run", "{in}", "--calibration-trials", "0"], "--calibration-trials"),
    ("out_no_folder", json.dumps(GOOD), ["run", "{in}", "--out", "{dir}/no/such/out.json"], "--out: expected a path in an existing folder"),
    ("out_is_folder", json.dumps(GOOD), ["run", "{in}", "--out", "{dir}"], "--out: expected a file path"),
    ("csv_no_folder", json.dumps(GOOD), ["run", "{in}", "--summary-csv", "{dir}/no/s.csv"], "--summary-csv"),
    ("unknown_option", json.dumps(GOOD), ["run", "{in}", "--trails", "5"], "--trails"),
    ("no_scenario", None, ["run"], "a scenario file or --replay RESULTS.json"),
    ("unknown_command", None, ["simulate", "{in}"], 'expected a command: run'),
    # sweep files
    ("sweep_no_axes", sweep(axes=[]), SWEEP, "axes: expected a non-empty array"),
    ("sweep_pointer_to_nothing", sweep(axes=[{"pointer": "/payment_models/9/name", "values": [1]}]), SWEEP, "axes[0].pointer"),
    ("sweep_pointer_syntax", sweep(axes=[{"pointer": "payment_models", "values": [1]}]), SWEEP, "axes[0].pointer: expected a JSON pointer"),
    ("sweep_empty_values", sweep(axes=[{"pointer": SHARING, "values": []}]), SWEEP, "axes[0].values: expected at least one value"),
    ("sweep_one_step", sweep(axes=[{"pointer": SHARING, "values": {"from": 0.1, "to": 0.2, "steps": 1}}]), SWEEP, "axes[0].values.steps"),
    ("sweep_zip_lengths", sweep(design="zip", axes=[{"pointer": SHARING, "values": [0.1, 0.2]},
                                                    {"pointer": "/settings/calibration_trials", "values": [5]}]), SWEEP, "axes[1].values"),
    ("sweep_tornado_three", sweep(design="tornado", axes=[{"pointer": SHARING, "values": [0.1, 0.2, 0.3]}]), SWEEP, "axes[0].values: expected 2 values"),
    ("sweep_design", sweep(design="random"), SWEEP, "design"),
    ("sweep_unknown_key", sweep(seed=3), SWEEP, 'unknown key "seed"'),
    ("sweep_base_missing", sweep(base="nowhere.json"), SWEEP, "nowhere.json: expected a base scenario file"),
    ("sweep_base_number", sweep(base=5), SWEEP, "base: expected a scenario"),
    ("sweep_bad_variant", sweep(axes=[{"pointer": SHARING, "values": [0.5, 2.0]}]), SWEEP,
     "variant 1 (sharing_rate=2.0): payment_models[1].components[3].sharing_rate"),
    ("sweep_duplicate_axis", sweep(axes=[{"pointer": SHARING, "values": [0.5]}, {"name": "sharing_rate", "pointer": "/years", "values": [2]}]),
     SWEEP, "axes[1].name"),
    ("sweep_truncated", sweep()[:40], SWEEP, "expected valid JSON"),
    ("sweep_trials_zero", sweep(), ["sweep", "{in}", "--db", "{dir}/out.sqlite", "--trials", "0"], "--trials"),
    ("sweep_no_db", sweep(), ["sweep", "{in}"], "--db is required"),
    ("sweep_db_is_folder", sweep(), ["sweep", "{in}", "--db", "{dir}", "--trials", "2"], "expected a database file path, got a folder"),
    ("sweep_repeated_value", sweep(axes=[{"pointer": SHARING, "values": [0.4, 0.6, 0.4]}]), SWEEP, "axes[0].values[2]: expected values that differ"),
    ("sweep_threads_axis", sweep(axes=[{"pointer": "/settings/threads", "values": [1, 2]}]), SWEEP, "axes[0].pointer: expected a term that changes"),
    ("validate_bad_sweep", sweep(axes=[]), ["validate", "{in}"], "axes: expected a non-empty array"),
    # axes that cannot be stored or cannot change a result (the seed axis was an internal SQL error that left an empty database)
    ("sweep_seed_axis", sweep(axes=[{"pointer": "/settings/seed", "values": [1, 2]}]), SWEEP,
     'axes[0].name: expected a column name other than the variants table\'s own'),
    ("sweep_status_axis", sweep(axes=[{"name": "STATUS", "pointer": SHARING, "values": [0.4, 0.6]}]), ["validate", "{in}"], "axes[0].name"),
    ("sweep_axis_inside_another", sweep(axes=[{"pointer": "/cost_model/trend", "values": [{"mean": 0.01}]},
                                              {"pointer": "/cost_model/trend/mean", "values": [0.02, 0.03]}]), SWEEP,
     "axes[1].pointer: expected a pointer neither inside nor around another axis's"),
    ("sweep_name_axis", sweep(axes=[{"pointer": "/name", "values": ["a", "b"]}]), SWEEP, "axes[0].pointer: expected a term that changes"),
    ("sweep_trials_axis_and_option", sweep(axes=[{"pointer": "/settings/trials", "values": [3, 4]}]), SWEEP,
     "axes[0].pointer: expected a term the run does not set for every variant"),
    # a severity whose variance a double cannot hold
    ("weibull_tiny_shape", mutated(setitem(["cost_model", "cells", "inpatient", "A", "severity"],
                                           {"type": "weibull", "shape": 0.005, "scale": 1000})), RUN, "severity.shape: expected at least 0.0117"),
    # a refusal of combined terms (found when the payment models are prepared) names the file too
    ("stop_loss_beside_fee_for_service", mutated(lambda d: d["payment_models"][0]["components"].append(d["payment_models"][3]["components"][2])),
     RUN, "input.json: payment_models[0].components[1].categories: expected categories whose claims the provider pays under a capitation"),
    # outputs that would replace each other or the input
    ("out_twice", json.dumps(GOOD), ["run", "{in}", "--trials", "2", "--out", "{dir}/x.json", "--summary-csv", "{dir}/x.json"],
     "--summary-csv: expected a file no other output or input names"),
    ("out_is_input", json.dumps(GOOD), ["run", "{in}", "--trials", "2", "--out", "{in}"], "--out: expected a file no other output or input names"),
    ("aggregate_no_method_applies", None, ["aggregate", "--frequency", '{"type": "binomial", "n": 10, "p": 1}',
                                           "--severity", '{"type": "pareto", "shape": 0.5, "scale": 100}', "--method", "all"], "expected an explicit grid upper limit"),
    # solve arguments
    ("solve_reversed_range", None, SOLVE + ["--vary", SHARING, "--between", "0.6", "0.4", "--target", TARGET], "--between"),
    ("solve_range_text", None, SOLVE + ["--vary", SHARING, "--between", "low", "0.4", "--target", TARGET], "--between"),
    ("solve_no_bound", None, SOLVE + ["--vary", SHARING, "--between", "0.1", "0.4", "--target", "model=x statistic=mean"], "--target"),
    ("solve_bad_label", None, SOLVE + ["--vary", SHARING, "--between", "0.1", "0.4", "--target", "colour=red statistic=mean <= 1"], "--target"),
    ("solve_vary_text", None, SOLVE + ["--vary", "/payment_models/0/name", "--between", "0.1", "0.4", "--target", TARGET], "--vary"),
    ("solve_vary_nothing", None, SOLVE + ["--vary", "/payment_models/9/x", "--between", "0.1", "0.4", "--target", TARGET], "--vary"),
    ("solve_unknown_model", None, SOLVE + ["--vary", "/payment_models/3/components/0/pmpm/B", "--between", "2000", "6000",
                                            "--target", "model=nobody party=provider statistic=p_negative <= 0.2"], "--target"),
    ("solve_met_both_ends", None, SOLVE + ["--vary", "/payment_models/3/components/0/pmpm/B", "--between", "9000", "9100",
                                            "--target", TARGET], "met at both"),
    ("solve_tolerance_zero", None, SOLVE + ["--vary", SHARING, "--between", "0.1", "0.4", "--target", TARGET, "--tolerance", "0"], "--tolerance"),
]


@pytest.mark.parametrize("name, text, command, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_naming_the_place(name, text, command, fragment, tmp_path, cli):
    source = tmp_path / "input.json"
    if text is not None:
        source.write_text(text)
    before = {f: (tmp_path / f).read_bytes() if (tmp_path / f).is_file() else None for f in os.listdir(tmp_path)}
    args = [a.replace("{in}", str(source)).replace("{dir}", str(tmp_path)) for a in command]
    done = cli(*args, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert fragment in done.stderr, done.stderr[-2000:]
    assert len(done.stderr) < 4000, "user text is cut in messages"
    after = {f: (tmp_path / f).read_bytes() if (tmp_path / f).is_file() else None for f in os.listdir(tmp_path)}
    assert after == before, "an output file was left behind, or an input changed"


def test_foreign_or_damaged_databases_are_refused(tmp_path, cli):
    a = tmp_path / "a.json"
    a.write_text(sweep())
    b = tmp_path / "b.json"
    b.write_text(sweep(axes=[{"pointer": SHARING, "values": [0.3]}]))
    db = tmp_path / "a.sqlite"
    assert cli("sweep", a, "--db", db, "--trials", "2", "--calibration-trials", "5", "--quiet").returncode == 0
    existing = cli("sweep", a, "--db", db, "--trials", "2", "--calibration-trials", "5")
    assert existing.returncode == 2 and "--resume" in existing.stderr
    other = cli("sweep", b, "--db", db, "--resume", "--trials", "2", "--calibration-trials", "5")
    assert other.returncode == 2 and "different sweep (axes differ)" in other.stderr, other.stderr
    other_trials = cli("sweep", a, "--db", db, "--resume", "--trials", "3", "--calibration-trials", "5")
    assert other_trials.returncode == 2 and "trials" in other_trials.stderr
    text = tmp_path / "text.sqlite"
    text.write_text("not a database at all " * 100)
    damaged = cli("sweep", a, "--db", text, "--resume", "--trials", "2")
    assert damaged.returncode == 2 and "is not one" in damaged.stderr, damaged.stderr
    with sqlite3.connect(db) as c:  # untouched by the refused runs
        assert c.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0] == 2


def many_problems() -> dict:
    doc = json.loads(json.dumps(GOOD))
    doc["colour"] = "red"
    doc["cost_model"]["cells"]["inpatient"]["A"]["frequency"]["mean"] = -1
    doc["cost_model"]["cells"]["pharmacy"]["C"]["severity"]["type"] = "lognorml"
    doc["settings"]["trials"] = 0
    doc["payment_models"][1]["components"][3]["sharing_rate"] = 1.5
    doc["payment_models"][2]["components"][0]["type"] = "fee_for_servise"
    doc["payment_models"][3]["components"][1]["target_ratio"] = "one"
    return doc


EXPECTED_PLACES = ["colour", "cost_model.cells.inpatient.A.frequency.mean", "cost_model.cells.pharmacy.C.severity.type", "settings.trials", "payment_models[1].components[3].sharing_rate", "payment_models[2].components[0].type",
                   "payment_models[3].components[1].target_ratio"]


def test_validate_reports_every_problem_at_once(tmp_path, cli):
    import apmsim

    report = apmsim.validate(many_problems())
    assert [e["where"] for e in report["errors"]] == EXPECTED_PLACES
    assert all(e["expected"] and e["actual"] for e in report["errors"])
    assert apmsim.validate(GOOD) == {"errors": [], "warnings": []}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(many_problems()))
    done = cli("validate", bad, BUNDLED, source_dir() / "examples" / "sweeps" / "tornado.json")
    assert done.returncode == 2
    for place in EXPECTED_PLACES:
        assert f"{bad}: {place}: expected" in done.stderr, done.stderr
    assert f"{BUNDLED}: ok" in done.stdout and "tornado.json: ok (sweep of 9 variants)" in done.stdout


def member_list(n: int) -> dict:
    doc = json.loads(json.dumps(GOOD))
    doc["population"] = {"members": {"id": list(range(1, n + 1)), "tier": ["A", "B", "C"] * (n // 3) + ["A"] * (n % 3),
                                     "sex": ["F"] * n, "risk_score": [1.0] * n, "months": 12}}
    return doc


def test_validate_reports_every_problem_of_a_member_list(tmp_path, cli):
    import apmsim

    doc = member_list(30)
    members = doc["population"]["members"]
    members["id"][7] = 3          # the id of member 2 again
    members["tier"][4] = "D"
    members["sex"][5] = "female"
    members["risk_score"][9] = -2.0
    members["months"] = [12] * 30
    members["months"][11] = 13
    report = apmsim.validate(doc)
    assert [(e["where"], e["actual"]) for e in report["errors"]] == [
        ("population.members.tier[4]", '"D"'),
        ("population.members.id[7]", "3, the id of member 2"),
        ("population.members.months[11]", "number 13"),
    ], report
    # With the columns sound, every member's values are checked, each problem once.
    members["id"][7], members["tier"][4], members["months"][11] = 8, "B", 12
    assert [e["where"] for e in apmsim.validate(doc)["errors"]] == ["population.members.sex[5]", "population.members.risk_score[9]"]
    # The same ids are refused when loading, from Python and the command line.
    members["sex"][5], members["risk_score"][9], members["id"][20] = "F", 1.0, 1
    with pytest.raises(ValueError, match=r"population\.members\.id\[20\]: expected an id no other member has, got 1, the id of member 0"):
        apmsim.Scenario.from_dict(doc)
    path = tmp_path / "repeated_id.json"
    path.write_text(json.dumps(doc))
    done = cli("validate", path)
    assert done.returncode == 2 and "population.members.id[20]" in done.stderr, done.stderr


def test_validate_lists_at_most_25_problems_of_a_member_list():
    import apmsim

    doc = member_list(300)
    doc["population"]["members"]["tier"] = ["Z"] * 300
    errors = apmsim.validate(doc)["errors"]
    assert len(errors) == 26 and errors[24]["where"] == "population.members.tier[24]"
    assert errors[25] == {"where": "population.members", "expected": "at most 25 problems listed", "actual": "275 more problems, not listed"}


def test_a_program_cost_bearer_needs_an_intervention():
    import apmsim

    doc = json.loads(json.dumps(GOOD))
    del doc["intervention"]
    errors = apmsim.validate(doc)["errors"]
    assert [e["where"] for e in errors] == ["delivery.program_cost_borne_by.pcp_oversight"], errors
    assert "no intervention" in errors[0]["expected"]


def test_validate_warns_about_implausible_terms(tmp_path, cli):
    import apmsim

    doc = json.loads(json.dumps(GOOD))
    risk = doc["payment_models"][2]["components"][3]
    risk["benchmark"] = {"pmpm": 12 * 4000.0}  # an annual figure typed as monthly
    doc["payment_models"][3]["components"][1]["loss_bands"][2]["from"] = 0.08
    doc["payment_models"][3]["components"][1]["loss_bands"].append({"from": 3.0, "to": None, "keep": 0.1})
    doc["payment_models"][3]["components"][1]["loss_bands"][2]["to"] = 3.0
    doc["payment_models"][3]["components"][0]["pmpm"]["A"] = 89000.0
    report = apmsim.validate(doc)
    assert report["errors"] == []
    places = [w["where"] for w in report["warnings"]]
    assert places == ["payment_models[2].components[3].benchmark.pmpm", "payment_models[3].components[0].pmpm.A",
                      "payment_models[3].components[1].loss_bands[2].to"]
    assert "annual figure typed as monthly" in report["warnings"][0]["message"]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc))
    done = cli("validate", path)
    assert done.returncode == 0 and done.stderr.count("apmsim: warning:") == 3, done.stderr
    # apmsim run prints them too, whether or not it writes the results document that records them.
    quick = ["--trials", "2", "--calibration-trials", "5", "--quiet"]
    plain = cli("run", path, *quick)
    written = cli("run", path, *quick, "--out", tmp_path / "odd_results.json")
    assert plain.returncode == 0 and written.returncode == 0, plain.stderr + written.stderr
    printed = [line for line in plain.stderr.splitlines() if line.startswith("apmsim: warning:")]
    recorded = json.loads((tmp_path / "odd_results.json").read_text())["warnings"]
    assert printed == [f"apmsim: warning: {w['where']}: {w['message']}" for w in recorded]
    assert [w["where"] for w in recorded] == places
    assert [line for line in written.stderr.splitlines() if line.startswith("apmsim: warning:")] == printed


def test_counts_beyond_32_bits_are_refused_in_python_and_json(tmp_path, cli):
    import apmsim

    with pytest.raises(ValueError, match=r"Poisson\.mean: expected at most 10000000 events"):
        apmsim.Poisson(1e15)
    doc = json.loads(json.dumps(GOOD))
    doc["cost_model"]["cells"]["inpatient"]["A"]["frequency"] = {"type": "poisson", "mean": 1e15}
    path = tmp_path / "many_events.json"
    path.write_text(json.dumps(doc))
    done = cli("run", path, "--trials", "2")
    assert done.returncode == 2 and "cost_model.cells.inpatient.A.frequency.mean: expected at most" in done.stderr, done.stderr


def test_text_with_a_lone_surrogate_is_invalid_input_naming_its_path():
    # Python strings may hold lone surrogates, which have no UTF-8 form: this was pybind11's
    # RuntimeError "Unable to cast Python instance to C++ type".
    import apmsim

    doc = apmsim.Scenario.default_cmc_program().to_dict()
    doc["payment_models"][0]["name"] = "x\udfff"
    with pytest.raises(apmsim.InvalidInput, match=r"payment_models\[0\]\.name: expected text that is valid Unicode .*'x\\udfff'"):
        apmsim.Scenario.from_dict(doc)
    doc = apmsim.Scenario.default_cmc_program().to_dict()
    doc["cost_model"]["cells"]["inpatient"]["\ud800"] = {}
    with pytest.raises(apmsim.InvalidInput, match=r"cost_model\.cells\.inpatient: expected text that is valid Unicode"):
        apmsim.Scenario.from_dict(doc)
    with pytest.raises(apmsim.InvalidInput, match="valid Unicode"):
        apmsim.Scenario.default_cmc_program().with_value("/name", "\ud800")

"""The status quo named in a scenario (status_quo; default: a model named fee_for_service):
every summary shows each model's change in every party's net result against it, on common
random numbers: Results.compare() and Results.status_quo in Python, the results file's
status_quo section (results format 2), and the CLI's "Compared with" table. Each number is
recomputed here from the per-trial samples; a model on another population segment is never
compared (it settles other members)."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import apmsim
from conftest import source_dir

COMPARED = source_dir() / "examples" / "scenarios" / "payment_models_compared.json"
TRIALS = 40


def scenario(**changes) -> dict:
    doc = json.loads(COMPARED.read_text())
    doc["settings"].update(trials=TRIALS, seed=3, calibration_trials=20)
    doc.update(changes)
    return doc


def run(doc):
    return apmsim.run(apmsim.Scenario.from_dict(doc), progress=False)


def net_change(results, model: str, base: str, party: str, arm: str, year: int) -> np.ndarray:
    a = results.payments.samples(model, party, "net", arm)
    b = results.payments.samples(base, party, "net", arm)
    return (a.sum(axis=1) - b.sum(axis=1)) if year == 0 else (a[:, year - 1] - b[:, year - 1])


def test_the_default_status_quo_is_fee_for_service_and_the_results_file_shows_it():
    r = run(scenario())
    assert r.status_quo == "fee_for_service" == r.scenario.status_quo
    doc = r.to_dict()
    assert doc["results_format"] == 4
    section = doc["status_quo"]
    assert section["model"] == "fee_for_service"
    rows = section["net_change"]
    models = {row["model"] for row in rows}
    assert models == set(r.payments.models) - {"fee_for_service"}
    assert {row["arm"] for row in rows} == {"baseline", "intervention"}
    assert {row["year"] for row in rows} == set(range(r.years + 1))
    for row in rows:
        d = net_change(r, row["model"], "fee_for_service", row["party"], row["arm"], row["year"])
        assert row["mean"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-6)
        assert row["sd"] == pytest.approx(d.std(ddof=1), rel=1e-9, abs=1e-6)
        assert row["p_negative"] == pytest.approx(np.mean(d < 0))
    # Results.compare() defaults to the same model; its net rows are the file's.
    table = r.compare()
    for row in rows[:20]:
        assert table.loc[(row["model"], "intervention", row["year"], row["party"], "net"), "mean"] == pytest.approx(
            next(x["mean"] for x in rows if (x["model"], x["arm"], x["year"], x["party"]) ==
                 (row["model"], "intervention", row["year"], row["party"])), rel=1e-12, abs=1e-9)


def test_a_named_status_quo_changes_every_summary(cli, tmp_path):
    base = "two_sided_shared_risk_corridor"
    doc = scenario(status_quo=base)
    r = run(doc)
    assert r.status_quo == base
    rows = r.to_dict()["status_quo"]["net_change"]
    assert {row["model"] for row in rows} == set(r.payments.models) - {base}
    row = next(x for x in rows if x["model"] == "fee_for_service" and x["party"] == "provider" and x["arm"] == "intervention"
               and x["year"] == 0)
    assert row["mean"] == pytest.approx(net_change(r, "fee_for_service", base, "provider", "intervention", 0).mean(), rel=1e-12)
    assert r.compare().equals(r.compare(base))
    assert apmsim.Scenario.from_dict(doc).to_dict()["status_quo"] == base
    # The CLI prints the comparison with the scenario's status quo without being asked.
    path = tmp_path / "named.json"
    path.write_text(json.dumps(doc))
    done = cli("run", path, "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"Compared with {base} (intervention arm, all years" in done.stdout
    assert "Compared with fee_for_service" not in done.stdout
    # --compare-with still picks another for the printed table.
    other = cli("run", path, "--quiet", "--compare-with", "fee_for_service")
    assert "Compared with fee_for_service" in other.stdout and f"Compared with {base}" not in other.stdout


def test_without_a_status_quo_there_is_no_section_and_compare_asks_for_a_model():
    doc = scenario()
    for m in doc["payment_models"]:
        if m["name"] == "fee_for_service":
            m["name"] = "ffs"
    r = run(doc)
    assert r.status_quo is None
    assert "status_quo" not in r.to_dict() and r.to_dict()["results_format"] == 4
    with pytest.raises(ValueError, match="Results.compare baseline_model: expected a model to compare with"):
        r.compare()
    assert not r.compare("ffs").empty


def test_models_on_another_segment_are_never_compared():
    """A pool model and a CMC-segment model settle different members: the status quo on
    the pool is compared with the other pool model only."""
    from test_segments import pooled
    ffs = {"name": "fee_for_service", "components": [{"type": "fee_for_service"}]}
    capitation = {"name": "capitation", "components": [{"type": "capitation", "party": "provider", "categories": "all", "pmpm": 200.0}]}
    cmc = {"name": "cmc_capitation", "segment": "cmc", "components": [{"type": "capitation", "party": "provider", "categories": "all", "pmpm": 2500.0}]}
    doc = pooled(300, payment_models=[ffs, capitation, cmc])
    doc["settings"]["trials"] = 10
    r = run(doc)
    assert {row["model"] for row in r.to_dict()["status_quo"]["net_change"]} == {"capitation"}
    assert set(r.compare().index.get_level_values("model")) == {"capitation"}
    with pytest.raises(ValueError, match="baseline_model: expected a model with another on the same population segment"):
        r.compare("cmc_capitation")
    alone = copy.deepcopy(doc)
    alone["payment_models"] = [ffs, cmc]
    s = apmsim.Scenario.from_dict(alone)
    assert s.status_quo is None  # nothing on the pool to compare fee for service with
    alone["status_quo"] = "fee_for_service"
    with pytest.raises(ValueError, match=r"^status_quo: expected a payment model of the scenario with another on the same"):
        apmsim.Scenario.from_dict(alone)


@pytest.mark.parametrize("value, words", [("ffs", "\"ffs\""), ("", "the name of a payment model"), (3, "string")])
def test_bad_status_quo_names_its_path(value, words):
    with pytest.raises(ValueError, match="^status_quo: expected") as e:
        apmsim.Scenario.from_dict(scenario(status_quo=value))
    assert words in str(e.value)
    assert apmsim.validate(scenario(status_quo=value))["errors"][0]["where"] == "status_quo"


def test_the_python_property_sets_and_clears_the_status_quo():
    s = apmsim.Scenario.from_dict(scenario())
    s.status_quo = "two_sided_shared_risk_corridor"
    assert s.status_quo == "two_sided_shared_risk_corridor" and s.to_dict()["status_quo"] == s.status_quo
    s.status_quo = None
    assert s.status_quo == "fee_for_service" and "status_quo" not in s.to_dict()
    with pytest.raises(ValueError, match="status_quo"):
        s.status_quo = "nope"


def test_a_results_file_of_format_2_replays_itself(cli, tmp_path):
    path, out = tmp_path / "s.json", tmp_path / "results.json"
    path.write_text(json.dumps(scenario()))
    assert cli("run", path, "--quiet", "--out", out).returncode == 0
    recorded = json.loads(out.read_text())
    assert recorded["status_quo"]["model"] == "fee_for_service"
    done = cli("run", "--replay", out, "--quiet")
    assert done.returncode == 0 and "replay: identical" in done.stdout, done.stdout + done.stderr
    # In a file of format 2 or later the section is compared like any other: a changed number is found.
    recorded["status_quo"]["net_change"][0]["mean"] += 1.0
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(recorded))
    done = cli("run", "--replay", changed, "--quiet")
    assert "/status_quo/net_change/0/mean" in done.stdout + done.stderr
    # Without results_format (format 1) a file without the section is still "identical".
    del recorded["results_format"], recorded["status_quo"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(recorded))
    done = cli("run", "--replay", older, "--quiet")
    assert "replay: identical" in done.stdout, done.stdout + done.stderr

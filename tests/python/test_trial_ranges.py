"""A large run split by trial ranges: apmsim.run(..., trial_begin=B, trials=N) runs trials
B .. B + N - 1 only (each a function of the seed and its number alone), and
apmsim.merge_trial_ranges joins consecutive parts into the whole run, bit for bit;
apmsim.run_split does both, here or on Dask workers. The CLI runs a part with
--trial-begin; its results and samples carry the trial numbers."""
from __future__ import annotations

import csv
import json
import pickle

import numpy as np
import pytest

import apmsim
from conftest import source_dir

EXAMPLE = source_dir() / "examples" / "scenarios" / "cmc_program_as_run.json"


@pytest.fixture(scope="module")
def scenario():
    s = apmsim.Scenario.load(EXAMPLE)
    d = s.to_dict()
    d["population"] = {"generate": {"members": 120, "tier_mix": {"A": 0.25, "B": 0.5, "C": 0.25}}, "churn": {"renewal_exit": 0.05}}
    d["settings"].update(trials=12, calibration_trials=30, member_detail=True)
    return apmsim.Scenario.from_dict(d)


@pytest.fixture(scope="module")
def whole(scenario):
    return apmsim.run(scenario, progress=False)


def test_parts_join_into_the_whole_run(scenario, whole):
    parts = [apmsim.run(scenario, trials=n, trial_begin=b, threads=t, progress=False) for b, n, t in [(0, 4, 1), (4, 1, 2), (5, 7, 2)]]
    assert [p.trial_begin for p in parts] == [0, 4, 5]
    joined = apmsim.merge_trial_ranges(parts)
    assert joined == whole  # every per-trial array, the payments and the resolved scenario
    assert joined.to_dict() == whole.to_dict()
    np.testing.assert_array_equal(joined.member_costs, whole.member_costs)
    # A part holds the whole run's trials 5 .. 11 exactly, and survives pickling.
    tail = pickle.loads(pickle.dumps(parts[2]))
    assert tail.trial_begin == 5 and "trial_begin=5" in repr(tail)
    np.testing.assert_array_equal(tail.samples("total_cost"), whole.samples("total_cost")[5:])
    np.testing.assert_array_equal(tail.payments.samples("fee_for_service", "provider", "net", "intervention"),
                                  whole.payments.samples("fee_for_service", "provider", "net", "intervention")[5:])
    assert tail.scenario.settings["trial_begin"] == 5 and tail.to_dict()["trial_begin"] == 5


def test_run_split_here_gives_the_whole_run(scenario, whole):
    assert apmsim.run_split(scenario, 5) == whole
    assert apmsim.run_split(scenario, 1) == whole
    with pytest.raises(ValueError, match="parts: expected a whole number from 1 to the trials"):
        apmsim.run_split(scenario, 13)
    with pytest.raises(TypeError, match="client"):
        apmsim.run_split(scenario, 2, client=object())


def test_run_split_on_dask_workers_gives_the_whole_run(scenario, whole):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        assert apmsim.run_split(scenario, 3, client=client) == whole


def test_parts_that_do_not_join_are_refused(scenario):
    a = apmsim.run(scenario, trials=3, progress=False)
    c = apmsim.run(scenario, trials=2, trial_begin=4, progress=False)
    with pytest.raises(ValueError, match=r"^parts\[1\]\.trial_begin: expected trial 3"):
        apmsim.merge_trial_ranges([a, c])
    other = apmsim.run(scenario, trials=2, trial_begin=3, seed=99, progress=False)
    with pytest.raises(ValueError, match=r"^parts\[1\]"):
        apmsim.merge_trial_ranges([a, other])
    d = scenario.to_dict()
    d["intervention"]["uptake"] = 0.5
    changed = apmsim.run(apmsim.Scenario.from_dict(d), trials=2, trial_begin=3, progress=False)
    with pytest.raises(ValueError, match=r"^parts\[1\]: expected a part of the same scenario"):
        apmsim.merge_trial_ranges([a, changed])
    with pytest.raises(ValueError, match=r"^parts\[0\]: expected Results"):
        apmsim.merge_trial_ranges(["results"])
    with pytest.raises(ValueError, match="trial_begin"):
        apmsim.run(scenario, trials=2, trial_begin=2**32 - 1, progress=False)


def test_the_command_line_runs_a_part(scenario, whole, cli, tmp_path):
    path, out, samples = tmp_path / "s.json", tmp_path / "part.json", tmp_path / "samples.csv"
    scenario.save(path)
    done = cli("run", path, "--trial-begin", "5", "--trials", "7", "--quiet", "--out", out, "--samples", samples)
    assert done.returncode == 0, done.stderr
    assert "12 trials" not in done.stdout and "7 trials (trials 5 to 11)" in done.stdout
    doc = json.loads(out.read_text())
    assert doc["trial_begin"] == 5 and doc["resolved_scenario"]["settings"]["trial_begin"] == 5
    with open(samples, newline="") as f:
        trials = {int(row["trial"]) for row in csv.DictReader(f)}
    assert trials == set(range(5, 12))
    replayed = cli("run", "--replay", out, "--quiet")
    assert "replay: identical" in replayed.stdout, replayed.stdout + replayed.stderr
    bad = cli("run", path, "--trial-begin", "-1")
    assert bad.returncode == 2 and "--trial-begin" in bad.stderr


def test_the_command_line_splits_a_run_into_part_files_and_merges_them(scenario, whole, cli, tmp_path):
    """apmsim run --part on each range, apmsim merge: the results file and samples of the
    whole run, byte for byte, whatever the order the parts are named in."""
    path = tmp_path / "s.json"
    scenario.save(path)
    done = cli("run", path, "--quiet", "--out", tmp_path / "whole.json", "--samples", tmp_path / "whole.csv")
    assert done.returncode == 0, done.stderr
    for name, begin, trials in [("a", 0, 5), ("b", 5, 4), ("c", 9, 3)]:
        done = cli("run", path, "--trial-begin", begin, "--trials", trials, "--quiet", "--part", tmp_path / f"{name}.part")
        assert done.returncode == 0 and f"{name}.part" in done.stdout, done.stderr
    merged = cli("merge", tmp_path / "c.part", tmp_path / "a.part", tmp_path / "b.part",
                 "--out", tmp_path / "merged.json", "--samples", tmp_path / "merged.csv")
    assert merged.returncode == 0, merged.stderr
    assert "12 trials" in merged.stdout and "merged from 3 part(s)" in merged.stdout
    assert (tmp_path / "merged.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    replayed = cli("run", "--replay", tmp_path / "merged.json", "--quiet")
    assert "replay: identical" in replayed.stdout, replayed.stdout + replayed.stderr
    # Python reads the part files too; joined, they are the whole run.
    parts = [apmsim.read_run_part(tmp_path / f"{name}.part") for name in ("a", "b", "c")]
    assert [p.trial_begin for p in parts] == [0, 5, 9] and parts[1].scenario.to_dict()["settings"]["trial_begin"] == 5
    assert apmsim.merge_trial_ranges(parts) == whole
    with pytest.raises(apmsim.InvalidInput, match="s.json"):
        apmsim.read_run_part(path)


def test_the_command_line_refuses_parts_that_do_not_make_one_run(scenario, cli, tmp_path):
    path = tmp_path / "s.json"
    scenario.save(path)
    for name, extra in [("a", ["--trials", 5]), ("c", ["--trial-begin", 6, "--trials", 2]),
                        ("seed", ["--trial-begin", 5, "--trials", 2, "--seed", 99])]:
        assert cli("run", path, "--quiet", "--part", tmp_path / f"{name}.part", *extra).returncode == 0
    damaged = bytearray((tmp_path / "a.part").read_bytes())
    damaged[len(damaged) // 2] ^= 1
    (tmp_path / "damaged.part").write_bytes(bytes(damaged))
    (tmp_path / "empty.part").write_bytes(b"")
    cases = [
        (["c.part", "a.part"], "c.part.trial_begin"),  # a gap: trial 5 is missing
        (["a.part", "seed.part"], "seed.part: expected a part of the same scenario and settings as"),
        (["damaged.part"], "damaged.part: expected an intact part file"),
        (["empty.part"], "empty.part: expected a part file written by apmsim run --part"),
        (["s.json"], "s.json: expected a part file written by apmsim run --part"),
        (["none.part"], "none.part: expected a part file (apmsim run --part), got no such file"),
    ]
    for files, words in cases:
        done = cli("merge", *[tmp_path / f for f in files], "--out", tmp_path / "out.json")
        assert done.returncode == 2 and words in done.stderr, (files, done.stderr)
        assert not (tmp_path / "out.json").exists()

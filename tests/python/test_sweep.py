"""Sweeps and goal seek end to end: every example scenario and sweep runs; a variant
gives the same numbers alone and inside a sweep; a sweep killed with SIGKILL at several
points and resumed ends with the same statistics as an uninterrupted one; a second
writer is refused; SIGINT stops `apmsim run` and `apmsim sweep` within 2 seconds with
exit 130, leaving no output file and the database intact; solve from Python and the CLI."""
from __future__ import annotations

import json
import re
import os
import pathlib
import signal
import sqlite3
import subprocess
import time

import pytest

import apmsim

from conftest import source_dir

EXAMPLES = source_dir() / "examples"


def statistics(db) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT variant, model, arm, year, party, component, category, tier, measure, statistic, value "
                         "FROM statistics ORDER BY variant, model, arm, year, party, component, category, tier, measure, statistic").fetchall()


def small_sweep(tmp_path: pathlib.Path, values, pointer="/cost_model/trend/mean", members=120, trials=30) -> pathlib.Path:
    """A sweep whose variants each need their own simulation (the trend is a model term)."""
    base = apmsim.Scenario.default_cmc_program(members=members, years=2).to_dict()
    base["settings"].update(trials=trials, calibration_trials=40, threads=1)
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps({"name": "trend", "base": base, "axes": [{"pointer": pointer, "values": values}]}))
    return path


@pytest.mark.parametrize("scenario", sorted((EXAMPLES / "scenarios").glob("*.json")), ids=lambda p: p.stem)
def test_every_example_scenario_runs_and_repeats(scenario):
    s = apmsim.Scenario.load(scenario)
    first = apmsim.run(s, trials=12, threads=2, calibration_trials=30)
    assert first.payments is not None
    assert first == apmsim.run(s, trials=12, threads=1, calibration_trials=30)  # same seed, same numbers, whatever the threads


@pytest.mark.parametrize("sweep", sorted((EXAMPLES / "sweeps").glob("*.json")), ids=lambda p: p.stem)
def test_every_example_sweep_runs_and_repeats(sweep, tmp_path, cli):
    args = ["--trials", "8", "--calibration-trials", "20", "--quiet"]
    for db in ("a.sqlite", "b.sqlite"):
        done = cli("sweep", sweep, "--db", tmp_path / db, *args)
        assert done.returncode == 0, done.stderr
    assert statistics(tmp_path / "a.sqlite") == statistics(tmp_path / "b.sqlite")
    variants, stats = apmsim.read_sweep(tmp_path / "a.sqlite")
    assert (variants.status == "finished").all()
    assert set(stats.variant) == set(variants.id)


def test_a_variant_alone_equals_the_same_variant_inside_the_sweep(tmp_path):
    sweep = EXAMPLES / "sweeps" / "tornado.json"
    apmsim.run_sweep(sweep, str(tmp_path / "t.sqlite"), trials=10, calibration_trials=20)
    _, stored = apmsim.read_sweep(tmp_path / "t.sqlite")
    for v in apmsim.sweep_variants(sweep, trials=10, calibration_trials=20)[1:4]:
        alone = apmsim.run(v["scenario"]).statistics()
        inside = stored[stored.variant == v["id"]].drop(columns="variant").reset_index(drop=True)
        assert len(alone) == len(inside)
        assert (alone[["model", "measure", "statistic"]].values == inside[["model", "measure", "statistic"]].values).all()
        same = (alone.value.values == inside.value.values) | (alone.value.isna().values & inside.value.isna().values)
        assert same.all(), v["parameters"]


def test_program_size_shrinks_the_false_reward_probability_and_the_spread(tmp_path):
    sweep = {"base": apmsim.Scenario.default_cmc_program(members=100, years=1).to_dict(),
             "axes": [{"name": "members", "pointer": "/population/generate/members", "values": [100, 2500]}]}
    sweep["base"]["settings"].update(trials=400, calibration_trials=50)
    apmsim.run_sweep(sweep, str(tmp_path / "size.sqlite"))
    _, s = apmsim.read_sweep(tmp_path / "size.sqlite")
    # A fixed 2% MSR (the glide path's first year): a larger pool is rewarded by chance less
    # often. (The other model's confidence-interval MSR widens for small pools instead, to
    # hold its false-reward rate near 5% at any size.)
    fixed = "ffs_shared_risk_glide_path"
    fr = s.query("model == @fixed and statistic == 'p_false_reward' and year == 1").set_index("variant").value
    model = "ffs_care_fee_shared_savings"
    sd = s.query("model == @model and party == 'provider' and measure == 'net' and year == 0 "
                 "and arm == 'intervention' and statistic == 'sd'").set_index("variant").value
    # 25 times the members: the provider's result per member spreads less, but not 5 times
    # less (1/sqrt(25)): the trend and the program's effect are drawn once per trial and
    # do not average out. Observed ratio about 0.53; each sd is known to about 3.5%.
    assert sd[1] / 2500 < 0.75 * sd[0] / 100
    # Observed 0.50 and 0.34 (the benchmark's base period and the trend add noise no pool
    # size removes); three standard errors of the difference on 400 trials apart.
    se = ((fr[0] * (1 - fr[0]) + fr[1] * (1 - fr[1])) / 400) ** 0.5
    assert fr[1] < fr[0] - 3 * se


def finished_variants(db: pathlib.Path) -> int:
    """Variants a (running) sweep has stored as finished; 0 before its database exists."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as c:
            return c.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet, or locked for a moment
        return 0


def test_kill_and_resume_loses_nothing(tmp_path, cli):
    sweep = small_sweep(tmp_path, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07], trials=60)
    reference = tmp_path / "reference.sqlite"
    assert cli("sweep", sweep, "--db", reference, "--quiet").returncode == 0
    db = tmp_path / "killed.sqlite"
    kills = 0
    for _ in range(3):  # each run killed as soon as it has finished one more variant: mid-way through the next
        before = finished_variants(db)
        proc = subprocess.Popen([cli.program, "sweep", str(sweep), "--db", str(db), "--quiet", *(["--resume"] if db.exists() else [])],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while proc.poll() is None and finished_variants(db) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2, "the sweep finished before it could be killed twice"
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = cli("sweep", sweep, "--db", db, "--resume", "--quiet")
    assert done.returncode == 0, done.stderr
    assert statistics(db) == statistics(reference)
    # Resuming with another sweep is refused, saying why.
    other = small_sweep(tmp_path / "..", [0.0, 0.5])
    refused = cli("sweep", other, "--db", db, "--resume")
    assert refused.returncode == 2 and "different sweep" in refused.stderr


def test_second_writer_is_refused(tmp_path, cli):
    sweep = small_sweep(tmp_path, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05], trials=80)
    db = tmp_path / "busy.sqlite"
    first = subprocess.Popen([cli.program, "sweep", str(sweep), "--db", str(db), "--quiet"], stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):  # until the first has created and locked the database
            if db.exists():
                break
            time.sleep(0.05)
        time.sleep(0.2)
        second = cli("sweep", sweep, "--db", db, "--resume", "--quiet")
        assert first.poll() is None, "the first sweep ended too soon for the test"
        assert second.returncode == 2 and "another process" in second.stderr, second.stderr
        # Readers are not refused: the finished variants can be watched while it runs.
        variants, _ = apmsim.read_sweep(db)
        assert len(variants) == 6 and set(variants["status"]) <= {"pending", "finished"}
        assert first.poll() is None
    finally:
        first.kill()
        first.wait()
    assert cli("sweep", sweep, "--db", db, "--resume", "--quiet").returncode == 0


def interrupt_after(args, delay: float):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(delay)
        assert proc.poll() is None, "finished before the interrupt"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        return proc.returncode, time.monotonic() - sent, err
    finally:
        if proc.poll() is None:  # never leave it running
            proc.kill()
            proc.wait()


def test_sigint_stops_run_and_sweep_cleanly(tmp_path, cli, bundled_scenario_path):
    out = tmp_path / "results.json"
    rc, seconds, err = interrupt_after([cli.program, "run", str(bundled_scenario_path), "--trials", "200000", "--calibration-trials", "20", "--out", str(out),
                                        "--summary-csv", str(tmp_path / "s.csv")], 1.5)
    assert rc == 130 and seconds < 2, (rc, seconds, err)
    assert sorted(os.listdir(tmp_path)) == []  # no output, no temporary file
    sweep = small_sweep(tmp_path, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05], trials=400)
    db = tmp_path / "int.sqlite"
    rc, seconds, err = interrupt_after([cli.program, "sweep", str(sweep), "--db", str(db), "--quiet"], 1.0)
    assert rc == 130 and seconds < 2, (rc, seconds, err)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert cli("sweep", sweep, "--db", db, "--resume", "--quiet").returncode == 0


def test_sweep_and_solve_from_python(tmp_path):
    rates = [0.25, 0.5]
    sweep = {"base": str(EXAMPLES / "scenarios" / "default_cmc_program.json"), "axes": [
        {"pointer": "/payment_models/1/components/3/sharing_rate", "values": rates}]}
    variants = apmsim.sweep_variants(sweep, trials=10)
    assert [v["parameters"]["sharing_rate"] for v in variants] == rates
    assert variants[0]["seed"] == variants[1]["seed"]  # common random numbers
    summary = apmsim.run_sweep(sweep, str(tmp_path / "p.sqlite"), trials=10, calibration_trials=20)
    assert summary == {"variants": 2, "run": 2, "finished_before": 0}
    with pytest.raises(ValueError, match="--resume|a new database path"):
        apmsim.run_sweep(sweep, str(tmp_path / "p.sqlite"), trials=10, calibration_trials=20)
    with pytest.raises(ValueError, match=r"axes\[0\]\.pointer"):
        apmsim.sweep_variants({"base": sweep["base"], "axes": [{"pointer": "/nothing/here", "values": [1]}]})
    s = apmsim.Scenario.default_cmc_program(members=150, years=1)
    target = "model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.25"
    r = apmsim.solve(s, "/payment_models/3/components/0/pmpm/B", (2000, 10000), target, trials=100, calibration_trials=30, tolerance=2.0)
    assert r["statistic"] <= 0.25
    lo, hi = r["interval_95"]
    assert lo < r["value"] < hi
    doc = s.to_dict()
    doc["payment_models"][3]["components"][0]["pmpm"]["B"] = r["value"]
    doc["settings"].update(trials=100, calibration_trials=30)
    stats = apmsim.run(apmsim.Scenario.from_dict(doc)).statistics()
    row = stats.query("model == 'global_capitation_corridor_stop_loss' and party == 'provider' and measure == 'net' "
                      "and year == 0 and arm == 'intervention' and statistic == 'p_negative'")
    assert row.value.iloc[0] == r["statistic"]


def test_solve_from_the_cli(tmp_path, cli):
    out = tmp_path / "solve.json"
    done = cli("solve", EXAMPLES / "scenarios" / "default_cmc_program.json", "--vary", "/payment_models/3/components/0/pmpm/B",
               "--between", "2000", "10000", "--target", "model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.25",
               "--trials", "60", "--calibration-trials", "30", "--tolerance", "5", "--out", out)
    assert done.returncode == 0, done.stderr
    answer = json.loads(out.read_text())
    assert "meets" in done.stdout and answer["statistic"] <= 0.25
    assert len(answer["evaluations"]) > 9


def test_ctrl_c_stops_a_python_run_and_the_interpreter_goes_on(tmp_path):
    script = tmp_path / "interrupt.py"
    script.write_text(
        "import os, signal, threading, time, apmsim\n"
        "s = apmsim.Scenario.default_cmc_program(members=1000, years=3)\n"
        "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    apmsim.run(s, trials=500000, calibration_trials=20)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped after', round(time.monotonic() - start, 2))\n"
        "print(apmsim.run(s, trials=3, calibration_trials=20).trials)\n")
    done = subprocess.run([os.sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert lines[0].startswith("stopped after") and float(lines[0].split()[-1]) < 2.5, done.stdout
    assert lines[1] == "3"


def test_a_long_run_shows_its_progress_and_a_short_one_or_progress_false_does_not(tmp_path):
    """tqdm's bar on stderr, counting the trials the engine has finished, up to all of them;
    none for progress=False, none for a run shorter than apmsim._progress.DELAY, and none by
    default when stderr is a pipe (a log), as here."""
    script = tmp_path / "progress.py"
    script.write_text(
        "import os, sys, apmsim\n"
        "apmsim._progress.DELAY *= float(os.environ.get('APMSIM_TEST_TIME_FACTOR', '1'))  # a short run stays shorter than it\n"
        "mode = sys.argv[1]\n"
        "s = apmsim.Scenario.default_cmc_program(members=100 if mode == 'short' else 1000, years=3)  # short: well under DELAY\n"
        "progress = {'on': True, 'off': False, 'short': True, 'default': None}[mode]\n"
        "r = apmsim.run(s, trials=3 if mode == 'short' else 400, calibration_trials=20, progress=progress)\n"
        "print(r.trials)\n")
    # Under the sanitizers (scripts/check-sanitizers.sh) the runs are about ten times slower.
    timeout = 120 * float(os.environ.get("APMSIM_TEST_TIME_FACTOR", "1"))
    runs = {mode: subprocess.run([os.sys.executable, str(script), mode], capture_output=True, text=True, timeout=timeout, env={**os.environ})
            for mode in ("on", "off", "short", "default")}
    for mode, done in runs.items():
        assert done.returncode == 0, done.stderr
    on = runs["on"].stderr
    counts = [int(c) for c in re.findall(r"(\d+)/400 \[", on)]
    assert len(counts) >= 2 and counts == sorted(counts) and counts[-1] >= 200, on  # tqdm redraws at most every 0.1 s
    assert "trials/s" in on
    assert runs["off"].stderr == "" and runs["short"].stderr == "" and runs["default"].stderr == ""
    assert runs["on"].stdout == runs["off"].stdout == "400\n"


def test_the_progress_callable_sees_every_trial_finish():
    seen = []
    s = apmsim.Scenario.default_cmc_program(members=400, years=2)
    r = apmsim._core.run(s, trials=300, calibration_trials=20, progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 300 == r.trials  # the last call: all of them
    with pytest.raises(ValueError, match="progress: expected None or a callable"):
        apmsim._core.run(s, trials=3, progress=3)
    with pytest.raises(TypeError, match="progress: expected True, False or None"):
        apmsim.run(s, trials=3, progress="yes")

    def fail(done):
        raise RuntimeError(f"stop at {done}")
    with pytest.raises(RuntimeError, match="stop at"):  # a callback's error stops the run and surfaces
        apmsim._core.run(s, trials=100000, calibration_trials=20, progress=fail)


def test_the_goal_seek_example_runs(cli, tmp_path):
    script = EXAMPLES / "solve" / "capitation_rate.sh"
    done = subprocess.run(["bash", str(script), "--tolerance", "10", "--out", str(tmp_path / "a.json")], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "APMSIM": cli.program, "TRIALS": "40"})
    assert done.returncode == 0, done.stderr
    assert "meets" in done.stdout and "95% Monte Carlo interval" in done.stdout
    assert json.loads((tmp_path / "a.json").read_text())["statistic"] <= 0.2

"""apmsim.sweep on a dask.distributed cluster gives the numbers of the local run bit for
bit (seeds come from the variant, never from the worker), stores them in the CLI's SQLite
store, resumes, survives a worker killed mid-sweep, and refuses what is not a client.
Everything a task carries pickles."""
from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
import threading
import time

import numpy as np
import pandas as pd
import pytest

import apmsim
from conftest import source_dir

distributed = pytest.importorskip("distributed")

TIMING = ["finished", "seconds"]  # when and how long: the only columns that may differ


def grid_sweep(seeds: str = "independent") -> dict:
    """Six variants, trend (a model term) x sharing rate (a contract term): with common seeds,
    three simulations (one per trend); with independent seeds, six."""
    base = apmsim.Scenario.default_cmc_program(members=150, years=2).to_dict()
    base["settings"].update(trials=24, calibration_trials=30)
    return {"name": "dask_grid", "base": base, "seeds": seeds, "axes": [
        {"name": "trend", "pointer": "/cost_model/trend/mean", "values": [0.0, 0.03, 0.06]},
        {"name": "sharing_rate", "pointer": "/payment_models/1/components/3/sharing_rate", "values": [0.4, 0.6]}]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def assert_same_sweep(a, b):
    (va, sa), (vb, sb) = a, b
    pd.testing.assert_frame_equal(va.drop(columns=TIMING), vb.drop(columns=TIMING))
    pd.testing.assert_frame_equal(sa.drop(columns="value"), sb.drop(columns="value"))
    x, y = sa.value.to_numpy(), sb.value.to_numpy()
    assert np.array_equal(np.isnan(x), np.isnan(y))
    assert np.array_equal(x[~np.isnan(x)].view(np.uint64), y[~np.isnan(y)].view(np.uint64))  # bit for bit


def test_a_sweep_on_two_worker_processes_equals_the_local_run(client, tmp_path, cli):
    sweep = grid_sweep()
    local = apmsim.sweep(sweep, db=tmp_path / "local.sqlite", progress=False)
    on_dask = apmsim.sweep(sweep, client=client, db=tmp_path / "dask.sqlite", progress=False)
    assert len(local[0]) == 6 and set(local[0].status) == {"finished"}
    assert_same_sweep(local, on_dask)
    # One task per simulation: six with independent seeds, three with common ones.
    assert len(apmsim._core._variant_groups(sweep)) == 6 and len(apmsim._core._variant_groups(grid_sweep("common"))) == 3
    # The CLI's database of the same sweep holds the same numbers.
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(sweep))
    assert cli("sweep", path, "--db", tmp_path / "cli.sqlite", "--quiet").returncode == 0
    assert_same_sweep(apmsim.read_sweep(tmp_path / "cli.sqlite"), on_dask)
    # Without a database the result is the same (a temporary store, removed).
    assert_same_sweep(apmsim.sweep(sweep, client=client, progress=False), on_dask)


def test_a_variant_alone_gives_the_numbers_of_its_sweep(client, tmp_path):
    """Common seeds: variant 4 (trend 0.06, sharing 0.4) run alone by apmsim.run has the
    statistics the cluster stored for it."""
    sweep = grid_sweep("common")
    variants, statistics = apmsim.sweep(sweep, client=client, progress=False)
    scenario = apmsim.sweep_variants(sweep)[4]["scenario"]
    alone = apmsim.run(scenario, progress=False).statistics()
    stored = statistics[statistics.variant == 4].drop(columns="variant").reset_index(drop=True)
    np.testing.assert_array_equal(stored.value.to_numpy(), alone.value.to_numpy().astype(float))


def test_resume_on_the_cluster_runs_only_what_is_missing(client, tmp_path):
    sweep = grid_sweep()
    db = tmp_path / "resumed.sqlite"
    reference = apmsim.sweep(sweep, db=tmp_path / "reference.sqlite", progress=False)
    apmsim.sweep(sweep, db=db, progress=False)
    with sqlite3.connect(db) as c:  # forget two variants, as a killed run would have
        c.execute("DELETE FROM statistics WHERE variant IN (1, 4)")
        c.execute("UPDATE variants SET status = 'pending', finished = NULL, seconds = NULL WHERE id IN (1, 4)")
    with pytest.raises(ValueError, match="resume"):
        apmsim.sweep(sweep, client=client, db=db, progress=False)
    resumed = apmsim.sweep(sweep, client=client, db=db, resume=True, progress=False)
    assert_same_sweep(reference, resumed)


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path):
    """SIGKILL to the worker process running a variant: the scheduler gives its task to
    another worker (the nanny starts a new one), and the sweep ends with the local run's
    numbers, bit for bit."""
    sweep = grid_sweep()
    sweep["base"]["settings"]["trials"] = 150  # long enough tasks to be caught running
    reference = apmsim.sweep(sweep, db=tmp_path / "reference.sqlite", progress=False)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    c = distributed.Client(cluster)
    outcome = {}
    try:
        pids = c.run(os.getpid)
        db = tmp_path / "killed.sqlite"
        runner = threading.Thread(target=lambda: outcome.update(result=apmsim.sweep(sweep, client=c, db=db, progress=False)))
        runner.start()
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and runner.is_alive() and time.monotonic() < deadline:
            busy = [w for w, keys in c.processing().items() if keys and w in pids]
            if busy:
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)
            time.sleep(0.05)
        runner.join(timeout=300)
        assert killed is not None, "no worker was seen running a task"
        assert not runner.is_alive()
    finally:
        c.close()
        cluster.close()
    assert "result" in outcome
    assert set(outcome["result"][0].status) == {"finished"}
    assert_same_sweep(reference, outcome["result"])


def test_a_resumed_local_sweep_counts_only_what_is_left(tmp_path):
    from apmsim import _progress, _sweep

    sweep = grid_sweep()
    db = tmp_path / "half.sqlite"
    apmsim.sweep(sweep, db=db, progress=False)
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM statistics WHERE variant IN (2, 5)")
        c.execute("UPDATE variants SET status = 'pending', finished = NULL, seconds = NULL WHERE id IN (2, 5)")
    assert _sweep._finished_variants(db) == 4 and _sweep._finished_variants(tmp_path / "none.sqlite") == 0
    totals = []
    real = _progress.progress_bar

    def recording(total, unit, enabled):
        totals.append(total)
        return real(total, unit, False)
    _sweep.progress_bar = recording
    try:
        apmsim.sweep(sweep, db=db, resume=True)
    finally:
        _sweep.progress_bar = real
    assert totals == [2]


def test_bad_clients_and_sweeps_are_refused(tmp_path):
    with pytest.raises(TypeError, match="client: expected a dask.distributed Client or None, got str"):
        apmsim.sweep(grid_sweep(), client="tcp://localhost:8786", progress=False)
    bad = grid_sweep()
    bad["axes"][0]["pointer"] = "/cost_model/trend/median"
    with pytest.raises(ValueError, match=r"variant 0 \(trend=0.0, sharing_rate=0.4\): cost_model.trend.median"):
        apmsim.sweep(bad, client=None, progress=False)
    with pytest.raises(TypeError, match="progress: expected True, False or None"):
        apmsim.sweep(grid_sweep(), progress="yes")
    assert not list(tmp_path.iterdir())


def test_what_tasks_carry_pickles():
    sweep = grid_sweep()
    groups = apmsim._core._variant_groups(sweep)
    assert pickle.loads(pickle.dumps(groups)) == groups
    scenarios = [s for _, s in groups[0]]
    rows = apmsim._core._variant_statistics(scenarios)
    assert len(rows) == len(scenarios) and pickle.loads(pickle.dumps(rows)) == rows
    r = apmsim.run(scenarios[0], progress=False)
    copy = pickle.loads(pickle.dumps(r))
    assert copy == r and copy.payments == r.payments and copy.scenario == r.scenario
    assert pickle.loads(pickle.dumps(r.payments)) == r.payments
    for model in scenarios[0].payment_models:
        assert pickle.loads(pickle.dumps(model)) == model
    for d in (apmsim.Poisson(2.0), apmsim.Lognormal.from_mean_cv(1000.0, 2.0)):
        assert pickle.loads(pickle.dumps(d)) == d
    exact = apmsim.aggregate(apmsim.Poisson(2.0), apmsim.Gamma(2.0, 500.0), step=50.0)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(exact)).pmf(), exact.pmf())
    simulated = apmsim.aggregate(apmsim.Poisson(2.0), apmsim.Gamma(2.0, 500.0), method="simulation", samples=5000, seed=9)
    assert pickle.loads(pickle.dumps(simulated)).quantile(0.9) == simulated.quantile(0.9)  # the same draws again
    lattice = apmsim.discretize(apmsim.Gamma(2.0, 500.0), 50.0, method="unbiased")
    again = pickle.loads(pickle.dumps(lattice))
    np.testing.assert_array_equal(np.asarray(again), np.asarray(lattice))
    assert (again.step, again.tail_mass, again.method) == (lattice.step, lattice.tail_mass, lattice.method)
    quiet = apmsim.Scenario.default_cmc_program(members=40, years=1, payment_models=False).to_dict()
    quiet["cost_model"].update(frailty_cv=0.0, trend={"mean": 0.0, "sd": 0.0})
    del quiet["intervention"], quiet["delivery"]["program_cost_borne_by"]
    pool = apmsim.pool_distribution(apmsim.Scenario.from_dict(quiet), step=500.0)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pool)).total.pmf(), pool.total.pmf())
    payout = apmsim.expected_payout(1000, 2.0, 0.03, msr=0.02)
    assert pickle.loads(pickle.dumps(payout)).to_dict() == payout.to_dict()
    component = apmsim.SharedSavings(sharing_rate=0.5, minimum_savings_rate=0.02, benchmark={"pmpm": 4000})
    assert pickle.loads(pickle.dumps(component)) == component

"""Sweeps and goal seek: the C++ functions re-exported, and the sweep database read back.

A sweep database (``apmsim sweep ... --db FILE`` or :func:`run_sweep`) is SQLite, so
Python's own ``sqlite3`` module reads it; :func:`read_sweep` gives its two tables as
pandas DataFrames. The tables are described in docs/sweeps.md.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from typing import Any, Optional

from . import _core
from ._core import run_sweep, solve, sweep_variants
from ._progress import progress_bar

__all__ = ["read_sweep", "run_sweep", "solve", "sweep", "sweep_variants"]


def read_sweep(db: str | os.PathLike[str]) -> tuple[Any, Any]:
    """The sweep database ``db`` as (variants, statistics) pandas DataFrames.

    variants: one row per variant (id, parameters as JSON, seed, status, finished,
    seconds, apmsim_version, then one column per axis). statistics: one row per
    variant x model x arm x year x party x component x category x tier x measure x
    statistic, with its value (NaN where a statistic does not apply). Example::

        variants, stats = apmsim.read_sweep("results.sqlite")
        stats.query("model == 'shared_savings' and statistic == 'p_false_reward'")
    """
    import pandas as pd

    path = os.fspath(db)
    if not os.path.isfile(path):
        raise ValueError(f"{path}: expected a sweep database (SQLite), got no such file")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            variants = pd.read_sql_query("SELECT * FROM variants ORDER BY id", connection)
            statistics = pd.read_sql_query("SELECT * FROM statistics ORDER BY variant, rowid", connection)
        except (sqlite3.DatabaseError, pd.errors.DatabaseError) as e:
            raise ValueError(f"{path}: expected a sweep database, got {e}") from None
    return variants, statistics


def _finished_variants(db: Any) -> int:
    """Variants a sweep database already holds as finished (0 when there is none yet); run_sweep checks the rest."""
    path = os.fspath(db)
    if not os.path.isfile(path):
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0  # not a sweep database: run_sweep says so


def _run_group(scenarios: list) -> tuple[list[bytes], float]:
    """A Dask task: the statistics of variants that share one simulation, and the seconds taken."""
    start = time.perf_counter()
    rows = _core._variant_statistics(scenarios)
    return rows, time.perf_counter() - start


def sweep(sweep: Any, *, client: Any = None, db: Optional[str | os.PathLike[str]] = None, resume: bool = False,
          trials: Optional[int] = None, calibration_trials: Optional[int] = None, threads: Optional[int] = None,
          progress: Optional[bool] = None) -> tuple[Any, Any]:
    """Run a sweep (a file path or a dict, docs/sweeps.md) and return its (variants,
    statistics) DataFrames, as :func:`read_sweep` gives them.

    Without ``client`` the variants run here, on ``threads`` threads (the scenario's setting
    by default), exactly as ``apmsim sweep`` runs them. With a ``dask.distributed`` Client,
    each group of variants that share one simulation is one task on the cluster; the
    results come back to this process, which stores each group as it arrives. The numbers
    are the same bit for bit either way: every seed comes from the variant, never from
    the worker. ``db`` keeps the results in the CLI's SQLite store (``resume=True``
    continues one); without it a temporary store is used and removed. Ctrl-C stops the
    sweep (KeyboardInterrupt) and keeps the finished variants in ``db``. Example::

        from dask.distributed import Client
        variants, stats = apmsim.sweep("examples/sweeps/tornado.json", client=Client("tcp://scheduler:8786"),
                                       db="tornado.sqlite", trials=2000)
    """
    if db is None:
        with tempfile.TemporaryDirectory(prefix="apmsim-sweep-") as folder:
            return _sweep_into(sweep, client, os.path.join(folder, "sweep.sqlite"), False, trials, calibration_trials, threads, progress)
    return _sweep_into(sweep, client, db, resume, trials, calibration_trials, threads, progress)


def _sweep_into(sweep: Any, client: Any, db: Any, resume: bool, trials: Optional[int], calibration_trials: Optional[int],
                threads: Optional[int], progress: Optional[bool]) -> tuple[Any, Any]:
    if client is None:
        total = len(sweep_variants(sweep, trials, calibration_trials)) - (_finished_variants(db) if resume else 0)
        with progress_bar(max(total, 0), "variants", progress) as bar:
            run_sweep(sweep, db, resume=resume, trials=trials, calibration_trials=calibration_trials, threads=threads,
                      progress=bar.update_to)
        return read_sweep(db)
    if not all(hasattr(client, name) for name in ("map", "gather")):
        raise TypeError(f"client: expected a dask.distributed Client or None, got {type(client).__name__}")
    from dask.distributed import as_completed

    groups = _core._variant_groups(sweep, trials, calibration_trials, threads)
    store = _core._SweepStore(sweep, db, resume, trials, calibration_trials)
    try:
        pending = [[(i, s) for i, s in g if i not in store.finished] for g in groups]
        pending = [g for g in pending if g]
        futures = client.map(_run_group, [[s for _, s in g] for g in pending], pure=False)
        group_of = {f.key: g for f, g in zip(futures, pending)}
        with progress_bar(sum(map(len, pending)), "variants", progress) as bar:
            try:
                for future, (rows, seconds) in as_completed(futures, with_results=True):
                    group = group_of[future.key]
                    for (i, _), r in zip(group, rows):
                        store.store(i, r, seconds / len(group))
                    bar.update(len(group))
            except BaseException:
                client.cancel(futures)
                raise
    finally:
        store.close()
    return read_sweep(db)

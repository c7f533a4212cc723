"""Sweeps and goal seek: the C++ functions re-exported, and the sweep database read back.

A sweep database (``apmsim sweep ... --db FILE`` or :func:`run_sweep`) is SQLite, so
Python's own ``sqlite3`` module reads it; :func:`read_sweep` gives its two tables as
pandas DataFrames. The tables are described in docs/sweeps.md.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Any

from ._core import run_sweep, solve, sweep_variants

__all__ = ["read_sweep", "run_sweep", "solve", "sweep_variants"]


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

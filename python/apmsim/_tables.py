"""Summary tables for reading: the tidy tables of apmsim (a row per model x arm x year x
party x measure, a column per statistic) turned wide, one statistic with one index level
across the columns."""
from __future__ import annotations

from typing import Any

__all__ = ["wide"]


def wide(table: Any, statistic: str = "mean", across: str = "year") -> Any:
    """The ``statistic`` column of a summary DataFrame (``Results.summary()``,
    ``PaymentResults.summary()``, ``metric_summary()``, ``compare()``) with the index level
    ``across`` as columns: e.g. the mean net of each model and party by year (0 = all
    years). Example::

        apmsim.wide(r.payments.summary().xs("net", level="measure"), "mean", "year")
    """
    if not hasattr(table, "index") or not hasattr(table, "columns"):
        raise TypeError(f"table: expected a pandas DataFrame of apmsim, got {type(table).__name__}")
    if statistic not in table.columns:
        raise ValueError(f"statistic: expected a column of the table ({', '.join(map(str, table.columns))}), got {statistic!r}")
    names = list(table.index.names)
    if across not in names:
        raise ValueError(f"across: expected an index level of the table ({', '.join(map(str, names))}), got {across!r}")
    if len(names) < 2:
        return table[[statistic]].T
    return table[statistic].unstack(across)

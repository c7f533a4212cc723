"""Pythonic helpers attached to apmsim.Results."""
from __future__ import annotations


def summary(self):
    """One row per arm x year x measure (and per category and tier), with mean, sd,
    standard error, quantiles p01-p99, expected shortfall at 95% and 99% (the mean of the
    worst 5% / 1%: the upper tail for costs, the lower tail for savings) and
    P(value < 0), as a pandas DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(self._summary_rows())
    return frame.set_index(["arm", "year", "measure", "category", "tier"]).sort_index()

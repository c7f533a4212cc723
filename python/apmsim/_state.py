"""What pickle calls to rebuild results and aggregate distributions (Python functions, so pickle can name them)."""
from __future__ import annotations

from typing import Any

from . import _core


def restore_results(state: bytes, payments: Any, scenario: Any = None) -> "_core.Results":
    """Results from the bytes of Results.__reduce__, their payments and scenario (each or None)."""
    return _core._results_from_state(state, payments, scenario)


def restore_aggregate(recipe: dict) -> "_core.AggregateDistribution":
    """An aggregate distribution rebuilt from the arguments of apmsim.aggregate (every method is deterministic)."""
    return _core.aggregate(**recipe)

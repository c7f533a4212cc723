"""What pickle calls to rebuild results and aggregate distributions (Python functions, so pickle can name them)."""
from __future__ import annotations

from typing import Any

from . import _core


def restore_results(state: bytes, payments: Any, scenario: Any = None) -> "_core.Results":
    """Results from the bytes of Results.__reduce__, their payments and scenario (each or None)."""
    return _core._results_from_state(state, payments, scenario)


def rebuild(function: str, arguments: dict) -> Any:
    """A value made by a deterministic function of apmsim._core (aggregate, pool_distribution), made again."""
    if function not in ("aggregate", "pool_distribution"):
        raise ValueError(f"function: expected aggregate or pool_distribution, got {function!r}")
    return getattr(_core, function)(**arguments)

"""What pickle calls to rebuild results (a Python function, so pickle can name it)."""
from __future__ import annotations

from typing import Any

from . import _core


def restore_results(state: bytes, payments: Any, scenario: Any = None) -> "_core.Results":
    """Results from the bytes of Results.__reduce__, their payments and scenario (each or None)."""
    return _core._results_from_state(state, payments, scenario)

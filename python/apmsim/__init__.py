"""apmsim: actuarial payment-model simulation for children with medical complexity.

The C++ core lives in ``apmsim._core``; this package re-exports it and adds Pythonic
helpers. The names are those of docs/glossary.md, the same in C++, JSON, the CLI and the
results files.
"""
from __future__ import annotations

from typing import Any

from . import _core
from ._core import (
    Binomial,
    ComputationError,
    Gamma,
    InvalidInput,
    Lognormal,
    NegativeBinomial,
    OutputError,
    Pareto,
    Poisson,
    Results,
    Scenario,
    SplicedLognormalPareto,
    Weibull,
    ZeroModifiedPoisson,
    base_case_cache_info,
    clear_base_case_cache,
    set_base_case_cache_capacity,
    stats,
    validate,
    variance_decomposition,
)
from ._frozen import thaw
from ._schema import scenario_schema
# Each family's Pythonic layer lives in its own module and lists its names in __all__.
from . import _analytics, _claims, _contracts, _exact, _run, _sweep, _tables
from ._run import merge_trial_ranges, read_run_part, run, run_split
from ._analytics import *  # noqa: F401,F403
from ._claims import *  # noqa: F401,F403
from ._contracts import *  # noqa: F401,F403
from ._exact import *  # noqa: F401,F403
from ._sweep import *  # noqa: F401,F403
from ._tables import wide
# Results files read back (apmsim.Results.load) and the HTML report of a run.
from . import _results_file
from ._results_file import ResultsFile
from ._report import report
from . import _display

_display.attach()

__version__ = _core.__version__

__all__ = [
    "Binomial",
    "ComputationError",
    "Gamma",
    "InvalidInput",
    "Lognormal",
    "NegativeBinomial",
    "OutputError",
    "Pareto",
    "Poisson",
    "Results",
    "Scenario",
    "SplicedLognormalPareto",
    "Weibull",
    "ZeroModifiedPoisson",
    "base_case_cache_info",
    "clear_base_case_cache",
    "set_base_case_cache_capacity",
    "report",
    "ResultsFile",
    "merge_trial_ranges",
    "read_run_part",
    "run",
    "run_split",
    "scenario_schema",
    "stats",
    "thaw",
    "validate",
    "variance_decomposition",
    *_analytics.__all__,
    *_claims.__all__,
    *_contracts.__all__,
    *_exact.__all__,
    *_sweep.__all__,
    *_tables.__all__,
]

# Names of version 0.1 and what replaced them (docs/glossary.md).
_RENAMED = {
    "simulate": "run",
    "probability_of_reward": "reward_probability",
    "probability_of_penalty": "penalty_probability",
}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        raise AttributeError(f"apmsim.{name} was renamed apmsim.{_RENAMED[name]} in version 0.2")
    raise AttributeError(f"module 'apmsim' has no attribute {name!r}")

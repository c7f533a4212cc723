"""apmsim: actuarial payment-model simulation for children with medical complexity.

The C++ core lives in ``apmsim._core``; this package re-exports it and adds
Pythonic helpers (pandas summaries).
"""
from __future__ import annotations

from . import _core
from ._core import (
    Binomial,
    ComputationError,
    Gamma,
    InvalidInput,
    Lognormal,
    NegativeBinomial,
    Pareto,
    Poisson,
    Results,
    Scenario,
    SplicedLognormalPareto,
    Weibull,
    ZeroModifiedPoisson,
    simulate,
    stats,
)
from ._results import summary as _summary

__version__ = _core.__version__

Results.summary = _summary

__all__ = [
    "Binomial",
    "ComputationError",
    "Gamma",
    "InvalidInput",
    "Lognormal",
    "NegativeBinomial",
    "Pareto",
    "Poisson",
    "Results",
    "Scenario",
    "SplicedLognormalPareto",
    "Weibull",
    "ZeroModifiedPoisson",
    "simulate",
    "stats",
]

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
from ._frozen import freeze_property as _freeze_property, thaw
from ._results import summary as _summary
# Each family's Pythonic layer lives in its own module and lists its names in __all__.
from . import _analytics, _contracts, _exact
from ._analytics import *  # noqa: F401,F403
from ._contracts import *  # noqa: F401,F403
from ._exact import *  # noqa: F401,F403

__version__ = _core.__version__

Results.summary = _summary
for _name in ("delivery", "settings", "payment_models"):
    _freeze_property(Scenario, _name, "Scenario." + _name)

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
    "thaw",
    *_analytics.__all__,
    *_contracts.__all__,
    *_exact.__all__,
]

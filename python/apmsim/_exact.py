"""apmsim: discretisation and exact/approximate aggregate distributions; re-exports from _core plus Pythonic helpers.

* ``discretize(severity, step, upper=None, method="rounding")`` returns a
  :class:`DiscretizedSeverity`: ``.masses`` (numpy), ``.grid``, ``.step``, ``.method``,
  ``.tail_mass`` (the probability beyond the lattice: the masses sum to ``1 - tail_mass``);
  ``numpy.asarray(d)`` gives the masses.
* ``aggregate(frequency=..., severity=..., method="panjer", step=..., discretization="rounding")``
  returns an :class:`AggregateDistribution` (``pmf()``, ``cdf()``, ``quantile``, ``var``,
  ``tvar``, ``stop_loss_premium``, ``limited_expected_value``, ``moments()``,
  ``analytic_moments()``, ``moment_errors()``, ``diagnostics``).
* ``pool_distribution(scenario, year=1, arm="baseline")`` returns a :class:`PoolDistribution`
  (``.total``, ``.tiers``) for scenarios without common shocks (frailty 0, no copula,
  deterministic trend and effects).

Methods follow Klugman, Panjer & Willmot, *Loss Models*, chapter 9.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import _core
from ._core import AggregateDistribution, DiscretizedSeverity, PoolDistribution

__all__ = [
    "AggregateDistribution",
    "DiscretizedSeverity",
    "PoolDistribution",
    "aggregate",
    "discretize",
    "pool_distribution",
]


def _masses_array(self, dtype=None, copy=None):
    """numpy.asarray(discretized) is its masses."""
    return np.asarray(self.masses, dtype=dtype)


DiscretizedSeverity.__array__ = _masses_array


def discretize(severity, step: float, upper: Optional[float] = None, method: str = "rounding", *,
               nodes: Optional[int] = None, scale: float = 1.0) -> DiscretizedSeverity:
    """Discretise ``severity`` (times ``scale``) on the lattice 0, step, 2 step, ...

    The lattice reaches ``upper`` (rounded up to a node), or has ``nodes`` nodes; by default
    it reaches the severity's 1 - 1e-10 quantile. ``method`` is ``"upper"``, ``"lower"``,
    ``"rounding"`` or ``"unbiased"`` (local moment matching: keeps E[min(X, upper)]).
    The probability beyond the lattice is reported as ``tail_mass``, never dropped silently.
    """
    return _core._discretize(severity, float(step), None if upper is None else float(upper), nodes, method,
                             float(scale))


def aggregate(frequency, severity, method: str = "panjer", step: Optional[float] = None,
              discretization: str = "rounding", *, nodes: Optional[int] = None, upper: Optional[float] = None,
              tail_target: float = 1e-10, padding: float = 2.0, tilt: float = 10.0, samples: int = 100_000,
              seed: int = 20261123) -> AggregateDistribution:
    """Distribution of S = X_1 + ... + X_N for a count ``frequency`` and a ``severity``.

    ``method``: ``"panjer"`` (recursion, robust when P(N=0) underflows), ``"fft"`` (padded,
    exponentially tilted transform with an aliasing estimate), ``"normal"``,
    ``"normal_power"``, ``"translated_gamma"`` or ``"simulation"`` (``samples`` draws on
    Philox streams of ``seed``). The lattice 0, step, ..., upper is chosen automatically
    unless ``step``, ``nodes`` or ``upper`` are given; ``diagnostics["missing_mass"]`` is the
    probability it does not hold.
    """
    return _core._aggregate(frequency, severity, method, None if step is None else float(step), discretization, nodes,
                            None if upper is None else float(upper), float(tail_target), float(padding), float(tilt),
                            int(samples), int(seed))


def pool_distribution(scenario, year: int = 1, arm: str = "baseline", *, step: Optional[float] = None,
                      nodes: Optional[int] = None, upper: Optional[float] = None, discretization: str = "unbiased",
                      padding: float = 2.0, tilt: float = 10.0) -> PoolDistribution:
    """Exact distribution of a scenario's pool cost in ``year`` (1-based) for ``arm``.

    Members of a tier share a compound distribution per category; categories and members
    are independent; tiers convolve. Scenarios with frailty, a copula, a random trend or
    random intervention effects raise :class:`apmsim.InvalidInput` (common shocks).
    """
    return _core._pool_distribution(scenario, int(year), arm, None if step is None else float(step), nodes,
                                    None if upper is None else float(upper), discretization, float(padding),
                                    float(tilt))

"""apmsim: discretisation and exact/approximate aggregate distributions; re-exports from _core
(their defaults are the C++ option structs', AggregateOptions and PoolOptions).

* ``discretize(severity, step, upper=None, method="rounding")`` returns a
  :class:`DiscretizedSeverity`: ``.masses`` (numpy), ``.grid``, ``.step``, ``.method``,
  ``.tail_mass`` (the probability beyond the lattice: the masses sum to ``1 - tail_mass``);
  ``numpy.asarray(d)`` gives the masses.
* ``aggregate(frequency=..., severity=..., method="panjer", step=..., discretization="rounding")``
  returns an :class:`AggregateDistribution` (``pmf()``, ``cdf()``, ``quantile``,
  ``expected_shortfall``, ``stop_loss_premium``, ``limited_expected_value``, ``moments()``,
  ``analytic_moments()``, ``moment_errors()``, ``diagnostics``).
* ``pool_distribution(scenario, year=1, arm="baseline")`` returns a :class:`PoolDistribution`
  (``.total``, ``.tiers``) for scenarios without common shocks (frailty 0, no copula,
  deterministic trend and effects).

Methods follow Klugman, Panjer & Willmot, *Loss Models*, chapter 9.
"""
from __future__ import annotations

from ._core import AggregateDistribution, DiscretizedSeverity, PoolDistribution, aggregate, discretize, pool_distribution

__all__ = [
    "AggregateDistribution",
    "DiscretizedSeverity",
    "PoolDistribution",
    "aggregate",
    "discretize",
    "pool_distribution",
]

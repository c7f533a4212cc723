"""apmsim.credibility: limited-fluctuation and Buhlmann(-Straub) credibility,
credibility-blended PMPM rates and risk adjustment.

Re-exports ``apmsim._core.credibility`` and adds numpy/pandas handling:
``buhlmann_straub`` and ``buhlmann`` take 2-D arrays or DataFrames (risks x periods)
and return a :class:`BuhlmannStraubResult` that keeps the risk labels;
``fit_risk_weights`` takes columns of a DataFrame or arrays.

Sources: Buhlmann & Gisler, A Course in Credibility Theory (2005), chapter 4;
ASOP 25; shared/DOMAIN.md section 6.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ._core import InvalidInput
from ._core import credibility as _c
from ._core.credibility import (
    BlendedRate,
    CredibilityResult,
    RiskWeightFit,
    blended_rate,
    credibility_weighted,
    full_credibility_aggregate,
    full_credibility_claims,
    full_credibility_exposure,
    partial_credibility,
    pooling_charge_pmpm,
)

try:  # pandas is optional: DataFrames are accepted and returned only when it is installed
    import pandas as _pd
except ImportError:  # pragma: no cover - depends on the environment
    _pd = None

__all__ = [
    "BlendedRate",
    "BuhlmannStraubResult",
    "CredibilityResult",
    "RiskWeightFit",
    "blended_rate",
    "buhlmann",
    "buhlmann_straub",
    "credibility_weighted",
    "fit_risk_weights",
    "fit_risk_weights_design",
    "full_credibility_aggregate",
    "full_credibility_claims",
    "full_credibility_exposure",
    "partial_credibility",
    "pooling_charge_pmpm",
]


def _invalid(where: str, expected: str, actual: str) -> InvalidInput:
    """An apmsim.InvalidInput built in Python, with the same fields as the C++ one."""
    error = InvalidInput(f"{where}: expected {expected}, got {actual}")
    error.where, error.expected, error.actual = where, expected, actual
    return error


def _is_frame(x: Any) -> bool:
    return _pd is not None and isinstance(x, _pd.DataFrame)


def _matrix(x: Any, where: str) -> tuple[np.ndarray, Optional[list]]:
    """A float array and, for a DataFrame, its index labels (the C++ binding checks that
    it is 2-D: risks x periods)."""
    labels = list(x.index) if _is_frame(x) else None
    try:
        a = (x.to_numpy(dtype=float) if _is_frame(x) else np.asarray(x, dtype=float))
    except (TypeError, ValueError) as e:
        raise _invalid(where, "numbers (risks x periods)", f"values that are not numbers ({e})") from None
    return a, labels


# --- Buhlmann and Buhlmann-Straub ----------------------------------------------------------


@dataclass(frozen=True)
class BuhlmannStraubResult:
    """Structure parameters, credibility factors and premiums per risk.

    ``between_variance_truncated`` is True (and ``note`` says so) when the unbiased
    between-risk variance estimate was <= 0 and was set to 0, giving every risk
    credibility 0 and the collective premium (Buhlmann & Gisler 2005, section 4.8).
    """

    collective_premium: float
    between_variance: float
    within_variance: float
    credibility_factors: np.ndarray
    premiums: np.ndarray
    risk_means: np.ndarray
    weights: np.ndarray
    between_variance_estimate: float
    credibility_coefficient: float
    weighted_mean: float
    between_variance_truncated: bool
    note: str
    risks: list = field(default_factory=list)

    @classmethod
    def _from_core(cls, r: CredibilityResult, risks: Optional[list]) -> "BuhlmannStraubResult":
        n = len(r.premiums)
        return cls(
            collective_premium=r.collective_premium,
            between_variance=r.between_variance,
            within_variance=r.within_variance,
            credibility_factors=np.asarray(r.credibility_factors),
            premiums=np.asarray(r.premiums),
            risk_means=np.asarray(r.risk_means),
            weights=np.asarray(r.weights),
            between_variance_estimate=r.between_variance_estimate,
            credibility_coefficient=r.credibility_coefficient,
            weighted_mean=r.weighted_mean,
            between_variance_truncated=r.between_variance_truncated,
            note=r.note,
            risks=list(risks) if risks is not None else list(range(n)),
        )

    def to_frame(self):
        """One row per risk: weight, weighted mean, credibility factor, premium."""
        if _pd is None:  # pragma: no cover
            raise ImportError("to_frame() needs pandas")
        return _pd.DataFrame(
            {
                "weight": self.weights,
                "mean": self.risk_means,
                "credibility_factor": self.credibility_factors,
                "premium": self.premiums,
            },
            index=_pd.Index(self.risks, name="risk"),
        )


def buhlmann_straub(ratios: Any, weights: Any) -> BuhlmannStraubResult:
    """Buhlmann-Straub credibility with the unbiased structure-parameter estimators.

    ``ratios`` and ``weights`` are risks x periods (2-D arrays or DataFrames; a
    DataFrame's index names the risks). A cell with weight 0 is missing: its ratio is
    ignored. A cell where both the ratio and the weight are NaN (as pandas gives for
    missing data) is treated as missing too. A NaN ratio with a positive weight, or a
    NaN/negative weight next to a ratio, raises apmsim.InvalidInput naming the cell.
    """
    x, labels = _matrix(ratios, "ratios")
    w, wlabels = _matrix(weights, "weights")
    if labels is not None and wlabels is not None and list(labels) != list(wlabels):
        raise _invalid("weights", "the same risks (index) as ratios", f"{wlabels!r}")
    if x.shape == w.shape:  # other shapes are refused by the binding, naming both
        missing = np.isnan(x) & np.isnan(w)
        if missing.any():
            w = np.where(missing, 0.0, w)
    return BuhlmannStraubResult._from_core(_c.buhlmann_straub(x, w), labels if labels is not None else wlabels)


def buhlmann(data: Any) -> BuhlmannStraubResult:
    """Buhlmann credibility (equal weights): ``data`` is risks x periods, all observed."""
    x, labels = _matrix(data, "data")
    return BuhlmannStraubResult._from_core(_c.buhlmann(x), labels)


# --- Risk adjustment ----------------------------------------------------------------------


def _column(data: Any, value: Any, where: str) -> Any:
    """A column given by name (of ``data``) or as values."""
    if isinstance(value, str):
        if data is None:
            raise _invalid(where, "an array, or a column name together with data=", repr(value))
        if value not in data:
            raise _invalid(where, "a column of data", repr(value))
        return data[value]
    return value


def _numbers(values: Any, where: str) -> np.ndarray:
    """Values as floats (the C++ binding checks that they are 1-D, finite and as many as
    the members)."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise _invalid(where, "numbers", "values that are not numbers") from None


def _labels(values: Any, where: str) -> list:
    out = []
    for i, v in enumerate(list(values)):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise _invalid(f"{where}[{i}]", "a label", "a missing value")
        out.append(str(v))
    return out


def _markers(data: Any, markers: Any) -> tuple[list, list]:
    if markers is None:
        return [], []
    if isinstance(markers, Mapping):
        items = list(markers.items())
    elif isinstance(markers, str):
        items = [(markers, markers)]
    else:
        items = [(m, m) for m in markers]
    names, columns = [], []
    for name, value in items:
        names.append(str(name))
        columns.append(_numbers(_column(data, value, f"markers.{name}"), f"markers.{name}"))
    return names, columns


def fit_risk_weights(
    data: Any = None,
    *,
    cost: Any,
    exposure: Any = None,
    tier: Any = None,
    age_band: Any = None,
    sex: Any = None,
    markers: Any = None,
    scenario: Any = None,
    year: int = 0,
) -> RiskWeightFit:
    """Relative risk weights by exposure-weighted least squares (Eigen).

    Member-level inputs: ``cost`` (cost over the exposure period) and ``exposure``
    (member-months); ``tier``, ``age_band``, ``sex`` (labels; each optional) and
    ``markers`` (a dict name -> values, or a list of column names). Each may be an array
    or, with ``data`` (a DataFrame or dict of columns), a column name. With a tier, each
    tier gets its own weight; age band and sex levels other than the first (sorted) one,
    and markers, add to it. Without a tier the model has an intercept.

    With ``scenario`` (an apmsim.Scenario), ``cost`` is each member's cost in ``year``
    (0-based; e.g. ``results.member_costs[0, trial, year]``), exposure comes from the
    scenario's months, and ``tier``/``age_band``/``sex`` are booleans (default True)
    choosing the population's columns.

    Returns a RiskWeightFit: coefficients (relative, 1 = average cost) with classical
    and robust (HC1) standard errors, coefficients_pmpm, r_squared, budget-neutral
    scores (exposure-weighted mean exactly 1) and predictive ratios by tier.
    """
    if scenario is not None:
        if exposure is not None:
            raise _invalid("exposure", "None with scenario= (exposure comes from the scenario's months)", "a value")
        names, cols = _markers(data, markers)
        flags = {}
        for key, value in (("tier", tier), ("age_band", age_band), ("sex", sex)):
            if value is not None and not isinstance(value, (bool, np.bool_)):
                raise _invalid(key, "True/False with scenario= (use the population's column or not)", repr(value))
            flags[key] = True if value is None else bool(value)
        return _c.fit_risk_weights_scenario(
            scenario, _numbers(_column(data, cost, "cost"), "cost"), year, flags["tier"], flags["age_band"],
            flags["sex"], names, cols)
    if exposure is None:
        raise _invalid("exposure", "member-months per member (an array or a column name)", "None")
    cost_values = _numbers(_column(data, cost, "cost"), "cost")
    exposure_values = _numbers(_column(data, exposure, "exposure"), "exposure")
    factors = {}
    for key, value in (("tier", tier), ("age_band", age_band), ("sex", sex)):
        factors[key] = [] if value is None else _labels(_column(data, value, key), key)
    names, cols = _markers(data, markers)
    return _c.fit_risk_weights_factors(cost_values, exposure_values, factors["tier"], factors["age_band"],
                                       factors["sex"], names, cols)


def fit_risk_weights_design(
    design: Any,
    cost: Any,
    exposure: Any,
    names: Optional[Sequence[str]] = None,
    groups: Any = None,
    group_names: Optional[Sequence[str]] = None,
) -> RiskWeightFit:
    """Relative risk weights from your own design matrix (members x p; a DataFrame's
    columns name the coefficients). ``groups`` (0-based ints per member) and
    ``group_names`` select the predictive-ratio groups."""
    if _is_frame(design):
        if names is None:
            names = [str(c) for c in design.columns]
        design = design.to_numpy(dtype=float)
    # The binding checks shapes, lengths, finite values and whole-number group indices.
    return _c.fit_risk_weights_matrix(_numbers(design, "design"), _numbers(cost, "cost"), _numbers(exposure, "exposure"),
                                      list(names or []), groups, list(group_names or []))


def _fit_to_frame(self: RiskWeightFit):
    """One row per coefficient: relative weight, standard errors, PMPM dollars."""
    if _pd is None:  # pragma: no cover
        raise ImportError("to_frame() needs pandas")
    return _pd.DataFrame(
        {
            "coefficient": self.coefficients,
            "standard_error": self.standard_errors,
            "robust_standard_error": self.robust_standard_errors,
            "coefficient_pmpm": self.coefficients_pmpm,
        },
        index=_pd.Index(self.names, name="term"),
    )


def _predictive_ratio_frame(self: RiskWeightFit):
    """One row per group (tier): member-months and actual / predicted cost."""
    if _pd is None:  # pragma: no cover
        raise ImportError("predictive_ratio_frame() needs pandas")
    return _pd.DataFrame(
        {"exposure": self.group_exposure, "predictive_ratio": self.predictive_ratios},
        index=_pd.Index(self.group_names, name="group"),
    )


RiskWeightFit.to_frame = _fit_to_frame
RiskWeightFit.predictive_ratio_frame = _predictive_ratio_frame

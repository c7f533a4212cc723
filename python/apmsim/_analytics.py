"""apmsim: small-population analytics (MSR, members needed), credibility and risk adjustment; re-exports from _core plus Pythonic helpers.

Size analytics use the normal approximation of shared/DOMAIN.md sections 1 and 4: the
observed savings rate R = 1 - (pool mean cost) / benchmark of n members with
member-level cost CV c and true saving s is N(s, ((1 - s) c)^2 / n). The functions are
numpy-vectorised (arrays broadcast; scalars give floats). Credibility lives in the
``apmsim.credibility`` submodule; the risk-adjustment fitter is re-exported here.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core, credibility
from ._core import (
    ChainLadder,
    ExpectedPayout,
    FrequencyFit,
    SeverityFit,
    TrendFit,
    chain_ladder,
    expected_payout,
    false_penalty_probability,
    fit_frequency,
    fit_severity,
    fit_trend,
    false_reward_probability,
    members_for_msr,
    members_to_detect_saving,
    minimum_savings_rate,
    msr_for_false_reward,
    mssp_minimum_savings_rate,
    penalty_probability,
    reward_probability,
    savings_rate_sd,
    settle_savings_rate,
)
from .credibility import RiskWeightFit, _invalid, fit_risk_weights, fit_risk_weights_design

__all__ = [
    "completion_factors",
    "member_months",
    "paid_triangle",
    "ChainLadder",
    "chain_ladder",
    "ExpectedPayout",
    "TrendFit",
    "fit_trend",
    "FrequencyFit",
    "SeverityFit",
    "fit_frequency",
    "fit_severity",
    "RiskWeightFit",
    "credibility",
    "expected_payout",
    "false_penalty_probability",
    "false_reward_probability",
    "fit_risk_weights",
    "fit_risk_weights_design",
    "members_for_msr",
    "members_needed",
    "members_to_detect_saving",
    "minimum_savings_rate",
    "msr_for_false_reward",
    "msr_table",
    "mssp_minimum_savings_rate",
    "penalty_probability",
    "reward_probability",
    "savings_rate_sd",
    "settle_savings_rate",
]


def _round_up(n: Any) -> Any:
    """Whole members: the smallest integer at or above n (int for a scalar, int64 array otherwise)."""
    up = np.ceil(np.asarray(n) * (1 - 1e-12))  # a value like 5000.000000001 from rounding is 5,000
    return int(up) if up.ndim == 0 else up.astype(np.int64)


def members_needed(
    *,
    cv: Any,
    msr: Any = None,
    saving: Any = None,
    confidence: float = 0.90,
    sides: str = "two",
    false_reward: Any = 0.05,
    power: Any = 0.80,
    round_up: bool = True,
) -> Any:
    """Members a pool needs, in one of two senses (give exactly one of msr and saving):

    * ``msr``: for the confidence-interval MSR z * cv / sqrt(n) to fall to ``msr``
      (z from ``confidence`` and ``sides``): n = (z cv / msr)^2.
    * ``saving``: for a true saving to be rewarded with probability ``power`` while a
      pool with no saving is rewarded with probability ``false_reward`` (the MSR set at
      z_{1-false_reward} cv / sqrt(n)): sqrt(n) = (z_a + z_power (1 - s)) cv / s.

    Vectorised over array arguments. Rounded up to whole members unless round_up=False.
    """
    if (msr is None) == (saving is None):
        raise _invalid("msr", "exactly one of msr and saving", "both" if msr is not None else "neither")
    if msr is not None:
        n = members_for_msr(msr, cv, confidence, sides)
    else:
        n = members_to_detect_saving(saving, cv, false_reward, power)
    return _round_up(n) if round_up else n


def msr_table(
    members: Any,
    cv: float,
    confidence: float = 0.90,
    sides: str = "two",
    saving: Optional[float] = None,
):
    """A pandas DataFrame, one row per pool size: the confidence-interval MSR, the MSSP
    table MSR (NaN below 5,000), the false-reward probability at each, and with
    ``saving`` the probability that a pool with that true saving is rewarded at the CI MSR.
    The same table as ``apmsim msr`` prints."""
    import pandas as pd

    n = np.atleast_1d(np.asarray(members, dtype=float))
    ci = minimum_savings_rate(n, cv, confidence, sides)
    table = np.array([mssp_minimum_savings_rate(x) if x >= 5000 else np.nan for x in n])
    out = pd.DataFrame({"members": n, "ci_msr": ci, "mssp_msr": table})
    out["p_false_reward_at_ci_msr"] = false_reward_probability(n, cv, ci)
    out["p_false_reward_at_mssp_msr"] = [
        false_reward_probability(x, cv, m) if not np.isnan(m) else np.nan for x, m in zip(n, table)
    ]
    if saving is not None:
        out["p_reward_at_ci_msr"] = reward_probability(n, cv, ci, saving)
    return out


def _iso_dates(values: Any) -> list[str]:
    """Dates as ISO strings: strings pass through; datetimes, pandas Timestamps and numpy datetime64 are formatted."""
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series) or series.map(lambda v: hasattr(v, "strftime")).all():
        return list(pd.to_datetime(series).dt.strftime("%Y-%m-%d"))
    return [str(v) for v in series]


def member_months(member: Any, start: Any, end: Any, first: str, last: str) -> Any:
    """Member-months by calendar month from enrolment spans (C++ ``stats::member_months``):
    each member's spans merged where they overlap or touch, partial months prorated by days,
    end dates inclusive. Returns a DataFrame, one row per member (in order of first
    appearance), one column per month ``first`` .. ``last`` ("YYYY-MM")."""
    import pandas as pd

    members, months, table = _core._member_months([str(m) for m in pd.Series(member)], _iso_dates(start), _iso_dates(end), first, last)
    return pd.DataFrame(table, index=pd.Index(members, name="member"), columns=months)


def _months(first: str, count: int) -> list[str]:
    import pandas as pd

    return [str(p) for p in pd.period_range(first, periods=count, freq="M")]


def paid_triangle(service_date: Any, paid_date: Any, amount: Any, first: str, valuation: str) -> Any:
    """The cumulative paid triangle of claims lines (C++ ``stats::paid_triangle``): one row per
    incurred month ``first`` .. ``valuation`` ("YYYY-MM"), one column per development month
    (lag), NaN where not yet known. ``attrs`` counts the lines and dollars used, paid after the
    valuation month, and incurred outside the months, so that every line is accounted for."""
    import pandas as pd

    rows, counts = _core._paid_triangle(_iso_dates(service_date), _iso_dates(paid_date), np.asarray(amount, dtype=float), first, valuation)
    table = pd.DataFrame([row + [np.nan] * (len(rows) - len(row)) for row in rows], index=pd.Index(_months(first, len(rows)), name="incurred"))
    table.columns.name = "development_month"
    table.attrs.update(counts)
    return table


def completion_factors(service_date: Any, paid_date: Any, amount: Any, first: str, valuation: str, tail: float = 1.0) -> Any:
    """Completion factors by incurred month from claims lines: the paid triangle
    (:func:`paid_triangle`) developed by the chain ladder (:func:`chain_ladder`). Returns a
    DataFrame indexed by incurred month with paid (to the valuation month),
    development_months, completion (the share of ultimate paid), ultimate and unpaid;
    ``attrs["chain_ladder"]`` holds the ChainLadder (its age-to-age factors)."""
    import pandas as pd

    triangle = paid_triangle(service_date, paid_date, amount, first, valuation)
    cl = chain_ladder(triangle)
    development = triangle.notna().sum(axis=1).to_numpy() - 1
    out = pd.DataFrame({"paid": cl.latest, "development_months": development, "completion": cl.completion[development],
                        "ultimate": cl.ultimate, "unpaid": cl.unpaid}, index=triangle.index)
    out.attrs.update(triangle.attrs)
    out.attrs["chain_ladder"] = cl
    return out


"""From a program's own claims: a cost model and its report (apmsim.calibrate), synthetic
extracts with deliberate mess to practise on (apmsim.synthesize), and the monitoring of a
signed contract's year against its scenario (apmsim.monitor).

The work is done in C++ (include/apmsim/claims/, calibration_report.hpp, synth.hpp);
this module accepts paths or pandas DataFrames and returns DataFrames.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

from . import _core

__all__ = ["Calibration", "calibrate", "synthesize", "Monitoring", "monitor"]


def _extract(value: Any, what: str) -> tuple[str, bool]:
    """A path, or CSV text of a DataFrame (dates as YYYY-MM-DD)."""
    if hasattr(value, "to_csv"):
        return value.to_csv(index=False, date_format="%Y-%m-%d"), True
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value), False
    raise TypeError(f"{what}: expected a path or a pandas DataFrame, got {type(value).__name__}")


def _json_document(value: Any, what: str) -> Optional[dict]:
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, (str, os.PathLike)):
        with open(value, encoding="utf-8") as f:
            return json.load(f)
    raise TypeError(f"{what}: expected a dict, a path or None, got {type(value).__name__}")


def _manual_document(manual: Any) -> Optional[dict]:
    """None; 'default' (the bundled program's); a Scenario (its cost model); a path or dict of a cost model document."""
    if manual is None:
        return None
    if isinstance(manual, _core.Scenario):
        return _core._cost_model_document(manual)
    if isinstance(manual, str) and manual == "default":
        return _core._cost_model_document(_core.Scenario.default_cmc_program())
    if isinstance(manual, (str, os.PathLike)):
        return _core._load_cost_model_document(os.fspath(manual))
    return _json_document(manual, "manual")


class Calibration:
    """What apmsim.calibrate found: the cost model (a document a scenario's cost_model can
    be, or name by path once saved) and the report, with DataFrames of its parts."""

    def __init__(self, report: dict):
        self.report = report
        self.cost_model: dict = report["calibration"]["cost_model"]

    def _frame(self, rows: Any, index: Optional[list[str]] = None) -> Any:
        import pandas as pd

        frame = pd.DataFrame(rows)
        return frame.set_index(index) if index else frame

    @property
    def cells(self) -> Any:
        """Per tier x category: exposure, events, observed vs fitted frequency and severity
        (mean, cv, p50/p90/p99) and the credibility given to the experience."""
        rows = [{k: v for k, v in c.items() if not k.endswith("_fit") and k != "severity_tail"} for c in self.report["calibration"]["cells"]]
        return self._frame(rows, ["tier", "category"])

    @property
    def findings(self) -> Any:
        """The standardisation's rules: rows and allowed dollars each removed or flagged, with examples."""
        return self._frame(self.report["standardisation"]["findings"], ["source", "rule"])

    @property
    def tails(self) -> Any:
        """Per tier x category with a fitted generalized Pareto tail (tail_quantile): threshold,
        shape and scale with their standard errors, exceedances, and whether the cost model uses it."""
        rows = [{"tier": c["tier"], "category": c["category"], **c["severity_tail"]}
                for c in self.report["calibration"]["cells"] if "severity_tail" in c]
        return self._frame(rows, ["tier", "category"] if rows else None)

    @property
    def months(self) -> Any:
        """Month by month: allowed, member-months, run-out completeness and the completed PMPM."""
        return self._frame(self.report["calibration"]["months"], ["month"])

    @property
    def run_out_triangle(self) -> Any:
        """Cumulative paid allowed by incurred month (rows) and months of development (columns)."""
        import pandas as pd

        months = [m["month"] for m in self.report["calibration"]["months"]]
        return pd.DataFrame(self.report["standardisation"]["run_out_triangle"], index=pd.Index(months, name="incurred"))

    @property
    def trend(self) -> dict:
        return self.report["calibration"]["trend"]

    @property
    def frailty(self) -> dict:
        return self.report["calibration"]["frailty"]

    @property
    def reconciles(self) -> bool:
        return bool(self.report["standardisation"]["reconciles"])

    def save(self, path: Any) -> None:
        """Writes the cost model document (JSON) to `path` (atomically; apmsim.OutputError on a full disk)."""
        _core._write_file_atomically(os.fspath(path), json.dumps(self.cost_model, indent=2) + "\n")

    def __repr__(self) -> str:
        s = self.report["standardisation"]
        t = self.trend
        return (f"Calibration({len(self.cost_model['tiers'])} tiers x {len(self.cost_model['categories'])} categories, "
                f"{s['rows_kept']} of {s['rows_in']} claim rows kept, trend {t['cost_model_mean']:+.2%} (fitted "
                f"{t['annual_trend']:+.2%}, se {t['annual_trend_se']:.2%}), frailty cv {self.frailty['cv']:.3f})")


def calibrate(members: Any, claims: Any, *, map: Any = None, manual: Any = None, strict: bool = False,
              first: Optional[str] = None, valuation: Optional[str] = None, extreme_threshold: float = 1e6,
              tail_factor: float = 1.0, seasonality: str = "auto", tail_quantile: Optional[float] = None) -> Calibration:
    """Cleans a program's members and claims extracts (paths or DataFrames) and calibrates a
    cost model from them, as `apmsim calibrate` does (docs/claims-data.md).

    map: column and code map (dict or JSON path). manual: a cost model to blend thin cells
    with by credibility ("default", a Scenario, a cost model dict or path). strict: any
    finding is an error. first / valuation: the window's first and last month (YYYY-MM); by default
    the later of the earliest service and enrolment months, and the latest paid month.
    tail_quantile: fit a generalized Pareto severity tail above this quantile of each cell's
    amounts (where 50 or more lie above it and the severity is the experience's alone).
    """
    m_text, m_is_text = _extract(members, "members")
    c_text, c_is_text = _extract(claims, "claims")
    report = _core._calibrate_extracts(m_text, m_is_text, c_text, c_is_text, _json_document(map, "map"), _manual_document(manual),
                                       strict, first or "", valuation or "", float(extreme_threshold), float(tail_factor), seasonality,
                                       None if tail_quantile is None else float(tail_quantile))
    return Calibration(report)


def synthesize(out_dir: Any, scenario: Any = None, *, members: Optional[int] = None, years: Optional[int] = None, seed: int = 1,
               start: str = "2024-01", valuation: Optional[str] = None, mean_payment_lag_days: float = 40.0,
               clean: bool = False, **mess: float) -> dict:
    """Writes members.csv, claims.csv and truth.json of a scenario's program (default: the
    bundled CMC program) to `out_dir`, with deliberate mess at the rates given by name
    (duplicate, reversal, void, enrolment_gap, overlap, outside_enrolment, unknown_member,
    bad_value, unmapped_category; clean=True sets the others to 0). Returns truth.json."""
    s = scenario if scenario is not None else _core.Scenario.default_cmc_program()
    rates = dict(mess)
    if clean:
        rates = {**{n: 0.0 for n in _core._mess_rules}, **rates}
    return _core._synthesize_extracts(s, os.fspath(out_dir), int(seed), members, years, start, valuation or "", float(mean_payment_lag_days),
                                      {k: float(v) for k, v in rates.items()})


class Monitoring:
    """What apmsim.monitor found for a contract year: the year-to-date percentile and band,
    actual vs expected, the fan chart and the contract's odds before and after the months
    seen (the report's parts as DataFrames; `report` holds it all as a dict)."""

    def __init__(self, report: dict):
        self.report = report

    @property
    def year_to_date(self) -> dict:
        """Paid-to-date PMPM, its percentile among the simulated, the band and the flag."""
        return self.report["year_to_date"]

    @property
    def flag(self) -> str:
        """"above", "below" or "within" the simulated band."""
        return self.report["year_to_date"]["flag"]

    @property
    def actual_vs_expected(self) -> Any:
        """Per tier x category, then per tier, per category and in total ("" = all):
        actual and expected paid to date, their ratio, its simulated band and flag."""
        import pandas as pd

        return pd.DataFrame(self.report["actual_vs_expected"]).set_index(["tier", "category"])

    @property
    def fan(self) -> Any:
        """Month by month: the cumulative PMPM observed (paid, completed) and its simulated
        quantiles, prior and conditional on the months seen (columns prior_p05 ...)."""
        import pandas as pd

        rows = []
        for m in self.report["fan_chart"]:
            row = {"month": m["month"], "observed": m["observed"], "paid_to_date_pmpm": m.get("paid_to_date_pmpm"),
                   "completed_pmpm": m.get("completed_pmpm")}
            for kind in ("prior", "conditional"):
                row.update({f"{kind}_{q}": v for q, v in m[kind].items()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("month")

    @property
    def outcomes(self) -> Any:
        """Per payment model: P(savings paid), P(losses owed) and their means, prior and conditional."""
        import pandas as pd

        rows = []
        for o in self.report["outcomes"]:
            row = {"model": o["model"]}
            for key in ("p_savings_paid", "p_losses_owed", "mean_savings_paid", "mean_losses_owed"):
                row.update({f"{key}_prior": o[key]["prior"], key: o[key]["conditional"]})
            rows.append(row)
        return pd.DataFrame(rows, columns=None if rows else ["model"]).set_index("model")

    def fan_chart(self, ax: Any = None) -> Any:
        """The cumulative PMPM through the year: the prior 90% band, the conditional 50% and
        90% bands and median, and the observed paid-to-date and completed points."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        f = self.fan
        x = range(len(f))
        ax.fill_between(x, f["prior_p05"], f["prior_p95"], color="0.85", label="prior 90%")
        ax.fill_between(x, f["conditional_p05"], f["conditional_p95"], color="tab:blue", alpha=0.25, label="given the months seen, 90%")
        ax.fill_between(x, f["conditional_p25"], f["conditional_p75"], color="tab:blue", alpha=0.45, label="50%")
        ax.plot(x, f["conditional_p50"], color="tab:blue", lw=1.5, label="median")
        seen = f[f["observed"]]
        xs = [list(f.index).index(m) for m in seen.index]
        ax.plot(xs, seen["completed_pmpm"], "o", color="black", label="observed, completed")
        ax.plot(xs, seen["paid_to_date_pmpm"], "x", color="0.3", label="observed, paid so far")
        ax.set_xticks(list(x), list(f.index), rotation=45, ha="right")
        ax.set_ylabel("cumulative allowed PMPM")
        ax.set_title(f"{self.report['scenario']}: contract year {self.report['contract_year']} through {self.report['through']}")
        ax.legend(fontsize="small", loc="upper left")
        return ax

    def save(self, path: Any) -> None:
        """Writes the report (JSON) to `path` (atomically; apmsim.OutputError on a full disk)."""
        _core._write_file_atomically(os.fspath(path), json.dumps(self.report, indent=2) + "\n")

    def __repr__(self) -> str:
        y = self.year_to_date
        return (f"Monitoring(year {self.report['contract_year']}, {self.report['months_observed']} months through "
                f"{self.report['through']}: PMPM {y['pmpm']:,.0f} at percentile {y['percentile']:.1%}, {y['flag']})")


def monitor(members: Any, claims: Any, scenario: Any = None, *, start: str, through: str, first: Optional[str] = None,
            map: Any = None, trials: int = 1000, seed: Optional[int] = None, threads: int = 0, band: float = 0.90,
            tail_factor: float = 1.0, extreme_threshold: float = 1e6, strict: bool = False) -> Monitoring:
    """Compares a contract year's claims so far (paths or DataFrames) with the scenario's
    simulation (default: the bundled CMC program), as `apmsim monitor` does: where the
    paid-to-date PMPM sits among the simulated, actual vs expected by tier and category, and
    the rest of the year projected conditionally on each member's claims so far and settled
    by every payment model. start: the first month of contract year 1 (YYYY-MM); through:
    the last month of experience; first: the first month of history read (default: the
    extracts' own first month, for run-out factors that see claims finish developing).
    """
    s = scenario if scenario is not None else _core.Scenario.default_cmc_program()
    m_text, m_is_text = _extract(members, "members")
    c_text, c_is_text = _extract(claims, "claims")
    options = {"start": start, "through": through, "first": first or "", "trials": int(trials), "seed": seed, "threads": int(threads),
               "band": float(band), "tail_factor": float(tail_factor), "extreme_threshold": float(extreme_threshold), "strict": bool(strict)}
    return Monitoring(_core._monitor_extracts(s, m_text, m_is_text, c_text, c_is_text, _json_document(map, "map"), options))

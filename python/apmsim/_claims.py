"""From a program's own claims: a cost model and its report (apmsim.calibrate), and
synthetic extracts with deliberate mess to practise on (apmsim.synthesize).

The work is done in C++ (include/apmsim/claims/, calibration_report.hpp, synth.hpp);
this module accepts paths or pandas DataFrames and returns DataFrames.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

from . import _core

__all__ = ["Calibration", "calibrate", "synthesize"]


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
        rows = [{k: v for k, v in c.items() if not k.endswith("_fit")} for c in self.report["calibration"]["cells"]]
        return self._frame(rows, ["tier", "category"])

    @property
    def findings(self) -> Any:
        """The standardisation's rules: rows and allowed dollars each removed or flagged, with examples."""
        return self._frame(self.report["standardisation"]["findings"], ["source", "rule"])

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
        """Writes the cost model document (JSON) to `path`."""
        text = json.dumps(self.cost_model, indent=2) + "\n"
        tmp = os.fspath(path) + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)

    def __repr__(self) -> str:
        s = self.report["standardisation"]
        t = self.trend
        return (f"Calibration({len(self.cost_model['tiers'])} tiers x {len(self.cost_model['categories'])} categories, "
                f"{s['rows_kept']} of {s['rows_in']} claim rows kept, trend {t['annual_trend']:+.2%} "
                f"(se {t['annual_trend_se']:.2%}), frailty cv {self.frailty['cv']:.3f})")


def calibrate(members: Any, claims: Any, *, map: Any = None, manual: Any = None, strict: bool = False,
              first: Optional[str] = None, valuation: Optional[str] = None, extreme_threshold: float = 1e6,
              tail_factor: float = 1.0, seasonality: str = "auto") -> Calibration:
    """Cleans a program's members and claims extracts (paths or DataFrames) and calibrates a
    cost model from them, as `apmsim calibrate` does (docs/claims-data.md).

    map: column and code map (dict or JSON path). manual: a cost model to blend thin cells
    with by credibility ("default", a Scenario, a cost model dict or path). strict: any
    finding is an error. first / valuation: the window's first and last month (YYYY-MM).
    """
    m_text, m_is_text = _extract(members, "members")
    c_text, c_is_text = _extract(claims, "claims")
    report = _core._calibrate_extracts(m_text, m_is_text, c_text, c_is_text, _json_document(map, "map"), _manual_document(manual),
                                       strict, first or "", valuation or "", float(extreme_threshold), float(tail_factor), seasonality)
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
        names = ["duplicate", "reversal", "void", "enrolment_gap", "overlap", "outside_enrolment", "unknown_member", "bad_value",
                 "unmapped_category"]
        rates = {**{n: 0.0 for n in names}, **rates}
    return _core._synthesize_extracts(s, os.fspath(out_dir), int(seed), members, years, start, valuation or "", float(mean_payment_lag_days),
                                      {k: float(v) for k, v in rates.items()})

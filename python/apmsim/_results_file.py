"""A results file read back: the document ``apmsim run --out`` or ``Results.save`` writes,
with its tables as pandas DataFrames, its per-trial samples as numpy arrays and the
scenario it records, so that it can be reported on or run again (docs/glossary.md:
results file, resolved_scenario, replay).

Example::

    import apmsim
    f = apmsim.Results.load("results.json")            # or apmsim.ResultsFile.load(...)
    f.payment_summary().xs("provider", level="party")   # dollars
    f.net_samples("fee_for_service", party="provider")  # (trials, years), dollars
    f.replay() == apmsim.run(f.scenario)                # the same numbers again

``ResultsFile.payments`` is a light stand-in for ``Results.payments`` (models, arms,
parties, trials, years and ``samples(model, party, "net", arm)``), so the pictures of
``apmsim.plot`` that use net results draw a results file as they draw a run.
"""
from __future__ import annotations

import html
import json
import os
import pathlib
from typing import Any, ClassVar, Mapping, Optional, Union

import numpy as np

from . import _core

__all__ = ["ResultsFile"]

PathLike = Union[str, "os.PathLike[str]"]

# The index columns of each table, as the C++ bindings build them (python/bind_*.cpp).
_COST_INDEX = ["arm", "year", "measure", "category", "tier"]
_PAYMENT_INDEX = ["model", "arm", "year", "party", "measure"]
_METRIC_INDEX = ["model", "arm", "year", "component", "metric"]
_INDICATOR_INDEX = ["model", "year"]
_CALIBRATION_INDEX = ["model", "component", "year", "quantity"]
_EXPECTED = "a results file written by apmsim run --out or Results.save (JSON with a resolved_scenario)"


def _invalid(where: str, expected: str, actual: str) -> _core.InvalidInput:
    """An apmsim.InvalidInput (a ValueError) with the fields of the C++ one."""
    error = _core.InvalidInput(f"{where}: expected {expected}, got {actual}")
    error.where, error.expected, error.actual = where, expected, actual
    return error


def _read_json(path: pathlib.Path) -> Any:
    """The JSON document of ``path``; InvalidInput naming the file when it is not JSON."""
    text = path.read_text(encoding="utf-8", errors="replace")  # a missing file: FileNotFoundError
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise _invalid(str(path), _EXPECTED, f"text that is not JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None


def _what_it_is(document: Any) -> str:
    """A few words on a JSON document that is not a results file, for the error message."""
    if not isinstance(document, dict):
        return f"a JSON {type(document).__name__}, not an object"
    if "population" in document and "cost_model" in document:
        return "a scenario file (run it first: apmsim run SCENARIO --out results.json)"
    if "base" in document and "axes" in document:
        return "a sweep file"
    return "a JSON object without resolved_scenario"


def _frame(rows: Any, index: list[str]) -> Any:
    """A pandas DataFrame of JSON rows indexed and sorted as the C++ bindings do (nulls: NaN)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.set_index(index).sort_index()


class FilePayments:
    """The payment models of a results file, as far as the file holds them: the names and,
    per model, arm and party, the per-trial net result by year (dollars). A party the file
    leaves out of ``net_samples`` had a net of exactly 0 in every trial and year.

    Example: ``FilePayments(f).samples("fee_for_service", "provider", "net", "intervention")``.
    """

    def __init__(self, results: "ResultsFile") -> None:
        pm = results.document["payment_models"]
        self._where = f"{results.source}: payment_models"
        self._net = pm.get("net_samples", {})
        self.models: list[str] = list(pm["models"])
        self.arms: list[str] = list(pm["arms"])
        self.parties: list[str] = list(pm["parties"])
        #: payer_state and payer_federal when the scenario has a federal_match (not ledger parties)
        self.derived_parties: list[str] = list(pm.get("derived_parties", []))
        self.trials: int = results.trials
        self.years: int = results.years

    @property
    def program_arm(self) -> str:
        """The arm with the program (``intervention``), or ``baseline`` when there is none."""
        return "intervention" if "intervention" in self.arms else self.arms[0]

    def _check(self, what: str, value: str, allowed: list[str]) -> None:
        if value not in allowed:
            raise _invalid(f"{self._where}: {what}", f"one of {allowed}", repr(value))

    def has_samples(self, model: str, party: str, arm: Optional[str] = None) -> bool:
        """True when the file records a (non-zero) net result of the party under the model."""
        return party in self._net.get(model, {}).get(arm or self.program_arm, {})

    def samples(self, model: str, party: str, measure: str = "net", arm: Optional[str] = None) -> np.ndarray:
        """(trials, years) net result of the party under the model, dollars; zeros for a party
        the file leaves out. Only ``measure="net"``: the file holds no other per-trial measure."""
        arm = arm or self.program_arm
        self._check("model", model, self.models)
        self._check("party", party, self.parties + self.derived_parties)
        self._check("arm", arm, self.arms)
        if measure != "net":
            raise _invalid(f"{self._where}: measure", '"net" (a results file holds per-trial samples of net only)', repr(measure))
        values = self._net.get(model, {}).get(arm, {}).get(party)
        if values is None:
            return np.zeros((self.trials, self.years))
        return np.asarray(values, dtype=float).reshape(self.trials, self.years)

    def __repr__(self) -> str:
        return f"FilePayments(models={len(self.models)}, trials={self.trials}, years={self.years})"


class ResultsFile:
    """A results file read back (``ResultsFile.load(path)``, also ``apmsim.Results.load``).

    Attributes: ``document`` (the dict), ``source`` (the path, or what it came from),
    ``scenario`` (``apmsim.Scenario.from_results(document)``: the resolved scenario with the
    settings as run), ``trials``, ``seed``, ``mode`` ("exact" or "tabulated"; files before
    format 4 are exact), ``years``, ``members``, ``arms``, ``tiers``,
    ``categories``, ``models`` and ``parties`` (empty without payment models), ``warnings``
    (where, message) and ``payments`` (a :class:`FilePayments`, None without payment models).
    Money is in dollars throughout. Example::

        f = ResultsFile.load("results.json")
        f.summary().loc[("baseline", 1, "cost_pmpm", "", ""), "mean"]   # dollars PMPM
    """

    #: The per-trial measures a results file holds (``samples(measure, arm)``).
    measures: ClassVar[list[str]] = ["total_cost", "member_months", "program_cost", "cost_pmpm", "savings", "net_savings"]

    def __init__(self, document: Mapping[str, Any], source: str = "results") -> None:
        if not isinstance(document, Mapping) or "resolved_scenario" not in document:
            raise _invalid(source, _EXPECTED, _what_it_is(document))
        self.document: dict[str, Any] = dict(document)
        self.source = source
        try:
            self.scenario: _core.Scenario = _core.Scenario.from_results(self.document)
            for key in ("trials", "seed", "years", "members", "arms", "samples", "summary"):
                if key not in self.document:
                    raise _invalid(f"results: {key}", "a results file with every part apmsim run --out writes", "none")
        except _core.InvalidInput as e:
            where = str(getattr(e, "where", "") or "results")
            where = source + where[len("results"):] if where.startswith("results") else f"{source}: {where}"
            raise _invalid(where, getattr(e, "expected", _EXPECTED), getattr(e, "actual", str(e))) from None
        d = self.document
        self.trials, self.seed, self.years = int(d["trials"]), int(d["seed"]), int(d["years"])
        self.mode = str(d.get("mode", "exact"))  # format 4 names it; before, every run was exact
        # Format 2 and before counted churn's member slots as members: the population is the scenario's.
        self.members = int(d["members"]) if int(d.get("results_format", 1)) >= 3 else int(self.scenario.members)
        self.arms: list[str] = list(d["arms"])
        self.tiers: list[str] = list(d.get("tiers", []))
        self.categories: list[str] = list(d.get("categories", []))
        self.warnings: list[dict[str, str]] = list(d.get("warnings", []))
        pm = d.get("payment_models")
        self.payments: Optional[FilePayments] = FilePayments(self) if pm else None
        self.models: list[str] = list(self.payments.models) if self.payments else []
        self.parties: list[str] = list(self.payments.parties) if self.payments else []

    @staticmethod
    def load(path: PathLike) -> "ResultsFile":
        """Reads a results file. A missing file raises FileNotFoundError; a file that is not
        JSON, or JSON that is not a results file (a scenario file, say), raises
        apmsim.InvalidInput (a ValueError) naming the file and what was expected.
        Example: ``apmsim.Results.load("results.json").trials``."""
        p = pathlib.Path(os.fspath(path))
        return ResultsFile(_read_json(p), source=str(p))

    @property
    def name(self) -> str:
        """The scenario's name as recorded in the file."""
        return str(self.document.get("scenario") or self.scenario.name)

    def _payment_part(self, key: str) -> Any:
        if not self.payments:
            raise _invalid(f"{self.source}: payment_models", "a results file with payment models", "none")
        return self.document["payment_models"][key]

    def summary(self) -> Any:
        """The cost summary as ``Results.summary()`` gives it: one row per arm x year x
        measure x category x tier (dollars, events or member-months) with the statistics."""
        return _frame(self.document["summary"], _COST_INDEX)

    def payment_summary(self) -> Any:
        """As ``Results.payments.summary()``: one row per model x arm x year (0 = all years)
        x party x measure (revenue, payments, delivery_cost, net; dollars)."""
        return _frame(self._payment_part("summary"), _PAYMENT_INDEX)

    def metric_summary(self) -> Any:
        """As ``Results.payments.metric_summary()``: one row per model x arm x year x component x metric."""
        return _frame(self._payment_part("metric_summary"), _METRIC_INDEX)

    def indicators(self) -> Any:
        """As ``Results.payments.indicators()``: one row per model x year (probabilities 0-1, means in dollars)."""
        return _frame(self._payment_part("indicators"), _INDICATOR_INDEX)

    def calibration(self) -> Any:
        """As ``Results.payments.calibration()``: what the contracts fixed before the year."""
        return _frame(self._payment_part("calibration")["rows"], _CALIBRATION_INDEX)

    def net_samples(self, model: str, arm: str = "intervention", party: str = "provider") -> np.ndarray:
        """(trials, years) net result of ``party`` under ``model`` in ``arm``, dollars (zeros
        for a party the file leaves out because its net was 0 throughout).
        Example: ``f.net_samples("fee_for_service").sum(axis=1).mean()``."""
        if not self.payments:
            raise _invalid(f"{self.source}: payment_models", "a results file with payment models", "none")
        return self.payments.samples(model, party, "net", arm)

    def samples(self, measure: str = "total_cost", arm: str = "baseline") -> np.ndarray:
        """(trials, years) of a simulated measure the file holds: total_cost, member_months,
        program_cost or cost_pmpm (= total_cost / member_months, dollars PMPM) of an arm;
        savings and net_savings (dollars, baseline - intervention; no arm)."""
        samples = self.document["samples"]
        if measure not in self.measures:
            raise _invalid(f"{self.source}: samples", f"one of {self.measures}", repr(measure))
        if measure in ("savings", "net_savings"):
            values = samples.get(measure)
        elif arm not in self.arms:
            raise _invalid(f"{self.source}: samples: arm", f"one of {self.arms}", repr(arm))
        elif measure == "cost_pmpm":
            return self.samples("total_cost", arm) / self.samples("member_months", arm)
        else:
            values = samples[arm].get(measure)
        if values is None:
            raise _invalid(f"{self.source}: samples: {measure}", "per-trial values", "none")
        return np.asarray(values, dtype=float).reshape(self.trials, self.years)

    def replay(self, threads: Optional[int] = None) -> _core.Results:
        """Runs the recorded scenario again (its seed, trials and calibration trials) and
        returns the full apmsim.Results: the same numbers, whatever ``threads``.
        Example: ``f.replay() == apmsim.run(apmsim.Scenario.from_results(f.document))``."""
        import apmsim  # the package's run (its progress bar and interrupt handling); imported here, not at import time

        return apmsim.run(self.scenario, threads=threads)

    def __repr__(self) -> str:
        mode = "" if self.mode == "exact" else f", mode={self.mode!r}"
        return (f"ResultsFile({self.source!r}, scenario={self.name!r}, trials={self.trials}, seed={self.seed}{mode}, "
                f"years={self.years}, members={self.members}, models={len(self.models)})")

    def _repr_html_(self) -> str:
        """A notebook's view: what ran, and each model's mean net by party over all years."""
        e = html.escape
        head = (f"<p><b>ResultsFile</b> {e(self.source)}: scenario <b>{e(self.name)}</b>, {self.members:,} members, "
                f"{self.years} year(s), {self.trials:,} trials, seed {self.seed}</p>")
        if not self.payments:
            return head
        arm = self.payments.program_arm
        rows = [r for r in self._payment_part("summary") if r["arm"] == arm and r["year"] == 0 and r["measure"] == "net"]
        parties = [p for p in self.parties if any(r["party"] == p and (r["mean"] or r["sd"]) for r in rows)]
        cells = {(r["model"], r["party"]): r["mean"] for r in rows}
        header = "".join(f"<th>{e(p)}</th>" for p in parties)
        body = "".join(f"<tr><th style='text-align:left'>{e(m)}</th>" +
                       "".join(f"<td style='text-align:right'>{cells.get((m, p), 0.0):,.0f}</td>" for p in parties) + "</tr>"
                       for m in self.models)
        return (f"{head}<table><caption>Mean net result, dollars, all years ({e(arm)} arm)</caption>"
                f"<tr><th>model</th>{header}</tr>{body}</table>")


def _load(path: PathLike) -> ResultsFile:
    """apmsim.Results.load(path): a results file read back as a :class:`ResultsFile`."""
    return ResultsFile.load(path)


_core.Results.load = staticmethod(_load)

"""The tables of the report, computed from a results file (:class:`ResultsFile`) and
formatted as they are printed: dollars with thousands separators, probabilities as
percentages. Each function returns a :class:`Table` (columns, rows of text, which columns
are numbers). The statistics follow ``apmsim run``'s own printout: quantiles of type 7
(as numpy), sd with n - 1, a party's net result summed over the years.

Example::

    t = net_by_party(apmsim.Results.load("results.json"))
    t.columns   # ['model', 'party', 'mean net', 'sd', 'p5', 'ES95', 'p95', 'P(<0)']
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from ._report_format import NOT_APPLICABLE, missing, money, percent

__all__ = ["Table", "cost_per_member_year", "error_amounts", "error_rates", "net_by_party", "savings_per_member_year",
           "compared_models", "status_quo_comparison", "status_quo_model"]


@dataclass
class Table:
    """A table of text: ``columns``, ``rows`` (lists of cells), ``numeric`` (one flag per
    column: right-aligned), ``labels`` (how many leading columns label the row) and a ``note``."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    labels: int = 1
    note: str = ""


def _table(columns: list[str], labels: int, note: str = "") -> Table:
    return Table(columns, [], [i >= labels for i in range(len(columns))], labels, note)


def _stats(values: np.ndarray) -> dict[str, float]:
    """mean, sd (n - 1), p05, p95 (type 7) and P(< 0) of one sample."""
    v = np.asarray(values, dtype=float)
    sd = float(v.std(ddof=1)) if v.size > 1 else math.nan
    p05, p95 = np.quantile(v, [0.05, 0.95])
    return {"mean": float(v.mean()), "sd": sd, "p05": float(p05), "p95": float(p95), "p_negative": float(np.mean(v < 0))}


def cost_per_member_year(results: Any, arm: str) -> Table:
    """Allowed cost per member per year of an arm, by year: total cost / member-months x 12
    per trial (dollars), then mean, sd, p5, p95 over trials and the cv of the pool mean (sd / mean)."""
    per_member_year = results.samples("total_cost", arm) / results.samples("member_months", arm) * 12.0
    t = _table(["year", "mean", "sd", "p5", "p95", "cv of mean"], 1)
    for y in range(results.years):
        s = _stats(per_member_year[:, y])
        t.rows.append([str(y + 1), money(s["mean"]), money(s["sd"]), money(s["p05"]), money(s["p95"]),
                       percent(s["sd"] / s["mean"] if s["mean"] else math.nan)])
    return t


def savings_per_member_year(results: Any) -> Table:
    """Savings per member per year on common random numbers (baseline - intervention,
    dollars per intervention member-year), gross and net of the program's cost, by year."""
    months = results.samples("member_months", "intervention")
    gross = results.samples("savings") / months * 12.0
    net = results.samples("net_savings") / months * 12.0
    t = _table(["year", "gross mean", "sd", "p5", "p95", "P(<0)", "net of program", "P(net<0)"], 1,
               "Net of program = gross savings less the program's cost; P(net<0): the program costs more than it saves.")
    for y in range(results.years):
        g, n = _stats(gross[:, y]), _stats(net[:, y])
        t.rows.append([str(y + 1), money(g["mean"]), money(g["sd"]), money(g["p05"]), money(g["p95"]),
                       percent(g["p_negative"]), money(n["mean"]), percent(n["p_negative"])])
    return t


def net_by_party(results: Any) -> Table:
    """Each model's net result by party over all years (the file's year-0 summary rows of the
    program arm, dollars): mean, sd, p5 (the 5% worst), ES95 (the mean of the worst 5%), p95,
    P(<0). A party whose net is 0 in every trial (it is not in net_samples) is left out; with a
    federal match the derived rows payer_state and payer_federal follow the parties."""
    pay = results.payments
    arm = pay.program_arm
    rows = {(r["model"], r["party"]): r for r in results.document["payment_models"]["summary"]
            if r["arm"] == arm and r["year"] == 0 and r["measure"] == "net"}
    t = _table(["model", "party", "mean net", "sd", "p5", "ES95", "p95", "P(<0)"], 2,
               f"{arm} arm; net = revenue - payments - cost of the care delivered and of the program, all "
               f"{results.years} year(s) together, dollars.")
    for m in pay.models:
        for p in pay.parties + pay.derived_parties:
            r = rows.get((m, p))
            if r is None or not pay.has_samples(m, p, arm):
                continue
            t.rows.append([m, p, money(r["mean"]), money(r["sd"]), money(r["p05"]), money(r["expected_shortfall_95"]),
                           money(r["p95"]), percent(r["p_negative"])])
    return t


def status_quo_model(results: Any) -> Optional[str]:
    """The model the others are compared with: the one the results file records (format 2
    on: the scenario's status_quo); in an older file, ``fee_for_service`` when there is
    one, else the first model made of fee-for-service components only, else None."""
    doc = results.document
    if "results_format" in doc:
        return doc.get("status_quo", {}).get("model")
    if "fee_for_service" in results.models:
        return "fee_for_service"
    for m in doc["resolved_scenario"].get("payment_models", []):
        if m.get("components") and all(c.get("type") == "fee_for_service" for c in m["components"]):
            return m["name"]
    return None


def compared_models(results: Any, base: str) -> list[str]:
    """The models compared with ``base``: the others on its population segment (a model on
    another segment settles other members, so the difference would mean nothing)."""
    segment = {m["name"]: m.get("segment", "") for m in results.document["resolved_scenario"].get("payment_models", [])}
    return [m for m in results.payments.models if m != base and segment.get(m, "") == segment.get(base, "")]


def status_quo_comparison(results: Any) -> Optional[Table]:
    """Each model minus the status quo per party, on the same trials (common random numbers):
    the mean of the difference of the party's net result over all years (dollars), its
    standard error sd / sqrt(trials), a 95% interval and P(the model leaves the party worse
    off). None without a status quo or another model to compare."""
    base, pay = status_quo_model(results), results.payments
    if base is None or not compared_models(results, base):
        return None
    arm, n = pay.program_arm, pay.trials
    t = _table(["model", "party", "mean difference", "standard error", "95% interval", "P(worse off)"], 2,
               f"Model minus {base} on the same {n:,} trials ({arm} arm, all years, dollars); the standard error "
               "is that of the mean over trials.")
    for m in compared_models(results, base):
        for p in pay.parties + pay.derived_parties:
            if not (pay.has_samples(m, p, arm) or pay.has_samples(base, p, arm)):
                continue
            d = pay.samples(m, p, "net", arm).sum(axis=1) - pay.samples(base, p, "net", arm).sum(axis=1)
            mean = float(d.mean())
            se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            interval = NOT_APPLICABLE if missing(se) else f"{money(mean - 1.96 * se)} to {money(mean + 1.96 * se)}"
            t.rows.append([m, p, money(mean), money(se), interval, percent(float(np.mean(d < 0)))])
    return t


def _indicator_rows(results: Any) -> list[dict[str, Any]]:
    return list(results.document["payment_models"]["indicators"])


def error_rates(results: Any) -> Table:
    """Per model and year, the contract's chances (indicators): savings paid, losses owed,
    false reward and false penalty (payouts in the baseline arm, the program's effect
    removed), missed reward (real savings, nothing paid), a penalty despite savings."""
    t = _table(["model", "year", "P(savings paid)", "P(losses owed)", "P(false reward)", "P(false penalty)",
                "P(missed reward)", "P(penalty despite savings)"], 2,
               "A dash: the model has no component that pays for savings or charges for losses.")
    keys = ["p_savings_paid", "p_losses_owed", "p_false_reward", "p_false_penalty", "p_missed_reward", "p_penalty_despite_savings"]
    for r in _indicator_rows(results):
        t.rows.append([r["model"], str(r["year"]), *(percent(r.get(k)) for k in keys)])
    return t


def error_amounts(results: Any) -> Table:
    """Per model and year, the mean amounts behind the chances (dollars a year): savings
    paid, losses owed, stop-loss recoveries and premium."""
    t = _table(["model", "year", "mean savings paid", "mean losses owed", "mean stop-loss recoveries",
                "mean stop-loss premium"], 2)
    keys = ["mean_savings_paid", "mean_losses_owed", "mean_stop_loss_recoveries", "mean_stop_loss_premium"]
    for r in _indicator_rows(results):
        t.rows.append([r["model"], str(r["year"]), *(money(r.get(k)) for k in keys)])
    return t

"""The HTML pages of a program's own claims: a calibration (apmsim.calibrate, `apmsim
calibrate --report`) and a contract year's monitoring (apmsim.monitor, `apmsim monitor
--out`), in the style of the run report and, like it, one self-contained file (pictures
embedded as PNG, no script, no external URL; every string from the data escaped).

Example: ``apmsim.report(apmsim.calibrate(members, claims, manual="default"), "calibration.html")``,
or ``python3 -m apmsim report calibration.json -o calibration.html``.
"""
from __future__ import annotations

import base64
import html
from typing import Any, Optional

from ._report_format import money, number, percent

__all__ = ["is_claims_report", "render_claims"]

_e = html.escape


def is_claims_report(document: Any) -> bool:
    """Whether a JSON document is a calibration report or a monitoring report."""
    return isinstance(document, dict) and ("calibration" in document and "standardisation" in document or "fan_chart" in document)


def _table(columns: list[str], rows: list[list[str]], text: int = 1, caption: str = "") -> str:
    from ._report import _simple_table

    return (f"<h3>{_e(caption)}</h3>" if caption else "") + _simple_table(columns, rows, text=tuple(range(text)))


def _figure(fig: Any, title: str, caption: str) -> str:
    from ._report_figures import _png

    src = "data:image/png;base64," + base64.b64encode(_png(fig)).decode("ascii")
    return f'<figure><img src="{src}" alt="{_e(title)}"><figcaption><b>{_e(title)}.</b> {_e(caption)}</figcaption></figure>'


def _cards(pairs: list[tuple[str, str]]) -> str:
    return '<div class="cards">' + "".join(f'<div class="card"><div class="value">{_e(v)}</div><div class="label">{_e(k)}</div></div>'
                                           for v, k in pairs) + "</div>"


def _standardisation_html(s: dict) -> str:
    rows = [[f["source"], f["rule"], "removed" if f["removes"] else "kept", number(f["rows"]), money(f["allowed"]),
             "; ".join(f["examples"][:2])] for f in s["findings"] if f["rows"] > 0]
    head = (f"<p>{number(s['rows_in'])} claim rows in, {number(s['rows_kept'])} kept; allowed {money(s['allowed_kept'])} of "
            f"{money(s['allowed_in'])}. The rows and dollars reconcile: <b>{'yes' if s['reconciles'] else 'NO'}</b>.</p>")
    return head + _table(["extract", "rule", "rows", "count", "allowed", "first examples"], rows, text=3)


def _run_out_html(cal: dict) -> str:
    from ._report_figures import _axes

    months = cal["months"]
    fig, (ax,) = _axes(8, 3.2)
    ax.bar(range(len(months)), [m["completeness"] for m in months], color="#1f4e79")
    ax.set_xticks(range(len(months)), [m["month"] for m in months], rotation=60, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share paid by the valuation")
    rows = [[m["month"], money(m["allowed"]), number(m["member_months"], 1), percent(m["completeness"]), money(m["completed_pmpm"])]
            for m in months]
    return (_figure(fig, "Run-out completeness", "The chain ladder of the paid-lag triangle: each incurred month's share paid by the "
                    "valuation date; the completed PMPM divides by it.")
            + _table(["month", "allowed paid", "member-months", "completeness", "completed PMPM"], rows))


def _cells_html(cal: dict) -> str:
    rows = [[c["tier"], c["category"], number(c["events"]), number(c["exposure_years"], 1), f"{c['observed_frequency']:.4f}",
             f"{c['fitted_frequency']:.4f}", f"{c['frequency_credibility']:.2f}", money(c["observed_severity_mean"]),
             money(c["fitted_severity_mean"]), f"{c['severity_credibility']:.2f}"] for c in cal["cells"]]
    t, f = cal["trend"], cal["frailty"]
    return (_cards([(f"{t['annual_trend']:+.2%}", f"trend a year (se {t['annual_trend_se']:.2%})"),
                    (f"{f['cv']:.3f}", f"frailty cv (se {f['cv_se']:.3f})"), (number(len(cal["cells"])), "tier x category cells")])
            + _table(["tier", "category", "events", "exposure years", "frequency observed", "fitted", "Z", "severity observed",
                      "fitted", "Z"], rows, text=2, caption="Goodness of fit per cell (Z: the credibility given to the experience)"))


def _monitoring_html(m: dict) -> str:
    from ._report_figures import _axes

    y = m["year_to_date"]
    cards = _cards([(money(y["pmpm"]), "paid-to-date PMPM"), (percent(y["percentile"]), "percentile of the simulated"),
                    (f"{money(y['band_low'])} - {money(y['band_high'])}", f"{percent(m['band'], 0)} band"), (y["flag"], "flag")])
    ae = [[a["tier"] or "all", a["category"] or "all", money(a["actual"]), money(a["expected"]), f"{a['ratio']:.3f}",
           f"{a['low']:.2f} - {a['high']:.2f}", a["flag"]] for a in m["actual_vs_expected"]]
    fan = m["fan_chart"]
    fig, (ax,) = _axes(8, 4.2)
    x = list(range(len(fan)))
    ax.fill_between(x, [f["prior"]["p05"] for f in fan], [f["prior"]["p95"] for f in fan], color="0.85", label="prior 90%")
    ax.fill_between(x, [f["conditional"]["p05"] for f in fan], [f["conditional"]["p95"] for f in fan], color="#1f4e79", alpha=0.3,
                    label="given the months seen, 90%")
    ax.plot(x, [f["conditional"]["p50"] for f in fan], color="#1f4e79", label="median")
    seen = [(i, f["completed_pmpm"]) for i, f in enumerate(fan) if f["observed"]]
    ax.plot([i for i, _ in seen], [v for _, v in seen], "o", color="black", label="observed, completed")
    ax.set_xticks(x, [f["month"] for f in fan], rotation=45, fontsize=8)
    ax.set_ylabel("cumulative allowed PMPM")
    ax.legend(fontsize=8, loc="upper left")
    outcomes = [[o["model"], percent(o["p_savings_paid"]["prior"]), percent(o["p_savings_paid"]["conditional"]),
                 percent(o["p_losses_owed"]["prior"]), percent(o["p_losses_owed"]["conditional"])] for o in m["outcomes"]]
    return (f"<p>Contract year {m['contract_year']} of <code>{_e(m['scenario'])}</code> from {_e(m['start'])}: "
            f"{m['months_observed']} month(s) through {_e(m['through'])}, {number(m['trials'])} trials, seed {m['seed']}.</p>" + cards
            + _table(["tier", "category", "actual", "expected", "A/E", "band", "flag"], ae, text=2, caption="Actual vs expected, paid to date")
            + _figure(fig, "The year so far and what it points to", "Cumulative allowed PMPM: the prior band (the year as the scenario "
                      "simulates it), and the rest of the year given each member's claims so far.")
            + (_table(["payment model", "P(savings paid) prior", "given the months seen", "P(losses owed) prior", "given the months seen"],
                      outcomes, caption="The contract's odds for the year") if outcomes else ""))


def render_claims(calibration: Optional[dict] = None, monitoring: Optional[dict] = None, title: Optional[str] = None) -> str:
    """One HTML page of a calibration report, a monitoring report, or both."""
    from . import _core
    from ._report import _CSS

    title = title or ("Monitoring report" if calibration is None else "Calibration report")
    sections = []
    if calibration is not None:
        sections += [("Standardisation", _standardisation_html(calibration["standardisation"])),
                     ("Run-out", _run_out_html(calibration["calibration"])),
                     ("Calibration and goodness of fit", _cells_html(calibration["calibration"]))]
    if monitoring is not None:
        sections.append(("Monitoring the contract year", _monitoring_html(monitoring)))
    body = "".join(f"<section><h2>{n}. {_e(h)}</h2>{s}</section>" for n, (h, s) in enumerate(sections, 1))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><meta name="generator" content="apmsim {_e(_core.__version__)}"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style></head><body><main><header><h1>{_e(title)}</h1></header>{body}"
            "<footer>docs/claims-data.md describes the rules, the fits and the monitoring.</footer></main></body></html>\n")

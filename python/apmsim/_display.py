"""Rich display in Jupyter: ``_repr_html_`` for scenarios, results, payment results, payment
models and distributions (a terminal keeps their ``repr``). Each is a short, escaped HTML
table of what a reader checks first; attached to the C++ classes when apmsim is imported."""
from __future__ import annotations

import html
import math
from typing import Any, Iterable, Sequence

from . import _core
from ._report_format import money as dollars
from ._scenario_words import total_pmpm_words

_STYLE = "border-collapse:collapse;font-family:system-ui,sans-serif;font-size:13px"
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:{align}"


def _table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table with a caption; numbers right-aligned, everything escaped."""
    def cell(v: Any, tag: str = "td") -> str:
        align = "right" if isinstance(v, (int, float)) and not isinstance(v, bool) else "left"
        text = f"{v:,.4g}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
        return f'<{tag} style="{_CELL.format(align=align)}">{html.escape(text)}</{tag}>'
    head = "".join(cell(h, "th") for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in r) + "</tr>" for r in rows)
    return (f'<table style="{_STYLE}"><caption style="text-align:left;font-weight:600">{html.escape(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def scenario_html(s: "_core.Scenario") -> str:
    doc = s.to_dict()
    pop = doc["population"]
    mix = pop.get("generate", {}).get("tier_mix")
    rows = [("members", s.members), ("years", s.years), ("tiers", ", ".join(s.tiers) + (f" (mix {mix})" if mix else "")),
            ("categories", ", ".join(s.categories)), ("trend", f"{doc['cost_model']['trend']['mean']:.1%} a year")]
    if s.has_intervention:
        iv = doc["intervention"]
        effects = ", ".join(f"{c} {e['mean']:+.1%}" for c, e in iv.get("effects", {}).items())
        rows += [("intervention", iv["name"]), ("effects", effects or "none"),
                 ("program cost", f"{total_pmpm_words(iv.get('program_cost_pmpm', {}))} PMPM")]
    rows += [(f"payment model {m['name']}", ", ".join(c["type"] for c in m["components"])) for m in doc.get("payment_models", [])]
    rows += [("settings", ", ".join(f"{k}={v}" for k, v in doc.get("settings", {}).items()))]
    return _table(f"Scenario {s.name}", ("", ""), rows)


def payment_model_html(m: "_core.PaymentModel") -> str:
    rows = [(k, c["type"], ", ".join(f"{t}={v}" for t, v in c.items() if t != "type")) for k, c in enumerate(m.components)]
    return _table(f"Payment model {m.name}", ("#", "component", "terms"), rows)


def payments_html(p: "_core.PaymentResults") -> str:
    s = p.summary().reset_index()
    s = s[(s.year == 0) & (s.measure == "net") & (s.arm == p.arms[-1])]
    rows = [(r.model, r.party, dollars(r["mean"]), dollars(r.sd), dollars(r.p05), f"{r.p_negative:.0%}") for _, r in s.iterrows()]
    return _table(f"Net result over {p.years} year(s), {p.arms[-1]} arm, {p.trials} trials",
                  ("model", "party", "mean", "sd", "p5", "P(<0)"), rows)


def results_html(r: "_core.Results") -> str:
    rows = []
    for arm in r.arms:
        pmpm = r.samples("cost_pmpm", arm)
        rows += [(arm, y + 1, dollars(pmpm[:, y].mean()), dollars(pmpm[:, y].std(ddof=1) if r.trials > 1 else 0.0))
                 for y in range(r.years)]
    head = (f"Results: {r.members:,} members, {r.years} year(s), {r.trials:,} trials, seed {r.seed}"
            + (f" ({r.scenario.name})" if getattr(r, "scenario", None) is not None else ""))
    out = _table(head + " - allowed cost PMPM", ("arm", "year", "mean", "sd over trials"), rows)
    return out + (payments_html(r.payments) if getattr(r, "payments", None) is not None else "")


def distribution_html(d: Any) -> str:
    terms = d.to_dict()
    mean, variance = d.mean(), d.variance()
    rows = [(k, v) for k, v in terms.items() if k != "type"]
    rows += [("mean", mean), ("sd", math.sqrt(variance) if math.isfinite(variance) else variance)]
    if mean and math.isfinite(variance):
        rows.append(("cv", math.sqrt(variance) / mean))
    return _table(f"{type(d).__name__} distribution", ("", ""), rows)


def aggregate_html(d: "_core.AggregateDistribution") -> str:
    m = d.moments()
    rows = [("method", d.method), ("step", d.step), ("nodes", d.nodes)]
    rows += [(k, v) for k, v in m.items() if isinstance(v, (int, float))]
    rows += [(f"p{round(100 * q)}", float(d.quantile(q))) for q in (0.5, 0.95, 0.99)]
    return _table("Aggregate distribution", ("", ""), rows)


def attach() -> None:
    """Gives the C++ value types their HTML display (called once by apmsim/__init__)."""
    _core.Scenario._repr_html_ = scenario_html
    _core.PaymentModel._repr_html_ = payment_model_html
    _core.PaymentResults._repr_html_ = payments_html
    _core.Results._repr_html_ = results_html
    _core.AggregateDistribution._repr_html_ = aggregate_html
    for name in ("Poisson", "NegativeBinomial", "Binomial", "ZeroModifiedPoisson", "Lognormal", "Gamma", "Weibull",
                 "Pareto", "SplicedLognormalPareto"):
        getattr(_core, name)._repr_html_ = distribution_html

"""apmsim.report: one self-contained HTML file that explains a run to the people who sign
the contract: the scenario in words, cost per member per year, each payment model's net
result by party, the comparison with the status quo, the contracts' error rates, and
pictures (PNG, embedded as base64: no external URL, no web font, no script).

Example::

    import apmsim
    r = apmsim.run(apmsim.Scenario.load("examples/scenarios/payment_models_compared.json"), trials=2000)
    apmsim.report(r, "report.html")                    # or a results file: apmsim.report("results.json", ...)

Shell: ``python3 -m apmsim report results.json -o report.html``. Money is in dollars,
probabilities in percent. The file is written atomically (a temporary file in the same
folder, then a rename): it is complete or absent, never half written.
"""
from __future__ import annotations

import base64
import contextlib
import html
import os
import pathlib
import struct
from typing import Any, Optional, Union

from . import _core
from . import _report_tables as tables
from ._report_format import money, number, percent, words
from ._results_file import ResultsFile, _invalid
from ._scenario_words import (component_sentence, delivery_rows, pmpm_words, population_rows, population_sentence,
                              program_sentences, quality_sentence, trend_sentence)

__all__ = ["render", "report"]

PathLike = Union[str, "os.PathLike[str]"]
_e = html.escape

_CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --rule: #d9dee4; --band: #f5f7f9; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 24px auto; background: #fff; padding: 36px 48px 48px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.08); }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); color: var(--accent); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.subtitle, p.note, figcaption, footer { color: var(--muted); }
p.note { font-size: 13px; margin: 4px 0 14px; }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
nav a, footer a { color: var(--accent); text-decoration: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 8px; }
.card { flex: 1 1 150px; background: var(--band); border-left: 4px solid var(--accent); padding: 10px 14px; }
.card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 13.5px; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { background: var(--accent); color: #fff; font-weight: 600; text-align: left; vertical-align: bottom; }
.table { overflow-x: auto; }
thead th.num { text-align: right; }
tbody tr:nth-child(even) { background: var(--band); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.label { white-space: nowrap; }
ul.components li { margin: 3px 0; }
.warnings { background: #fff6e5; border-left: 4px solid #e69500; padding: 10px 16px; margin: 16px 0; }
figure { margin: 18px 0 26px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: 13px; margin-top: 6px; }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 10px; font-size: 12.5px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
@media print { body { background: #fff; } main { box-shadow: none; margin: 0; padding: 0; } h2 { break-after: avoid; }
  figure, table { break-inside: avoid; } }
"""


def _results_file(results: Any) -> ResultsFile:
    """A ResultsFile of an apmsim.Results, a ResultsFile or the path of a results file."""
    if isinstance(results, ResultsFile):
        return results
    if isinstance(results, _core.Results):
        return ResultsFile(results.to_dict(), source="apmsim.Results")
    if isinstance(results, (str, os.PathLike)):
        return ResultsFile.load(results)
    raise TypeError(f"results: expected apmsim.Results, a ResultsFile or the path of a results file, got {type(results).__name__}")


def _table_html(t: tables.Table, caption: str = "") -> str:
    """A Table as HTML: labels left, numbers right-aligned."""
    head = "".join(f'<th{" class=num" if n else ""}>{_e(c)}</th>' for c, n in zip(t.columns, t.numeric))
    body = "".join("<tr>" + "".join(f'<td class="{"num" if n else "label"}">{_e(v)}</td>' for v, n in zip(row, t.numeric))
                   + "</tr>" for row in t.rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    note = f'<p class="note">{_e(t.note)}</p>' if t.note else ""
    return f'<div class="table"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}'


def _simple_table(columns: list[str], rows: list[list[str]], note: str = "", text: tuple[int, ...] = (0,)) -> str:
    """A table whose columns are numbers (right-aligned) but for those listed in ``text``."""
    t = tables.Table(columns, rows, [i not in text for i in range(len(columns))], 1, note)
    return _table_html(t)


def _tier_means(f: ResultsFile) -> dict[str, float]:
    """Expected allowed cost per member-year by tier (base-year dollars, closed form), where it is known."""
    out = {}
    for tier in f.tiers:
        with contextlib.suppress(Exception):
            out[tier] = float(f.scenario.member_year_moments(tier)["mean"])
    return out


def _population_html(f: ResultsFile) -> str:
    sc = f.document["resolved_scenario"]
    rows = [[t, number(n), percent(s), money(m) if m is not None else "\u2013"] for t, n, s, m in population_rows(sc, _tier_means(f))]
    return (f"<h3>Who is in the program</h3><p>{_e(population_sentence(sc, f.members))} {_e(trend_sentence(sc))}</p>"
            + _simple_table(["tier", "members", "share", "expected allowed cost per member-year"], rows,
                            note="Expected cost: the cost model's closed-form mean for a member with 12 months in the "
                                 "base year, before trend and without the program."))


def _program_html(f: ResultsFile) -> str:
    sc = f.document["resolved_scenario"]
    text = "".join(f"<p>{_e(s)}</p>" for s in program_sentences(sc))
    iv = sc.get("intervention") or {}
    effects = [[words(c), f"{100 * float(e.get('mean', 0)):+.1f}%", percent(e.get("sd", 0))] for c, e in iv.get("effects", {}).items()]
    out = f"<h3>What the program does and costs</h3>{text}"
    if effects:
        out += _simple_table(["category", "change in expected events", "sd"], effects)
    borne = sc.get("delivery", {}).get("program_cost_borne_by", {})
    pmpm = iv.get("program_cost_pmpm", {})
    costs = [[words(k), money(v, 2) if not isinstance(v, dict) else pmpm_words(v), words(borne.get(k, "provider"))] for k, v in pmpm.items()]
    if costs:
        flat = not any(isinstance(v, dict) for v in pmpm.values())
        total = money(sum(float(v) for v in pmpm.values()), 2) if flat else "by tier"
        out += _simple_table(["program cost item", "PMPM", "borne by"], costs + [["total", total, ""]], text=(0, 2) if flat else (0, 1, 2))
    rows = [[words(c), percent(a, 0), percent(b, 0), percent(o, 0), f"{x:.2f}", f"{y:.2f}"] for c, a, b, o, x, y in delivery_rows(sc)]
    out += "<h3>Who delivers the care</h3>" + _simple_table(
        ["category", "provider", "pcp", "other providers", "provider cost ratio", "pcp cost ratio"], rows,
        note="Shares of allowed cost delivered by each party; a cost ratio is the party's cost of delivering one dollar "
             "of allowed care.")
    return out


def _models_html(f: ResultsFile) -> str:
    sc = f.document["resolved_scenario"]
    models = sc.get("payment_models", [])
    if not models:
        return "<h3>Payment models</h3><p>None: the scenario settles no payment model.</p>"
    out = [f"<h3>The payment models ({len(models)})</h3>",
           "<p>Settled side by side on the same simulated costs (common random numbers).</p>"]
    for m in models:
        items = [component_sentence(c, sc.get("tiers", []), sc.get("categories", [])) for c in m.get("components", [])]
        quality = quality_sentence(m.get("quality"))
        out.append(f"<h3><code>{_e(m['name'])}</code></h3><ul class=components>" + "".join(f"<li>{_e(s)}</li>" for s in items)
                   + (f"<li>{_e(quality)}</li>" if quality else "") + "</ul>")
    return "".join(out)


def _costs_html(f: ResultsFile) -> str:
    out = []
    for arm in f.arms:
        label = "baseline (no program)" if arm == "baseline" else f"{arm} (with the program)"
        out.append(_table_html(tables.cost_per_member_year(f, arm), f"Allowed cost per member per year, {label}"))
    if "intervention" in f.arms:
        out.append(_table_html(tables.savings_per_member_year(f),
                               "Savings per member per year on common random numbers (baseline - intervention)"))
    return "".join(out)


def _payments_html(f: ResultsFile) -> str:
    if not f.payments:
        return "<p>The results have no payment models.</p>"
    return _table_html(tables.net_by_party(f), "Net result by payment model and party, all years")


def _status_quo_html(f: ResultsFile) -> str:
    t = tables.status_quo_comparison(f) if f.payments else None
    if t is None:
        return ("<p>No comparison: the scenario names no status quo (<code>status_quo</code>, by default a model named "
                "fee_for_service) with another model on its population segment.</p>")
    base = tables.status_quo_model(f)
    return (f"<p>What each model changes for each party against the status quo, <code>{_e(base)}</code>, trial by trial: "
            "the same simulated costs settled both ways, so the difference is the contract's, not the noise of two draws.</p>"
            + _table_html(t, f"Each model minus {base}, net result over all years"))


def _errors_html(f: ResultsFile) -> str:
    if not f.payments:
        return "<p>The results have no payment models.</p>"
    return ("<p>False reward: savings paid in the baseline arm (the same random numbers with the program's effect removed); "
            "false penalty: losses owed there; missed reward: real savings, nothing paid.</p>"
            + _table_html(tables.error_rates(f), "Contract error rates by model and year")
            + _table_html(tables.error_amounts(f), "Mean amounts a year"))


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    return struct.unpack(">II", png[16:24])


def _pictures_html(f: ResultsFile) -> str:
    from ._report_figures import pictures

    out = []
    for p in pictures(f):
        width, height = _png_size(p.png)  # shown pixel for pixel, narrowed to the page when wider
        src = "data:image/png;base64," + base64.b64encode(p.png).decode("ascii")
        out.append(f'<figure><img src="{src}" alt="{_e(p.title)}" width="{width}" height="{height}">'
                   f"<figcaption><b>{_e(p.title)}.</b> {_e(p.caption)}</figcaption></figure>")
    return "".join(out)


def _warnings_html(f: ResultsFile) -> str:
    if not f.warnings:
        return ""
    items = "".join(f"<li><code>{_e(str(w.get('where', '')))}</code>: {_e(str(w.get('message', '')))}</li>" for w in f.warnings)
    return f'<div class="warnings" id="warnings"><b>Warnings of the scenario ({len(f.warnings)})</b><ul>{items}</ul></div>'


def _cards_html(f: ResultsFile) -> str:
    """Key figures: size, horizon, trials and, with a program, savings per member-year over all years."""
    cards = [(number(f.members), "members"), (str(f.years), "years"), (number(f.trials), "trials"),
             (str(len(f.models)), "payment models")]
    if "intervention" in f.arms:
        months = f.samples("member_months", "intervention").sum(axis=1)
        gross = f.samples("savings").sum(axis=1) / months * 12
        net = f.samples("net_savings").sum(axis=1) / months * 12
        cards += [(money(gross.mean()), "savings per member-year"), (money(net.mean()), "net of program cost")]
    return '<div class="cards">' + "".join(f'<div class="card"><div class="value">{_e(v)}</div>'
                                           f'<div class="label">{_e(k)}</div></div>' for v, k in cards) + "</div>"


def _scenario_html(f: ResultsFile) -> str:
    return _population_html(f) + _program_html(f) + _models_html(f)


_SECTIONS = [("scenario", "The scenario", _scenario_html), ("costs", "Cost per member per year", _costs_html),
             ("payments", "Net result by party", _payments_html), ("status-quo", "Compared with the status quo", _status_quo_html),
             ("error-rates", "Error rates", _errors_html), ("pictures", "Pictures", _pictures_html)]


def render(results: Any, title: Optional[str] = None) -> str:
    """The report as one HTML document (text). ``results``: an apmsim.Results, a ResultsFile
    or the path of a results file. Example: ``render("results.json").count("<img") == 4``."""
    f = _results_file(results)
    title = title or f"Payment models report: {words(f.name)}"
    version = f.document.get("apmsim_version", _core.__version__)
    nav = "".join(f'<li><a href="#{i}">{_e(t)}</a></li>' for i, t, _ in _SECTIONS)
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="apmsim {_e(version)}">'
             f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
             f'<header><h1>{_e(title)}</h1><p class="subtitle">Scenario <code>{_e(f.name)}</code> &middot; {f.members:,} members '
             f"&middot; {f.years} year(s) &middot; {f.trials:,} trials &middot; seed {f.seed} &middot; {_e(f.mode)} mode "
             f"&middot; apmsim {_e(version)}</p></header>",
             _cards_html(f), _warnings_html(f), f"<nav><b>Contents</b><ol>{nav}</ol></nav>"]
    for n, (anchor, heading, body) in enumerate(_SECTIONS, 1):
        parts.append(f'<section id="{anchor}"><h2>{n}. {_e(heading)}</h2>{body(f)}</section>')
    source = f.source if f.source != "apmsim.Results" else "results.json"
    parts.append(f"<footer>Statistics over {f.trials:,} trials of seed {f.seed}; dollars are allowed-cost dollars of "
                 f"each simulated year. The same numbers again: <code>apmsim run --replay {_e(source)}</code>.</footer>"
                 "</main></body></html>\n")
    return "".join(parts)


def _destination(path: PathLike, source: str) -> pathlib.Path:
    """The report's path, checked before anything is drawn (core/files.hpp's
    check_output_path), and not the results file it reports on."""
    target = pathlib.Path(os.fspath(path))
    _core._check_output_path(str(target))  # not a link, a device or a folder; in an existing, writable folder
    with contextlib.suppress(OSError):
        if target.exists() and os.path.samefile(target, source):
            raise _invalid(str(target), "an output other than the results file it reports on", "the results file")
    return target


def _write_atomically(target: pathlib.Path, text: str) -> None:
    """The library's writer (core/files.hpp): a temporary file in the same folder, unnamed
    while written, flushed and renamed; the target is complete or untouched, and a failure
    (apmsim.OutputError, an OSError) leaves no temporary file behind."""
    _core._write_file_atomically(str(target), text)


def report(results: Any, path: PathLike, title: Optional[str] = None) -> pathlib.Path:
    """Writes the HTML report of ``results`` (an apmsim.Results, a ResultsFile or the path of
    a results file; or an apmsim.Calibration or apmsim.Monitoring, or the path of their JSON
    report: a page of the standardisation, run-out and fit, or of the monitoring) to ``path``
    atomically and returns that path. ``title`` replaces
    "Payment models report: <scenario>". Raises apmsim.InvalidInput (a ValueError) for a
    file that is not a results file or an output that cannot be written there,
    FileNotFoundError for a missing results file. Example: ``apmsim.report(r, "report.html")``."""
    from ._report_claims import render_claims

    document = _claims_document(results)
    if document is not None:  # a calibration or monitoring report (apmsim.calibrate, apmsim.monitor, their JSON)
        target = _destination(path, os.fspath(results) if isinstance(results, (str, os.PathLike)) else "")
        monitoring = document if "fan_chart" in document else None
        _write_atomically(target, render_claims(None if monitoring else document, monitoring, title))
        return target
    f = _results_file(results)
    target = _destination(path, f.source)
    _write_atomically(target, render(f, title))
    return target


def _claims_document(value: Any) -> Optional[dict]:
    """The report of a Calibration or Monitoring, or of a JSON file holding one; None otherwise."""
    import json

    from ._report_claims import is_claims_report

    if hasattr(value, "report") and is_claims_report(getattr(value, "report")):
        return value.report
    if isinstance(value, (str, os.PathLike)) and os.fspath(value).endswith(".json") and os.path.isfile(value):
        try:
            with open(value, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError):
            return None  # left to the results-file reader, whose errors name the problem
        return document if is_claims_report(document) else None
    return None

"""The report's pictures, drawn from a results file by apmsim.plot's own functions and
rendered to PNG bytes. Figures are ``matplotlib.figure.Figure`` objects on an Agg canvas,
never pyplot figures, so a report drawn in a notebook neither changes its backend nor
leaves figures behind to be displayed.

Example: ``[p.title for p in pictures(apmsim.Results.load("results.json"))]``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Sequence

from ._report_tables import compared_models, status_quo_model

__all__ = ["Picture", "pictures"]

#: Resolution of the PNGs (dots per inch); figures are 8 to 12 inches wide.
DPI = 110


@dataclass
class Picture:
    """One picture: a ``title``, a ``caption`` (plain text) and its ``png`` bytes."""

    title: str
    caption: str
    png: bytes


def _axes(width: float = 8.0, height: float = 5.0, columns: int = 1) -> tuple[Any, Sequence[Any]]:
    """A figure of its own (not pyplot's) with ``columns`` axes side by side, y shared."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, columns, sharey=True, squeeze=False)[0]
    return fig, list(axes)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _parties_with_samples(results: Any, models: Sequence[str], arm: str) -> list[str]:
    pay = results.payments
    return [p for p in pay.parties if any(pay.has_samples(m, p, arm) for m in models)]


def _payment_pictures(results: Any) -> list[Picture]:
    """Exceedance curves for the provider, its net result by model, and each party's change
    against the status quo (when there is one)."""
    from . import plot

    pay, out = results.payments, []
    arm = pay.program_arm
    if "provider" not in _parties_with_samples(results, pay.models, arm):
        return out
    fig, (ax,) = _axes(9, 5.5)
    plot.exceedance(results, party="provider", arm=arm, ax=ax)
    out.append(Picture("The provider's chance of a net result below x",
                       f"Empirical P(net < x) of the provider's net result over all years, one curve per payment model "
                       f"({arm} arm); the dot on the dashed line is the chance of losing money.", _png(fig)))
    fig, (ax,) = _axes(max(8.0, 1.8 * len(pay.models)), 5.5)
    plot.net_distribution(results, party="provider", arm=arm, ax=ax)
    out.append(Picture("The provider's net result by payment model",
                       "Box plots over trials of the provider's net result over all years (box: middle half of the "
                       "trials; whiskers: 1.5 box lengths; diamond: the mean).", _png(fig)))
    base = status_quo_model(results)
    others = compared_models(results, base) if base is not None else []
    if others:
        parties = _parties_with_samples(results, [base, *others], arm)
        fig, (ax,) = _axes(max(9.0, 1.6 * len(others) * len(parties) ** 0.5), 5.5)
        plot.net_distribution(results, party=parties, arm=arm, relative_to=base, ax=ax)
        out.append(Picture(f"Change in each party's net result against {base}",
                           f"Each model minus {base} on the same trials (common random numbers), per party, all years: "
                           "above zero the party is better off than under the status quo.", _png(fig)))
    return out


def _cost_picture(results: Any) -> Picture:
    """A fan chart of total allowed cost by year, one panel per arm."""
    from . import plot

    fig, axes = _axes(6.0 * len(results.arms), 4.8, len(results.arms))
    for ax, arm in zip(axes, results.arms):
        plot.fan_chart(results, "total_cost", arm=arm, ax=ax)
    return Picture("Total allowed cost by year",
                   "The median and the bands holding 50% and 90% of the trials of the pool's total allowed cost "
                   f"(dollars), by program year{', without and with the program' if len(results.arms) > 1 else ''}.",
                   _png(fig))


def pictures(results: Any) -> list[Picture]:
    """Every picture of the report for a :class:`ResultsFile`, in order: the provider's
    exceedance curves and net box plot, the change against the status quo (with payment
    models), then the fan chart of total cost."""
    out = _payment_pictures(results) if results.payments else []
    out.append(_cost_picture(results))
    return out

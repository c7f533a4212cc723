"""apmsim.plot: matplotlib pictures of runs, sweeps and exact distributions (issue 11).

Every function returns the matplotlib Figure it drew on. Pass ``ax=`` to draw on an
existing Axes (the function then returns ``ax.figure`` and touches no other figure);
``ax=None`` creates a new figure. Money axes are in dollars ($1.2M, $350k); each party
has one colour in every figure (:data:`PARTY_COLOURS`). The names are those of
docs/glossary.md: model, party, arm, measure, statistic, variant. Example::

    import apmsim, apmsim.plot
    r = apmsim.run(apmsim.Scenario.load("examples/scenarios/payment_models_compared.json"), trials=500)
    apmsim.plot.exceedance(r, party="provider").savefig("provider_exceedance.png")

matplotlib is imported when this module is; ``import apmsim`` alone does not need it.
"""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

__all__ = [
    "PARTY_COLOURS",
    "aggregate_overlay",
    "dollars",
    "exceedance",
    "fan_chart",
    "heat_map",
    "msr_curve",
    "net_distribution",
    "tornado",
]

#: One colour per party, the same in every figure.
PARTY_COLOURS: dict[str, str] = {
    "payer": "#1f77b4",
    "provider": "#d62728",
    "pcp": "#2ca02c",
    "other_providers": "#9467bd",
    "reinsurer": "#ff7f0e",
}

_PARTY_MEASURES = ("revenue", "payments", "delivery_cost", "net")
_MONEY_MEASURES = {"total_cost", "cost_pmpm", "program_cost", "net_cost", "savings", "net_savings", *_PARTY_MEASURES}


def dollars(x: float, pos: Any = None) -> str:
    """A dollar amount for an axis tick: ``dollars(1.2e6) == "$1.2M"``, ``dollars(-350e3) == "-$350k"``."""
    sign = "-" if x < 0 else ""
    a = abs(float(x))
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            return f"{sign}${a / size:.3g}{suffix}"
    return f"{sign}${a:.3g}" if a else "$0"


_DOLLARS = FuncFormatter(dollars)


def _figure(ax: Optional[Axes], size: tuple[float, float] = (8, 5)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
    return ax.figure, ax


def _choose(argument: str, value: Any, allowed: Sequence[str]) -> list[str]:
    """value (None = all, a name, or a list of names) as a list, each checked against allowed."""
    if value is None:
        return list(allowed)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{argument}: expected a name or a list of names, got {type(value).__name__}")
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise ValueError(f"{argument}: expected one of {list(allowed)}, got {unknown or names}")
    return list(names)


def _payments(results: Any, arm: str) -> Any:
    payments = getattr(results, "payments", None)
    if payments is None or not hasattr(payments, "models"):
        raise TypeError(f"results: expected apmsim.Results with payment models, got {type(results).__name__}")
    _choose("arm", arm, payments.arms)
    return payments


def _net_by_trial(payments: Any, model: str, party: str, arm: str) -> np.ndarray:
    """The party's net result per trial, summed over the years (dollars)."""
    return np.asarray(payments.samples(model, party, "net", arm)).sum(axis=1)


def net_distribution(results: Any, party: Optional[str | Sequence[str]] = None, models: Optional[Sequence[str]] = None,
                     arm: str = "intervention", relative_to: Optional[str] = None, ax: Optional[Axes] = None) -> Figure:
    """Box plots over trials of each party's net result (dollars, summed over the years), one
    group of boxes per payment model, the mean marked with a diamond.

    ``relative_to`` (a model name) plots each model minus that model on the same trials
    (common random numbers); the base model is then left out unless named in ``models``.
    Example: ``net_distribution(r, party="provider", relative_to="fee_for_service")``.
    """
    payments = _payments(results, arm)
    parties = _choose("party", party, payments.parties)
    if relative_to is not None:
        _choose("relative_to", relative_to, payments.models)
    default = [m for m in payments.models if m != relative_to]
    chosen = _choose("models", models, payments.models) if models is not None else default
    fig, ax = _figure(ax, (max(8, 1.6 * len(chosen) * len(parties) ** 0.5), 5))
    width = 0.8 / len(parties)
    for j, p in enumerate(parties):
        data = []
        for m in chosen:
            net = _net_by_trial(payments, m, p, arm)
            data.append(net - _net_by_trial(payments, relative_to, p, arm) if relative_to else net)
        positions = np.arange(len(chosen)) + (j - (len(parties) - 1) / 2) * width
        colour = PARTY_COLOURS.get(p, "grey")
        boxes = ax.boxplot(data, positions=positions, widths=0.9 * width, patch_artist=True, showfliers=True,
                           manage_ticks=False, flierprops={"markersize": 3, "markeredgecolor": colour})
        for box in boxes["boxes"]:
            box.set(facecolor=colour, alpha=0.45, edgecolor=colour, gid=f"box:{p}")
        ax.plot(positions, [d.mean() for d in data], "D", color="black", markersize=5, gid=f"mean:{p}",
                label="mean" if j == 0 else None)
        ax.plot([], [], "s", color=colour, alpha=0.6, label=p)
    ax.set_xticks(np.arange(len(chosen)), chosen, rotation=15, ha="right")
    ax.axhline(0, color="grey", linewidth=0.8, gid="zero")
    ax.yaxis.set_major_formatter(_DOLLARS)
    what = f"minus {relative_to}, same trials" if relative_to else "over all years"
    ax.set_ylabel(f"net result ({what}), dollars")
    ax.set_xlabel("payment model")
    ax.set_title(f"Net result per trial by payment model ({arm} arm, {payments.trials} trials)")
    ax.legend(fontsize="small")
    return fig


def exceedance(results: Any, party: str = "provider", models: Optional[Sequence[str]] = None,
               arm: str = "intervention", ax: Optional[Axes] = None) -> Figure:
    """Empirical P(net < x) of the party's net result (dollars, summed over the years), one
    curve per payment model, with the chance of losing money, P(net < 0), marked and labelled.

    Example: ``exceedance(r, party="provider", models=["fee_for_service", "two_sided_shared_risk_corridor"])``.
    """
    payments = _payments(results, arm)
    if not isinstance(party, str):
        raise TypeError(f"party: expected a party name, got {type(party).__name__}")
    _choose("party", party, payments.parties)
    chosen = _choose("models", models, payments.models)
    fig, ax = _figure(ax)
    for k, m in enumerate(chosen):
        net = np.sort(_net_by_trial(payments, m, party, arm))
        n = len(net)
        # P(net < x) is left-continuous: i/n just above the i-th smallest value.
        line, = ax.step(net, np.arange(n) / n, where="post", label=m, gid=f"curve:{m}")
        loss = float(np.mean(net < 0))
        ax.plot([0], [loss], "o", color=line.get_color(), gid=f"p_loss:{m}")
        ax.annotate(f"P(loss) = {loss:.0%}", (0, loss), xytext=(8, -4 - 10 * k), textcoords="offset points",
                    color=line.get_color(), fontsize="small", gid=f"p_loss_text:{m}")
    ax.axvline(0, color="grey", linewidth=0.8, linestyle="--", gid="zero")
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{party}'s net result x (over all years), dollars")
    ax.set_ylabel("P(net < x)")
    ax.set_title(f"{party}: chance of a net result below x ({arm} arm, {payments.trials} trials)")
    ax.legend(fontsize="small")
    return fig


def fan_chart(results: Any, measure: str = "total_cost", arm: str = "baseline", model: Optional[str] = None,
              party: Optional[str] = None, ax: Optional[Axes] = None) -> Figure:
    """Over the years: the median and the 50% and 90% bands over trials of a simulated
    measure (``results.samples(measure, arm)``), or with ``model`` and ``party`` of that
    party's measure (``results.payments.samples(model, party, measure, arm)``; measure
    revenue, payments, delivery_cost or net). Money measures are in dollars.

    Example: ``fan_chart(r, "net", arm="intervention", model="fee_for_service", party="provider")``.
    """
    if (model is None) != (party is None):
        raise ValueError(f"model, party: expected both or neither, got model={model!r}, party={party!r}")
    if not hasattr(results, "samples"):
        raise TypeError(f"results: expected apmsim.Results, got {type(results).__name__}")
    if model is None:
        _choose("measure", measure, type(results).measures)
        _choose("arm", arm, results.arms)
        values, who = np.asarray(results.samples(measure, arm)), ""
    else:
        payments = _payments(results, arm)
        _choose("model", model, payments.models)
        _choose("party", party, payments.parties)
        _choose("measure", measure, _PARTY_MEASURES)
        values, who = np.asarray(payments.samples(model, party, measure, arm)), f"{party} under {model}: "
    years = np.arange(1, values.shape[1] + 1)
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig, ax = _figure(ax)
    colour = PARTY_COLOURS.get(party, "#1f77b4") if party else "#1f77b4"
    ax.fill_between(years, q[0], q[4], color=colour, alpha=0.2, label="90% of trials", gid="band90")
    ax.fill_between(years, q[1], q[3], color=colour, alpha=0.4, label="50% of trials", gid="band50")
    ax.plot(years, q[2], "o-", color=colour, label="median", gid="median")
    ax.set_xticks(years)
    ax.set_xlabel("program year")
    money = measure in _MONEY_MEASURES
    if money:
        ax.yaxis.set_major_formatter(_DOLLARS)
    unit = ", dollars per member per month" if measure == "cost_pmpm" else (", dollars" if money else "")
    ax.set_ylabel(f"{measure}{unit}")
    ax.set_title(f"{who}{measure} by year ({arm} arm, {values.shape[0]} trials)")
    ax.legend(fontsize="small")
    return fig


def _size_points(simulated: Any) -> tuple[np.ndarray, np.ndarray]:
    """(sizes, probabilities) from a mapping size -> probability or a two-column DataFrame
    (members or size, then the probability)."""
    if hasattr(simulated, "columns"):
        columns = list(simulated.columns)
        size = next((c for c in ("members", "size", "sizes") if c in columns), None)
        if size is None or len(columns) < 2:
            raise ValueError(f"simulated: expected a DataFrame with a members column and a probability, got {columns}")
        other = [c for c in columns if c != size]
        return np.asarray(simulated[size], float), np.asarray(simulated[other[0]], float)
    if isinstance(simulated, Mapping):
        return np.asarray(list(simulated.keys()), float), np.asarray(list(simulated.values()), float)
    raise TypeError(f"simulated: expected a DataFrame or a mapping size -> probability, got {type(simulated).__name__}")


def msr_curve(sizes: Sequence[float], cv: float, confidence: float = 0.9, msr: Optional[float] = None,
              saving: Optional[float] = None, simulated: Any = None, ax: Optional[Axes] = None) -> Figure:
    """Against program size (members, log scale): the minimum savings rate (left axis) and
    the false-reward probability (right axis), analytic (normal approximation,
    ``apmsim.minimum_savings_rate`` and ``apmsim.false_reward_probability``).

    The MSR is the confidence-interval MSR at ``confidence`` unless a fixed ``msr`` is
    given. With ``saving`` (a true savings rate) the missed-reward probability,
    1 - reward_probability, is drawn too. ``simulated`` (mapping size -> probability or a
    DataFrame with a ``members`` column) adds simulated points on the probability axis.
    Example: ``msr_curve([100, 300, 1000, 3000, 10000], cv=2.5, msr=0.02, saving=0.05)``.
    """
    from . import _analytics as an

    n = np.asarray(sizes, dtype=float)
    if n.ndim != 1 or n.size < 2 or not np.all(n > 0):
        raise ValueError(f"sizes: expected two or more positive member counts, got {sizes!r}")
    if not isinstance(cv, (int, float)) or cv <= 0:
        raise ValueError(f"cv: expected a positive number, got {cv!r}")
    rate = an.minimum_savings_rate(n, cv, confidence) if msr is None else np.full_like(n, float(msr))
    fig, ax = _figure(ax)
    ax.plot(n, rate, "-", color="black", label="minimum savings rate", gid="msr")
    ax.set_xscale("log")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("program size, members")
    ax.set_ylabel("minimum savings rate, % of benchmark")
    right = ax.twinx()
    right.plot(n, an.false_reward_probability(n, cv, rate), "--", color="#d62728", label="P(false reward)",
               gid="p_false_reward")
    if saving is not None:
        right.plot(n, 1 - an.reward_probability(n, cv, rate, saving), ":", color="#1f77b4",
                   label=f"P(missed reward), true saving {saving:.0%}", gid="p_missed_reward")
    if simulated is not None:
        xs, ps = _size_points(simulated)
        right.plot(xs, ps, "o", color="#d62728", label="simulated", gid="simulated")
    right.set_ylim(0, 1)
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_ylabel("probability")
    basis = f"{confidence:.0%} confidence MSR" if msr is None else f"fixed MSR {msr:.1%}"
    ax.set_title(f"Minimum savings rate and chance errors by program size (cv {cv:g}, {basis})")
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], fontsize="small", loc="upper right")
    return fig


def _axis_names(variants: Any) -> list[str]:
    if not hasattr(variants, "columns") or "parameters" not in variants.columns:
        raise TypeError(f"variants: expected the variants DataFrame of apmsim.read_sweep, got {type(variants).__name__}")
    return list(json.loads(variants.parameters.iloc[0]).keys())


def _statistic_by_variant(statistics: Any, statistic: str, model: Optional[str], party: Optional[str],
                          measure: Optional[str], arm: str, year: int) -> Any:
    """The value of one statistics-table row per variant (a Series indexed by variant)."""
    if not hasattr(statistics, "columns") or "variant" not in statistics.columns:
        raise TypeError(f"statistics: expected the statistics DataFrame of apmsim.read_sweep, got {type(statistics).__name__}")
    s = statistics
    for column, value in (("model", model), ("party", party), ("arm", arm), ("statistic", statistic)):
        value = value or ""
        if value not in set(s[column]):
            raise ValueError(f"{column}: expected one of {sorted(set(s[column]))}, got {value!r}")
        s = s[s[column] == value]
    measure = measure or ("net" if party else "indicator")
    s = s[(s.measure == measure) & (s.year == year) & (s.component == "") & (s.category == "") & (s.tier == "")]
    if s.empty or s.variant.duplicated().any():
        raise ValueError(f"measure, year: expected one row per variant for {measure!r} in year {year}, got {len(s)} rows")
    return s.set_index("variant").value


def tornado(variants: Any, statistics: Any, statistic: str = "mean", model: Optional[str] = None,
            party: Optional[str] = "provider", measure: Optional[str] = None, arm: str = "intervention",
            year: int = 0, ax: Optional[Axes] = None) -> Figure:
    """A tornado chart of a ``"design": "tornado"`` sweep (``apmsim.read_sweep(db)``): per axis,
    a bar from the base variant's statistic to its value at the axis's low and high value,
    the widest swing on top. The statistic is one row of the statistics table (measure
    ``net`` for a party, else ``indicator``; year 0 = all years).

    Example: ``tornado(*apmsim.read_sweep("tornado.sqlite"), "p_negative", model="fee_for_service")``.
    """
    axes = _axis_names(variants)
    value = _statistic_by_variant(statistics, statistic, model, party, measure, arm, year)
    params = [json.loads(p) for p in variants.parameters]
    ids = list(variants.id)
    base = value[ids[0]]
    swings = []
    for a in axes:
        moved = [(params[i][a], ids[i]) for i in range(1, len(ids))
                 if params[i][a] != params[0][a] and all(params[i][b] == params[0][b] for b in axes if b != a)]
        if len(moved) != 2:
            raise ValueError(f"variants: expected a tornado design (base, then each axis low and high), got {len(moved)} variants for {a}")
        (lo, lo_id), (hi, hi_id) = sorted(moved)
        swings.append((a, lo, hi, value[lo_id] - base, value[hi_id] - base))
    swings.sort(key=lambda t: abs(t[4] - t[3]))
    fig, ax = _figure(ax)
    y = np.arange(len(swings))
    ax.barh(y, [t[3] for t in swings], left=base, color="#1f77b4", label="axis low", gid="low")
    ax.barh(y, [t[4] for t in swings], left=base, color="#ff7f0e", label="axis high", gid="high")
    ax.set_yticks(y, [f"{a} ({lo:g} / {hi:g})" for a, lo, hi, _, _ in swings])
    ax.axvline(base, color="black", linewidth=1, gid="base")
    money = statistic in ("mean", "sd", "standard_error", "min", "max") or statistic.startswith(("p0", "p2", "p5", "p7", "p9", "exp"))
    ax.xaxis.set_major_formatter(_DOLLARS if money and measure != "indicator" and not statistic.startswith("p_") else
                                 (PercentFormatter(1.0) if statistic.startswith("p_") else plt.ScalarFormatter()))
    who = f"{party} under {model}" if party else str(model)
    ax.set_xlabel(f"{statistic} of {measure or ('net' if party else 'indicator')} ({who}, {arm}, year {year or 'all'})")
    ax.set_title(f"Tornado: {statistic} about the base ({base:.4g})")
    ax.legend(fontsize="small")
    return fig


def heat_map(variants: Any, statistics: Any, x: str, y: str, statistic: str = "p_negative",
             model: Optional[str] = None, party: Optional[str] = "provider", measure: Optional[str] = None,
             arm: str = "intervention", year: int = 0, ax: Optional[Axes] = None) -> Figure:
    """A heat map of one statistic over a two-axis grid sweep (``apmsim.read_sweep(db)``):
    columns the values of axis ``x``, rows those of axis ``y``, each cell labelled with its
    value. Example, the chance the provider loses money by sharing rate and MSR::

        heat_map(v, s, "loss_rate", "minimum_savings_rate", "p_negative",
                 model="two_sided_shared_risk_corridor", party="provider")
    """
    axes = _axis_names(variants)
    for argument, name in (("x", x), ("y", y)):
        _choose(argument, name, axes)
    value = _statistic_by_variant(statistics, statistic, model, party, measure, arm, year)
    table = variants.set_index("id")[[x, y]].assign(value=value).pivot_table(index=y, columns=x, values="value")
    fig, ax = _figure(ax)
    mesh = ax.pcolormesh(np.arange(table.shape[1] + 1), np.arange(table.shape[0] + 1), table.values,
                         cmap="viridis", gid="heat")
    for (i, j), v in np.ndenumerate(table.values):
        ax.text(j + 0.5, i + 0.5, f"{v:.3g}", ha="center", va="center", color="white", fontsize="small")
    ax.set_xticks(np.arange(table.shape[1]) + 0.5, [f"{c:g}" for c in table.columns])
    ax.set_yticks(np.arange(table.shape[0]) + 0.5, [f"{r:g}" for r in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(mesh, ax=ax, label=statistic)
    who = f"{party} under {model}" if party else str(model)
    ax.set_title(f"{statistic} of {measure or ('net' if party else 'indicator')} ({who}, {arm}, year {year or 'all'})")
    return fig


def aggregate_overlay(distribution: Any, simulated: Any, ax: Optional[Axes] = None, bins: int = 50,
                      money: bool = True) -> Figure:
    """An exact aggregate distribution (``apmsim.aggregate(...)``) as a density line, its pmf
    divided by the lattice step, with a density histogram of ``simulated`` values over it.
    The x axis is in dollars unless ``money=False``.

    Example: ``aggregate_overlay(apmsim.aggregate(f, s), compound_sample)``.
    """
    if not hasattr(distribution, "pmf") or not hasattr(distribution, "grid"):
        raise TypeError(f"distribution: expected an apmsim AggregateDistribution, got {type(distribution).__name__}")
    values = np.asarray(simulated, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"simulated: expected a non-empty one-dimensional array of values, got shape {values.shape}")
    fig, ax = _figure(ax)
    ax.hist(values, bins=bins, density=True, color="grey", alpha=0.5, label=f"simulated ({values.size})", gid="hist")
    grid, density = np.asarray(distribution.grid), np.asarray(distribution.pmf()) / distribution.step
    ax.plot(grid, density, color="black", linewidth=1.2, label=f"exact ({distribution.method})", gid="exact")
    top = max(float(distribution.quantile(0.9999)), float(values.max()))
    ax.set_xlim(min(0.0, float(values.min())), top)
    ax.set_ylim(0, 1.2 * max(np.max(density[grid > 0], initial=0), np.histogram(values, bins, density=True)[0].max()))
    if money:
        ax.xaxis.set_major_formatter(_DOLLARS)
    ax.set_xlabel("aggregate amount, dollars" if money else "aggregate amount")
    ax.set_ylabel("density, per dollar" if money else "density")
    ax.set_title("Exact aggregate distribution and simulated values")
    ax.legend(fontsize="small")
    return fig

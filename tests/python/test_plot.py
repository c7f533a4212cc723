"""apmsim.plot draws what it says: each figure's artists are read back (by their gid) and
compared with the same quantity computed independently from the results (numpy over the
per-trial samples, the analytic MSR functions, the sweep tables). Rendering itself is
matplotlib's; these tests check the numbers, the labels and the argument errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import apmsim  # noqa: E402
import apmsim.plot as ap  # noqa: E402
from conftest import source_dir  # noqa: E402

COMPARED = source_dir() / "examples" / "scenarios" / "payment_models_compared.json"


@pytest.fixture(scope="module")
def results():
    scenario = apmsim.Scenario.load(COMPARED)
    return apmsim.run(scenario, trials=200, seed=7, calibration_trials=50)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def artist(fig, gid, kind=None):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {len(found)} artists"
    return found[0]


def net_over_years(results, model, party, arm="intervention"):
    return results.payments.samples(model, party, "net", arm).sum(axis=1)


def test_dollars_formats_ticks():
    assert [ap.dollars(v) for v in (0, 950, 1200, -350e3, 1.25e6, 3e9)] == ["$0", "$950", "$1.2k", "-$350k", "$1.25M", "$3B"]


def test_exceedance_is_the_empirical_distribution_with_the_chance_of_loss(results):
    models = results.payments.models
    fig = ap.exceedance(results, party="provider")
    for m in models:
        net = np.sort(net_over_years(results, m, "provider"))
        line = artist(fig, f"curve:{m}")
        x, y = line.get_data()
        np.testing.assert_array_equal(x, net)
        # Just right of each value, the share of trials below or at it; so at x, P(net < x) from the left.
        probe = (net[:-1] + net[1:]) / 2
        step_y = np.asarray(y)[np.searchsorted(x, probe, side="right") - 1]
        np.testing.assert_allclose(step_y + 1 / len(net), [np.mean(net <= p) for p in probe], atol=1e-12)
        marker = artist(fig, f"p_loss:{m}")
        assert marker.get_ydata()[0] == pytest.approx(np.mean(net < 0))
        assert f"P(loss) = {np.mean(net < 0):.0%}" == artist(fig, f"p_loss_text:{m}").get_text()
    assert fig.axes[0].get_ylabel() == "P(net < x)"
    assert fig.axes[0].xaxis.get_major_formatter()(2e6, 0) == "$2M"


def test_net_distribution_boxes_and_means(results):
    models = results.payments.models
    fig = ap.net_distribution(results, party=["payer", "provider"])
    ax = fig.axes[0]
    means = artist(fig, "mean:provider").get_ydata()
    np.testing.assert_allclose(means, [net_over_years(results, m, "provider").mean() for m in models], rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == models
    boxes = [a for a in ax.get_children() if a.get_gid() == "box:payer"]
    assert len(boxes) == len(models)
    # Relative to the status quo: each model minus fee for service on the same trials; the base left out.
    base = "fee_for_service"
    rel = ap.net_distribution(results, party="provider", relative_to=base)
    others = [m for m in models if m != base]
    np.testing.assert_allclose(artist(rel, "mean:provider").get_ydata(),
                               [(net_over_years(results, m, "provider") - net_over_years(results, base, "provider")).mean()
                                for m in others], rtol=1e-12)
    assert "minus fee_for_service" in rel.axes[0].get_ylabel()


def test_fan_chart_bands_are_quantiles_over_trials(results):
    fig = ap.fan_chart(results, "total_cost", arm="baseline")
    values = results.samples("total_cost", "baseline")
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    np.testing.assert_allclose(artist(fig, "median").get_ydata(), q[2])
    band = artist(fig, "band90").get_paths()[0].vertices
    years = np.arange(1, values.shape[1] + 1)
    for k, year in enumerate(years):
        at = band[np.isclose(band[:, 0], year), 1]
        assert at.min() == pytest.approx(q[0, k]) and at.max() == pytest.approx(q[4, k])
    party = ap.fan_chart(results, "net", arm="intervention", model="fee_for_service", party="provider")
    np.testing.assert_allclose(artist(party, "median").get_ydata(),
                               np.median(results.payments.samples("fee_for_service", "provider", "net", "intervention"), axis=0))


def test_msr_curve_matches_the_analytic_functions():
    sizes = [100, 300, 1000, 3000, 10000]
    fig = ap.msr_curve(sizes, cv=2.5, confidence=0.9, saving=0.05, simulated={500: 0.2, 2000: 0.1})
    rate = apmsim.minimum_savings_rate(np.array(sizes, float), 2.5, 0.9)
    np.testing.assert_allclose(artist(fig, "msr").get_ydata(), rate)
    np.testing.assert_allclose(artist(fig, "p_false_reward").get_ydata(),
                               apmsim.false_reward_probability(np.array(sizes, float), 2.5, rate))
    np.testing.assert_allclose(artist(fig, "p_missed_reward").get_ydata(),
                               1 - apmsim.reward_probability(np.array(sizes, float), 2.5, rate, 0.05))
    np.testing.assert_array_equal(artist(fig, "simulated").get_xdata(), [500, 2000])
    # The confidence-interval MSR at 90% gives a false reward about 5% of the time, at every size.
    np.testing.assert_allclose(artist(fig, "p_false_reward").get_ydata(), 0.05, atol=1e-9)
    fixed = ap.msr_curve(sizes, cv=2.5, msr=0.02)
    np.testing.assert_allclose(artist(fixed, "msr").get_ydata(), 0.02)


@pytest.fixture(scope="module")
def tornado_sweep(tmp_path_factory):
    doc = json.loads((source_dir() / "examples" / "sweeps" / "tornado.json").read_text())
    doc["base"] = str(source_dir() / "examples" / "scenarios" / "default_cmc_program.json")
    db = tmp_path_factory.mktemp("tornado") / "tornado.sqlite"
    apmsim.run_sweep(doc, db, trials=60, calibration_trials=30)
    return apmsim.read_sweep(db)


def test_tornado_bars_are_swings_about_the_base(tornado_sweep):
    variants, statistics = tornado_sweep
    model = "fee_for_service"
    fig = ap.tornado(variants, statistics, "mean", model=model, party="provider")
    rows = statistics[(statistics.model == model) & (statistics.party == "provider") & (statistics.arm == "intervention")
                      & (statistics.year == 0) & (statistics.measure == "net") & (statistics.statistic == "mean")
                      & (statistics.component == "") & (statistics.category == "") & (statistics.tier == "")]
    value = rows.set_index("variant").value
    base = value[variants.id[0]]
    low = [b for b in artist_bars(fig, "low")]
    high = [b for b in artist_bars(fig, "high")]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    swings = {}
    for axis in json.loads(variants.parameters[0]).keys():
        moved = variants[[json.loads(p)[axis] != json.loads(variants.parameters[0])[axis] for p in variants.parameters]]
        ordered = moved.sort_values(axis)
        swings[axis] = (value[ordered.id.iloc[0]] - base, value[ordered.id.iloc[1]] - base)
    for k, label in enumerate(labels):
        axis = label.split(" (")[0]
        assert low[k].get_x() == pytest.approx(base) and high[k].get_x() == pytest.approx(base)
        assert low[k].get_width() == pytest.approx(swings[axis][0]) and high[k].get_width() == pytest.approx(swings[axis][1])
    widths = [abs(high[k].get_width() - low[k].get_width()) for k in range(len(labels))]
    assert widths == sorted(widths)  # the widest swing on top


def artist_bars(fig, gid):
    containers = [c for c in fig.axes[0].containers if c.get_label() == {"low": "axis low", "high": "axis high"}[gid]]
    assert len(containers) == 1
    return list(containers[0])


def test_heat_map_cells_are_the_grid_statistic(tmp_path):
    doc = json.loads((source_dir() / "examples" / "sweeps" / "corridor_and_msr_grid.json").read_text())
    doc["base"] = str(COMPARED)
    db = tmp_path / "grid.sqlite"
    apmsim.run_sweep(doc, db, trials=40, calibration_trials=20)
    variants, statistics = apmsim.read_sweep(db)
    model = "two_sided_shared_risk_corridor"
    fig = ap.heat_map(variants, statistics, "loss_rate", "minimum_savings_rate", "p_negative", model=model, party="provider")
    cells = artist(fig, "heat").get_array().reshape(3, 3)
    for _, v in variants.iterrows():
        row = [0.0, 0.02, 0.04].index(v.minimum_savings_rate)
        col = [0.3, 0.5, 0.75].index(v.loss_rate)
        expected = statistics[(statistics.variant == v.id) & (statistics.model == model) & (statistics.party == "provider")
                              & (statistics.arm == "intervention") & (statistics.year == 0) & (statistics.measure == "net")
                              & (statistics.statistic == "p_negative") & (statistics.component == "")].value.item()
        assert cells[row, col] == pytest.approx(expected)
    with pytest.raises(ValueError, match="x: expected one of"):
        ap.heat_map(variants, statistics, "sharing", "minimum_savings_rate")


def test_aggregate_overlay_density_integrates_to_one():
    f, s = apmsim.Poisson(3.0), apmsim.Gamma.from_mean_cv(1000.0, 1.0)
    exact = apmsim.aggregate(f, s, step=20.0)
    simulated = apmsim.aggregate(f, s, method="simulation", samples=20000, seed=3)
    fig = ap.aggregate_overlay(exact, simulated.quantile(np.linspace(0.0, 1.0, 4001)[1:-1]))
    x, density = artist(fig, "exact").get_data()
    # The pmf over the step is a density: it integrates to the mass on the lattice (the atom at 0 included).
    assert np.sum(density) * exact.step == pytest.approx(1.0, abs=1e-6)
    assert fig.axes[0].get_xlabel() == "aggregate amount, dollars"


def test_draws_on_a_given_axes_and_refuses_bad_arguments(results):
    fig, (left, right) = plt.subplots(1, 2)
    assert ap.exceedance(results, party="payer", ax=right) is fig
    assert len(left.get_children()) == len(plt.subplots()[1].get_children())  # left untouched
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes"):
        ap.exceedance(results, ax="left")
    with pytest.raises(ValueError, match=r"party: expected one of .*got \['hospital'\]"):
        ap.exceedance(results, party="hospital")
    with pytest.raises(ValueError, match="models: expected one of"):
        ap.net_distribution(results, models=["capitation_for_all"])
    with pytest.raises(TypeError, match="results: expected apmsim.Results with payment models"):
        ap.exceedance(apmsim.run(apmsim.Scenario.default_cmc_program(members=20, years=1, payment_models=False), trials=5))
    with pytest.raises(ValueError, match="model, party: expected both or neither"):
        ap.fan_chart(results, "net", model="fee_for_service")
    with pytest.raises(ValueError, match="sizes: expected two or more positive member counts"):
        ap.msr_curve([0, 100], cv=2.0)

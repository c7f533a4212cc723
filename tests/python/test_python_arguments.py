"""Every Python argument is checked before it reaches C++ (python/argument_checks.hpp):
arrays of the wrong shape or length, empty arrays, NaN or infinity, negative or huge
counts raise ValueError (apmsim.InvalidInput) naming the argument, what was expected and
what was given; never RuntimeError, MemoryError, a crash or a silently wrong answer. A
value of the wrong Python type (a str where numbers go) stays a TypeError. Valid edge
cases (one row, empty arrays, broadcasting, numpy integers) still work."""
from __future__ import annotations

import numpy as np
import pytest

import apmsim
from apmsim import _core
from apmsim import credibility as cred

NAN, INF = float("nan"), float("inf")
COST, MONTHS = [1.0, 2.0, 3.0, 4.0], [12.0] * 4


class Objects:
    """Objects the cases call methods of, made once and only when a case needs them."""

    def __init__(self):
        self._cache = {}

    def _once(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def scenario(self):  # 2 years, 30 members
        return self._once("scenario", lambda: apmsim.Scenario.default_cmc_program(members=30, years=2))

    @property
    def results(self):
        return self._once("results", lambda: apmsim.run(self.scenario, trials=3, seed=1, calibration_trials=5))

    @property
    def aggregate(self):
        return self._once("aggregate", lambda: apmsim.aggregate(apmsim.Poisson(2.0), apmsim.Gamma(2.0, 50.0), step=5.0, nodes=512))


@pytest.fixture(scope="module")
def objects():
    return Objects()


def design_fit(**kwargs):
    args = dict(design=np.ones((4, 1)), cost=COST, exposure=MONTHS)
    args.update(kwargs)
    return apmsim.fit_risk_weights_design(**args)


def blended(claims, months):
    return cred.blended_rate(claims, months, 300.0, full_credibility_member_months=1200.0)


AGGREGATE = dict(frequency=apmsim.Poisson(2.0), severity=apmsim.Gamma(2.0, 50.0))

# (id, call on the Objects, a regular expression the message must match: the argument first)
CASES = [
    # vectorised analytics: shapes that do not broadcast, NaN, an element the C++ code refuses
    ("msr_shapes", lambda o: apmsim.minimum_savings_rate(np.ones(3), np.ones(2)),
     r"^cv: expected a number or values that broadcast with members \(3 values\), got 2 values$"),
    ("reward_2d_shapes", lambda o: apmsim.reward_probability(np.ones((2, 3)), 1.0, np.ones(2)),
     r"^msr: expected .*broadcast with members \(a 2 x 3 array\), got 2 values$"),
    ("settle_shapes", lambda o: apmsim.settle_savings_rate(np.ones(3), msr=np.ones(2)),
     r"^msr: expected .*broadcast with savings_rate \(3 values\), got 2 values$"),
    ("broadcast_too_large", lambda o: apmsim.savings_rate_sd(np.ones((20_000, 1)), np.ones(20_000)),
     r"^members and cv: expected arrays that broadcast to at most 100000000 values, got a 20000 x 20000 array$"),
    ("members_needed_shapes", lambda o: apmsim.members_needed(cv=np.ones(3), msr=np.ones(2)),
     r"^cv: expected .*broadcast with msr \(2 values\), got 3 values$"),
    ("partial_credibility_shapes", lambda o: cred.partial_credibility(np.ones(3), np.ones(2)),
     r"^n_full: expected .*broadcast with n \(3 values\), got 2 values$"),
    ("credibility_weighted_nan", lambda o: cred.credibility_weighted(0.5, [1.0, NAN], 1.0),
     r"^experience: expected a number, not NaN, got nan \(element \[1\]\)$"),
    ("msr_negative_member_count", lambda o: apmsim.minimum_savings_rate([1000.0, -5.0], 1.0),
     r"^members: expected a finite number > 0, got -5 \(element \[1\]\)$"),
    # Buhlmann(-Straub): shapes and dimensions
    ("buhlmann_straub_shapes", lambda o: cred.buhlmann_straub(np.ones((4, 3)), np.ones((4, 2))),
     r"^weights: expected a 4 x 3 array \(the shape of ratios\), got a 4 x 2 array$"),
    ("core_buhlmann_straub_3d", lambda o: _core.credibility.buhlmann_straub(np.ones((4, 3, 2)), np.ones((4, 3, 2))),
     r"^ratios: expected a 2-D array \(risks x periods\), got a 4 x 3 x 2 array$"),
    ("buhlmann_0d", lambda o: cred.buhlmann(3.0), r"^data: expected a 2-D array \(risks x periods\), got a number$"),
    ("core_buhlmann_3d", lambda o: _core.credibility.buhlmann(np.ones((2, 2, 2))), r"^data: expected a 2-D array"),
    ("buhlmann_empty", lambda o: cred.buhlmann(np.ones((0, 3))), r"^data: expected at least 2 risks \(rows\), got 0$"),
    # experience rating: claims and member-months
    ("blended_lengths", lambda o: blended([1.0, 2.0, 3.0], [12.0, 12.0]),
     r"^member_months: expected 3 values \(as many as member_claims\), got 2 values$"),
    ("blended_2d", lambda o: blended(np.ones((2, 2)), np.ones((2, 2))),
     r"^member_claims: expected a 1-D array \(one value per member\), got a 2 x 2 array$"),
    ("blended_infinite_claim", lambda o: blended([INF], [12.0]), r"^member_claims\[0\]: expected a finite number, got inf$"),
    ("blended_empty", lambda o: blended([], []), r"^member_claims: expected at least one member, got 0 members$"),
    # risk weights: lengths, dimensions, markers, design, groups, year
    ("fit_lengths", lambda o: apmsim.fit_risk_weights(cost=[1.0, 2.0, 3.0], exposure=[12.0, 12.0]),
     r"^exposure: expected 3 values \(as many as cost\), got 2 values$"),
    ("fit_2d_cost", lambda o: apmsim.fit_risk_weights(cost=np.ones((2, 2)), exposure=np.ones((2, 2))),
     r"^cost: expected a 1-D array \(one value per member\), got a 2 x 2 array$"),
    ("fit_marker_length", lambda o: apmsim.fit_risk_weights(cost=COST, exposure=MONTHS, markers={"m": [1.0, 0.0]}),
     r"^markers\.m: expected 4 values \(as many as cost\), got 2 values$"),
    ("design_1d", lambda o: design_fit(design=np.ones(4)), r"^design: expected a 2-D array \(members x columns\), got 4 values$"),
    ("design_cost_length", lambda o: design_fit(cost=[1.0, 2.0, 3.0]),
     r"^cost: expected 4 values \(as many as the rows of design\), got 3 values$"),
    ("design_nan", lambda o: design_fit(design=np.array([[1.0], [NAN], [1.0], [1.0]])),
     r"^design\[1, 0\]: expected a finite number, got nan$"),
    ("design_fractional_group", lambda o: design_fit(groups=[0, 0.5, 0, 0], group_names=["g"]),
     r"^groups\[1\]: expected a whole number >= 0, got 0\.5$"),
    ("fit_scenario_year", lambda o: apmsim.fit_risk_weights(cost=np.ones(30), scenario=o.scenario, year=2**40),
     r"^year: expected 0 to 1 \(0-based\), got 1099511627776$"),
    # distributions: sizes and seeds, NaN in vectorised methods
    ("sample_huge", lambda o: apmsim.Lognormal(1.0, 1.0).sample(10**12),
     r"^n: expected 0 to 100000000 values, got 1000000000000$"),
    ("sample_negative", lambda o: apmsim.Poisson(2.0).sample(-1), r"^n: expected 0 to 100000000 values, got -1$"),
    ("sample_seed_negative", lambda o: apmsim.Gamma(2.0, 1.0).sample(3, seed=-1), r"^seed: expected a whole number >= 0, got -1$"),
    ("cdf_nan_element", lambda o: apmsim.Lognormal(1.0, 1.0).cdf([0.5, NAN]),
     r"^Lognormal\.cdf\(x\): expected a number, not NaN, got nan \(element \[1\]\)$"),
    ("pmf_nan", lambda o: apmsim.Poisson(1.0).pmf(NAN), r"^Poisson\.pmf\(k\): expected a number, not NaN, got nan$"),
    ("quantile_2d_element", lambda o: apmsim.Gamma(2.0, 1.0).quantile(np.array([[0.5, 1.5]])),
     r"^Gamma\.quantile\(p\): expected p in \[0, 1\], got 1\.5 \(element \[0, 1\]\)$"),
    # exact methods: vectorised methods, lattice sizes, sample counts, seeds, years
    ("aggregate_quantile_element", lambda o: o.aggregate.quantile([0.5, 2.0]), r"^p: expected a number in \(0, 1\), got 2 \(element \[1\]\)$"),
    ("aggregate_cdf_ragged", lambda o: o.aggregate.cdf([[0.1], [0.2, 0.3]]),
     r"^x: expected a number or a rectangular array of numbers, got nested sequences of different lengths$"),
    ("aggregate_stop_loss_nan", lambda o: o.aggregate.stop_loss_premium(NAN), r"^d: expected a number, not NaN, got nan$"),
    ("aggregate_samples_huge", lambda o: apmsim.aggregate(**AGGREGATE, method="simulation", samples=10**12),
     r"^samples: expected 2 to 100000000 samples, got 1000000000000$"),
    ("aggregate_nodes_huge", lambda o: apmsim.aggregate(**AGGREGATE, nodes=2**70),
     r"^nodes: expected 2 to 4194304 nodes, got 1180591620717411303424$"),
    ("aggregate_seed_negative", lambda o: apmsim.aggregate(**AGGREGATE, seed=-1), r"^seed: expected a whole number >= 0, got -1$"),
    ("discretize_nodes_negative", lambda o: apmsim.discretize(apmsim.Gamma(2.0, 1.0), 1.0, nodes=-3),
     r"^nodes: expected 2 to 4194304 nodes, got -3$"),
    ("pool_year_huge", lambda o: apmsim.pool_distribution(o.scenario, year=2**40), r"^year: expected 1 to 2, got 1099511627776$"),
    # statistics of a sample
    ("summarize_2d", lambda o: apmsim.stats.summarize(np.ones((2, 2))),
     r"^values: expected a 1-D array \(a sample of outcomes\), got a 2 x 2 array$"),
    ("summarize_infinite", lambda o: apmsim.stats.summarize([1.0, INF]), r"^values\[1\]: expected a finite number, got inf$"),
    ("upper_tail_empty", lambda o: apmsim.stats.upper_tail_probability([], 0.5), r"^values: expected at least one value, got none$"),
    ("lower_tail_nan_threshold", lambda o: apmsim.stats.lower_tail_probability([1.0, 2.0], NAN),
     r"^threshold: expected a number, not NaN, got nan$"),
    # results accessors and run options
    ("member_level_cv_year_huge", lambda o: o.results.member_level_cv(year=2**40), r"^year: expected 1 to 2, got 1099511627776$"),
    ("within_tier_cv_year", lambda o: o.results.within_tier_cv(year=0), r"^year: expected 1 to 2, got 0$"),
    ("samples_measure", lambda o: o.results.samples("profit"), r"^measure: expected one of: total_cost, "),
    ("run_trials_negative", lambda o: apmsim.run(o.scenario, trials=-1), r"^trials: expected a whole number >= 0, got -1$"),
    ("run_threads_huge", lambda o: apmsim.run(o.scenario, trials=2, threads=10**30),
     r"^threads: expected a whole number at most 4294967295, got 1000000000000000000000000000000$"),
]


@pytest.mark.parametrize("call, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_raises_value_error_naming_it(objects, call, message):
    with pytest.raises(ValueError, match=message) as info:
        call(objects)
    error = info.value
    assert type(error) is apmsim.InvalidInput  # not a plain ValueError from numpy
    assert str(error).startswith(error.where + ": expected " + error.expected + ", got ")
    assert error.actual


TYPE_CASES = [
    ("msr_str", lambda: apmsim.minimum_savings_rate("many", 1.0), r"^members: expected a number or an array of numbers, got str$"),
    ("cdf_list_of_str", lambda: apmsim.Gamma(2.0, 1.0).cdf(["a"]), r"^Gamma\.cdf\(x\): expected .*, got an array of str$"),
    ("quantile_none", lambda: apmsim.aggregate(**AGGREGATE, step=5.0, nodes=64).quantile(None), r"^p: expected .*, got NoneType$"),
    ("sample_float_count", lambda: apmsim.Lognormal(1.0, 1.0).sample(2.5), r"sample\(\)"),
]


@pytest.mark.parametrize("call, message", [c[1:] for c in TYPE_CASES], ids=[c[0] for c in TYPE_CASES])
def test_a_value_of_the_wrong_type_stays_a_type_error(call, message):
    with pytest.raises(TypeError, match=message):
        call()


# --- valid edge cases still work --------------------------------------------------------------

def test_broadcasting_matches_scalar_calls_and_keeps_numpy_shapes():
    members, cv = np.array([[100.0], [400.0], [900.0]]), np.array([1.0, 2.0])
    got = apmsim.minimum_savings_rate(members, cv)
    assert got.shape == (3, 2)
    expected = [[apmsim.minimum_savings_rate(float(m), float(c)) for c in cv] for m in members[:, 0]]
    np.testing.assert_array_equal(got, expected)
    assert isinstance(apmsim.minimum_savings_rate(100.0, 1.0), float)
    assert isinstance(apmsim.minimum_savings_rate(np.float64(100.0), np.array(1.0)), float)  # 0-d gives a float
    one_row = apmsim.settle_savings_rate(np.array([[0.05, -0.02, 0.10]]), msr=0.02, savings_cap=np.array([INF, INF, 0.05]))
    assert one_row.shape == (1, 3) and one_row[0, 2] == apmsim.settle_savings_rate(0.10, msr=0.02, savings_cap=0.05)


def test_empty_arrays_give_empty_results_where_there_is_nothing_to_refuse():
    assert apmsim.minimum_savings_rate(np.array([]), 1.0).shape == (0,)
    assert apmsim.reward_probability(np.ones((0, 3)), 1.0, np.full(3, 0.02)).shape == (0, 3)
    assert apmsim.Poisson(2.0).cdf(np.array([])).shape == (0,)
    assert apmsim.Lognormal(1.0, 1.0).sample(0).shape == (0,)


def test_one_row_and_one_member_inputs():
    r = cred.buhlmann_straub(np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0]]), np.ones((2, 3)))
    assert r.premiums.shape == (2,)
    b = blended([1200.0], np.array([12]))  # integers are numbers
    assert b.member_months == 12.0
    s = apmsim.stats.summarize(np.array([5.0]))
    assert s["mean"] == 5.0 and s["count"] == 1
    assert apmsim.stats.upper_tail_probability(np.array([1, 2, 3, 4]), 2) == 0.5
    assert apmsim.Gamma(2.0, 1.0).quantile(np.array([[0.5]])).shape == (1, 1)


def test_numpy_integers_and_integer_arrays_are_accepted_where_whole_numbers_go():
    assert len(apmsim.Lognormal(1.0, 1.0).sample(np.int64(3), seed=np.uint32(7))) == 3
    d = apmsim.aggregate(**AGGREGATE, step=5.0, nodes=np.int32(256))
    assert d.nodes == 256
    x = np.column_stack([np.ones(6), [0, 1, 0, 1, 0, 1]])
    fit = apmsim.fit_risk_weights_design(x, [100.0, 300.0, 110.0, 290.0, 90.0, 310.0], [12.0] * 6,
                                         groups=np.array([0, 1, 0, 1, 0, 1]), group_names=["a", "b"])
    assert list(fit.group_names) == ["a", "b"]
    assert fit.predictive_ratios.shape == (2,)


def test_infinity_stays_valid_where_it_means_something():
    assert apmsim.Lognormal(1.0, 1.0).cdf(INF) == 1.0
    assert apmsim.settle_savings_rate(0.2, msr=0.02, savings_cap=INF, sharing_rate=0.5) == pytest.approx(0.1)

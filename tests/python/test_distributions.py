"""apmsim distributions from Python: closed forms checked against independent Python
computations, numpy vectorisation, seeded sampling, pickling and input validation."""
from __future__ import annotations

import math
import pickle
from statistics import NormalDist

import numpy as np
import pytest

import apmsim

try:  # numpy >= 2.0 renamed trapz
    _trapezoid = np.trapezoid
except AttributeError:  # pragma: no cover - depends on the numpy version
    _trapezoid = np.trapz


def all_distributions():
    """One instance of every distribution type, with parameters where every moment
    used below is finite (Pareto shape > 2, spliced tail shape < 1/2)."""
    return [
        apmsim.Poisson(3.2),
        apmsim.NegativeBinomial(4.0, 1.5),
        apmsim.Binomial(10, 0.3),
        apmsim.ZeroModifiedPoisson(2.0, 0.4),
        apmsim.Lognormal(7.0, 1.2),
        apmsim.Gamma(2.5, 400.0),
        apmsim.Weibull(0.8, 1000.0),
        apmsim.Pareto(3.5, 2000.0),
        apmsim.SplicedLognormalPareto(7.0, 1.0, 5000.0, 0.3, 3000.0),
        apmsim.SplicedLognormalPareto(7.0, 1.0, 5000.0, 0.3, 3000.0, body_weight=0.9),
    ]


def dist_id(d):
    return repr(d)


ALL = all_distributions()
COUNTS = [d for d in ALL if hasattr(d, "pmf")]
SEVERITIES = [d for d in ALL if not hasattr(d, "pmf")]


# --- The issue's example -----------------------------------------------------------

def test_issue_example_lognormal_quantile_matches_independent_formula():
    # Lognormal with mean m and cv c: sigma^2 = log(1 + c^2), mu = log(m) - sigma^2/2,
    # and Q(p) = exp(mu + sigma z_p). Computed here with math and statistics.NormalDist
    # (Wichura's AS241, ~1e-16 relative), independently of Boost's quantile.
    # Tolerance 1e-10 relative: a few ulps of exp() amplified by |mu + sigma z| ~ 9.
    mean, cv, p = 1000.0, 2.0, 0.99
    s2 = math.log1p(cv * cv)
    mu = math.log(mean) - 0.5 * s2
    sigma = math.sqrt(s2)
    expected = math.exp(mu + sigma * NormalDist().inv_cdf(p))
    got = apmsim.Lognormal.from_mean_cv(1000, 2).quantile(0.99)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-10)
    assert 8000 < got < 9000  # about 8,555: a sanity check on the reference formula itself


@pytest.mark.parametrize("p", [1e-6, 0.01, 0.25, 0.5, 0.9, 0.999, 1 - 1e-9])
def test_lognormal_quantile_and_cdf_against_normaldist(p):
    # Same independent formula over the range of p; cdf is checked the other way round
    # (Phi((log x - mu)/sigma)). 1e-10 relative as above; the cdf near p = 1 - 1e-9 is
    # compared on the survival scale to avoid 1 - p cancellation hiding errors.
    mu, sigma = 6.1, 1.27
    d = apmsim.Lognormal(mu, sigma)
    x = math.exp(mu + sigma * NormalDist().inv_cdf(p))
    assert d.quantile(p) == pytest.approx(x, rel=1e-10)
    assert d.cdf(x) == pytest.approx(p, rel=1e-10)
    assert 1 - d.cdf(x) == pytest.approx(1 - p, rel=1e-6)


# --- Moments -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "cls, mean, cv",
    [
        (apmsim.Lognormal, 1000.0, 2.0),
        (apmsim.Gamma, 500.0, 0.7),
        (apmsim.Weibull, 800.0, 1.3),
        (apmsim.Weibull, 800.0, 0.4),
        (apmsim.Pareto, 2500.0, 1.8),
        (apmsim.NegativeBinomial, 6.0, 0.9),
    ],
)
def test_from_mean_cv_reproduces_mean_and_cv(cls, mean, cv):
    # from_mean_cv must invert the moment formulas. 1e-9 relative: closed forms
    # (Weibull's shape comes from a 200-step bisection, far below this).
    d = cls.from_mean_cv(mean, cv)
    assert isinstance(d, cls)
    assert d.mean() == pytest.approx(mean, rel=1e-9)
    assert math.sqrt(d.variance()) / d.mean() == pytest.approx(cv, rel=1e-9)


def test_from_mean_cv_exists_only_where_documented():
    # Continuous severities and the negative binomial have it; Poisson, Binomial,
    # ZeroModifiedPoisson (cv fixed by the mean or needing two counts) and the spliced
    # severity do not.
    has = {name for name in apmsim.__all__ if hasattr(getattr(apmsim, name), "from_mean_cv")}
    assert has == {"Lognormal", "Gamma", "Weibull", "Pareto", "NegativeBinomial"}


def test_closed_form_moments_of_counts():
    # Independent formulas: NB Var = m + m^2/r; Binomial n p (1-p); zero-modified
    # Poisson mean (1 - p0) lambda / (1 - e^-lambda) (Loss Models (a,b,1) class).
    nb = apmsim.NegativeBinomial(4.0, 1.5)
    assert nb.mean() == 4.0
    assert nb.variance() == pytest.approx(4.0 + 16.0 / 1.5, rel=1e-14)
    assert nb.dispersion == 1.5
    b = apmsim.Binomial(10, 0.3)
    assert (b.mean(), b.variance()) == pytest.approx((3.0, 2.1), rel=1e-14)
    z = apmsim.ZeroModifiedPoisson(2.0, 0.4)
    lam = 2.0
    m = 0.6 * lam / (1 - math.exp(-lam))
    second = 0.6 * (lam + lam * lam) / (1 - math.exp(-lam))
    assert z.mean() == pytest.approx(m, rel=1e-13)
    assert z.variance() == pytest.approx(second - m * m, rel=1e-12)


def test_heavy_tails_report_infinite_moments():
    # Lomax mean is infinite for shape <= 1, variance for shape <= 2.
    assert math.isinf(apmsim.Pareto(0.9, 100.0).mean())
    assert math.isinf(apmsim.Pareto(1.5, 100.0).variance())
    assert math.isfinite(apmsim.Pareto(1.5, 100.0).mean())


# --- pmf ---------------------------------------------------------------------------

def test_poisson_pmf_matches_math_formula():
    # P(N = k) = e^-m m^k / k!, with math.factorial (exact integers). 1e-12 relative:
    # the C++ side evaluates exp(k log m - m - lgamma(k+1)), a few ulps per term.
    m = 3.7
    d = apmsim.Poisson(m)
    ks = np.arange(0, 31)
    expected = np.array([math.exp(-m) * m**k / math.factorial(k) for k in ks])
    got = d.pmf(ks.astype(float))
    assert got.shape == ks.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    # Non-integer and negative k have probability 0; the pmf sums to 1 (to 1e-12: the
    # tail beyond 30 is ~1e-17).
    assert d.pmf(2.5) == 0.0 and d.pmf(-1.0) == 0.0
    assert d.pmf(np.arange(0, 60).astype(float)).sum() == pytest.approx(1.0, abs=1e-12)
    # pmf and cdf agree: F(k) = sum_{j <= k} p(j).
    np.testing.assert_allclose(np.cumsum(expected), d.cdf(ks.astype(float)), rtol=1e-12)


@pytest.mark.parametrize("d", COUNTS, ids=dist_id)
def test_count_quantile_is_smallest_k_with_cdf_at_least_p(d):
    # The discrete quantile is the inverse used for sampling: Q(p) = min{k: F(k) >= p}.
    ps = np.linspace(0.001, 0.999, 97)
    k = d.quantile(ps)
    assert np.all(k == np.floor(k))
    assert np.all(d.cdf(k) >= ps)
    below = k - 1
    assert np.all((k == 0) | (d.cdf(below) < ps))


# --- Vectorisation -----------------------------------------------------------------

@pytest.mark.parametrize("d", ALL, ids=dist_id)
def test_vectorised_methods_keep_shape_and_match_scalar_calls(d):
    x = np.array([[0.0, 1.0, 2.0, 3.0], [10.0, 100.0, 1000.0, 5000.0], [0.5, 7.0, 20.0, 1e5]])
    p = np.array([[0.0, 0.1, 0.5], [0.9, 0.99, 0.999]])
    assert isinstance(d.cdf(2.0), float)
    assert isinstance(d.quantile(0.5), float)
    cdf = d.cdf(x)
    assert isinstance(cdf, np.ndarray) and cdf.shape == (3, 4)
    q = d.quantile(p)
    assert q.shape == (2, 3)
    lev = d.limited_expected_value(x)
    assert lev.shape == (3, 4)
    assert d.cdf([1.0, 2.0, 3.0]).shape == (3,)  # lists are accepted too
    # Elementwise equality with the scalar calls (the vectorised path is the same C++).
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            assert cdf[i, j] == d.cdf(float(x[i, j]))
            assert lev[i, j] == d.limited_expected_value(float(x[i, j]))
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            assert q[i, j] == d.quantile(float(p[i, j]))
    if hasattr(d, "pmf"):
        assert d.pmf(x).shape == (3, 4)


@pytest.mark.parametrize("d", SEVERITIES, ids=dist_id)
def test_continuous_cdf_inverts_quantile(d):
    # F(Q(p)) = p for a continuous severity, to 1e-9 absolute (root-finding inverses in
    # Boost are accurate to ~1e-15; the spliced form adds a few operations).
    ps = np.linspace(0.001, 0.999, 199)
    np.testing.assert_allclose(d.cdf(d.quantile(ps)), ps, rtol=0, atol=1e-9)
    assert d.quantile(0.0) == 0.0
    assert math.isinf(d.quantile(1.0))
    assert np.all(np.diff(d.quantile(ps)) > 0)


# --- Limited expected value ---------------------------------------------------------

@pytest.mark.parametrize("shape, scale, u", [(2.5, 400.0, 1500.0), (0.7, 2000.0, 3000.0), (9.0, 50.0, 200.0)])
def test_gamma_limited_expected_value_against_numeric_integration(shape, scale, u):
    # E[min(X, u)] = integral_0^u S(x) dx, integrated here by the trapezoid rule on
    # 200,001 points of apmsim's own cdf: the integral itself is independent of the
    # closed form (shape P(shape+1, .) + u Q(shape, .)). The trapezoid error is about
    # u h^2 max|S''| / 12 ~ 1e-11 relative for smooth S; for shape 0.7 the density is
    # infinite at 0 and the error near 0 is O(h^1.7) (measured 5e-10), hence 1e-7.
    d = apmsim.Gamma(shape, scale)
    grid = np.linspace(0.0, u, 200_001)
    numeric = _trapezoid(1.0 - d.cdf(grid), grid)
    assert d.limited_expected_value(u) == pytest.approx(numeric, rel=1e-7)
    # Limits: E[min(X, 0)] = 0 and E[min(X, inf)] = E[X].
    assert d.limited_expected_value(0.0) == 0.0
    assert d.limited_expected_value(math.inf) == pytest.approx(shape * scale, rel=1e-14)


@pytest.mark.parametrize("d", SEVERITIES, ids=dist_id)
def test_severity_limited_expected_value_against_numeric_integration(d):
    # Same identity for every severity, at the 90% quantile (inside the spliced tail for
    # the default split). 1e-8 relative: trapezoid error on 400,001 points.
    u = d.quantile(0.9)
    grid = np.linspace(0.0, u, 400_001)
    numeric = _trapezoid(1.0 - d.cdf(grid), grid)
    assert d.limited_expected_value(u) == pytest.approx(numeric, rel=1e-8)
    assert d.limited_expected_value(math.inf) == pytest.approx(d.mean(), rel=1e-12)


@pytest.mark.parametrize("d", COUNTS, ids=dist_id)
def test_count_limited_expected_value_is_sum_of_survival(d):
    # E[min(N, u)] = sum_{k < u} P(N > k) for whole u, plus a linear piece in between.
    u = 7.0
    expected = sum(1.0 - d.cdf(float(k)) for k in range(int(u)))
    assert d.limited_expected_value(u) == pytest.approx(expected, rel=1e-12)
    frac = d.limited_expected_value(u + 0.25)
    assert frac == pytest.approx(expected + 0.25 * (1.0 - d.cdf(u)), rel=1e-12)


# --- Sampling ----------------------------------------------------------------------

@pytest.mark.parametrize("d", ALL, ids=dist_id)
def test_sample_is_reproducible_by_seed(d):
    a = d.sample(1000, seed=12345)
    b = d.sample(1000, seed=12345)
    c = d.sample(1000, seed=12346)
    assert isinstance(a, np.ndarray) and a.shape == (1000,) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # The default seed is 0, and a longer sample extends a shorter one (one stream).
    np.testing.assert_array_equal(d.sample(50), d.sample(50, seed=0))
    np.testing.assert_array_equal(d.sample(2000, seed=12345)[:1000], a)
    assert d.sample(0, seed=1).shape == (0,)


@pytest.mark.parametrize("d", ALL, ids=dist_id)
def test_sample_mean_within_four_standard_errors(d):
    # 200,000 draws: |mean - E[X]| < 4 sqrt(Var[X]/n). Every variance here is finite;
    # with fixed seeds the test is deterministic, and a 4-SE miss would be a 6e-5 event
    # for a correct sampler.
    n = 200_000
    x = d.sample(n, seed=2024)
    se = math.sqrt(d.variance() / n)
    assert abs(x.mean() - d.mean()) < 4 * se, (x.mean(), d.mean(), se)
    if hasattr(d, "pmf"):
        assert np.all(x == np.floor(x)) and np.all(x >= 0)
    else:
        assert np.all(x > 0)


@pytest.mark.parametrize("d", ALL, ids=dist_id)
def test_sample_follows_the_cdf(d):
    # Empirical cdf at the 10/50/90% quantiles within 4 binomial standard errors of
    # F(q) (which is p for severities, >= p for counts): checks the shape of the
    # sampled distribution, not just its mean.
    n = 100_000
    x = d.sample(n, seed=77)
    for p in (0.1, 0.5, 0.9):
        q = d.quantile(p)
        f = d.cdf(q)
        se = math.sqrt(f * (1 - f) / n)
        assert abs(np.mean(x <= q) - f) < 4 * se, (p, q, np.mean(x <= q), f)


# --- Serialisation -----------------------------------------------------------------

@pytest.mark.parametrize("d", ALL, ids=dist_id)
def test_pickle_round_trip(d):
    e = pickle.loads(pickle.dumps(d))
    assert type(e) is type(d)
    assert e.to_dict() == d.to_dict()
    assert repr(e) == repr(d)
    assert e.mean() == d.mean() and e.variance() == d.variance()
    ps = np.linspace(0.01, 0.99, 11)
    np.testing.assert_array_equal(e.quantile(ps), d.quantile(ps))
    np.testing.assert_array_equal(e.sample(100, seed=3), d.sample(100, seed=3))


def test_to_dict_and_type_name():
    assert apmsim.Gamma(2.5, 400.0).to_dict() == {"type": "gamma", "shape": 2.5, "scale": 400.0}
    assert apmsim.NegativeBinomial(1.6, 1.0).to_dict() == {"type": "negative_binomial", "mean": 1.6, "dispersion": 1.0}
    assert apmsim.ZeroModifiedPoisson(2.0, 0.4).to_dict() == {"type": "zero_modified_poisson", "mean": 2.0, "p0": 0.4}
    spliced = apmsim.SplicedLognormalPareto(7.0, 1.0, 5000.0, 0.3, 3000.0).to_dict()
    # Without body_weight, the body keeps the lognormal's own probability below the
    # threshold: w = Phi((log t - mu) / sigma).
    assert spliced["body_weight"] == pytest.approx(NormalDist().cdf((math.log(5000.0) - 7.0) / 1.0), rel=1e-12)
    expected_names = {
        apmsim.Poisson: "poisson", apmsim.NegativeBinomial: "negative_binomial", apmsim.Binomial: "binomial",
        apmsim.ZeroModifiedPoisson: "zero_modified_poisson", apmsim.Lognormal: "lognormal", apmsim.Gamma: "gamma",
        apmsim.Weibull: "weibull", apmsim.Pareto: "pareto", apmsim.SplicedLognormalPareto: "spliced_lognormal_pareto",
    }
    for cls, name in expected_names.items():
        assert cls.type_name == name
    for d in ALL:
        assert d.type_name == d.to_dict()["type"]


# --- Errors ------------------------------------------------------------------------

def test_error_types():
    assert issubclass(apmsim.InvalidInput, ValueError)
    assert issubclass(apmsim.ComputationError, RuntimeError)


INF, NAN = math.inf, math.nan
INVALID = [
    (apmsim.Poisson, (-1.0,), "Poisson.mean"),
    (apmsim.Poisson, (NAN,), "Poisson.mean"),
    (apmsim.Poisson, (INF,), "Poisson.mean"),
    (apmsim.NegativeBinomial, (-1.0, 1.0), "NegativeBinomial.mean"),
    (apmsim.NegativeBinomial, (1.0, 0.0), "NegativeBinomial.dispersion"),
    (apmsim.Binomial, (-1.0, 0.5), "Binomial.n"),
    (apmsim.Binomial, (2.5, 0.5), "Binomial.n"),
    (apmsim.Binomial, (10.0, 1.5), "Binomial.p"),
    (apmsim.Binomial, (10.0, -0.1), "Binomial.p"),
    (apmsim.ZeroModifiedPoisson, (0.0, 0.5), "ZeroModifiedPoisson.mean"),
    (apmsim.ZeroModifiedPoisson, (1.0, 1.0), "ZeroModifiedPoisson.p0"),
    (apmsim.ZeroModifiedPoisson, (1.0, -0.1), "ZeroModifiedPoisson.p0"),
    (apmsim.Lognormal, (INF, 1.0), "Lognormal.mu"),
    (apmsim.Lognormal, (NAN, 1.0), "Lognormal.mu"),
    (apmsim.Lognormal, (0.0, 0.0), "Lognormal.sigma"),
    (apmsim.Lognormal, (0.0, -1.0), "Lognormal.sigma"),
    (apmsim.Gamma, (0.0, 1.0), "Gamma.shape"),
    (apmsim.Gamma, (1.0, -1.0), "Gamma.scale"),
    (apmsim.Weibull, (0.0, 1.0), "Weibull.shape"),
    (apmsim.Weibull, (1.0, 0.0), "Weibull.scale"),
    (apmsim.Pareto, (-1.0, 1.0), "Pareto.shape"),
    (apmsim.Pareto, (1.0, 0.0), "Pareto.scale"),
    (apmsim.SplicedLognormalPareto, (INF, 1.0, 1000.0, 0.3, 100.0), "SplicedLognormalPareto.mu"),
    (apmsim.SplicedLognormalPareto, (7.0, 0.0, 1000.0, 0.3, 100.0), "SplicedLognormalPareto.sigma"),
    (apmsim.SplicedLognormalPareto, (7.0, 1.0, 0.0, 0.3, 100.0), "SplicedLognormalPareto.threshold"),
    (apmsim.SplicedLognormalPareto, (7.0, 1.0, 1000.0, -0.3, 100.0), "SplicedLognormalPareto.tail_shape"),
    (apmsim.SplicedLognormalPareto, (7.0, 1.0, 1000.0, 0.3, 0.0), "SplicedLognormalPareto.tail_scale"),
    (apmsim.SplicedLognormalPareto, (7.0, 1.0, 1000.0, 0.3, 100.0, 1.5), "SplicedLognormalPareto.body_weight"),
    (apmsim.SplicedLognormalPareto, (7.0, 1.0, 1000.0, 0.3, 100.0, 0.0), "SplicedLognormalPareto.body_weight"),
    (apmsim.Lognormal.from_mean_cv, (-1.0, 1.0), "Lognormal.mean"),
    (apmsim.Lognormal.from_mean_cv, (1.0, 0.0), "Lognormal.cv"),
    (apmsim.Gamma.from_mean_cv, (0.0, 1.0), "Gamma.mean"),
    (apmsim.Gamma.from_mean_cv, (1.0, -1.0), "Gamma.cv"),
    (apmsim.Weibull.from_mean_cv, (1.0, 0.0), "Weibull.cv"),
    (apmsim.Weibull.from_mean_cv, (1.0, 1e4), "Weibull.cv"),
    (apmsim.Pareto.from_mean_cv, (1.0, 0.5), "Pareto.cv"),
    (apmsim.NegativeBinomial.from_mean_cv, (1.0, 0.5), "NegativeBinomial.cv"),
    (apmsim.NegativeBinomial.from_mean_cv, (-1.0, 0.5), "NegativeBinomial.mean"),
]


@pytest.mark.parametrize(
    "factory, args, where", INVALID, ids=[f"{w}={a}" for _, a, w in INVALID]
)
def test_invalid_parameters_raise_invalid_input_naming_the_parameter(factory, args, where):
    with pytest.raises(apmsim.InvalidInput) as info:
        factory(*args)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.where == where
    assert isinstance(e.expected, str) and e.expected
    assert isinstance(e.actual, str) and e.actual
    assert where in str(e)


@pytest.mark.parametrize("d", ALL, ids=dist_id)
@pytest.mark.parametrize("p", [-0.1, 1.5, NAN])
def test_quantile_outside_unit_interval_raises(d, p):
    with pytest.raises(apmsim.InvalidInput) as info:
        d.quantile(p)
    assert info.value.where.endswith(".quantile(p)")
    # Also when the bad value is one element of an array.
    with pytest.raises(ValueError):
        d.quantile(np.array([0.5, p]))


def test_plain_value_error_handler_catches_invalid_input():
    # Callers that only know about ValueError still catch apmsim's errors.
    try:
        apmsim.Gamma(-1.0, 1.0)
    except ValueError as e:
        assert type(e) is apmsim.InvalidInput
    else:  # pragma: no cover
        pytest.fail("no exception")

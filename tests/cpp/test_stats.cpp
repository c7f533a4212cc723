// Risk statistics and streaming moments against hand-computed and two-pass answers.
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/stats/estimator_errors.hpp"
#include "apmsim/stats/running_moments.hpp"
#include "apmsim/stats/summary.hpp"

#include <boost/math/distributions/normal.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace apmsim;

namespace {
std::vector<double> skewed_sample(std::size_t n, std::uint64_t seed) {
    random::Stream s(seed, 0, 0, 0);
    std::vector<double> v(n);
    for (auto& x : v) x = std::exp(2.0 * s.uniform()) - 3.0;  // skewed, some negative
    return v;
}
}  // namespace

TEST(RunningMoments, MatchesTwoPassFormulas) {
    const auto v = skewed_sample(5000, 1);
    stats::RunningMoments m;
    for (double x : v) m.add(x);
    const double n = static_cast<double>(v.size());
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
    double m2 = 0, m3 = 0, m4 = 0;
    for (double x : v) {
        const double d = x - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    EXPECT_NEAR(m.mean(), mean, 1e-12);
    EXPECT_NEAR(m.variance(), m2 / (n - 1), 1e-10);
    EXPECT_NEAR(m.skewness(), std::sqrt(n) * m3 / std::pow(m2, 1.5), 1e-9);
    EXPECT_NEAR(m.excess_kurtosis(), n * m4 / (m2 * m2) - 3.0, 1e-9);
}

TEST(RunningMoments, MergeEqualsOneAccumulator) {
    const auto v = skewed_sample(3001, 2);
    stats::RunningMoments all, a, b, c;
    for (std::size_t i = 0; i < v.size(); ++i) {
        all.add(v[i]);
        (i < 1000 ? a : i < 1700 ? b : c).add(v[i]);
    }
    a.merge(b);
    a.merge(c);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_NEAR(a.mean(), all.mean(), 1e-13);
    EXPECT_NEAR(a.variance(), all.variance(), 1e-11);
    EXPECT_NEAR(a.skewness(), all.skewness(), 1e-10);
    EXPECT_NEAR(a.excess_kurtosis(), all.excess_kurtosis(), 1e-10);
    stats::RunningMoments empty;
    empty.merge(all);
    EXPECT_EQ(empty.count(), all.count());
}

TEST(Quantile, Type7MatchesNumpyDefault) {
    const std::vector<double> v = {4, 1, 3, 2};
    EXPECT_DOUBLE_EQ(stats::quantile(v, 0.5), 2.5);    // numpy.quantile([1,2,3,4], .5)
    EXPECT_DOUBLE_EQ(stats::quantile(v, 0.25), 1.75);  // numpy.quantile([1,2,3,4], .25)
    EXPECT_DOUBLE_EQ(stats::quantile(v, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(stats::quantile(v, 1.0), 4.0);
}

TEST(RiskMeasures, HandComputedOnOneToHundred) {
    std::vector<double> v(100);
    std::iota(v.begin(), v.end(), 1.0);
    // VaR_95 = 1 + 99 * 0.95 = 95.05; the worst 5% are 96..100, mean 98, and the best 5% 1..5.
    EXPECT_NEAR(stats::quantile(v, 0.95), 95.05, 1e-12);
    EXPECT_DOUBLE_EQ(stats::expected_shortfall(v, 0.95), 98.0);
    EXPECT_DOUBLE_EQ(stats::expected_shortfall(v, 0.95, stats::Tail::lower), 3.0);
    // k = 100 x 4.5% = 4.5: 97..100 and half of 96, over 4.5.
    EXPECT_NEAR(stats::expected_shortfall(v, 0.955), (97.0 + 98 + 99 + 100 + 0.5 * 96) / 4.5, 1e-12);
    // Beyond the worst single value: the worst value.
    EXPECT_DOUBLE_EQ(stats::expected_shortfall(v, 0.999), 100.0);
    EXPECT_DOUBLE_EQ(stats::upper_tail_probability(v, 90.0), 0.10);
    EXPECT_DOUBLE_EQ(stats::lower_tail_probability(v, 11.0), 0.10);
    const auto s = stats::summarize(v);
    EXPECT_EQ(s.count, 100u);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    EXPECT_NEAR(s.sd, std::sqrt(100.0 * 101.0 / 12.0), 1e-12);  // sample sd of 1..n = sqrt(n(n+1)/12)
    EXPECT_NEAR(s.standard_error, s.sd / 10.0, 1e-12);
    EXPECT_DOUBLE_EQ(s.min, 1.0);
    EXPECT_DOUBLE_EQ(s.max, 100.0);
    // Cost-like (upper tail): the mean of the values at or above p95 = 95.05 is 98;
    // p99 = 99.01, and only 100 lies above it.
    EXPECT_NEAR(s.p95, 95.05, 1e-12);
    EXPECT_NEAR(s.expected_shortfall_95, 98.0, 1e-12);
    EXPECT_NEAR(s.p99, 99.01, 1e-12);
    EXPECT_NEAR(s.expected_shortfall_99, 100.0, 1e-12);
    // Result-like (lower tail, higher is better): p05 = 5.95, the mean of 1..5 is 3;
    // p01 = 1.99, only 1 lies below it.
    const auto lower = stats::summarize(v, stats::Tail::lower);
    EXPECT_NEAR(lower.p05, 5.95, 1e-12);
    EXPECT_NEAR(lower.expected_shortfall_95, 3.0, 1e-12);
    EXPECT_NEAR(lower.p01, 1.99, 1e-12);
    EXPECT_NEAR(lower.expected_shortfall_99, 1.0, 1e-12);
    EXPECT_EQ(lower.adverse_tail, stats::Tail::lower);
    EXPECT_DOUBLE_EQ(s.p_negative, 0.0);
}

TEST(RiskMeasures, BadInputIsAnError) {
    const std::vector<double> none;
    EXPECT_THROW(stats::summarize(none), InvalidInput);
    EXPECT_THROW(stats::quantile(none, 0.5), InvalidInput);
    const std::vector<double> v = {1, 2};
    EXPECT_THROW(stats::quantile(v, 1.5), InvalidInput);
    EXPECT_THROW(stats::quantile(v, -0.1), InvalidInput);
    const std::vector<double> with_nan = {1, std::nan(""), 3};  // sorting NaN would be undefined
    EXPECT_THROW(stats::summarize(with_nan), InvalidInput);
    EXPECT_THROW(stats::quantile(with_nan, 0.5), InvalidInput);
    EXPECT_THROW(stats::expected_shortfall(with_nan, 0.5), InvalidInput);
    EXPECT_THROW(stats::expected_shortfall(v, 1.0), InvalidInput);
}

// Ties at the quantile: 96 zeros and 1, 2, 3, 4. The worst 5% are 0, 1, 2, 3, 4 (mean 2),
// whatever the tie; a mean of the values at or above p95 = 0 would be the overall mean, 0.1.
TEST(RiskMeasures, ExpectedShortfallWithTiesIsTheMeanOfTheWorstShare) {
    std::vector<double> v(96, 0.0);
    for (double x : {1.0, 2.0, 3.0, 4.0}) v.push_back(x);
    EXPECT_DOUBLE_EQ(stats::expected_shortfall(v, 0.95), 2.0);
    EXPECT_DOUBLE_EQ(stats::summarize(v).expected_shortfall_95, 2.0);
    EXPECT_DOUBLE_EQ(stats::expected_shortfall(v, 0.95, stats::Tail::lower), 0.0);
    // An independent recomputation: the integral of the empirical quantile function over [p, 1].
    std::sort(v.begin(), v.end());
    for (double p : {0.9, 0.93, 0.975}) {
        double integral = 0.0;
        for (std::size_t i = 0; i < v.size(); ++i) {  // the i-th value holds the quantiles in (i/n, (i+1)/n]
            const double lo = std::max(p, static_cast<double>(i) / 100.0), hi = static_cast<double>(i + 1) / 100.0;
            if (hi > lo) integral += (hi - lo) * v[i];
        }
        EXPECT_NEAR(stats::expected_shortfall(v, p), integral / (1.0 - p), 1e-12) << p;
    }
}

namespace {
/// Over `reps` samples of `n` draws (sorted), the estimates of the p-quantile and the
/// expected shortfall at p, and the mean of their estimated standard errors.
struct TailEstimates {
    stats::RunningMoments quantile, shortfall;
    double quantile_se = 0, shortfall_se = 0;
};
template <class Draw>
TailEstimates tail_estimates(int reps, std::size_t n, double p, Draw draw) {
    TailEstimates e;
    for (int r = 0; r < reps; ++r) {
        random::Stream s(2026, static_cast<std::uint32_t>(r), 0, 7);
        std::vector<double> v(n);
        for (auto& x : v) x = draw(s);
        std::sort(v.begin(), v.end());
        e.quantile.add(stats::sorted_quantile(v, p));
        e.shortfall.add(stats::sorted_expected_shortfall(v, p, stats::Tail::upper));
        e.quantile_se += stats::quantile_standard_error(v, p) / reps;
        e.shortfall_se += stats::expected_shortfall_standard_error(v, p, stats::Tail::upper) / reps;
    }
    return e;
}
/// The spread of `reps` estimates against the closed-form standard error: within 4
/// standard errors of a standard deviation (sd / sqrt(2 (reps - 1))) plus 3% for the
/// asymptotic formula at n = 1000; the mean estimated standard error within 6%.
void expect_standard_error(const stats::RunningMoments& estimates, double estimated_se, double closed_form, int reps) {
    EXPECT_NEAR(estimates.sd(), closed_form, closed_form * (4.0 / std::sqrt(2.0 * (reps - 1)) + 0.03));
    EXPECT_NEAR(estimated_se, closed_form, 0.06 * closed_form);
}
}  // namespace

// Normal(0, 1): quantile SE sqrt(p (1 - p) / n) / phi(z_p); ES = phi(z) / (1 - p) = lambda,
// Var(X | X > z) = 1 + z lambda - lambda^2.
TEST(EstimatorErrors, NormalTailStatisticsMatchClosedForms) {
    const int reps = 1000;
    const std::size_t n = 1000;
    const double p = 0.95, z = 1.6448536269514722;
    const double phi = boost::math::pdf(boost::math::normal(), z), lambda = phi / (1 - p);
    const auto e = tail_estimates(reps, n, p, [](random::Stream& s) {
        return std::sqrt(-2.0 * std::log(s.uniform())) * std::cos(6.283185307179586 * s.uniform());
    });
    expect_standard_error(e.quantile, e.quantile_se, std::sqrt(p * (1 - p) / n) / phi, reps);
    const double tail_variance = 1 + z * lambda - lambda * lambda;
    expect_standard_error(e.shortfall, e.shortfall_se, std::sqrt((tail_variance + p * (lambda - z) * (lambda - z)) / (n * (1 - p))), reps);
}

// Exponential(1), a skewed tail: q = ln 20, ES = q + 1, Var(X | X > q) = 1 (memoryless).
TEST(EstimatorErrors, ExponentialTailStatisticsMatchClosedForms) {
    const int reps = 1000;
    const std::size_t n = 1000;
    const double p = 0.95;
    const auto e = tail_estimates(reps, n, p, [](random::Stream& s) { return -std::log(s.uniform()); });
    expect_standard_error(e.quantile, e.quantile_se, std::sqrt(p * (1 - p) / n) / (1 - p), reps);
    expect_standard_error(e.shortfall, e.shortfall_se, std::sqrt((1.0 + p) / (n * (1 - p))), reps);
    // Too few values for the bracketing ranks or the tail: no standard error, not a guess.
    const std::vector<double> few = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_TRUE(std::isnan(stats::quantile_standard_error(few, 0.95)));
    EXPECT_TRUE(std::isnan(stats::expected_shortfall_standard_error(few, 0.95, stats::Tail::upper)));
    EXPECT_FALSE(std::isnan(stats::quantile_standard_error(few, 0.5)));
}

TEST(RiskMeasures, SpreadOfHugeValuesIsFinite) {
    // Values near 1e200 (a valid but extreme cost model): their squares overflow a double, and
    // the sd was reported as infinite. The sample {1, 2, 3} x 1e200 has sd exactly 1e200.
    const std::vector<double> v = {1e200, 2e200, 3e200};
    const auto s = stats::summarize(v);
    EXPECT_NEAR(s.sd, 1e200, 1e-15 * 1e200);
    EXPECT_NEAR(s.standard_error, 1e200 / std::sqrt(3.0), 1e-15 * 1e200);
    EXPECT_DOUBLE_EQ(s.mean, 2e200);
    // Values of ordinary size keep the unscaled computation, bit for bit.
    const std::vector<double> w = {1.0, 2.0, 3.0};
    EXPECT_EQ(stats::summarize(w).sd, 1.0);
}

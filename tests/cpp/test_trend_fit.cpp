// The trend and seasonality fit (stats/trend_fit.hpp): against the closed-form weighted
// regression when there is no seasonality, and by simulation: with log-normal noise of
// known variance the estimates are unbiased and their t intervals cover the truth at
// their nominal rate.
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/stats/trend_fit.hpp"
#include "test_helpers.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using apmsim::stats::fit_trend;

namespace {

constexpr double true_slope = 0.005;  // 6.2% a year
const double true_season[12] = {1.08, 1.05, 1.02, 0.98, 0.97, 0.95, 0.93, 0.95, 0.99, 1.01, 1.03, 1.04};

struct History {
    std::vector<double> pmpm, member_months;
};

/// 36 months from `first_month` of log PMPM = log 4000 + b t + log season + N(0, sigma^2 / w).
History simulated(std::uint64_t seed, int first_month, double sigma = 0.8) {
    History h;
    apmsim::random::Stream s(seed, 0, 0, 0);
    double season_mean = 0.0;
    for (double f : true_season) season_mean += f / 12.0;
    for (int t = 0; t < 36; ++t) {
        const double w = 600.0 + 10.0 * t;  // a growing program
        const double season = true_season[(first_month - 1 + t) % 12] / season_mean;
        const double noise = sigma / std::sqrt(w) * apmsim::random::standard_normal_quantile(s.uniform());
        h.pmpm.push_back(4000.0 * std::exp(true_slope * t + noise) * season);
        h.member_months.push_back(w);
    }
    return h;
}

}  // namespace

TEST(TrendFit, WithoutSeasonalityItIsTheWeightedRegressionOfLogPmpmOnTime) {
    const History h = simulated(3, 1);
    const auto fit = fit_trend(h.pmpm, h.member_months, 1, false);
    double sw = 0, st = 0, sy = 0;
    for (std::size_t t = 0; t < h.pmpm.size(); ++t) sw += h.member_months[t], st += h.member_months[t] * t, sy += h.member_months[t] * std::log(h.pmpm[t]);
    double stt = 0, sty = 0;
    for (std::size_t t = 0; t < h.pmpm.size(); ++t) {
        const double dt = t - st / sw;
        stt += h.member_months[t] * dt * dt, sty += h.member_months[t] * dt * (std::log(h.pmpm[t]) - sy / sw);
    }
    const double slope = sty / stt;
    double rss = 0;
    for (std::size_t t = 0; t < h.pmpm.size(); ++t) {
        const double r = std::log(h.pmpm[t]) - (sy / sw + slope * (t - st / sw));
        rss += h.member_months[t] * r * r;
    }
    EXPECT_NEAR(fit.monthly_log_slope, slope, 1e-12);
    EXPECT_NEAR(fit.monthly_log_slope_se, std::sqrt(rss / (h.pmpm.size() - 2) / stt), 1e-12);
    EXPECT_NEAR(fit.annual_trend, std::expm1(12 * slope), 1e-12);
    for (double f : fit.seasonality) EXPECT_EQ(f, 1.0);
}

TEST(TrendFit, UnbiasedWithIntervalsThatCoverAtTheirRate) {
    // 400 histories starting in March: the mean slope within 4 standard errors of the
    // truth, and the 95% t intervals covering it 95% +- 4 binomial standard errors.
    const int histories = 400;
    double sum = 0, sum2 = 0, covered = 0;
    double season_mean[12] = {};
    for (int k = 0; k < histories; ++k) {
        const History h = simulated(100 + k, 3);
        const auto fit = fit_trend(h.pmpm, h.member_months, 3);
        ASSERT_EQ(fit.degrees_of_freedom, 36 - 13);
        const double t = boost::math::quantile(boost::math::students_t(fit.degrees_of_freedom), 0.975);
        covered += std::fabs(fit.monthly_log_slope - true_slope) <= t * fit.monthly_log_slope_se ? 1 : 0;
        sum += fit.monthly_log_slope, sum2 += fit.monthly_log_slope * fit.monthly_log_slope;
        for (int m = 0; m < 12; ++m) season_mean[m] += fit.seasonality[m] / histories;
    }
    const double mean = sum / histories, sd = std::sqrt(sum2 / histories - mean * mean);
    EXPECT_NEAR(mean, true_slope, 4 * sd / std::sqrt(histories));
    EXPECT_NEAR(covered / histories, 0.95, 4 * std::sqrt(0.95 * 0.05 / histories));
    double truth_mean = 0.0;
    for (double f : true_season) truth_mean += f / 12.0;
    for (int m = 0; m < 12; ++m) EXPECT_NEAR(season_mean[m], true_season[m] / truth_mean, 0.005) << "month " << m + 1;
}

TEST(TrendFit, BadHistoriesNameTheArgument) {
    const History h = simulated(1, 1);
    std::vector<double> short_pmpm(h.pmpm.begin(), h.pmpm.begin() + 20), short_mm(h.member_months.begin(), h.member_months.begin() + 20);
    expect_invalid([&] { (void)fit_trend(short_pmpm, short_mm); }, "pmpm");  // seasonality needs 24 months
    (void)fit_trend(short_pmpm, short_mm, 1, false);
    std::vector<double> bad = h.pmpm;
    bad[7] = 0.0;
    expect_invalid([&] { (void)fit_trend(bad, h.member_months); }, "pmpm[7]");
    std::vector<double> mm = h.member_months;
    mm[2] = -1.0;
    expect_invalid([&] { (void)fit_trend(h.pmpm, mm); }, "member_months[2]");
    expect_invalid([&] { (void)fit_trend(h.pmpm, short_mm); }, "member_months");
    expect_invalid([&] { (void)fit_trend(h.pmpm, h.member_months, 13); }, "first_month");
}

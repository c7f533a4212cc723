// Small-population analytics: the MSSP size table, the confidence-interval MSR and its
// inverse, power / members needed, error rates and expected payouts, each against a
// published figure, a closed form, numerical integration or a Philox simulation.
#include "test_helpers.hpp"
#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/analytics/size_analytics.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <boost/math/distributions/normal.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace apmsim;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();


double boost_quantile(double p) { return boost::math::quantile(boost::math::normal(), p); }

/// Pool mean costs relative to the benchmark: the sum of n iid Gamma(k, theta) members is
/// exactly Gamma(n k, theta), so one draw per pool gives the pool mean without the normal
/// approximation (it keeps the skewness 2 c / sqrt(n)). Member cost CV c, mean (1 - s).
std::vector<double> simulated_savings_rates(double members, double cv, double saving, std::uint32_t pools,
                                            std::uint64_t seed) {
    const double k = 1.0 / (cv * cv), theta = (1.0 - saving) * cv * cv;
    std::vector<double> r(pools);
    for (std::uint32_t t = 0; t < pools; ++t) {
        random::Stream s(seed, t, 0, random::variable_id(random::StreamKind::user, 0, 1));
        const double pool_mean = random::standard_gamma(members * k, s) * theta / members;
        r[t] = 1.0 - pool_mean;
    }
    return r;
}
}  // namespace

// --- MSSP table (42 CFR 425.604(b), shared/DOMAIN.md section 4) -----------------------

TEST(MsspTable, BandEndsAreThePublishedRates) {
    // Each band's low end is exact; each band's high end equals the next band's low end.
    const std::vector<std::pair<double, double>> ends = {{5'000, 0.039},  {6'000, 0.036},  {7'000, 0.034},
                                                         {8'000, 0.032},  {9'000, 0.031},  {10'000, 0.030},
                                                         {15'000, 0.027}, {20'000, 0.025}, {50'000, 0.022},
                                                         {60'000, 0.020}};
    for (const auto& [n, msr] : ends) EXPECT_NEAR(mssp_minimum_savings_rate(n), msr, 1e-15) << n;
    EXPECT_DOUBLE_EQ(mssp_minimum_savings_rate(60'000), 0.020);
    EXPECT_DOUBLE_EQ(mssp_minimum_savings_rate(250'000), 0.020);  // flat from 60,000
    EXPECT_DOUBLE_EQ(mssp_minimum_savings_rate(1e9), 0.020);
}

TEST(MsspTable, InterpolatesWithinBands) {
    EXPECT_NEAR(mssp_minimum_savings_rate(7'500), 0.033, 1e-15);  // CMS's worked example
    EXPECT_NEAR(mssp_minimum_savings_rate(5'500), 0.0375, 1e-15);
    EXPECT_NEAR(mssp_minimum_savings_rate(12'500), 0.0285, 1e-15);
    EXPECT_NEAR(mssp_minimum_savings_rate(35'000), 0.0235, 1e-15);
    EXPECT_NEAR(mssp_minimum_savings_rate(55'000), 0.021, 1e-15);
    // Just below a band end: 5,999 is 999/1000 of the way from 3.9% to 3.6%.
    EXPECT_NEAR(mssp_minimum_savings_rate(5'999), 0.039 - 0.003 * 0.999, 1e-15);
    // Monotone non-increasing over the whole table.
    double previous = 1.0;
    for (double n = 5'000; n <= 70'000; n += 250) {
        const double m = mssp_minimum_savings_rate(n);
        EXPECT_LE(m, previous + 1e-16) << n;
        previous = m;
    }
}

TEST(MsspTable, RejectsPoolsBelowTheTable) {
    expect_invalid([] { mssp_minimum_savings_rate(4'999); }, "beneficiaries");
    expect_invalid([] { mssp_minimum_savings_rate(0); }, "beneficiaries");
    expect_invalid([] { mssp_minimum_savings_rate(std::nan("")); }, "beneficiaries");
    expect_invalid([] { mssp_minimum_savings_rate(inf); }, "beneficiaries");
}

// --- Confidence-interval MSR -----------------------------------------------------------

TEST(ConfidenceMsr, ZMatchesBoostNormalQuantile) {
    // Two-sided 90% and one-sided 95% are both Phi^-1(0.95) = 1.6449; AS 241 vs Boost to 1e-14.
    EXPECT_NEAR(confidence_z(0.90, Sides::two), boost_quantile(0.95), 1e-14);
    EXPECT_NEAR(confidence_z(0.95, Sides::one), boost_quantile(0.95), 1e-14);
    EXPECT_NEAR(confidence_z(0.90, Sides::one), boost_quantile(0.90), 1e-14);
    EXPECT_NEAR(confidence_z(0.99, Sides::two), boost_quantile(0.995), 1e-14);
}

TEST(ConfidenceMsr, ReproducesDomainTableAt1676) {
    // DOMAIN section 4: z = 1.645, cv = 1.676 -> 12.3%, 8.7%, 5.0%, 3.9% (published to 0.1%).
    const std::vector<std::pair<double, double>> published = {{500, 0.123}, {1'000, 0.087}, {3'000, 0.050}, {5'000, 0.039}};
    for (const auto& [n, msr] : published) {
        const double m = minimum_savings_rate(n, 1.676, 0.90, Sides::two);
        EXPECT_NEAR(m, msr, 0.0005) << n;  // rounding of the published figure
        EXPECT_NEAR(m, boost_quantile(0.95) * 1.676 / std::sqrt(n), 1e-14);
    }
    // The CI rule at 5,000 agrees with the MSSP table's first band end to the same rounding.
    EXPECT_NEAR(minimum_savings_rate(5'000, 1.676), mssp_minimum_savings_rate(5'000), 0.0005);
}

TEST(ConfidenceMsr, FallsAsOneOverSqrtN) {
    for (double n : {100.0, 733.0, 5'000.0, 40'000.0}) {
        const double m = minimum_savings_rate(n, 1.5);
        EXPECT_NEAR(minimum_savings_rate(4 * n, 1.5), m / 2, 1e-15);
        EXPECT_NEAR(minimum_savings_rate(100 * n, 1.5), m / 10, 1e-15);
        EXPECT_NEAR(m * std::sqrt(n), confidence_z(0.9, Sides::two) * 1.5, 1e-12);
    }
}

TEST(ConfidenceMsr, MembersNeededInvertsIt) {
    for (double n : {50.0, 500.0, 1'234.0, 5'000.0, 1e6})
        for (double cv : {0.5, 1.676, 3.0})
            for (Sides sides : {Sides::one, Sides::two}) {
                const double m = minimum_savings_rate(n, cv, 0.8, sides);
                EXPECT_NEAR(members_for_msr(m, cv, 0.8, sides), n, 1e-10 * n);
            }
    // Published direction: a 3.9% MSR at cv 1.676 needs about 5,000 members.
    EXPECT_NEAR(members_for_msr(0.039, 1.676), 4'998.0, 5.0);
}

TEST(ConfidenceMsr, RejectsBadInput) {
    expect_invalid([] { minimum_savings_rate(0, 1.676); }, "members");
    expect_invalid([] { minimum_savings_rate(-10, 1.676); }, "members");
    expect_invalid([] { minimum_savings_rate(1000, -1); }, "cv");
    expect_invalid([] { minimum_savings_rate(1000, 1.676, 1.5); }, "confidence");
    expect_invalid([] { minimum_savings_rate(1000, 1.676, 0.0); }, "confidence");
    expect_invalid([] { members_for_msr(0.0, 1.676); }, "msr");
    expect_invalid([] { members_for_msr(0.03, std::nan("")); }, "cv");
    expect_invalid([] { sides_from_string("sides", "three"); }, "sides");
}

// --- Power and members needed ----------------------------------------------------------

TEST(Power, MembersNeededMatchesTheClosedFormRoundTrip) {
    // At n = members_to_detect_saving(...), with the MSR set for the false-reward rate,
    // P(reward | no saving) = alpha and P(reward | saving s) = power, computed with the
    // normal cdf (independent of the quantile-based solve). Tolerance 1e-10: AS 241 and
    // erfc are good to ~1e-15.
    for (double s : {0.02, 0.046, 0.10})
        for (double alpha : {0.05, 0.10})
            for (double power : {0.5, 0.8, 0.9}) {
                const double cv = 1.676;
                const double n = members_to_detect_saving(s, cv, alpha, power);
                const double msr = msr_for_false_reward(n, cv, alpha);
                EXPECT_NEAR(reward_probability(n, cv, msr, 0.0), alpha, 1e-10);
                EXPECT_NEAR(reward_probability(n, cv, msr, s), power, 1e-10);
            }
    // Textbook value ((z_a + z_b) c / s)^2 with Boost quantiles, to the (1 - s) factor:
    // s = 4.6%, alpha 5%, power 80%, c = 1.676 -> about 8,100 members.
    const double za = boost_quantile(0.95), zb = boost_quantile(0.80);
    const double exact = std::pow((za + zb * (1 - 0.046)) * 1.676 / 0.046, 2);
    EXPECT_NEAR(members_to_detect_saving(0.046, 1.676, 0.05, 0.80), exact, 1e-9 * exact);
    const double textbook = std::pow((za + zb) * 1.676 / 0.046, 2);
    EXPECT_LT(std::fabs(exact / textbook - 1.0), 0.05);  // the (1 - s) refinement is a few percent
    // The MSR for false reward 5% is the two-sided 90% CI MSR.
    EXPECT_NEAR(msr_for_false_reward(1'000, 1.676, 0.05), minimum_savings_rate(1'000, 1.676, 0.90), 1e-15);
}

TEST(Power, MembersNeededAgreesWithSimulatedPools) {
    // 20,000 simulated pools of n gamma members (exact pool-mean law), n sized for
    // s = 5%, alpha = 5%, power = 80%. Tolerances: 4 binomial standard errors
    // (0.0015 at 5%, 0.0028 at 80%) plus the Cornish-Fisher skewness effect of the
    // normal approximation (skewness 2c/sqrt(n) = 0.041: about 0.0012 at the 5% tail,
    // under 0.001 at 80%): 0.008 and 0.013.
    const double cv = 1.676, s = 0.05, alpha = 0.05, power = 0.80;
    const double n = std::ceil(members_to_detect_saving(s, cv, alpha, power));
    const double msr = msr_for_false_reward(n, cv, alpha);
    const std::uint32_t pools = 20'000;
    auto share_rewarded = [&](const std::vector<double>& r) {
        double k = 0;
        for (double x : r) k += x >= msr;
        return k / static_cast<double>(r.size());
    };
    EXPECT_NEAR(share_rewarded(simulated_savings_rates(n, cv, 0.0, pools, 11)), alpha, 0.008);
    EXPECT_NEAR(share_rewarded(simulated_savings_rates(n, cv, s, pools, 12)), power, 0.013);
}

TEST(Power, RejectsBadInput) {
    expect_invalid([] { members_to_detect_saving(0.0, 1.676); }, "saving");
    expect_invalid([] { members_to_detect_saving(1.0, 1.676); }, "saving");
    expect_invalid([] { members_to_detect_saving(0.05, 0.0); }, "cv");
    expect_invalid([] { members_to_detect_saving(0.05, 1.676, 0.0); }, "false_reward");
    expect_invalid([] { members_to_detect_saving(0.05, 1.676, 0.05, 1.0); }, "power");
    // A power far below the false-reward rate needs no members at all: rejected, not n = 0.
    expect_invalid([] { members_to_detect_saving(0.05, 1.676, 0.6, 0.01); }, "power");
}

// --- Error rates -----------------------------------------------------------------------

TEST(ErrorRates, ClosedFormsAndSymmetry) {
    // Flat true spending: P(R >= m) = 1 - Phi(m sqrt(n) / c), by Boost's complement cdf.
    const double n = 5'000, cv = 1.676, m = 0.039;
    const double expected = boost::math::cdf(boost::math::complement(boost::math::normal(), m * std::sqrt(n) / cv));
    EXPECT_NEAR(false_reward_probability(n, cv, m), expected, 1e-14);
    EXPECT_NEAR(false_penalty_probability(n, cv, m), expected, 1e-14);  // symmetric at s = 0
    // At the CI MSR of a two-sided 90% interval the false-reward rate is 5%.
    EXPECT_NEAR(false_reward_probability(n, cv, minimum_savings_rate(n, cv)), 0.05, 1e-12);
    // With a zero MSR/MLR each error is 50%.
    EXPECT_NEAR(false_reward_probability(n, cv, 0.0), 0.5, 1e-15);
    // A true saving makes rewards likelier and penalties rarer; sd shrinks by (1 - s).
    const double s = 0.03, sd = (1 - s) * cv / std::sqrt(n);
    EXPECT_NEAR(reward_probability(n, cv, m, s), boost::math::cdf(boost::math::normal(), (s - m) / sd), 1e-14);
    EXPECT_NEAR(penalty_probability(n, cv, m, s), boost::math::cdf(boost::math::normal(), (-m - s) / sd), 1e-14);
    EXPECT_NEAR(savings_rate_sd(n, cv, s), sd, 1e-16);
    expect_invalid([] { false_reward_probability(1000, 1.676, 0.03, 0.01); }, "true_saving");
    expect_invalid([] { false_penalty_probability(1000, 1.676, 0.03, -0.01); }, "true_saving");
    expect_invalid([] { reward_probability(1000, 1.676, -0.01); }, "msr");
    expect_invalid([] { reward_probability(1000, 1.676, 0.02, 1.0); }, "true_saving");
}

TEST(ErrorRates, AgreeWithSimulatedPools) {
    // 40,000 gamma pools of 1,000 at a true 2% increase (s = -0.02): false reward at a
    // 3% MSR and penalty at a 2% MLR. 4 binomial SEs (~0.0014 and ~0.0025) plus the
    // skewness effect of the normal approximation (skewness 0.106): 0.01.
    const double n = 1'000, cv = 1.676, s = -0.02;
    const auto r = simulated_savings_rates(n, cv, s, 40'000, 21);
    double reward = 0, penalty = 0;
    for (double x : r) {
        reward += x >= 0.03;
        penalty += x <= -0.02;
    }
    EXPECT_NEAR(reward / r.size(), false_reward_probability(n, cv, 0.03, s), 0.01);
    EXPECT_NEAR(penalty / r.size(), penalty_probability(n, cv, 0.02, s), 0.01);
}

// --- Expected payout -------------------------------------------------------------------

namespace {
/// E[settle(R)] for R ~ N(mu, sd^2) by composite Simpson on [mu - 12 sd, mu + 12 sd],
/// split at the cliffs (MSR, -MLR) and the kinks where caps bind so that every piece is
/// smooth; 20,000 panels per piece give errors far below 1e-9.
double integrate_settlement(double mu, double sd, const PayoutTerms& t) {
    const double a = mu - 12 * sd, b = mu + 12 * sd;
    std::vector<double> cuts = {a, b, t.msr, -t.mlr};
    const double shift = t.first_dollar ? 0.0 : t.msr, lshift = t.first_dollar ? 0.0 : t.mlr;
    if (std::isfinite(t.savings_cap) && t.sharing_rate > 0) cuts.push_back(shift + t.savings_cap / t.sharing_rate);
    if (std::isfinite(t.loss_limit) && t.loss_rate > 0) cuts.push_back(-(lshift + t.loss_limit / t.loss_rate));
    std::vector<double> x;
    for (double c : cuts)
        if (c >= a && c <= b) x.push_back(c);
    std::sort(x.begin(), x.end());
    auto f = [&](double r) {
        const double z = (r - mu) / sd;
        return settle_savings_rate(r, t) * std::exp(-0.5 * z * z) / (sd * std::sqrt(2 * M_PI));
    };
    double total = 0;
    for (std::size_t k = 0; k + 1 < x.size(); ++k) {
        const int panels = 20'000;
        const double lo = x[k], hi = x[k + 1], h = (hi - lo) / panels;
        if (h <= 0) continue;
        // Evaluate just inside the ends so each piece sees its own side of a cliff.
        const double eps = 1e-12 * (1 + std::fabs(lo) + std::fabs(hi));
        double sum = f(lo + eps) + f(hi - eps);
        for (int i = 1; i < panels; ++i) sum += f(lo + i * h) * (i % 2 ? 4.0 : 2.0);
        total += sum * h / 3.0;
    }
    return total;
}
}  // namespace

TEST(ExpectedPayout, MatchesNumericalIntegration) {
    // Closed form vs piecewise Simpson integration of the settlement function;
    // tolerance 1e-9 of the benchmark (integration error, see above).
    PayoutTerms one_sided;  // Track-1-like: MSR 3.9%, 50%, cap 10%
    one_sided.msr = 0.039;
    one_sided.sharing_rate = 0.5;
    one_sided.savings_cap = 0.10;
    PayoutTerms tight_cap = one_sided;  // a cap that binds often
    tight_cap.savings_cap = 0.02;
    PayoutTerms two_sided;  // ENHANCED-like: 75% / 40-75% loss share, 2% MSR/MLR
    two_sided.msr = 0.02;
    two_sided.sharing_rate = 0.75;
    two_sided.savings_cap = 0.20;
    two_sided.mlr = 0.02;
    two_sided.loss_rate = 0.6;
    two_sided.loss_limit = 0.05;
    PayoutTerms net_of_msr = two_sided;
    net_of_msr.first_dollar = false;
    PayoutTerms uncapped;
    uncapped.msr = 0.0;
    uncapped.sharing_rate = 1.0;
    for (const auto& t : {one_sided, tight_cap, two_sided, net_of_msr, uncapped})
        for (double n : {500.0, 5'000.0})
            for (double s : {-0.03, 0.0, 0.046}) {
                const auto p = expected_payout(n, 1.676, t, s);
                const double sd = savings_rate_sd(n, 1.676, s);
                EXPECT_NEAR(p.expected_payout, integrate_settlement(s, sd, t), 1e-9) << n << " " << s;
                EXPECT_NEAR(p.expected_payout, p.expected_reward - p.expected_penalty, 1e-16);
                EXPECT_NEAR(p.p_reward, reward_probability(n, 1.676, t.msr, s), 1e-15);
                if (t.loss_rate > 0) {
                    EXPECT_NEAR(p.p_penalty, penalty_probability(n, 1.676, t.mlr, s), 1e-15);
                } else {
                    EXPECT_EQ(p.p_penalty, 0.0);
                }
            }
    // Uncapped 100% first-dollar sharing from MSR 0 is E[R+] = sd phi(mu/sd) + mu Phi(mu/sd).
    const double sd = savings_rate_sd(1'000, 1.676, 0.0);
    EXPECT_NEAR(expected_payout(1'000, 1.676, uncapped).expected_payout, sd / std::sqrt(2 * M_PI), 1e-15);
}

TEST(ExpectedPayout, AgreesWithSimulatedPools) {
    // 40,000 gamma pools (exact pool-mean law) of 2,000 with a true 4.6% saving under
    // the two-sided terms; Monte Carlo mean within 4 standard errors plus 2e-4 for the
    // skewness the normal approximation ignores (skewness 0.075).
    PayoutTerms t;
    t.msr = 0.02;
    t.sharing_rate = 0.75;
    t.savings_cap = 0.05;
    t.mlr = 0.02;
    t.loss_rate = 0.6;
    t.loss_limit = 0.05;
    const double n = 2'000, cv = 1.676, s = 0.046;
    const auto r = simulated_savings_rates(n, cv, s, 40'000, 31);
    double sum = 0, sum2 = 0;
    for (double x : r) {
        const double v = settle_savings_rate(x, t);
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / r.size(), se = std::sqrt((sum2 / r.size() - mean * mean) / r.size());
    EXPECT_NEAR(mean, expected_payout(n, cv, t, s).expected_payout, 4 * se + 2e-4);
}

TEST(ExpectedPayout, RejectsBadTerms) {
    PayoutTerms t;
    t.sharing_rate = 1.5;
    expect_invalid([&] { expected_payout(1000, 1.676, t); }, "sharing_rate");
    t = {};
    t.savings_cap = 0.0;
    expect_invalid([&] { expected_payout(1000, 1.676, t); }, "savings_cap");
    t = {};
    t.msr = -0.01;
    expect_invalid([&] { expected_payout(1000, 1.676, t); }, "msr");
    t = {};
    t.loss_rate = -0.1;
    expect_invalid([&] { expected_payout(1000, 1.676, t); }, "loss_rate");
    expect_invalid([] { expected_payout(0, 1.676, PayoutTerms{}); }, "members");
}

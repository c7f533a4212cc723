// The exact distribution of a pool's annual cost (exact/pool_distribution.hpp) and the
// error rates computed from it (exact/pool_error_rates.hpp): against the single-model
// aggregate, against closed-form convolution identities, against the Monte Carlo engine,
// and the rejection of common shocks.
#include "test_helpers.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/exact/exact.hpp"
#include "apmsim/population/analytic_moments.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

using namespace apmsim;

namespace {


double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    EXPECT_EQ(a.size(), b.size());
    double d = 0.0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

/// What the lattice mean may lose to the mass it does not hold: E[S; S > U] / E[S]
/// = missing x (U + e(U)) / E[S], e(U) the mean excess beyond U; for the lognormal tails
/// here e(U) < U, so missing x 2U / E[S] bounds it (plus rounding).
double mean_bound(const AggregateDistribution& d) {
    return d.diagnostics().missing_mass * 2.0 * (d.step() * (d.nodes() - 1)) / d.analytic_moments().mean + 1e-10;
}

/// A one-year scenario with the given members per tier of a two-tier, two-category model.
Scenario small_scenario(std::size_t a_members, std::size_t b_members) {
    Scenario s;
    s.cost_model.tiers = {"A", "B"};
    s.cost_model.categories = {"inpatient", "visits"};
    s.cost_model.cells = {
        {Poisson(0.8), Lognormal::from_mean_cv(20000.0, 1.5)}, {NegativeBinomial(6.0, 2.0), Gamma::from_mean_cv(300.0, 1.0)},
        {Poisson(0.3), Lognormal::from_mean_cv(15000.0, 1.5)}, {NegativeBinomial(3.0, 2.0), Gamma::from_mean_cv(250.0, 1.0)},
    };
    Population& p = s.population;
    const std::size_t n = a_members + b_members;
    for (std::size_t i = 0; i < n; ++i) {
        p.id.push_back(static_cast<std::int64_t>(i));
        p.tier.push_back(i < a_members ? 0 : 1);
        p.age_band.push_back("0-17");
        p.sex.push_back("U");
        p.risk_score.push_back(1.0);
        p.months.push_back(12);
    }
    p.years = 1;
    return s;
}

PoolOptions on_lattice(double step, std::size_t nodes) {
    PoolOptions o;
    o.step = step;
    o.nodes = nodes;
    return o;
}

TEST(PoolDistribution, OneMemberOneCategoryIsTheSingleAggregate) {
    // A pool of one member with one category is aggregate(frequency, severity) by FFT on
    // the same lattice and discretisation: identical up to FFT round-off.
    Scenario s = small_scenario(1, 0);
    s.cost_model.tiers = {"A"};
    s.cost_model.categories = {"inpatient"};
    s.cost_model.cells = {{Poisson(0.8), Lognormal::from_mean_cv(20000.0, 1.5)}};
    const PoolDistribution pool = pool_distribution(s, on_lattice(100.0, 8192));
    AggregateOptions o;
    o.method = AggregateMethod::fft;
    o.step = 100.0;
    o.nodes = 8192;
    o.discretization = Discretization::unbiased;
    const auto single = aggregate(Poisson(0.8), Lognormal::from_mean_cv(20000.0, 1.5), o);
    EXPECT_LT(max_abs_difference(pool.total.cdf_values(), single.cdf_values()), 1e-13);
    EXPECT_NEAR(pool.total.analytic_moments().mean, 16000.0, 1e-9);  // exposure = 12 x (1/12), as the engine sums it
}

TEST(PoolDistribution, MembersOfATierConvolveLikeTheSummedCount) {
    // 40 members with Poisson(0.8) claims each = one compound Poisson(32): the pool's
    // product of transforms against Panjer on the summed count (1e-10 in cdf).
    Scenario s = small_scenario(40, 0);
    s.cost_model.tiers = {"A"};
    s.cost_model.categories = {"inpatient"};
    s.cost_model.cells = {{Poisson(0.8), Lognormal::from_mean_cv(20000.0, 1.5)}};
    const PoolDistribution pool = pool_distribution(s, on_lattice(250.0, 16384));
    AggregateOptions o;
    o.step = 250.0;
    o.nodes = 16384;
    o.discretization = Discretization::unbiased;
    const auto panjer = aggregate(Poisson(32.0), Lognormal::from_mean_cv(20000.0, 1.5), o);
    EXPECT_LT(max_abs_difference(pool.total.cdf_values(), panjer.cdf_values()), 1e-10);
    ASSERT_EQ(pool.tiers.size(), 1u);
    EXPECT_EQ(pool.members_by_tier[0], 40u);
}

TEST(PoolDistribution, TiersConvolveToTheTotal) {
    // The total is the convolution of the tier distributions (checked directly on the
    // lattice, 1e-10), and its analytic moments are the sums of the tiers'.
    const Scenario s = small_scenario(30, 50);
    const PoolDistribution pool = pool_distribution(s, on_lattice(1000.0, 16384));
    ASSERT_EQ(pool.tiers.size(), 2u);
    std::vector<double> conv(16384, 0.0);
    const auto& a = pool.tiers[0].pmf();
    const auto& b = pool.tiers[1].pmf();
    for (std::size_t i = 0; i < 16384; ++i)
        for (std::size_t j = 0; i + j < 16384; ++j) conv[i + j] += a[i] * b[j];
    EXPECT_LT(max_abs_difference(conv, pool.total.pmf()), 1e-10);
    EXPECT_NEAR(pool.total.analytic_moments().mean,
                pool.tiers[0].analytic_moments().mean + pool.tiers[1].analytic_moments().mean, 1e-6);
    // The analytic member-year moments agree with the engine's closed form (analytic_moments.hpp).
    const MemberYearMoments ma = member_year_moments(s.cost_model, 0), mb = member_year_moments(s.cost_model, 1);
    EXPECT_NEAR(pool.total.analytic_moments().mean / (30 * ma.mean + 50 * mb.mean), 1.0, 1e-12);
    EXPECT_NEAR(pool.total.analytic_moments().variance / (30 * ma.variance + 50 * mb.variance), 1.0, 1e-12);
    EXPECT_LT(std::fabs(pool.total.moment_errors().mean_relative), mean_bound(pool.total));
}

TEST(PoolDistribution, AgreesWithTheMonteCarloEngine) {
    // The bundled CMC program (DOMAIN section 2) with 300 members, one year, frailty 0 and
    // no trend; a third of the members eligible for 7 months and a seasonal pattern on
    // inpatient, to exercise partial exposure. 4,000 engine trials (seed 7).
    // Tolerances: Kolmogorov-Smirnov, P(sqrt(n) D > 1.95) = 0.001, so D < 1.95/sqrt(4000)
    // = 0.031; quantiles within the 4-sigma binomial band of order statistics; the mean
    // within 4 standard errors.
    Scenario s = Scenario::default_cmc_program(300, 1);
    s.cost_model.frailty_cv = 0.0;
    s.cost_model.trend = {0.0, 0.0};
    for (std::size_t i = 0; i < 300; i += 3) s.population.months[i] = 7;
    s.cost_model.seasonality.assign(s.cost_model.category_count(), std::array<double, 12>{});
    for (auto& row : s.cost_model.seasonality) row.fill(1.0);
    s.cost_model.seasonality[0] = {1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.8, 0.9, 1.0, 0.9};
    const PoolDistribution pool = pool_distribution(s);
    EXPECT_LT(pool.total.diagnostics().missing_mass, 1e-6);
    EXPECT_LT(std::fabs(pool.total.moment_errors().mean_relative), 1e-6);

    SimulationOptions o;
    o.trials = 4000;
    o.seed = 7;
    o.threads = 2;
    const SimulationResults r = simulate(s, o);
    const SampleMatrix m = r.samples("total_cost", "baseline");
    std::vector<double> x(m.data(), m.data() + m.size());
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    double ks = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = pool.total.cdf(x[i]);
        ks = std::max({ks, std::fabs(f - (i + 1) / n), std::fabs(f - i / n)});
    }
    EXPECT_LT(ks, 1.95 / std::sqrt(n) + 0.002);  // + the lattice step's share of a cdf (h ~ 300, sd ~ 1e6)
    for (double q : {0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
        const double rank = n * q, w = 4.0 * std::sqrt(n * q * (1 - q));
        EXPECT_GE(pool.total.quantile(q), x[static_cast<std::size_t>(std::max(0.0, rank - w))] - pool.total.step()) << q;
        EXPECT_LE(pool.total.quantile(q), x[std::min<std::size_t>(x.size() - 1, static_cast<std::size_t>(rank + w))] +
                                              pool.total.step())
            << q;
    }
    const double mc_mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
    EXPECT_LT(std::fabs(mc_mean - pool.total.moments().mean), 4.0 * std::sqrt(pool.total.moments().variance / n));
    std::printf("[ measured ] pool of 300: KS distance exact vs engine %.4f (bound %.4f); mean %.0f exact, %.0f engine\n", ks,
                1.95 / std::sqrt(n), pool.total.moments().mean, mc_mean);
}

TEST(PoolDistribution, InterventionArmAndTrendAreDeterministicScalings) {
    // A deterministic effect -10% on a Poisson category = Poisson with 0.9 of the mean;
    // a trend of 5% (sd 0) multiplies year-2 costs by 1.05^2: checked through the means.
    Scenario s = small_scenario(20, 20);
    s.population.years = 2;
    s.population.months.assign(80, 12);
    s.cost_model.trend = {0.05, 0.0};
    Intervention iv;
    iv.name = "program";
    iv.effects = {{"inpatient", -0.10, 0.0, ""}};
    s.intervention = iv;
    PoolOptions o;
    o.year = 2;
    const auto base = pool_distribution(s, o);
    o.arm = "intervention";
    const auto treated = pool_distribution(s, o);
    const double inpatient = 20 * 0.8 * 20000.0 + 20 * 0.3 * 15000.0;
    const double visits = 20 * 6.0 * 300.0 + 20 * 3.0 * 250.0;
    EXPECT_NEAR(base.total.analytic_moments().mean, 1.05 * 1.05 * (inpatient + visits), 1e-6);
    EXPECT_NEAR(treated.total.analytic_moments().mean, 1.05 * 1.05 * (0.9 * inpatient + visits), 1e-6);
    EXPECT_LT(std::fabs(treated.total.moment_errors().mean_relative), mean_bound(treated.total));
    EXPECT_LT(std::fabs(base.total.moment_errors().mean_relative), mean_bound(base.total));
}

TEST(PoolDistribution, TierTransitionsMixTheTiers) {
    // With transitions, year 2's member is a mixture of tiers: the pool mean is the
    // transition-weighted mean (independent arithmetic here), the lattice agrees with it.
    Scenario s = small_scenario(10, 10);
    s.population.years = 2;
    s.population.months.assign(40, 12);
    s.cost_model.tier_transition = Eigen::MatrixXd(2, 2);
    s.cost_model.tier_transition << 0.7, 0.3, 0.2, 0.8;
    PoolOptions o;
    o.year = 2;
    const auto pool = pool_distribution(s, o);
    const double ma = 0.8 * 20000.0 + 6.0 * 300.0, mb = 0.3 * 15000.0 + 3.0 * 250.0;
    EXPECT_NEAR(pool.total.analytic_moments().mean, 10 * (0.7 * ma + 0.3 * mb) + 10 * (0.2 * ma + 0.8 * mb), 1e-6);
    EXPECT_LT(std::fabs(pool.total.moment_errors().mean_relative), mean_bound(pool.total));
    EXPECT_TRUE(pool.tiers.empty());
}

TEST(PoolDistribution, RejectsCommonShocks) {
    Scenario s = small_scenario(5, 5);
    s.cost_model.frailty_cv = 0.5;
    expect_invalid([&] { return pool_distribution(s); }, "cost_model.frailty_cv");
    s = small_scenario(5, 5);
    s.cost_model.trend = {0.04, 0.01};
    expect_invalid([&] { return pool_distribution(s); }, "cost_model.trend.sd");
    s = small_scenario(5, 5);
    s.cost_model.copula_correlation = Eigen::MatrixXd::Identity(2, 2);
    s.cost_model.copula_correlation(0, 1) = s.cost_model.copula_correlation(1, 0) = 0.3;
    expect_invalid([&] { return pool_distribution(s); }, "cost_model.copula");
    s = small_scenario(5, 5);
    Intervention iv;
    iv.name = "program";
    iv.effects = {{"inpatient", -0.077, 0.031, ""}};
    s.intervention = iv;
    PoolOptions o;
    o.arm = "intervention";
    expect_invalid([&] { return pool_distribution(s, o); }, "intervention.effects.inpatient.sd");
    EXPECT_NO_THROW((void)pool_distribution(s));  // the baseline arm does not see the effect
    o = {};
    o.year = 2;
    expect_invalid([&] { return pool_distribution(s, o); }, "year");
    o = {};
    o.arm = "treated";
    expect_invalid([&] { return pool_distribution(s, o); }, "arm");
    o = {};
    o.step = 1.0;
    o.nodes = 10;
    o.upper = 100.0;
    expect_invalid([&] { return pool_distribution(s, o); }, "upper");
}

TEST(PoolErrorRates, MatchTheirDefinitionsOnTheLattice) {
    // Recomputed from the pmf by definition: P(S <= B(1-msr)), P(S >= B(1+mlr)) and the
    // capped first-dollar payout, with B = E[S] (no true saving).
    const Scenario s = small_scenario(100, 100);
    const auto pool = pool_distribution(s, on_lattice(1000.0, 16384));
    const auto& d = pool.total;
    const double b = d.analytic_moments().mean, h = d.step();
    const auto& g = d.pmf();
    for (double msr : {0.0, 0.02, 0.05, 0.10}) {
        // Mass beyond the lattice is above B (1 + mlr): it counts as a penalty.
        double reward = 0.0, penalty = d.diagnostics().missing_mass, payout = 0.0, capped = 0.0;
        for (std::size_t j = 0; j < g.size(); ++j) {
            const double x = h * j;
            if (x <= b * (1 - msr)) {
                reward += g[j];
                payout += 0.5 * (b - x) * g[j];
                capped += 0.5 * std::min(b - x, 0.08 * b) * g[j];
            }
            if (x >= b * (1 + msr)) penalty += g[j];
        }
        EXPECT_NEAR(false_reward_probability(d, msr), reward, 1e-12);
        EXPECT_NEAR(false_penalty_probability(d, msr), penalty, 1e-9);
        EXPECT_NEAR(expected_shared_savings(d, 0.5, msr), payout, 1e-9 * b);
        EXPECT_NEAR(expected_shared_savings(d, 0.5, msr, std::nullopt, 0.08), capped, 1e-9 * b);
    }
    // Larger MSRs lower the false-reward probability; about half the mass is below the mean.
    EXPECT_GT(false_reward_probability(d, 0.0), 0.45);
    EXPECT_LT(false_reward_probability(d, 0.10), false_reward_probability(d, 0.02));
    expect_invalid([&] { return false_reward_probability(d, -0.1); }, "msr");
    expect_invalid([&] { return false_penalty_probability(d, -0.1); }, "mlr");
    expect_invalid([&] { return expected_shared_savings(d, 1.5, 0.02); }, "sharing_rate");
    expect_invalid([&] { return false_reward_probability(d, 0.02, -5.0); }, "benchmark");
}

}  // namespace

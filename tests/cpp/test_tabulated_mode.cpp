// The engine's tabulated mode (SimulationOptions::mode): counts exactly as in exact mode,
// each member-year-category's sum of severities from exact/severity_sum_table.hpp.
// Checked against closed forms (means and variances per tier), against exact mode on the
// same seed (events bit for bit; large member-years, what specific stop-loss pays), and
// for reproducibility (threads, instruction sets, trial ranges).
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/population/synthetic.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/simulation/trial_ranges.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace apmsim;

namespace {

SimulationOptions options(std::uint64_t trials, SimulationMode mode, unsigned threads = 2, bool detail = false) {
    SimulationOptions o;
    o.trials = trials;
    o.seed = 4242;
    o.threads = threads;
    o.member_detail = detail;
    o.mode = mode;
    return o;
}

/// The default program's cost model, one year, no trend or program: costs are the cells'.
Scenario plain(std::size_t members) {
    Scenario s = Scenario::default_cmc_program(members, 1, false);
    s.cost_model.trend = Trend{0.0, 0.0};
    s.intervention.reset();
    return s;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

// Mean cost of a member-year per tier against the closed form (analytic_moments.hpp,
// frailty and dispersion included), 4 standard errors: the tables' mean error (1e-4 at
// most) is far below the sampling error of 200,000 member-years.
TEST(TabulatedMode, MemberYearMeansMatchTheClosedForm) {
    const Scenario s = plain(400);
    const SimulationResults r = simulate(s, options(500, SimulationMode::tabulated, 2, true));
    EXPECT_EQ(r.mode, SimulationMode::tabulated);
    for (std::size_t t = 0; t < 3; ++t) {
        double n = 0, sum = 0;
        for (std::uint64_t trial = 0; trial < r.trials; ++trial)
            for (std::size_t i = 0; i < s.population.size(); ++i)
                if (s.population.tier[i] == t) {
                    n += 1;
                    sum += r.member_costs[trial * s.population.size() + i];
                }
        const MemberYearMoments cf = member_year_moments(s.cost_model, t);
        EXPECT_NEAR(sum / n, cf.mean, 4 * std::sqrt(cf.variance / n)) << "tier " << s.cost_model.tiers[t];
    }
}

// A light-tailed compound Poisson(20) x Gamma(2, 100), whose counts need a chunk of 16 and a
// rest: the sample mean and variance of 200,000 member-years against the closed form,
// 4 standard errors (the variance's from the cumulants k_j = lambda E[X^j]).
TEST(TabulatedMode, CompoundPoissonGammaMomentsMatchTheClosedForm) {
    Scenario s;
    s.name = "simple";
    s.cost_model.tiers = {"all"};
    s.cost_model.categories = {"claims"};
    s.cost_model.cells.push_back({Frequency{Poisson(20.0)}, Severity{Gamma(2.0, 100.0)}});
    s.population = synthetic_population(1000, {1.0}, 1, {1.0});
    const SimulationResults r = simulate(s, options(200, SimulationMode::tabulated, 2, true));
    const double n = static_cast<double>(r.member_costs.size());
    double m = 0, v = 0;
    for (double c : r.member_costs) m += c;
    m /= n;
    for (double c : r.member_costs) v += (c - m) * (c - m);
    v /= n - 1;
    const double lambda = 20.0, x1 = 200.0, x2 = 100.0 * 100.0 * 2 * 3, x4 = 1e8 * 2 * 3 * 4 * 5;  // E[X^k] = theta^k (a)_k
    const double k2 = lambda * x2, k4 = lambda * x4;
    EXPECT_NEAR(m, lambda * x1, 4 * std::sqrt(k2 / n));
    EXPECT_NEAR(v, k2, 4 * std::sqrt((k4 + 2 * k2 * k2) / n));  // Var(sample variance) ~ (mu4 - sigma^4)/n, mu4 = k4 + 3 k2^2
}

// Counts are exact mode's, bit for bit (the same uniforms, the same inversion); only the
// sums of severities are drawn otherwise, so the costs differ.
TEST(TabulatedMode, EventsAreExactModesBitForBit) {
    const Scenario s = Scenario::default_cmc_program(150, 3);  // trend, program, three years
    const SimulationResults exact = simulate(s, options(20, SimulationMode::exact));
    const SimulationResults tabulated = simulate(s, options(20, SimulationMode::tabulated));
    ASSERT_EQ(exact.arms.size(), 2u);
    for (std::size_t a = 0; a < 2; ++a) {
        EXPECT_TRUE(same_bits(exact.arms[a].events, tabulated.arms[a].events)) << exact.arms[a].name;
        EXPECT_TRUE(same_bits(exact.arms[a].member_months, tabulated.arms[a].member_months));
        EXPECT_FALSE(same_bits(exact.arms[a].cost, tabulated.arms[a].cost));
    }
}

// The member-years above a specific stop-loss attachment ($250,000) and their mean excess:
// tabulated mode against exact mode on 300,000 member-years each. Tolerance: 4 standard
// errors of the difference of two independent estimates (the severity sums do not share
// uniforms), from the samples themselves (the excesses are few and their own spread is
// what matters).
TEST(TabulatedMode, LargeMemberYearsAsInExactMode) {
    const Scenario s = plain(1000);
    constexpr double attachment = 250000.0;
    auto excess = [&](SimulationMode mode, double& share, double& share_se, double& mean_excess, double& excess_se) {
        const SimulationResults r = simulate(s, options(300, mode, 2, true));
        double n = 0, k = 0, e1 = 0, e2 = 0;
        for (double c : r.member_costs) {
            n += 1;
            const double x = std::max(0.0, c - attachment);
            k += x > 0 ? 1 : 0;
            e1 += x;
            e2 += x * x;
        }
        share = k / n;
        share_se = std::sqrt(share * (1 - share) / n);
        mean_excess = e1 / n;
        excess_se = std::sqrt((e2 / n - mean_excess * mean_excess) / n);
    };
    double p0, sp0, e0, se0, p1, sp1, e1, se1;
    excess(SimulationMode::exact, p0, sp0, e0, se0);
    excess(SimulationMode::tabulated, p1, sp1, e1, se1);
    std::printf("  above $250k: exact %.5f, tabulated %.5f; mean excess per member-year %.1f vs %.1f\n", p0, p1, e0, e1);
    EXPECT_GT(p0, 0.005);  // enough of them to compare
    EXPECT_NEAR(p1, p0, 4 * std::hypot(sp0, sp1));
    EXPECT_NEAR(e1, e0, 4 * std::hypot(se0, se1));
}

TEST(TabulatedMode, BitIdenticalAcrossThreadsInstructionSetsAndTrialRanges) {
    const Scenario s = Scenario::default_cmc_program(120, 3);
    const SimulationResults one = simulate(s, options(12, SimulationMode::tabulated, 1, true));
    const std::string before = random::kernel_target();
    for (const std::string& target : random::kernel_targets()) {
        random::use_kernel_target(target);
        SCOPED_TRACE(target);
        for (unsigned threads : {2u, 3u}) {
            const SimulationResults other = simulate(s, options(12, SimulationMode::tabulated, threads, true));
            for (std::size_t a = 0; a < 2; ++a) EXPECT_TRUE(same_bits(one.arms[a].cost, other.arms[a].cost));
            EXPECT_TRUE(same_bits(one.member_costs, other.member_costs));
        }
    }
    random::use_kernel_target(before);
    SimulationOptions first = options(5, SimulationMode::tabulated, 2, true), second = first;
    second.trials = 7;
    second.trial_begin = 5;
    const std::vector<SimulationResults> parts{simulate(s, first), simulate(s, second)};
    const SimulationResults merged = merge_trial_ranges(parts);
    EXPECT_EQ(merged.mode, SimulationMode::tabulated);
    for (std::size_t a = 0; a < 2; ++a) EXPECT_TRUE(same_bits(one.arms[a].cost, merged.arms[a].cost));
    EXPECT_TRUE(same_bits(one.member_costs, merged.member_costs));

    // Parts of another mode are not parts of the same run.
    const std::vector<SimulationResults> mixed{simulate(s, first), simulate(s, [&] {
                                                   SimulationOptions o = second;
                                                   o.mode = SimulationMode::exact;
                                                   return o;
                                               }())};
    try {
        (void)merge_trial_ranges(mixed);
        FAIL() << "parts of two modes were merged";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("mode"), std::string::npos) << e.what();
    }
}

TEST(TabulatedMode, NamedInSettingsAndRefusedForAnInfiniteVariance) {
    Json j = scenario_to_json(Scenario::default_cmc_program(10, 1));
    EXPECT_FALSE(j["settings"].contains("mode"));  // exact: the default, files as before
    j["settings"]["mode"] = "tabulated";
    const Scenario s = scenario_from_json(j);
    EXPECT_EQ(s.settings.mode, SimulationMode::tabulated);
    EXPECT_EQ(scenario_to_json(s)["settings"]["mode"], "tabulated");
    j["settings"]["mode"] = "fast";
    try {
        (void)scenario_from_json(j);
        FAIL() << "mode \"fast\" was accepted";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("settings.mode"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("tabulated"), std::string::npos) << e.what();
    }

    Scenario heavy = plain(10);
    heavy.cost_model.cells[0].severity = Pareto(1.9, 20000.0);  // infinite variance
    try {
        (void)simulate(heavy, options(2, SimulationMode::tabulated));
        FAIL() << "an infinite-variance severity was tabulated";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("cost_model.cells.inpatient.A.severity"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW((void)simulate(heavy, options(2, SimulationMode::exact)));
}

}  // namespace

// Payment models settled by the engine end to end (apmsim::run): cash conservation for
// every model, arm, trial and year; bit-identical results whatever the thread count;
// exact identities of fee-for-service; the false-reward probability of an MSSP-like
// one-sided contract against its normal approximation (shared/DOMAIN.md section 4); and
// stop-loss premiums calibrated on the base case, checked against member-level costs
// computed independently from the engine's member detail.
#include "apmsim/apmsim.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace apmsim;

namespace {

PaymentModel model(const std::string& json) { return payment_model_from_json(Json::parse(json), "payment_models[x]"); }

SimulationOptions options(std::uint64_t trials, unsigned threads, std::uint64_t seed = 20261123) {
    SimulationOptions o;
    o.trials = trials;
    o.threads = threads;
    o.seed = seed;
    return o;
}

/// The default program's four models plus one of each remaining component type.
Scenario every_component_scenario(std::size_t members, int years) {
    Scenario s = Scenario::default_cmc_program(members, years);
    s.payment_models.push_back(model(R"({"name": "pcp_capitation_withhold_aggregate", "components": [
        {"type": "fee_for_service", "fee_multiplier": {"inpatient": 1.05, "default": 1.0}},
        {"type": "capitation", "party": "pcp", "categories": ["professional", "behavioral_health"], "base_pmpm": 350},
        {"type": "quality_withhold", "party": "pcp", "rate": 0.05, "quality": "scale"},
        {"type": "quality_withhold", "party": "provider", "rate": 0.02, "quality": "gate", "quality_threshold": 0.8},
        {"type": "aggregate_stop_loss", "party": "pcp", "categories": ["professional", "behavioral_health"],
         "attachment_ratio": 1.1, "coinsurance": 0.9, "loading": 0.1},
        {"type": "specific_stop_loss", "party": "pcp", "categories": ["professional", "behavioral_health"],
         "preset_422_208": "professional", "loading": 0.2}],
      "quality": {"measures": [{"name": "q", "mean": 0.8, "sd": 0.05, "intervention_lift": 0.03}]}})"));
    s.payment_models.push_back(model(R"({"name": "reach_like", "components": [
        {"type": "fee_for_service"},
        {"type": "care_management_fee", "party": "pcp", "pmpm": {"A": 30, "B": 16, "C": 8}},
        {"type": "risk_corridor", "preset": "reach_global", "target": {"pmpm": 3700, "discount": 0.02}},
        {"type": "shared_risk", "party": "pcp", "benchmark": {"baseline_pmpm": 3500, "trend": 0.04, "risk_adjustment": "risk_score"},
         "categories": ["professional"], "sharing_rate": 0.5, "loss_rate": 0.3, "minimum_savings_rate": 0.01,
         "loss_limit_revenue": 0.08, "loss_limit_benchmark": 0.04}]})"));
    s.validate();
    return s;
}

double relative_gap(double a, double b) { return std::fabs(a - b) / std::max({1.0, std::fabs(a), std::fabs(b)}); }

// -------------------------------------------------------------------------------------

TEST(ContractsRun, CashConservedForEveryModelArmTrialYearAndThreadIndependent) {
    const Scenario s = every_component_scenario(200, 3);
    const RunResults one = run(s, options(24, 1));
    const RunResults two = run(s, options(24, 2));
    const PaymentResults& p = two.payments;
    ASSERT_EQ(p.models.size(), 6u);
    ASSERT_EQ(p.arms, (std::vector<std::string>{"baseline", "intervention"}));

    // Bit-identical whatever the thread count (every draw is a function of its position).
    EXPECT_TRUE(one.payments.values == two.payments.values);
    EXPECT_TRUE(one.payments.real_savings == two.payments.real_savings);

    for (const auto& m : p.models)
        for (const auto& arm : p.arms) {
            SampleMatrix revenue = SampleMatrix::Zero(p.trials, p.years), payments = revenue, net = revenue, cost = revenue;
            for (const char* party : party_names) {
                revenue += p.samples(m, party, "revenue", arm);
                payments += p.samples(m, party, "payments", arm);
                cost += p.samples(m, party, "delivery_cost", arm);
                net += p.samples(m, party, "net", arm);
            }
            // Every dollar paid is received by someone: sum revenue == sum payments.
            // Sums of order 1e7 in doubles: compared to 1e-9 relative.
            const SampleMatrix total_cost = two.simulation.samples("total_cost", arm);
            for (std::uint64_t t = 0; t < p.trials; ++t)
                for (int y = 0; y < p.years; ++y) {
                    ASSERT_LE(relative_gap(revenue(t, y), payments(t, y)), 1e-9) << m << " " << arm << " trial " << t << " year " << y;
                    ASSERT_LE(relative_gap(net(t, y), -cost(t, y)), 1e-9) << m << " " << arm;
                    ASSERT_GT(revenue(t, y), 0.0) << m;
                    // The care parties' cost of delivering care is at least the allowed cost
                    // times the smallest cost ratio of the default delivery basis (0.8, pharmacy).
                    ASSERT_GE(cost(t, y), 0.8 * total_cost(t, y)) << m;
                }
        }
    // The summary and indicators are populated and name the models.
    EXPECT_FALSE(p.summary().empty());
    const auto indicators = p.indicators();
    ASSERT_EQ(indicators.size(), p.models.size() * 3);
    for (const auto& row : indicators) {
        const bool sharing = row.model == "ffs_care_fee_shared_savings" || row.model == "ffs_shared_risk_glide_path" ||
                             row.model == "reach_like";
        EXPECT_EQ(std::isnan(row.p_false_reward), !sharing) << row.model;
        EXPECT_EQ(std::isnan(row.p_missed_reward), !sharing) << row.model;
    }
}

TEST(ContractsRun, GlidePathSwitchesComponentsByYear) {
    const Scenario s = Scenario::default_cmc_program(200, 3);
    const RunResults r = run(s, options(40, 2));
    // ffs_shared_risk_glide_path: shared savings in year 1 only, shared risk from year 2.
    const SampleMatrix losses = r.payments.metric("ffs_shared_risk_glide_path", "shared_losses", "baseline");
    for (Eigen::Index t = 0; t < losses.rows(); ++t) EXPECT_EQ(losses(t, 0), 0.0);
    EXPECT_GT(losses.col(1).sum() + losses.col(2).sum(), 0.0);  // 40 trials of a 200-member pool: some losses
    // The global capitation model pays no fee-for-service.
    EXPECT_TRUE(r.payments.metric("global_capitation_corridor_stop_loss", "fee_for_service").isZero(0.0));
    EXPECT_TRUE(r.payments.metric("fee_for_service", "capitation").isZero(0.0));
}

TEST(ContractsRun, FeeForServiceProviderNetIsMinusProgramCost) {
    // Default delivery basis: the provider delivers all care at cost ratio 1 and bears
    // every program cost. Under FFS at fee level 1 its revenue equals its cost of care, so
    // its net is exactly minus the program cost (0 in the baseline arm); at fee level 1.1
    // it earns 10% of the allowed cost on top. The payer's net is minus what it pays.
    Scenario s = Scenario::default_cmc_program(300, 2, false);
    s.delivery = DeliveryBasis{};
    s.payment_models = {model(R"({"name": "ffs", "components": [{"type": "fee_for_service"}]})"),
                        model(R"({"name": "ffs_110", "components": [{"type": "fee_for_service", "fee_multiplier": 1.1}]})")};
    const RunResults r = run(s, options(30, 2));
    const SimulationResults& sim = r.simulation;
    for (const char* arm : {"baseline", "intervention"}) {
        const SampleMatrix allowed = sim.samples("total_cost", arm);
        const SampleMatrix program = sim.samples("program_cost", arm);
        const SampleMatrix net = r.payments.samples("ffs", "provider", "net", arm);
        const SampleMatrix net110 = r.payments.samples("ffs_110", "provider", "net", arm);
        const SampleMatrix payer = r.payments.samples("ffs", "payer", "net", arm);
        for (Eigen::Index t = 0; t < net.rows(); ++t)
            for (Eigen::Index y = 0; y < net.cols(); ++y) {
                // Rounding of sums of order 1e7: 1e-9 relative to the allowed cost.
                const double tol = 1e-9 * allowed(t, y);
                ASSERT_NEAR(net(t, y), -program(t, y), tol) << arm;
                ASSERT_NEAR(net110(t, y), 0.1 * allowed(t, y) - program(t, y), tol) << arm;
                ASSERT_NEAR(payer(t, y), -allowed(t, y), tol) << arm;
                if (std::string(arm) == "baseline") {
                    ASSERT_EQ(program(t, y), 0.0);
                }
            }
    }
    // Program cost: (70 + 20 + 45 + 15) = 150 PMPM x 12 months x 300 members per year.
    EXPECT_NEAR(sim.samples("program_cost", "intervention")(0, 0), 150.0 * 12 * 300, 1e-6);
}

// -------------------------------------------------------------------------------------
// False rewards of a one-sided contract (shared/DOMAIN.md section 4: the MSR exists so
// that an average ACO is unlikely to earn savings by chance; small pools are noisy).

struct PoolMoments {
    double mean = 0, sd = 0;  ///< of the pool's year-1 allowed cost (analytic, no trend)
};
PoolMoments pool_moments(const Scenario& s) {
    std::vector<MemberYearMoments> tier;
    for (std::size_t k = 0; k < s.cost_model.tier_count(); ++k) tier.push_back(member_year_moments(s.cost_model, k));
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        EXPECT_EQ(s.population.months_of(i, 0), 12);
        mean += tier[s.population.tier[i]].mean;
        var += tier[s.population.tier[i]].variance;
    }
    return {mean, std::sqrt(var)};
}

struct FalseReward {
    double p, se, normal;
};

/// One year, no program; FFS + shared savings (sharing 0.5, MSR 2%) against a benchmark
/// equal to the expected cost (given: the analytic base-year PMPM, trended by the trial's
/// realised trend exactly as the simulated costs are) or simulated (an independent base
/// period of the same pool). A false reward is shared savings paid without a program.
FalseReward false_reward(std::size_t members, std::uint64_t trials, bool simulated_benchmark) {
    Scenario s = Scenario::default_cmc_program(members, 1, false);
    s.intervention.reset();
    s.delivery.program_cost_bearer.clear();  // no program, no program cost to bear
    const PoolMoments pool = pool_moments(s);
    const double base_pmpm = pool.mean / (12.0 * static_cast<double>(members));
    Json m = Json::parse(R"({"name": "mssp_like", "components": [{"type": "fee_for_service"},
        {"type": "shared_savings", "sharing_rate": 0.5, "minimum_savings_rate": 0.02}]})");
    m["components"][1]["benchmark"] = simulated_benchmark ? Json{{"baseline_pmpm", "simulated"}, {"trend", "realised"}}
                                                          : Json{{"baseline_pmpm", base_pmpm}, {"trend", "realised"}};
    s.payment_models = {payment_model_from_json(m, "payment_models[0]")};
    const RunResults r = run(s, options(trials, 2));
    const auto rows = r.payments.indicators();
    EXPECT_EQ(rows.size(), 1u);
    const double p = rows[0].p_false_reward;

    // The same from the stored metrics.
    const SampleMatrix paid = r.payments.metric("mssp_like", "shared_savings", "baseline");
    EXPECT_NEAR(p, static_cast<double>((paid.array() > 0).count()) / static_cast<double>(trials), 1e-12);

    // Normal approximation: the savings rate is 1 - X/B with X/B ~ 1 + sigma Z (given
    // benchmark) or 1 + sigma (Z1 - Z0) (simulated: two independent pools), sigma the
    // pool cost's coefficient of variation, so P(reward) = Phi(-0.02 / (sigma k)), k = 1 or sqrt 2.
    const double sigma = pool.sd / pool.mean;
    const double k = simulated_benchmark ? std::sqrt(2.0) : 1.0;
    return {p, std::sqrt(p * (1 - p) / static_cast<double>(trials)), random::standard_normal_cdf(-0.02 / (sigma * k))};
}

TEST(ContractsRun, FalseRewardShrinksWithPoolSize) {
    // Trials chosen so each probability has a Monte Carlo standard error of about
    // 0.015-0.027 while the run stays a few seconds (cost ~ members x trials).
    const FalseReward p500 = false_reward(500, 1'000, false);
    const FalseReward p1000 = false_reward(1'000, 500, false);
    const FalseReward p5000 = false_reward(5'000, 200, false);
    const FalseReward sim500 = false_reward(500, 500, true);
    std::printf("false reward, benchmark = expected cost: 500: %.4f (se %.4f, normal %.4f); 1,000: %.4f (se %.4f, normal %.4f); "
                "5,000: %.4f (se %.4f, normal %.4f)\n",
                p500.p, p500.se, p500.normal, p1000.p, p1000.se, p1000.normal, p5000.p, p5000.se, p5000.normal);
    std::printf("false reward, simulated benchmark: 500: %.4f (se %.4f, normal %.4f)\n", sim500.p, sim500.se, sim500.normal);

    // Larger at 500 than at 5,000 by many standard errors: the normal approximation
    // expects a gap of about 0.21 (0.39 against 0.18), the Monte Carlo standard error of
    // the gap is about 0.03, and the test asks for more than 4 of them (0.12).
    EXPECT_GT(p500.p - p5000.p, 4 * std::hypot(p500.se, p5000.se));
    EXPECT_GT(p500.normal - p5000.normal, 0.15);
    // Sanity band against the normal approximation: 4 Monte Carlo standard errors plus an
    // allowance for the approximation itself. The pool cost is right-skewed, so more of
    // its mass lies below the mean than the normal puts there: the first Edgeworth term
    // is gamma / (6 sqrt n) (1 - z^2) phi(z), about 0.35 gamma / (6 sqrt n) at z ~ -0.3.
    // Member-year skewness gamma of this cost model is of order 10-20 (a lognormal
    // severity of cv 2.5 alone has 3 cv + cv^3 = 23), so the allowance is 0.06 sqrt(500/n)
    // (gamma = 23 at n = 500 gives 0.06). (Measured with 4,000 trials at n = 500: 0.417
    // against 0.386.) A simulated benchmark compares two i.i.d. pools, whose ratio is
    // nearly symmetric, so the same allowance is generous there.
    const std::vector<std::pair<FalseReward, double>> checks = {{p500, 500}, {p1000, 1'000}, {p5000, 5'000}, {sim500, 500}};
    for (const auto& [f, n] : checks) EXPECT_NEAR(f.p, f.normal, 4 * f.se + 0.06 * std::sqrt(500 / n)) << n;
    // A simulated benchmark adds the base period's noise: more false rewards than a
    // benchmark that is exactly the expected cost (normal: 0.42 against 0.39 at 500).
    EXPECT_GT(sim500.normal, p500.normal);
}

// -------------------------------------------------------------------------------------

TEST(ContractsRun, StopLossPremiumIsTheBaseCaseMeanRecovery) {
    Scenario s = Scenario::default_cmc_program(300, 2, false);
    s.payment_models = {
        model(R"({"name": "specific", "components": [{"type": "capitation", "pmpm": 3300},
            {"type": "specific_stop_loss", "attachment": 60000, "coinsurance": 0.9, "limit": 200000, "loading": 0}]})"),
        model(R"({"name": "specific_loaded", "components": [{"type": "capitation", "pmpm": 3300},
            {"type": "specific_stop_loss", "attachment": 60000, "coinsurance": 0.9, "limit": 200000, "loading": 0.15}]})"),
        model(R"({"name": "aggregate", "components": [{"type": "capitation", "pmpm": 3300},
            {"type": "aggregate_stop_loss", "attachment_ratio": 1.05, "coinsurance": 0.8, "loading": 0}]})"),
        model(R"({"name": "given", "components": [{"type": "capitation", "pmpm": 3300},
            {"type": "specific_stop_loss", "attachment": 60000, "loading": 0.1, "expected_recoveries_pmpm": 40}]})")};
    SimulationOptions o = options(60, 2);
    o.calibration_trials = 80;  // not the run's trial count: a mix-up would show
    const RunResults r = run(s, o);
    const PaymentResults& p = r.payments;
    const int Y = p.years;
    const auto T = static_cast<Eigen::Index>(p.trials);
    EXPECT_EQ(p.calibration_trials, 80u);
    EXPECT_EQ(p.calibration_seed, calibration_seed(o.seed));

    // Independent recoveries from the engine's member detail (no program = the baseline
    // arm): sum over members of min(200,000, 0.9 (cost - 60,000)+), in the run itself and
    // in the calibration sample (its own seed and trial count) that prices the premium.
    Scenario base = s;
    base.intervention.reset();
    base.payment_models.clear();
    SimulationOptions detail = o;
    detail.member_detail = true;
    const SimulationResults sim = simulate(base, detail);
    SimulationOptions calibration = detail;
    calibration.seed = calibration_seed(o.seed);
    calibration.trials = o.calibration_trials;
    const SimulationResults cal = simulate(base, calibration);
    ASSERT_EQ(sim.member_count, 300u);
    auto recovery = [&](const SimulationResults& from, std::size_t t, int y) {
        double own = 0;
        for (std::size_t i = 0; i < from.member_count; ++i) {
            const double cost = from.member_costs[(t * static_cast<std::size_t>(Y) + static_cast<std::size_t>(y)) * from.member_count + i];
            own += std::min(200'000.0, 0.9 * std::max(0.0, cost - 60'000));
        }
        return own;
    };

    const SampleMatrix rec = p.metric("specific", "stop_loss_recoveries", "baseline");
    const SampleMatrix prem = p.metric("specific", "stop_loss_premium", "baseline");
    const SampleMatrix prem_int = p.metric("specific", "stop_loss_premium", "intervention");
    const SampleMatrix prem_loaded = p.metric("specific_loaded", "stop_loss_premium", "baseline");
    const SampleMatrix reinsurer = p.samples("specific", "reinsurer", "revenue", "baseline");
    for (int y = 0; y < Y; ++y) {
        // Member sums through the observer agree with the member detail (same costs,
        // summed by category first: 1e-12 relative).
        for (Eigen::Index t = 0; t < T; ++t)
            EXPECT_LE(relative_gap(rec(t, y), recovery(sim, static_cast<std::size_t>(t), y)), 1e-12) << "trial " << t << " year " << y;
        double expected_recovery = 0;
        for (std::size_t t = 0; t < cal.trials; ++t) expected_recovery += recovery(cal, t, y);
        expected_recovery /= static_cast<double>(cal.trials);
        ASSERT_GT(expected_recovery, 0.0);
        for (Eigen::Index t = 0; t < T; ++t) {
            // Premium at loading 0 = the calibration sample's mean base-case recovery, in both arms.
            EXPECT_LE(relative_gap(prem(t, y), expected_recovery), 1e-12);
            EXPECT_EQ(prem_int(t, y), prem(t, y));
            EXPECT_DOUBLE_EQ(prem_loaded(t, y), 1.15 * prem(t, y));
            EXPECT_EQ(reinsurer(t, y), prem(t, y));
        }
        // The run's own mean recovery differs from the calibration's by sampling noise only.
        const double run_mean = rec.col(y).mean();
        EXPECT_NE(run_mean, expected_recovery);
    }

    // Aggregate: attachment 1.05 x the calibration sample's mean baseline cost of the year,
    // 80% coinsurance; premium = the calibration sample's mean recovery.
    const SampleMatrix cost = r.simulation.samples("total_cost", "baseline");
    const SampleMatrix cal_cost = cal.samples("total_cost", "baseline");
    const SampleMatrix agg_rec = p.metric("aggregate", "stop_loss_recoveries", "baseline");
    const SampleMatrix agg_prem = p.metric("aggregate", "stop_loss_premium", "baseline");
    for (int y = 0; y < Y; ++y) {
        const double expected = cal_cost.col(y).mean();
        for (Eigen::Index t = 0; t < T; ++t)
            EXPECT_NEAR(agg_rec(t, y), 0.8 * std::max(0.0, cost(t, y) - 1.05 * expected), 1e-9 * expected);
        double mean_recovery = 0;
        for (Eigen::Index t = 0; t < cal_cost.rows(); ++t)
            mean_recovery += 0.8 * std::max(0.0, cal_cost(t, y) - 1.05 * expected) / static_cast<double>(cal_cost.rows());
        ASSERT_GT(mean_recovery, 0.0);  // a 5% corridor over 80 trials of 300 members is breached
        EXPECT_NEAR(agg_prem(0, y), mean_recovery, 1e-9 * expected);
    }

    // The premiums do not depend on how many trials the run has (README: a trial's
    // outputs depend only on the seed and the trial number).
    SimulationOptions fewer = o;
    fewer.trials = 7;
    const RunResults short_run = run(s, fewer);
    for (const char* m : {"specific", "aggregate"})
        for (int y = 0; y < Y; ++y) {
            EXPECT_EQ(short_run.payments.metric(m, "stop_loss_premium", "baseline")(0, y), p.metric(m, "stop_loss_premium", "baseline")(0, y)) << m;
            for (Eigen::Index t = 0; t < 7; ++t)
                EXPECT_EQ(short_run.payments.samples(m, "provider", "net", "intervention")(t, y),
                          p.samples(m, "provider", "net", "intervention")(t, y)) << m;
        }

    // Given expectation: 40 PMPM x member-months x 1.1.
    const SampleMatrix months = r.simulation.samples("member_months", "baseline");
    const SampleMatrix given = p.metric("given", "stop_loss_premium", "baseline");
    for (Eigen::Index t = 0; t < T; ++t)
        for (int y = 0; y < Y; ++y) EXPECT_NEAR(given(t, y), 40 * 1.1 * months(t, y), 1e-9 * given(t, y));
}

}  // namespace

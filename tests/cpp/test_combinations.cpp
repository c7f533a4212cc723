// Contract components combined, through apmsim::run from C++ (issue 8): combinations that
// would pay for care twice or compare with nothing are refused with the JSON path;
// comparisons are stated per component; a corridor next to a partial capitation measures
// the capitated categories; nets of parties paid at cost are exactly zero; member risk
// scores scale expected cost within a tier. The Python suite (test_combinations.py)
// recomputes every party's net for random combinations.
#include "apmsim/apmsim.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace apmsim;

namespace {

PaymentModel model(const std::string& components) {
    return payment_model_from_json(Json::parse(R"({"name": "m", "components": )" + components + "}"), "payment_models[0]");
}

RunResults settle(const std::string& components, std::size_t members = 200, std::uint64_t trials = 20) {
    Scenario s = Scenario::default_cmc_program(members, 1, false);
    s.payment_models = {model(components)};
    SimulationOptions o;
    o.trials = trials;
    o.seed = 11;
    o.threads = 2;
    return run(s, o);
}

TEST(Combinations, CareOrComparisonsThatCannotWorkAreRefusedWithTheirPath) {
    // Two fee-for-service components paying for all care (item 3).
    expect_invalid([] { return settle(R"([{"type": "fee_for_service"}, {"type": "fee_for_service"}])"); },
                   "payment_models[0].components[1].categories");
    // A corridor with neither a target nor a capitation (item 2).
    expect_invalid([] { return settle(R"([{"type": "fee_for_service"}, {"type": "risk_corridor", "preset": "aca"}])"); },
                   "payment_models[0].components[1].target");
    // A corridor measuring categories its capitation does not cover (item 1).
    expect_invalid([] {
        return settle(R"([{"type": "capitation", "pmpm": 900, "categories": ["professional"]}, {"type": "fee_for_service"},
                          {"type": "risk_corridor", "preset": "aca", "categories": ["inpatient"]}])");
    }, "payment_models[0].components[2].categories");
    // Years outside the horizon (item 5) and a quality gate without a score (item 6).
    Scenario s = Scenario::default_cmc_program(50, 2, false);
    s.payment_models = {model(R"([{"type": "fee_for_service"},
        {"type": "shared_savings", "years": [3], "benchmark": {"pmpm": 4000}, "sharing_rate": 0.5}])")};
    expect_invalid([&] { s.validate(); }, "payment_models[0].components[1].years[0]");
    expect_invalid([] {
        return model(R"([{"type": "fee_for_service"}, {"type": "shared_savings", "benchmark": {"pmpm": 4000},
                          "sharing_rate": 0.5, "quality": "gate", "quality_threshold": 0.8}])");
    }, "payment_models[0].quality");
}

TEST(Combinations, CorridorBesidePartialCapitationComparesTheCapitatedCategories) {
    const RunResults r = settle(R"([{"type": "capitation", "pmpm": 1200, "categories": ["emergency", "outpatient", "professional"]},
                                    {"type": "fee_for_service"}, {"type": "risk_corridor", "preset": "aca"}])");
    const SimulationResults& sim = r.simulation;
    const SampleMatrix spent = sim.samples("total_cost", "intervention", "emergency") +
                               sim.samples("total_cost", "intervention", "outpatient") +
                               sim.samples("total_cost", "intervention", "professional");
    const SampleMatrix months = sim.samples("member_months", "intervention");
    const SampleMatrix expenditure = r.payments.metric("m", "expenditure");
    const SampleMatrix benchmark = r.payments.metric("m", "benchmark");
    const SampleMatrix transfer = r.payments.metric("m", "corridor_transfer");
    for (Eigen::Index t = 0; t < spent.rows(); ++t) {
        EXPECT_NEAR(expenditure(t, 0), spent(t, 0), 1e-9 * spent(t, 0));
        const double T = 1200 * months(t, 0);
        EXPECT_NEAR(benchmark(t, 0), T, 1e-9 * T);
        // ACA (capitated basis): the provider keeps 3%, half of 3-8%, 20% beyond; it is paid
        // the losses it does not keep and returns the savings it does not keep.
        const double d = (T - spent(t, 0)) / T, a = std::abs(d);
        const double keep = std::min(a, 0.03) + 0.5 * std::clamp(a - 0.03, 0.0, 0.05) + 0.2 * std::max(a - 0.08, 0.0);
        EXPECT_NEAR(transfer(t, 0), (d > 0 ? -1 : 1) * T * (a - keep), 1e-6 * T);
    }
}

TEST(Combinations, ComparisonsArePerComponentNeverSummed) {
    const RunResults r = settle(R"([{"type": "fee_for_service"},
        {"type": "shared_risk", "benchmark": {"pmpm": 4000}, "sharing_rate": 0.5, "loss_rate": 0.3},
        {"type": "risk_corridor", "preset": "reach_global", "basis": "shared", "target": {"pmpm": 3900}}])");
    ASSERT_EQ(r.payments.comparing_components[0], (std::vector<std::string>{"shared_risk", "risk_corridor"}));
    const SampleMatrix months = r.simulation.samples("member_months", "intervention");
    const SampleMatrix cost = r.simulation.samples("total_cost", "intervention");
    for (const auto& [label, pmpm] : std::vector<std::pair<std::string, double>>{{"shared_risk", 4000}, {"risk_corridor", 3900}}) {
        EXPECT_TRUE(r.payments.metric("m", "benchmark", "", label).isApprox(pmpm * months, 1e-12)) << label;
        EXPECT_TRUE(r.payments.metric("m", "expenditure", "", label).isApprox(cost, 1e-12)) << label;
    }
    expect_invalid([&] { return r.payments.metric("m", "benchmark"); }, "component");
}

TEST(Combinations, PartiesPaidAtCostNetExactlyZero) {
    const RunResults r = settle(R"([{"type": "fee_for_service"}])", 300, 60);
    const SampleMatrix other = r.payments.samples("m", "other_providers", "net");
    EXPECT_TRUE((other.array() == 0.0).all());
    for (const auto& row : r.payments.summary())
        if (row.party == "other_providers" && row.measure == "net") {
            EXPECT_EQ(row.stats.p_negative, 0.0);
        }
}

TEST(Combinations, MemberRiskScoresScaleExpectedCountsWithinTheirTier) {
    // Two members per tier with scores 1 and 3 (relative 0.5 and 1.5), and one member with a
    // score of its own: the engine's expected cost follows the relative score and the tier
    // total is unchanged; a tier whose members share one score is untouched.
    Population p;
    p.years = 1;
    const std::vector<double> scores = {1, 3, 2, 2};
    const std::vector<std::uint16_t> tiers = {0, 0, 1, 1};
    for (std::size_t i = 0; i < scores.size(); ++i) {
        p.id.push_back(static_cast<std::int64_t>(i));
        p.tier.push_back(tiers[i]);
        p.age_band.push_back("0-4");
        p.sex.push_back("U");
        p.risk_score.push_back(scores[i]);
        p.months.push_back(12);
    }
    EXPECT_EQ(p.relative_risk(3), (std::vector<double>{0.5, 1.5, 1.0, 1.0}));
    // Months weight the tier mean: 6 months at score 1 and 12 at score 4 average 3.
    p.months[0] = 6;
    p.risk_score[1] = 4;
    EXPECT_EQ(p.relative_risk(3), (std::vector<double>{1.0 / 3, 4.0 / 3, 1.0, 1.0}));
}

}  // namespace

namespace {

/// Capitation with an ACA corridor and specific stop-loss (the default program's fourth
/// model), providers paid at allowed cost, on the same seed with every severity x `scale`.
RunResults capitated_with_corridor_and_stop_loss(double scale) {
    Scenario s = Scenario::default_cmc_program(60, 1, false);
    s.delivery = {};
    for (CategoryModel& cell : s.cost_model.cells) {
        const auto& ln = std::get<Lognormal>(cell.severity);
        cell.severity = Lognormal(ln.mu() + std::log(scale), ln.sigma());
    }
    s.payment_models = {model(R"([{"type": "capitation", "pmpm": 3300}, {"type": "risk_corridor", "preset": "aca"},
        {"type": "specific_stop_loss", "attachment": 60000, "coinsurance": 0.9, "expected_recoveries_pmpm": 0}])")};
    SimulationOptions o;
    o.trials = 40, o.seed = 3, o.threads = 2;
    return run(s, o);
}

}  // namespace

TEST(Combinations, CapitatedCorridorMeasuresCostNetOfStopLossRecoveries) {
    // The corridor's expenditure is the allowed cost less the recoveries the provider got
    // (45 CFR 153.500), so a dollar above the attachment is not reimbursed twice: the
    // provider's net never rises with cost (it did, by 0.7 a dollar, when both paid).
    const RunResults base = capitated_with_corridor_and_stop_loss(1.0), dear = capitated_with_corridor_and_stop_loss(1.5);
    const SampleMatrix cost = base.simulation.samples("total_cost", "intervention");
    const SampleMatrix recovered = base.payments.metric("m", "stop_loss_recoveries");
    const SampleMatrix expenditure = base.payments.metric("m", "expenditure");
    ASSERT_GT(recovered.maxCoeff(), 0.0);  // some trial's members pass the attachment
    for (Eigen::Index t = 0; t < cost.rows(); ++t)
        EXPECT_NEAR(expenditure(t, 0), cost(t, 0) - recovered(t, 0), 1e-9 * cost(t, 0)) << "trial " << t;
    const SampleMatrix net = base.payments.samples("m", "provider", "net"), net_dear = dear.payments.samples("m", "provider", "net");
    const SampleMatrix cost_dear = dear.simulation.samples("total_cost", "intervention");
    for (Eigen::Index t = 0; t < cost.rows(); ++t) {
        ASSERT_NEAR(cost_dear(t, 0), 1.5 * cost(t, 0), 1e-9 * cost(t, 0));  // the same claims, dearer
        EXPECT_LE(net_dear(t, 0), net(t, 0) + 1e-6) << "trial " << t;
    }
}

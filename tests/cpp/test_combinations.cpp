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

namespace {

/// The default program's members under a global capitation to the provider plus `insurance`
/// (stop-loss terms), with member detail: 1 year, 30 trials.
RunResults capitated_and_insured(const std::string& insurance) {
    Scenario s = Scenario::default_cmc_program(300, 1, false);
    s.payment_models = {model(R"([{"type": "capitation", "pmpm": 3300}, )" + insurance + "]")};
    SimulationOptions o;
    o.trials = 30, o.seed = 5, o.threads = 2, o.member_detail = true, o.calibration_trials = 200;
    return run(s, o);
}

double calibrated(const RunResults& r, const std::string& component, const std::string& quantity) {
    for (const CalibrationRow& row : r.payments.calibration)
        if (row.component == component && row.quantity == quantity && row.year == 1) return row.value;
    ADD_FAILURE() << component << " " << quantity << " not calibrated";
    return std::nan("");
}

}  // namespace

TEST(Combinations, StopLossInsuresOnlyClaimsItsPartyPaysAndNothingIsCountedTwice) {
    // Stop-loss under fee-for-service would pay the provider for claims the payer paid.
    expect_invalid([] { return settle(R"([{"type": "fee_for_service"}, {"type": "specific_stop_loss", "attachment": 50000}])"); },
                   "payment_models[0].components[1].categories");
    // ... and beside a partial capitation, only the capitated categories can be insured.
    expect_invalid([] {
        return settle(R"([{"type": "capitation", "pmpm": 300, "categories": ["professional"]}, {"type": "fee_for_service"},
                          {"type": "aggregate_stop_loss", "expected_pmpm": 300}])");
    }, "payment_models[0].components[2].categories");
    // A capitated corridor on a target nets every recovery, so it measures every insured category.
    expect_invalid([] {
        return settle(R"([{"type": "capitation", "pmpm": 3300}, {"type": "specific_stop_loss", "attachment": 100000},
                          {"type": "risk_corridor", "preset": "aca", "target": {"pmpm": 3300}, "categories": ["professional"]}])");
    }, "payment_models[0].components[2].categories");
    // Shared savings on what the provider's capitation already pays it to save.
    expect_invalid([] {
        return settle(R"([{"type": "capitation", "pmpm": 300, "categories": ["professional"]}, {"type": "fee_for_service"},
                          {"type": "shared_savings", "benchmark": {"pmpm": 3900}, "sharing_rate": 0.5}])");
    }, "payment_models[0].components[2].categories");
    // A specific layer straddling the aggregate's categories cannot be netted from it.
    expect_invalid([] {
        return settle(R"([{"type": "capitation", "pmpm": 3300}, {"type": "aggregate_stop_loss", "categories": ["inpatient"], "expected_pmpm": 2000},
                          {"type": "specific_stop_loss", "attachment": 100000, "categories": ["inpatient", "professional"]}])");
    }, "payment_models[0].components[2].categories");
    // Allowed: shared savings on the categories the capitation leaves to fee-for-service.
    const RunResults ok = settle(R"([{"type": "capitation", "pmpm": 300, "categories": ["professional"]}, {"type": "fee_for_service"},
        {"type": "shared_savings", "benchmark": {"pmpm": 3600}, "sharing_rate": 0.5,
         "categories": ["inpatient", "outpatient", "emergency", "pharmacy", "home_health", "dme", "behavioral_health"]}])");
    EXPECT_GT(ok.payments.metric("m", "expenditure").minCoeff(), 0.0);
}

TEST(Combinations, AggregateStopLossAttachesOnClaimsNetOfSpecificRecoveries) {
    // Hand-computed from the members' costs: the specific layer recovers 0.9 (X_i - 100,000)+
    // per member; the aggregate layer 0.8 (X - specific - 1.0 x its expected cost)+, its
    // expected cost being the calibration sample's mean claims net of the specific layer.
    const std::string both = R"({"type": "specific_stop_loss", "attachment": 100000, "coinsurance": 0.9},
                                {"type": "aggregate_stop_loss", "attachment_ratio": 1.0, "coinsurance": 0.8})";
    const RunResults r = capitated_and_insured(both);
    const RunResults alone = capitated_and_insured(R"({"type": "specific_stop_loss", "attachment": 100000, "coinsurance": 0.9})");
    const RunResults gross = capitated_and_insured(R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.0, "coinsurance": 0.8})");
    // The calibration sample is the same in the three runs: net = gross - the specific's expectation.
    const double expected_net = calibrated(r, "aggregate_stop_loss", "expected_cost");
    EXPECT_NEAR(expected_net, calibrated(gross, "aggregate_stop_loss", "expected_cost") - calibrated(alone, "specific_stop_loss", "expected_recoveries"),
                1e-9 * expected_net);
    const SimulationResults& sim = r.simulation;
    const SampleMatrix cost = sim.samples("total_cost", "intervention"), recovered = r.payments.metric("m", "stop_loss_recoveries");
    const std::size_t members = sim.member_count;
    double above = 0;
    for (Eigen::Index t = 0; t < cost.rows(); ++t) {
        double specific = 0;
        for (std::size_t i = 0; i < members; ++i)  // arm 1 (intervention), trial t, year 0
            specific += 0.9 * std::max(0.0, sim.member_costs[(static_cast<std::size_t>(cost.rows()) + static_cast<std::size_t>(t)) * members + i] - 100000);
        const double aggregate = 0.8 * std::max(0.0, cost(t, 0) - specific - expected_net);
        above += aggregate > 0 ? 1 : 0;
        EXPECT_NEAR(recovered(t, 0), specific + aggregate, 1e-9 * cost(t, 0)) << "trial " << t;
        EXPECT_LE(recovered(t, 0), cost(t, 0));  // never more than the claims (it was twice them)
    }
    EXPECT_GT(above, 3);  // the aggregate layer paid in some trials
}

TEST(Combinations, QualityScoreEqualToTheThresholdMeetsTheGate) {
    // Measures 0.7 and 0.85 weighted 1 and 2 score 0.8 (0.7999999999999999 in doubles): the
    // standard is met, as with a fixed score of 0.8; the same payments to the last bit.
    auto with_quality = [](const std::string& quality) {
        Scenario s = Scenario::default_cmc_program(300, 1, false);
        s.payment_models = {payment_model_from_json(Json::parse(R"({"name": "m", "quality": )" + quality + R"(, "components": [
            {"type": "fee_for_service"}, {"type": "shared_savings", "benchmark": {"pmpm": 4500}, "sharing_rate": 0.5,
             "quality": "gate", "quality_threshold": 0.8}, {"type": "quality_withhold", "rate": 0.02, "quality": "gate",
             "quality_threshold": 0.8}]})"), "payment_models[0]")};
        SimulationOptions o;
        o.trials = 10, o.seed = 9, o.threads = 2;
        return run(s, o);
    };
    const RunResults measured = with_quality(R"({"measures": [{"name": "a", "weight": 1, "mean": 0.7}, {"name": "b", "weight": 2, "mean": 0.85}]})");
    const RunResults fixed = with_quality(R"({"fixed": 0.8})");
    const SampleMatrix paid = measured.payments.metric("m", "shared_savings");
    EXPECT_GT(paid.maxCoeff(), 0.0);
    EXPECT_EQ(paid, fixed.payments.metric("m", "shared_savings"));
    EXPECT_EQ(measured.payments.samples("m", "provider", "net"), fixed.payments.samples("m", "provider", "net"));
}

TEST(Combinations, TruncationAmountIsYearOnesAndGrowsWithTheExpectedTrend) {
    Scenario s = Scenario::default_cmc_program(200, 3, false);
    s.payment_models = {model(R"([{"type": "fee_for_service"}, {"type": "shared_savings", "sharing_rate": 0.5,
        "benchmark": {"baseline_pmpm": "simulated", "base_year_weights": [1.0]}, "truncation_amount": 150000}])")};
    SimulationOptions o;
    o.trials = 5, o.seed = 2, o.threads = 2;
    const RunResults r = run(s, o);
    const double g = s.cost_model.trend.mean;
    ASSERT_GT(g, 0.0);
    int rows = 0;
    for (const CalibrationRow& row : r.payments.calibration)
        if (row.quantity == "truncation_point") {
            EXPECT_DOUBLE_EQ(row.value, 150000 * std::pow(1 + g, row.year - 1)) << "year " << row.year;
            ++rows;
        }
    EXPECT_EQ(rows, 3);
}

// The performance-based payment adjustment (contracts/performance_adjustment.hpp), settled
// by hand on the book of contract_book.hpp: tiers A / B with 60 / 120 member-months, so a
// care-management fee of 30 / 10 PMPM pays 60 x 30 + 120 x 10 = 3,000.
#include "contract_book.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace apmsim;
using namespace apmsim::testing;

namespace {

const char* const pcp_fee = R"({"type": "care_management_fee", "party": "pcp", "pmpm": {"A": 30, "B": 10}})";

/// The fee, then the adjustment with `terms`, settled at quality `q`.
Ledger settle_with_fee(Book& b, const std::string& terms, double q) {
    b.quality = q;
    Ledger l;
    b.settle(parse(pcp_fee), l);
    b.settle(parse(R"({"type": "performance_adjustment", "party": "pcp")" + terms + "}"), l);
    return l;
}

}  // namespace

TEST(PerformanceAdjustment, DefaultScheduleRunsFromMinusTenToPlusFiftyPercent) {
    Book b;
    // rate(q) = -0.10 up to 0.5, +0.50 from 0.9, linear between: rate(0.7) = -0.1 + 0.2 / 0.4 x 0.6 = 0.2.
    const std::pair<double, double> expected[] = {{0.3, -300}, {0.5, -300}, {0.7, 600}, {0.9, 1'500}, {1.0, 1'500}};
    for (const auto& [q, adjustment] : expected) {
        const Ledger l = settle_with_fee(b, "", q);
        EXPECT_NEAR(metric_of(l, "performance_adjustment"), adjustment, 1e-9) << q;
        // The pcp receives the fee and the adjustment (or pays it back); the payer pays both.
        EXPECT_NEAR(l.revenue[idx(Party::pcp)] - l.payments[idx(Party::pcp)], 3'000 + adjustment, 1e-9) << q;
        EXPECT_NEAR(l.payments[idx(Party::payer)] - l.revenue[idx(Party::payer)], 3'000 + adjustment, 1e-9) << q;
        expect_conserved(l, 1e4);
    }
}

TEST(PerformanceAdjustment, ScheduleAndBasisAsGiven) {
    Book b;
    b.use_split_delivery();
    // Three points: rate(0.75) = 0 + 0.25 / 0.5 x 0.5 = 0.25.
    const std::string schedule = R"(, "schedule": [{"score": 0, "rate": -0.1}, {"score": 0.5, "rate": 0}, {"score": 1, "rate": 0.5}])";
    EXPECT_NEAR(metric_of(settle_with_fee(b, schedule, 0.75), "performance_adjustment"), 750, 1e-9);
    EXPECT_NEAR(metric_of(settle_with_fee(b, schedule, 0.25), "performance_adjustment"), -150, 1e-9);
    // On fee-for-service too: the pcp's 30% of professional, 0.3 x 40,000 = 12,000, plus the fee.
    b.quality = 0.75;
    Ledger l;
    b.settle(parse(R"({"type": "fee_for_service"})"), l);
    b.settle(parse(pcp_fee), l);
    b.settle(parse(R"({"type": "performance_adjustment", "party": "pcp", "basis": ["fee_for_service", "care_management_fees"])" + schedule + "}"), l);
    EXPECT_NEAR(metric_of(l, "performance_adjustment"), 0.25 * 15'000, 1e-9);
    // The provider's fee-for-service is not the pcp's basis: an adjustment to the provider
    // on care-management fees it never received is 0.
    Ledger p;
    b.settle(parse(pcp_fee), p);
    b.settle(parse(R"({"type": "performance_adjustment"})"), p);
    EXPECT_EQ(metric_of(p, "performance_adjustment"), 0.0);
}

TEST(PerformanceAdjustment, BadTermsNameTheirPath) {
    auto load = [](const std::string& terms) { return parse(R"({"type": "performance_adjustment", )" + terms + "}", "m.components[2]"); };
    expect_invalid([&] { return load(R"("party": "payer")"); }, "m.components[2].party");
    expect_invalid([&] { return load(R"("schedule": [])"); }, "m.components[2].schedule");
    expect_invalid([&] { return load(R"("schedule": [{"score": 0.2, "rate": 0}, {"score": 0.8, "rate": 0}])"); }, "m.components[2].schedule");
    expect_invalid([&] { return load(R"("schedule": [{"score": 0.8, "rate": 0.1}, {"score": 0.8, "rate": 0.2}])"); },
                   "m.components[2].schedule[1].score");
    expect_invalid([&] { return load(R"("schedule": [{"score": 1.2, "rate": 0.1}])"); }, "m.components[2].schedule[0].score");
    expect_invalid([&] { return load(R"("schedule": [{"score": 0.5, "rate": -2}])"); }, "m.components[2].schedule[0].rate");
    expect_invalid([&] { return load(R"("schedule": [{"score": 0.5, "rate": 0.1, "weight": 1}])"); }, "m.components[2].schedule[0].weight");
    expect_invalid([&] { return load(R"("basis": ["shared_savings"])"); }, "m.components[2].basis[0]");
    expect_invalid([&] { return load(R"("basis": ["capitation", "capitation"])"); }, "m.components[2].basis[1]");
    expect_invalid([&] { return load(R"("basis": "all")"); }, "m.components[2].basis");
}

TEST(PerformanceAdjustment, NeedsTheModelsQualityScoreAndRoundTrips) {
    const Json no_score = Json::parse(R"({"name": "pcf", "components": [
        {"type": "fee_for_service"}, {"type": "care_management_fee", "party": "pcp", "pmpm": 28},
        {"type": "performance_adjustment", "party": "pcp"}]})");
    expect_invalid([&] { return payment_model_from_json(no_score, "payment_models[0]"); }, "payment_models[0].quality");
    Json scored = no_score;
    scored["quality"] = {{"fixed", 0.8}};
    const PaymentModel m = payment_model_from_json(scored, "payment_models[0]");
    EXPECT_EQ(payment_model_from_json(to_json(m), "again"), m);
    EXPECT_EQ(to_json(m)["components"][2]["schedule"][1]["rate"], 0.5);
}

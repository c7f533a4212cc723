// Payment-contract components settled by hand (shared/DOMAIN.md sections 4-5): every
// expected number below is worked out in a comment from the contract terms, on the
// book of business of contract_book.hpp (no simulation, no randomness except in the
// property tests and the beta-distributed quality measures, which use fixed Philox streams).
#include "contract_book.hpp"
#include "test_helpers.hpp"

#include "apmsim/contracts/settlement.hpp"
#include "apmsim/experience/experience_observer.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

using namespace apmsim;
using namespace apmsim::testing;

namespace {

// =====================================================================================
// Fee-for-service
// =====================================================================================

TEST(FeeForService, PaysEachCarePartyItsShareAtTheFeeMultiplier) {
    Book b;
    b.use_split_delivery();
    const Component ffs = parse(R"({"type": "fee_for_service", "fee_multiplier": {"inpatient": 1.1, "default": 1.0}})");
    Ledger l;
    b.incur(l);
    b.settle(ffs, l);
    // inpatient at 1.1: 110,000 = provider 88,000 + other 22,000; professional 40,000 =
    // provider 20,000 + pcp 12,000 + other 8,000; pharmacy 20,000 = provider 4,000 + other 16,000.
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 112'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)], 12'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::other_providers)], 46'000);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::payer)], 170'000);
    EXPECT_DOUBLE_EQ(metric_of(l, "fee_for_service"), 170'000);
    // Delivery costs 116,000 / 10,800 / 44,000 (see the top of the file).
    EXPECT_DOUBLE_EQ(l.delivery_cost[idx(Party::provider)], 116'000);
    EXPECT_DOUBLE_EQ(l.delivery_cost[idx(Party::pcp)], 10'800);
    EXPECT_DOUBLE_EQ(l.delivery_cost[idx(Party::other_providers)], 44'000);
    // Nets are differences of sums of order 1e5: compared to 1e-9.
    EXPECT_NEAR(l.net(Party::provider), -4'000, 1e-9);  // inpatient: paid 88,000 for care costing 92,000
    EXPECT_NEAR(l.net(Party::pcp), 1'200, 1e-9);
    EXPECT_NEAR(l.net(Party::other_providers), 2'000, 1e-9);
    EXPECT_DOUBLE_EQ(l.net(Party::payer), -170'000);
    expect_conserved(l, 1e5);
}

TEST(FeeForService, DefaultDeliveryPaysTheProviderAllowedCost) {
    Book b;  // provider delivers everything at cost ratio 1
    Ledger l;
    b.incur(l);
    b.settle(parse(R"({"type": "fee_for_service"})"), l);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 160'000);
    EXPECT_DOUBLE_EQ(l.net(Party::provider), 0.0);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)] + l.revenue[idx(Party::other_providers)], 0.0);
}

TEST(FeeForService, LeavesCapitatedCategoriesToTheCapitation) {
    Book b;
    b.use_split_delivery();
    b.capitate({1, 0, 0});  // inpatient under a capitation in force this year
    const Ledger l = b.settle(parse(R"({"type": "fee_for_service"})"));
    // professional 40,000 + pharmacy 20,000 only.
    EXPECT_DOUBLE_EQ(metric_of(l, "fee_for_service"), 60'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 24'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::other_providers)], 24'000);

    // An explicit category list pays exactly those (preparation checks the overlap).
    const Ledger only = b.settle(parse(R"({"type": "fee_for_service", "categories": ["pharmacy"]})"));
    EXPECT_DOUBLE_EQ(metric_of(only, "fee_for_service"), 20'000);
}

// =====================================================================================
// Capitation
// =====================================================================================

TEST(Capitation, GlobalByTierAndTheCapitatedPartyPaysOthers) {
    Book b;
    b.use_split_delivery();
    b.capitate({1, 1, 1});
    const Component cap = parse(R"({"type": "capitation", "pmpm": {"A": 1200, "B": 500}})");
    Ledger l;
    b.incur(l);
    b.settle(cap, l);
    b.settle(parse(R"({"type": "fee_for_service"})"), l);  // pays for nothing: everything is capitated
    // 1,200 x 60 + 500 x 120 = 132,000 to the provider; it pays the pcp 12,000 and
    // other providers 20,000 + 8,000 + 16,000 = 44,000 for the care they deliver.
    EXPECT_DOUBLE_EQ(metric_of(l, "capitation"), 132'000);
    EXPECT_DOUBLE_EQ(metric_of(l, "fee_for_service"), 0.0);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::payer)], 132'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 132'000);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::provider)], 56'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)], 12'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::other_providers)], 44'000);
    // Net: 132,000 - 56,000 - 116,000 = -40,000; pcp 12,000 - 10,800; others at cost.
    EXPECT_NEAR(l.net(Party::provider), -40'000, 1e-9);
    EXPECT_NEAR(l.net(Party::pcp), 1'200, 1e-9);
    EXPECT_NEAR(l.net(Party::other_providers), 0.0, 1e-9);
    expect_conserved(l, 1e5);
}

TEST(Capitation, BasePmpmTimesRiskScoreIsBudgetNeutral) {
    Book b;
    // Default reference = the pool's mean risk score 1.2: 900 x 216 / 1.2 = 900 x 180 =
    // 162,000, what a flat 900 PMPM would pay (budget neutral).
    const Ledger neutral = b.settle(parse(R"({"type": "capitation", "base_pmpm": 900})"));
    EXPECT_NEAR(metric_of(neutral, "capitation"), 162'000, 1e-9);
    // Reference score 1: 900 x 216 = 194,400.
    const Ledger raw = b.settle(parse(R"({"type": "capitation", "base_pmpm": 900, "reference_risk_score": 1.0})"));
    EXPECT_DOUBLE_EQ(metric_of(raw, "capitation"), 194'400);
    // A sicker pool (risk months 252 = mean score 1.4) is paid more: 900 x 252 / 1.2 = 189,000.
    b.risk_months = 252;
    EXPECT_NEAR(metric_of(b.settle(parse(R"({"type": "capitation", "base_pmpm": 900})")), "capitation"), 189'000, 1e-9);
}

TEST(Capitation, PartialPrimaryCareCapitationWithFeeForServiceForTheRest) {
    Book b;
    b.use_split_delivery();
    b.capitate({0, 1, 0}, Party::pcp);  // professional, capitated to the pcps
    const Component cap = parse(R"({"type": "capitation", "party": "pcp", "categories": ["professional"], "pmpm": 100,
                                    "fee_multiplier": 0.9})");
    Ledger l;
    b.settle(cap, l);
    b.settle(parse(R"({"type": "fee_for_service"})"), l);
    // Capitation 100 x 180 = 18,000 to the pcps, who pay the provider 0.9 x 20,000 = 18,000
    // and other providers 0.9 x 8,000 = 7,200 for professional care.
    EXPECT_DOUBLE_EQ(metric_of(l, "capitation"), 18'000);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::pcp)], 25'200);
    // FFS: inpatient 100,000 (provider 80,000, other 20,000) and pharmacy 20,000 (4,000 / 16,000).
    EXPECT_DOUBLE_EQ(metric_of(l, "fee_for_service"), 120'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 80'000 + 4'000 + 18'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::other_providers)], 20'000 + 16'000 + 7'200);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)], 18'000);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::payer)], 138'000);
    expect_conserved(l, 1e5);
}

// =====================================================================================
// Care-management fee
// =====================================================================================

TEST(CareManagementFee, PaysPmpmByTier) {
    Book b;
    const Ledger l = b.settle(parse(R"({"type": "care_management_fee", "party": "pcp", "pmpm": {"A": 30, "B": 10}})"));
    // 30 x 60 + 10 x 120 = 3,000.
    EXPECT_DOUBLE_EQ(metric_of(l, "care_management_fees"), 3'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)], 3'000);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::payer)], 3'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 0.0);
    // A tier without a value (and no default) is an error when preparing.
    const Component partial = parse(R"({"type": "care_management_fee", "pmpm": {"A": 30}})");
    EXPECT_EQ(where_of([&] { needs_of(partial, b.setup, "m.components[2]"); }),
              "m.components[2].pmpm.B");
}

// =====================================================================================
// Shared savings
// =====================================================================================

// Benchmark 1,000 PMPM x 180 member-months = 180,000; MSR 2% -> expenditure must be at
// most 176,400 (savings 3,600) to share.
struct SavingsBook : Book {
    SavingsBook() { benchmark_pmpm = 1'000; }
    void spend(double x) { allowed = {x - 60'000, 40'000, 20'000}; }
};

TEST(SharedSavings, MsrCliffOneDollarEachSide) {
    SavingsBook b;
    const Component ss = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                   "minimum_savings_rate": 0.02})");
    b.spend(176'401);  // savings 3,599: rate 0.0199944 < 2%: nothing
    Ledger below = b.settle(ss);
    EXPECT_EQ(metric_of(below, "shared_savings"), 0.0);
    EXPECT_EQ(below.revenue[idx(Party::provider)], 0.0);
    EXPECT_DOUBLE_EQ(b.comparison.benchmark, 180'000);
    EXPECT_DOUBLE_EQ(b.comparison.expenditure, 176'401);
    EXPECT_DOUBLE_EQ(b.comparison.savings_rate, 3'599.0 / 180'000);

    b.spend(176'400);  // exactly 2%: shared (r >= MSR)
    EXPECT_DOUBLE_EQ(metric_of(b.settle(ss), "shared_savings"), 1'800);

    b.spend(176'399);  // savings 3,601 shared from the first dollar: 0.5 x 3,601 = 1,800.50
    Ledger above = b.settle(ss);
    EXPECT_DOUBLE_EQ(metric_of(above, "shared_savings"), 1'800.5);
    EXPECT_DOUBLE_EQ(above.revenue[idx(Party::provider)], 1'800.5);
    EXPECT_DOUBLE_EQ(above.payments[idx(Party::payer)], 1'800.5);
}

TEST(SharedSavings, SavingsCapBindingAndNot) {
    SavingsBook b;
    const Component capped = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                       "minimum_savings_rate": 0.02, "savings_cap": 0.01})");
    const Component loose = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                      "minimum_savings_rate": 0.02, "savings_cap": 0.05})");
    b.spend(170'000);  // savings 10,000 -> 0.5 x 10,000 = 5,000
    EXPECT_DOUBLE_EQ(metric_of(b.settle(capped), "shared_savings"), 1'800);  // cap 1% x 180,000
    EXPECT_DOUBLE_EQ(metric_of(b.settle(loose), "shared_savings"), 5'000);   // cap 9,000 not binding
    b.spend(176'399);  // 1,800.50 against a cap of 1,800: binding by 50 cents
    EXPECT_DOUBLE_EQ(metric_of(b.settle(capped), "shared_savings"), 1'800);
}

TEST(SharedSavings, QualityGateAndScale) {
    SavingsBook b;
    b.spend(170'000);  // savings 10,000
    const Component gate = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                     "quality": "gate", "quality_threshold": 0.8})");
    const Component scale = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                      "quality": "scale"})");
    const Component none = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5})");
    b.quality = 0.79;
    EXPECT_EQ(metric_of(b.settle(gate), "shared_savings"), 0.0);
    EXPECT_DOUBLE_EQ(metric_of(b.settle(scale), "shared_savings"), 0.5 * 0.79 * 10'000);
    EXPECT_DOUBLE_EQ(metric_of(b.settle(none), "shared_savings"), 5'000);
    b.quality = 0.8;
    EXPECT_DOUBLE_EQ(metric_of(b.settle(gate), "shared_savings"), 5'000);
    EXPECT_DOUBLE_EQ(metric_of(b.settle(scale), "shared_savings"), 4'000);
}

TEST(SharedSavings, TruncationSubtractsTheMemberExcess) {
    SavingsBook b;
    b.spend(180'000);  // no savings before truncation
    const Component ss = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                   "minimum_savings_rate": 0.02, "truncation_amount": 50000,
                                   "categories": ["inpatient", "professional"]})");
    // The component asks the engine for one member-level sum: the excess of each
    // member-year's inpatient + professional cost over 50,000 (coinsurance 1, no limit).
    const ComponentNeeds n = needs_of(ss, b.setup, "m");
    ASSERT_EQ(n.reductions.size(), 1u);
    EXPECT_EQ(n.reductions[0].attachment, std::vector<double>(3, 50'000));
    EXPECT_EQ(n.reductions[0].coinsurance, 1.0);
    EXPECT_EQ(n.reductions[0].limit, inf);
    EXPECT_EQ(n.reductions[0].categories, (std::vector<bool>{true, true, false}));
    EXPECT_TRUE(n.base_truncated);
    EXPECT_EQ(n.benchmark, &std::get<SharedSavings>(ss).benchmark);

    // Expenditure: inpatient + professional = 160,000 less the excess 12,000 = 148,000
    // against a benchmark of 180,000: savings 32,000, shared 16,000.
    b.member_sums = {12'000};
    const Ledger l = b.settle(ss);
    EXPECT_DOUBLE_EQ(b.comparison.expenditure, 148'000);
    EXPECT_DOUBLE_EQ(metric_of(l, "shared_savings"), 16'000);

    // A percentile truncation asks the setup for the per-year quantiles.
    b.setup.member_cost_percentile = [](double p) {
        EXPECT_EQ(p, 0.99);
        return std::vector<double>{70'000, 72'000, 75'000};
    };
    const Component pct = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                    "truncation_percentile": 0.99})");
    EXPECT_EQ(needs_of(pct, b.setup, "m").reductions[0].attachment,
              (std::vector<double>{70'000, 72'000, 75'000}));
}

TEST(SharedSavings, MsrMethodsFixedTableAndConfidenceInterval) {
    SavingsBook b;
    const Component table = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                      "minimum_savings_rate": {"method": "mssp_table"}})");
    // 7,500 members: MSR 3.3% (CMS's example) -> threshold 180,000 x 0.967 = 174,060.
    b.members = 7'500;
    b.setup.pool_members = 7'500;  // the table needs 5,000 in year 1
    b.spend(174'070);  // 3.2944%
    EXPECT_EQ(metric_of(b.settle(table), "shared_savings"), 0.0);
    b.spend(174'050);  // 3.3056%: 0.5 x 5,950
    EXPECT_DOUBLE_EQ(metric_of(b.settle(table), "shared_savings"), 2'975);

    // Confidence interval, 500 members, 90% two-sided, on the setup's total cv 1.676:
    // 1.6448536 x 1.676 / sqrt(500) = 12.33% -> shares at 12.4%, not at 12.2%.
    const Component ci = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                   "minimum_savings_rate": {"method": "confidence_interval", "confidence": 0.9,
                                                            "sides": "two", "cv": "total"}})");
    b.members = 500;
    b.spend(180'000 * (1 - 0.122));
    EXPECT_EQ(metric_of(b.settle(ci), "shared_savings"), 0.0);
    b.spend(180'000 * (1 - 0.124));
    EXPECT_NEAR(metric_of(b.settle(ci), "shared_savings"), 0.5 * 0.124 * 180'000, 1e-6);
    // By default the within-tier cv (1.5 in the setup): 1.6448536 x 1.5 / sqrt(500) =
    // 11.03% -> shares at 11.1%, not at 10.9%.
    const Component within = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                       "minimum_savings_rate": {"method": "confidence_interval"}})");
    b.spend(180'000 * (1 - 0.109));
    EXPECT_EQ(metric_of(b.settle(within), "shared_savings"), 0.0);
    b.spend(180'000 * (1 - 0.111));
    EXPECT_NEAR(metric_of(b.settle(within), "shared_savings"), 0.5 * 0.111 * 180'000, 1e-6);
    // An explicit cv overrides the scenario's: cv 1.0 -> 7.36%, so 12.2% now shares.
    const Component ci_cv = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                      "minimum_savings_rate": {"method": "confidence_interval", "cv": 1.0}})");
    b.spend(180'000 * (1 - 0.122));
    EXPECT_NEAR(metric_of(b.settle(ci_cv), "shared_savings"), 0.5 * 0.122 * 180'000, 1e-6);

    // The table rejects pools under 5,000 when preparing, naming the JSON path.
    b.setup.pool_members = 4'999;
    EXPECT_EQ(where_of([&] { needs_of(table, b.setup, "payment_models[0].components[1]"); }),
              "payment_models[0].components[1].minimum_savings_rate (pool members)");
}

TEST(SharedSavings, MsspTableSettlesWhenALaterYearsPoolIsSmaller) {
    // Preparation checks the MSSP table against the year-1 pool (6,000 here), but the rate
    // is resolved at settlement from the performance year's eligible members. When a later
    // year has fewer than 5,000 (attrition), settlement must not throw from inside the
    // settlement loop (errors belong before it); the natural rate is the table's floor
    // band, 3.9%.
    SavingsBook b;
    b.setup.pool_members = 6'000;
    const Component table = parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                      "minimum_savings_rate": {"method": "mssp_table"}})");
    ASSERT_NO_THROW(needs_of(table, b.setup, "payment_models[0].components[1]"));
    b.members = 4'999;
    b.spend(170'000);  // 5.6% savings: above any table rate
    double paid = -1;
    EXPECT_NO_THROW(paid = metric_of(b.settle(table), "shared_savings"));
    EXPECT_DOUBLE_EQ(paid, 5'000);
}

TEST(SharedSavings, NothingWhenExpenditureExceedsTheBenchmark) {
    SavingsBook b;
    b.spend(200'000);
    const Ledger l = b.settle(parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5})"));
    EXPECT_EQ(metric_of(l, "shared_savings"), 0.0);
    EXPECT_EQ(metric_of(l, "shared_losses"), 0.0);  // one-sided
    EXPECT_EQ(sum_payments(l), 0.0);
}

// =====================================================================================
// Shared risk (two-sided)
// =====================================================================================

TEST(SharedRisk, MlrCliffAndLossRate) {
    SavingsBook b;
    const Component sr = parse(R"({"type": "shared_risk", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                   "minimum_savings_rate": 0.02, "loss_rate": 0.3})");
    // The MLR defaults to the MSR (symmetric): losses of at least 3,600 are shared.
    b.spend(183'599);  // loss 3,599 < 2%: nothing
    EXPECT_EQ(metric_of(b.settle(sr), "shared_losses"), 0.0);
    b.spend(183'601);  // loss 3,601 from the first dollar: 0.3 x 3,601 = 1,080.30
    const Ledger l = b.settle(sr);
    EXPECT_NEAR(metric_of(l, "shared_losses"), 1'080.3, 1e-9);
    EXPECT_NEAR(l.payments[idx(Party::provider)], 1'080.3, 1e-9);
    EXPECT_NEAR(l.revenue[idx(Party::payer)], 1'080.3, 1e-9);
    // Savings side behaves like shared savings.
    b.spend(170'000);
    EXPECT_DOUBLE_EQ(metric_of(b.settle(sr), "shared_savings"), 5'000);
    EXPECT_EQ(metric_of(b.settle(sr), "shared_losses"), 0.0);
    // An explicit, larger MLR: 3% -> a 3,601 loss (2.0006%) is not shared.
    const Component mlr = parse(R"({"type": "shared_risk", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                    "minimum_savings_rate": 0.02, "minimum_loss_rate": 0.03, "loss_rate": 0.3})");
    b.spend(183'601);
    EXPECT_EQ(metric_of(b.settle(mlr), "shared_losses"), 0.0);
}

TEST(SharedRisk, LossLimitsByBenchmarkRevenueLesserAndGreater) {
    SavingsBook b;
    b.spend(183'601);  // loss 3,601: 0.3 x 3,601 = 1,080.30 before limits
    auto owed = [&](const std::string& limits) {
        const Component sr = parse(R"({"type": "shared_risk", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
                                       "minimum_savings_rate": 0.02, "loss_rate": 0.3)" +
                                   limits + "}");
        Ledger l;
        l.transfer(Party::payer, Party::provider, 50'000);  // the provider's revenue from the model this year
        b.settle(sr, l);
        EXPECT_NEAR(sum_revenue(l), sum_payments(l), 1e-9);
        return metric_of(l, "shared_losses");
    };
    EXPECT_NEAR(owed(""), 1'080.3, 1e-9);
    EXPECT_DOUBLE_EQ(owed(R"(, "loss_limit_benchmark": 0.005)"), 900);       // 0.5% x 180,000 binds
    EXPECT_NEAR(owed(R"(, "loss_limit_benchmark": 0.01)"), 1'080.3, 1e-9);   // 1,800 does not
    EXPECT_DOUBLE_EQ(owed(R"(, "loss_limit_revenue": 0.01)"), 500);          // 1% x 50,000 binds
    EXPECT_NEAR(owed(R"(, "loss_limit_revenue": 0.04)"), 1'080.3, 1e-9);     // 2,000 does not
    // Both: the lesser (BASIC C-E) of 900 and 500, or the greater.
    EXPECT_DOUBLE_EQ(owed(R"(, "loss_limit_benchmark": 0.005, "loss_limit_revenue": 0.01)"), 500);
    EXPECT_DOUBLE_EQ(owed(R"(, "loss_limit_benchmark": 0.005, "loss_limit_revenue": 0.01, "loss_limit_rule": "greater")"), 900);
    // Greater of 900 and 2,000 = 2,000 does not bind; the lesser (900) does.
    EXPECT_NEAR(owed(R"(, "loss_limit_benchmark": 0.005, "loss_limit_revenue": 0.04, "loss_limit_rule": "greater")"), 1'080.3, 1e-9);
    EXPECT_DOUBLE_EQ(owed(R"(, "loss_limit_benchmark": 0.005, "loss_limit_revenue": 0.04)"), 900);
}

// =====================================================================================
// Risk corridors
// =====================================================================================

// Target 1,000 PMPM x 180 = 180,000; expenditure X = T (1 - d) for a deviation d
// (savings positive). transfer(d) is the signed amount paid by the payer to the party.
struct CorridorBook : Book {
    CorridorBook() { benchmark_pmpm = 1'000; }
    static constexpr double T = 180'000;
    double transfer(const Component& c, double d) {
        allowed = {T * (1 - d), 0, 0};
        const Ledger l = settle(c);
        EXPECT_NEAR(sum_revenue(l), sum_payments(l), 1e-12 * T);
        return metric_of(l, "corridor_transfer");
    }
};

Component corridor(const std::string& terms) {
    return parse(R"({"type": "risk_corridor", "target": {"pmpm": 1000}, )" + terms + "}");
}

TEST(RiskCorridor, ReachGlobalBandEdges) {
    CorridorBook b;
    const Component c = corridor(R"("preset": "reach_global")");
    EXPECT_EQ(std::get<RiskCorridor>(c).basis, RiskCorridor::Basis::shared);
    const double T = CorridorBook::T;
    // Kept: 100% to 25%, 50% of 25-35%, 25% of 35-50%, 10% beyond.
    EXPECT_NEAR(b.transfer(c, 0.0), 0.0, 1e-9);
    EXPECT_NEAR(b.transfer(c, 0.10), 0.10 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.25), 0.25 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.35), (0.25 + 0.05) * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.50), (0.30 + 0.0375) * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.60), (0.3375 + 0.01) * T, 1e-6);
    // Losses symmetric: the ACO owes the kept share.
    EXPECT_NEAR(b.transfer(c, -0.35), -0.30 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, -0.60), -0.3475 * T, 1e-6);
}

TEST(RiskCorridor, ReachProfessionalBandEdges) {
    CorridorBook b;
    const Component c = corridor(R"("preset": "reach_professional")");
    const double T = CorridorBook::T;
    // 50% to 5%, 35% of 5-10%, 15% of 10-15%, 5% beyond.
    EXPECT_NEAR(b.transfer(c, 0.05), 0.025 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.10), 0.0425 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.15), 0.05 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.25), 0.055 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, -0.10), -0.0425 * T, 1e-6);
}

TEST(RiskCorridor, AcaBandEdges) {
    CorridorBook b;
    const Component c = corridor(R"("preset": "aca")");
    EXPECT_EQ(std::get<RiskCorridor>(c).basis, RiskCorridor::Basis::capitated);
    const double T = CorridorBook::T;
    // The plan holds the deviation; the government shares none within 3%, 50% of 3-8%,
    // 80% beyond: the plan returns (savings) or is paid (losses) the shared part.
    EXPECT_NEAR(b.transfer(c, 0.03), 0.0, 1e-6);
    EXPECT_NEAR(b.transfer(c, 0.08), -0.025 * T, 1e-6);              // 50% of 5%
    EXPECT_NEAR(b.transfer(c, 0.18), -(0.025 + 0.08) * T, 1e-6);     // + 80% of 10%
    EXPECT_NEAR(b.transfer(c, -0.03), 0.0, 1e-6);
    EXPECT_NEAR(b.transfer(c, -0.08), 0.025 * T, 1e-6);
    EXPECT_NEAR(b.transfer(c, -0.18), 0.105 * T, 1e-6);
}

TEST(RiskCorridor, MedicaidPresetsBandEdges) {
    CorridorBook b;
    const double T = CorridorBook::T;
    // Keeps unspent funds between 95% and 100% of target, half of 90-95%, returns the rest.
    const Component ex = corridor(R"("preset": "medicaid_example")");
    EXPECT_NEAR(b.transfer(ex, 0.05), 0.0, 1e-6);
    EXPECT_NEAR(b.transfer(ex, 0.10), -0.025 * T, 1e-6);
    EXPECT_NEAR(b.transfer(ex, 0.20), -0.125 * T, 1e-6);
    EXPECT_NEAR(b.transfer(ex, -0.20), 0.0, 1e-6);  // losses all the plan's
    // Contractor liable for costs between 100% and 103% of expected; the payer pays beyond.
    const Component c103 = corridor(R"("preset": "medicaid_contractor_103")");
    EXPECT_NEAR(b.transfer(c103, 0.20), 0.0, 1e-6);
    EXPECT_NEAR(b.transfer(c103, -0.03), 0.0, 1e-6);
    EXPECT_NEAR(b.transfer(c103, -0.10), 0.07 * T, 1e-6);
}

TEST(RiskCorridor, SharedVersusCapitatedBasisAndAsymmetricBands) {
    CorridorBook b;
    const double T = CorridorBook::T;
    const std::string bands = R"("bands": [{"from": 0, "to": 0.05, "keep": 1}, {"from": 0.05, "to": null, "keep": 0.5}])";
    const Component shared = corridor(bands + R"(, "basis": "shared")");
    const Component capitated = corridor(bands + R"(, "basis": "capitated")");
    // d = 10%: kept 5% + 2.5% = 7.5% of T. Shared: paid 7.5%; capitated: returns 2.5%.
    EXPECT_NEAR(b.transfer(shared, 0.10), 0.075 * T, 1e-6);
    EXPECT_NEAR(b.transfer(capitated, 0.10), -0.025 * T, 1e-6);
    EXPECT_NEAR(b.transfer(shared, -0.10), -0.075 * T, 1e-6);
    EXPECT_NEAR(b.transfer(capitated, -0.10), 0.025 * T, 1e-6);
    // Asymmetric: keeps all savings to 2% then 20%; keeps losses to 10% then 60%.
    const Component asym = corridor(R"("basis": "shared",
        "savings_bands": [{"from": 0, "to": 0.02, "keep": 1}, {"from": 0.02, "to": null, "keep": 0.2}],
        "loss_bands": [{"from": 0, "to": 0.10, "keep": 1}, {"from": 0.10, "to": null, "keep": 0.6}])");
    EXPECT_NEAR(b.transfer(asym, 0.12), (0.02 + 0.2 * 0.10) * T, 1e-6);
    EXPECT_NEAR(b.transfer(asym, -0.12), -(0.10 + 0.6 * 0.02) * T, 1e-6);
}

TEST(RiskCorridor, TargetFromCapitationRevenue) {
    Book b;
    // Capitation 1,000 PMPM = 180,000; target 85% = 153,000; expenditure 160,000: loss
    // 7,000. ACA: the first 3% (4,590) is the plan's, half of the rest (2,410) is paid back.
    Ledger l;
    b.capitate({1, 1, 1});
    b.settle(parse(R"({"type": "capitation", "pmpm": 1000})"), l);
    b.settle(parse(R"({"type": "risk_corridor", "preset": "aca", "target_ratio": 0.85})"), l);
    EXPECT_NEAR(metric_of(l, "corridor_transfer"), 1'205, 1e-6);
    EXPECT_NEAR(b.comparison.benchmark, 153'000, 1e-9);
    EXPECT_NEAR(l.revenue[idx(Party::provider)], 181'205, 1e-6);
}

TEST(RiskCorridor, ContinuousAtEveryPresetBandEdge) {
    CorridorBook b;
    const double T = CorridorBook::T;
    for (const char* preset : {"reach_global", "reach_professional", "aca", "medicaid_example", "medicaid_contractor_103"}) {
        const Component c = corridor(std::string(R"("preset": ")") + preset + "\"");
        const RiskCorridor& rc = std::get<RiskCorridor>(c);
        for (int side : {+1, -1}) {
            const auto& bands = side > 0 ? rc.savings_bands : rc.loss_bands;
            for (const CorridorBand& band : bands) {
                if (band.to == inf) continue;
                const double e = band.to;
                const double lo = b.transfer(c, side * e * (1 - 1e-9)), hi = b.transfer(c, side * e * (1 + 1e-9));
                // |slope| <= 1 (dollars per dollar of deviation), the step is 2e-9 e T, and
                // X = T (1 - d) carries a rounding error of about 1e-16 T.
                EXPECT_LE(std::fabs(hi - lo), 2e-9 * e * T + 1e-9 * T) << preset << " edge " << side * e;
            }
        }
        // And at the target itself.
        EXPECT_LE(std::fabs(b.transfer(c, 1e-9) - b.transfer(c, -1e-9)), 2e-9 * T + 1e-9 * T) << preset;
    }
}

// =====================================================================================
// Stop-loss
// =====================================================================================

TEST(StopLoss, MemberReductionAtAttachmentAndLimit) {
    MemberReduction r;
    r.attachment = {250'000, 260'000};
    r.coinsurance = 0.9;
    r.limit = 100'000;
    r.categories = {true, true, true};
    EXPECT_EQ(r.apply(249'999, 0), 0.0);
    EXPECT_EQ(r.apply(250'000, 0), 0.0);
    EXPECT_DOUBLE_EQ(r.apply(250'001, 0), 0.9);
    EXPECT_EQ(r.apply(250'001, 1), 0.0);  // year 2 attaches at 260,000
    // The limit is reached at 250,000 + 100,000 / 0.9 = 361,111.11.
    EXPECT_DOUBLE_EQ(r.apply(361'111, 0), 0.9 * 111'111);
    EXPECT_DOUBLE_EQ(r.apply(361'112, 0), 100'000);
    EXPECT_DOUBLE_EQ(r.apply(1e7, 0), 100'000);
    // Truncation: coinsurance 1, no limit -> the plain excess.
    MemberReduction t;
    t.attachment = {50'000};
    t.categories = {true};
    EXPECT_DOUBLE_EQ(t.apply(1e6, 0), 950'000);
}

TEST(StopLoss, SpecificMemberSumsAsTheEngineComputesThem) {
    // Three members of the default program's cost model (8 categories) in a one-year
    // trial; the stop-loss covers inpatient and pharmacy, attaches at 250,000 with 90%
    // coinsurance and a 100,000 limit.
    Scenario s = Scenario::default_cmc_program(3, 1, false);
    s.intervention.reset();
    SettlementSetup setup;
    setup.categories = s.cost_model.categories;
    setup.tiers = s.cost_model.tiers;
    setup.years = 1;
    setup.pool_members = 3;
    setup.metrics = registered_metrics();
    const Component sl = parse(R"({"type": "specific_stop_loss", "attachment": 250000, "coinsurance": 0.9,
                                   "limit": 100000, "categories": ["inpatient", "pharmacy"]})");
    const ComponentNeeds needs = needs_of(sl, setup, "m");
    ASSERT_EQ(needs.reductions.size(), 1u);
    ExperienceTable table(1, 1, 1, setup.categories.size(), setup.tiers.size(), 0, 1);
    ExperienceObserver observer(s, needs.reductions, table);

    const std::size_t C = setup.categories.size();  // inpatient = 0, pharmacy = 4, outpatient = 2
    std::vector<double> costs(3 * C, 0.0);
    costs[0 * C + 0] = 249'999;                                 // member 0: 1 below attachment -> 0
    costs[0 * C + 2] = 500'000;                                 //   (outpatient not covered)
    costs[1 * C + 0] = 150'000, costs[1 * C + 4] = 100'001;     // member 1: 250,001 -> 0.9
    costs[2 * C + 0] = 400'000;                                 // member 2: 0.9 x 150,000 = 135,000 -> limit 100,000
    const std::vector<std::uint16_t> tiers = {0, 1, 2};
    const std::vector<std::uint8_t> months = {12, 12, 6};
    const std::span<const double> arm(costs);
    TrialView v;
    v.trial = 0;
    v.years = 1;
    v.members = 3;
    const std::span<const std::uint16_t> tier_span(tiers);
    v.arm_tiers = {&tier_span, 1};
    v.months = months;
    const std::vector<double> scores = {1.0, 1.0, 1.0};
    v.risk_score = scores;
    v.categories = C;
    v.arm_categories = {&arm, 1};
    observer.observe(v);
    const PeriodExperience e = table.at(0, 0, 0);
    ASSERT_EQ(e.member_sums.size(), 1u);
    EXPECT_DOUBLE_EQ(e.member_sums[0], 100'000.9);
    EXPECT_EQ(e.members, 3.0);
    EXPECT_EQ(e.total_months(), 30.0);
    EXPECT_DOUBLE_EQ(e.allowed[0], 799'999);

    // Settled with a premium calibrated at 40,000 expected recoveries and a 15% loading:
    // the reinsurer pays 100,000.90 and receives 46,000.
    Book b;
    b.setup = setup;
    b.allowed.assign(e.allowed.begin(), e.allowed.end());
    b.member_months.assign(e.member_months.begin(), e.member_months.end());
    b.delivery = ResolvedDelivery(DeliveryBasis{}, setup.categories, "delivery");
    b.coverage = CareCoverage(C);
    b.member_sums = {e.member_sums[0]};
    b.calibration = {40'000};
    const Component loaded = parse(R"({"type": "specific_stop_loss", "attachment": 250000, "coinsurance": 0.9,
                                       "limit": 100000, "loading": 0.15})");
    const Ledger l = b.settle(loaded);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_recoveries"), 100'000.9);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 46'000);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::provider)], 100'000.9);
    EXPECT_DOUBLE_EQ(l.payments[idx(Party::reinsurer)], 100'000.9);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::reinsurer)], 46'000);
    EXPECT_NEAR(l.net(Party::reinsurer), 46'000 - 100'000.9, 1e-9);
}

TEST(StopLoss, SpecificPremiumFromCalibrationOrGivenPmpm) {
    Book b;
    b.member_sums = {12'345};
    b.calibration = {10'000, 11'000, 12'000};  // expected recoveries by year
    const Component cal = parse(R"({"type": "specific_stop_loss", "attachment": 100000, "loading": 0.15})");
    b.year = 1;  // premium 11,000 x 1.15 = 12,650
    Ledger l = b.settle(cal);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 12'650);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_recoveries"), 12'345);
    EXPECT_NEAR(l.net(Party::provider), 12'345 - 12'650, 1e-9);
    // Given expectation: 50 PMPM x 180 x 1.15 = 10,350 whatever the calibration.
    const Component given = parse(R"({"type": "specific_stop_loss", "attachment": 100000, "loading": 0.15,
                                      "expected_recoveries_pmpm": 50, "insurer": "payer", "party": "pcp"})");
    l = b.settle(given);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 10'350);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::pcp)], 12'345);
    EXPECT_DOUBLE_EQ(l.revenue[idx(Party::payer)], 10'350);

    // calibrate(): the mean over trials of the base case's member sums, per year.
    CalibrationView v;
    v.trials = 4;
    v.years = 2;
    const std::vector<double> sums = {0, 1'000, 3'000, 8'000, 10, 20, 30, 40};  // [trial][year]
    const PeriodExperience e = b.experience();
    v.baseline = [&](std::uint64_t, int) { return e; };
    v.member_sums = [&](std::uint64_t t, int y) { return std::span<const double>(&sums[t * 2 + y], 1); };
    const std::vector<double> calibrated = std::get<SpecificStopLoss::Prepared>(prepared(cal, b.setup)).calibrate(v);
    ASSERT_EQ(calibrated.size(), 4u);  // means by year, then their standard errors
    EXPECT_DOUBLE_EQ(calibrated[0], (0 + 3'000 + 10 + 30) / 4.0);
    EXPECT_DOUBLE_EQ(calibrated[1], (1'000 + 8'000 + 20 + 40) / 4.0);
    // Year 1: mean 760, squared deviations 577,600 + 5,017,600 + 562,500 + 532,900 =
    // 6,690,600; sample variance / 3, standard error sqrt(2,230,200 / 4).
    EXPECT_NEAR(calibrated[2], std::sqrt(2'230'200.0 / 4.0), 1e-9);
    EXPECT_GT(calibrated[3], 0.0);
}

TEST(StopLoss, AggregateAttachmentCoinsuranceLimitAndPremium) {
    Book b;
    b.allowed = {120'000, 40'000, 10'000};  // 170,000
    // calibration = [expected recoveries, their standard errors, expected cost, its
    // standard errors], each by year (3 years).
    b.calibration = {3'000, 3'500, 4'000, 10, 10, 10, 128'000, 130'000, 131'000, 100, 100, 100};
    const Component agg = parse(R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.25, "coinsurance": 0.8,
                                    "loading": 0.1})");
    // Attaches at 1.25 x 128,000 = 160,000: 0.8 x 10,000 = 8,000; premium 3,000 x 1.1.
    Ledger l = b.settle(agg);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_recoveries"), 8'000);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 3'300);
    // Year 2 attaches at 162,500: 0.8 x 7,500 = 6,000; premium 3,500 x 1.1.
    b.year = 1;
    l = b.settle(agg);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_recoveries"), 6'000);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 3'850);
    b.year = 0;
    // With a limit: min(8,000, 5,000).
    const Component limited = parse(R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.25, "coinsurance": 0.8,
                                        "limit": 5000})");
    EXPECT_DOUBLE_EQ(metric_of(b.settle(limited), "stop_loss_recoveries"), 5'000);
    // At and one dollar below the attachment nothing is recovered.
    b.allowed = {120'000, 40'000, 0};
    EXPECT_EQ(metric_of(b.settle(agg), "stop_loss_recoveries"), 0.0);
    b.allowed = {120'000, 39'999, 0};
    EXPECT_EQ(metric_of(b.settle(agg), "stop_loss_recoveries"), 0.0);
    b.allowed = {120'000, 40'001, 0};
    EXPECT_DOUBLE_EQ(metric_of(b.settle(agg), "stop_loss_recoveries"), 0.8);
    // Given expected cost (900 PMPM x 180 = 162,000 -> attaches at 202,500), inpatient only.
    const Component given = parse(R"({"type": "aggregate_stop_loss", "expected_pmpm": 900, "categories": ["inpatient"],
                                      "expected_recoveries_pmpm": 10, "loading": 0.5})");
    b.allowed = {210'000, 40'000, 0};
    l = b.settle(given);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_recoveries"), 7'500);
    EXPECT_DOUBLE_EQ(metric_of(l, "stop_loss_premium"), 10 * 180 * 1.5);

    // calibrate(): expected cost = mean base-case cost; recoveries against it.
    CalibrationView v;
    v.trials = 2;
    v.years = 1;
    const std::vector<double> low = {80'000, 20'000, 0}, high = {130'000, 20'000, 0}, months = {60, 120};
    const std::vector<double> none;
    v.baseline = [&](std::uint64_t t, int) { return PeriodExperience{t == 0 ? low : high, months, 15, 216, none, none}; };
    v.member_sums = [&](std::uint64_t, int) { return std::span<const double>(); };
    // Expected 125,000; attachment 1.1 x 125,000 = 137,500: recoveries 0 and 0.8 x 12,500 = 10,000.
    const Component cal = parse(R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.1, "coinsurance": 0.8})");
    const std::vector<double> calibrated = std::get<AggregateStopLoss::Prepared>(prepared(cal, b.setup)).calibrate(v);
    // [recoveries, their standard error, expected cost, its standard error] for one year.
    ASSERT_EQ(calibrated.size(), 4u);
    EXPECT_NEAR(calibrated[0], 5'000, 1e-9);
    EXPECT_NEAR(calibrated[1], 5'000, 1e-9);  // sd of {0, 10,000} = 7,071.07 / sqrt(2)
    EXPECT_DOUBLE_EQ(calibrated[2], 125'000);
    EXPECT_NEAR(calibrated[3], 25'000, 1e-9);  // sd of {100,000, 150,000} / sqrt(2)
}

TEST(StopLoss, Table422_208AtEveryBandEdge) {
    struct Edge {
        double panel, combined, institutional, professional;
    };
    const std::vector<Edge> edges = {
        {1, 6'000, 10'000, 3'000},           {1'000, 6'000, 10'000, 3'000},
        {1'001, 30'000, 40'000, 10'000},     {5'000, 30'000, 40'000, 10'000},
        {5'001, 40'000, 60'000, 15'000},     {8'000, 40'000, 60'000, 15'000},
        {8'001, 75'000, 100'000, 20'000},    {10'000, 75'000, 100'000, 20'000},
        {10'001, 150'000, 200'000, 25'000},  {25'000, 150'000, 200'000, 25'000},
        {25'001, inf, inf, inf},             {1e9, inf, inf, inf},
    };
    for (const Edge& e : edges) {
        EXPECT_EQ(stop_loss_deductible_422_208(e.panel, "combined"), e.combined) << e.panel;
        EXPECT_EQ(stop_loss_deductible_422_208(e.panel, "institutional"), e.institutional) << e.panel;
        EXPECT_EQ(stop_loss_deductible_422_208(e.panel, "professional"), e.professional) << e.panel;
    }
    EXPECT_EQ(where_of([] { stop_loss_deductible_422_208(100, "hospital", "preset"); }), "preset");
    EXPECT_THROW(stop_loss_deductible_422_208(0, "combined"), InvalidInput);
    EXPECT_THROW(stop_loss_deductible_422_208(std::nan(""), "combined"), InvalidInput);

    // The preset sets the specific attachment from the pool's size when preparing.
    Book b;
    b.setup.pool_members = 3'000;
    const Component sl = parse(R"({"type": "specific_stop_loss", "preset_422_208": "institutional", "coinsurance": 0.9})");
    const ComponentNeeds n = needs_of(sl, b.setup, "m");
    EXPECT_EQ(n.reductions[0].attachment, std::vector<double>(3, 40'000));
    EXPECT_EQ(n.reductions[0].coinsurance, 0.9);
}

// =====================================================================================
// Quality withhold and quality scores
// =====================================================================================

TEST(QualityWithhold, GateAndScale) {
    Book b;
    auto withheld = [&](const std::string& terms, double score) {
        b.quality = score;
        Ledger l;
        l.pay(b.setup.metric("care_management_fees"), Party::payer, Party::provider, 100'000);  // paid under the model this year
        b.settle(parse(R"({"type": "quality_withhold", "rate": 0.02, )" + terms + "}"), l);
        EXPECT_DOUBLE_EQ(l.payments[idx(Party::provider)], metric_of(l, "withhold_retained"));
        return metric_of(l, "withhold_retained");
    };
    // 2% of 100,000 = 2,000 withheld.
    EXPECT_EQ(withheld(R"("quality": "gate", "quality_threshold": 0.8)", 0.85), 0.0);
    EXPECT_EQ(withheld(R"("quality": "gate", "quality_threshold": 0.8)", 0.8), 0.0);
    EXPECT_DOUBLE_EQ(withheld(R"("quality": "gate", "quality_threshold": 0.8)", 0.79), 2'000);
    EXPECT_DOUBLE_EQ(withheld(R"("quality": "scale")", 0.75), 500);  // 25% of 2,000 kept by the payer
    EXPECT_EQ(withheld(R"("quality": "scale")", 1.0), 0.0);
}

TEST(QualityTerms, FixedWeightedAndBetaDrawn) {
    QualityTerms fixed = QualityTerms::from_json(Json::parse(R"({"fixed": 0.83})"), "quality");
    EXPECT_EQ(quality_score(fixed, 1, 7, 2, true), 0.83);
    EXPECT_EQ(quality_score(QualityTerms{}, 1, 0, 0, false), 1.0);
    // sd 0: the weighted mean of the means, (1 x 0.6 + 3 x 0.8) / 4 = 0.75; lift in the program arm.
    QualityTerms flat = QualityTerms::from_json(
        Json::parse(R"({"measures": [{"name": "a", "mean": 0.6}, {"name": "b", "weight": 3, "mean": 0.8, "intervention_lift": 0.04}]})"),
        "quality");
    EXPECT_DOUBLE_EQ(quality_score(flat, 1, 0, 0, false), 0.75);
    EXPECT_DOUBLE_EQ(quality_score(flat, 1, 0, 0, true), 0.78);

    // Beta(mean 0.8, sd 0.05) per trial: over 20,000 trials the sample mean is within 4
    // standard errors (4 x 0.05 / sqrt(20,000) = 0.0014) of 0.8, the sample sd within
    // 4 x sd / sqrt(2n) (2%, near-normal kurtosis of this beta) of 0.05, and the lift of
    // 0.05 raises every trial's score (the beta quantile at a fixed u rises with the mean
    // here: checked with scipy on a grid of u from 1e-12 to 1 - 1e-12, by at least 0.0026)
    // and the mean by 0.05 within 4 standard errors of the paired differences.
    const QualityTerms drawn = QualityTerms::from_json(
        Json::parse(R"({"measures": [{"name": "wellbeing", "mean": 0.8, "sd": 0.05, "intervention_lift": 0.05}]})"), "quality");
    const int n = 20'000;
    double s = 0, s2 = 0, d = 0, d2 = 0;
    int raised = 0;
    for (int t = 0; t < n; ++t) {
        const double base = quality_score(drawn, 20261123, static_cast<std::uint32_t>(t), 0, false);
        const double prog = quality_score(drawn, 20261123, static_cast<std::uint32_t>(t), 0, true);
        ASSERT_GT(base, 0.0);
        ASSERT_LT(base, 1.0);
        s += base;
        s2 += base * base;
        d += prog - base;
        d2 += (prog - base) * (prog - base);
        raised += prog > base;
    }
    const double mean = s / n, sd = std::sqrt((s2 - n * mean * mean) / (n - 1));
    EXPECT_NEAR(mean, 0.8, 4 * 0.05 / std::sqrt(n));
    EXPECT_NEAR(sd, 0.05, 4 * 0.05 / std::sqrt(2.0 * n));
    const double dm = d / n, dsd = std::sqrt((d2 - n * dm * dm) / (n - 1));
    EXPECT_NEAR(dm, 0.05, 4 * dsd / std::sqrt(n) + 1e-12);
    EXPECT_EQ(raised, n);
    // Different years and trials draw different uniforms; the same (seed, trial, year) repeats.
    EXPECT_NE(quality_score(drawn, 1, 0, 0, false), quality_score(drawn, 1, 0, 1, false));
    EXPECT_EQ(quality_score(drawn, 1, 3, 1, false), quality_score(drawn, 1, 3, 1, false));
}

// =====================================================================================
// Glide paths and payment models
// =====================================================================================

TEST(PaymentModel, GlidePathYearsInForce) {
    ComponentInForce every{FeeForService{}, {}};
    ComponentInForce later{FeeForService{}, {2, 3}};
    for (int y = 0; y < 5; ++y) EXPECT_TRUE(every.in_force(y));
    EXPECT_FALSE(later.in_force(0));
    EXPECT_TRUE(later.in_force(1));
    EXPECT_TRUE(later.in_force(2));
    EXPECT_FALSE(later.in_force(3));

    const PaymentModel m = payment_model_from_json(Json::parse(R"({"name": "glide", "components": [
        {"type": "fee_for_service"},
        {"type": "shared_savings", "years": [1], "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5},
        {"type": "shared_risk", "years": [2, 3], "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "loss_rate": 0.3}]})"),
                                                   "payment_models[0]");
    ASSERT_EQ(m.components.size(), 3u);
    EXPECT_TRUE(m.components[0].years.empty());
    EXPECT_EQ(m.components[1].years, std::vector<int>{1});
    EXPECT_EQ(m.components[2].years, (std::vector<int>{2, 3}));
    EXPECT_TRUE(std::holds_alternative<SharedSavings>(m.components[1].terms));
    EXPECT_TRUE(std::holds_alternative<SharedRisk>(m.components[2].terms));
    EXPECT_TRUE(m.components[1].in_force(0) && !m.components[1].in_force(1));
    EXPECT_TRUE(!m.components[2].in_force(0) && m.components[2].in_force(1) && m.components[2].in_force(2));
    EXPECT_EQ(where_of([] {
                  payment_model_from_json(Json::parse(R"({"name": "g", "components": [{"type": "fee_for_service", "years": [0]}]})"),
                                          "payment_models[0]");
              }),
              "payment_models[0].components[0].years");
    EXPECT_EQ(where_of([] {
                  payment_model_from_json(Json::parse(R"({"name": "g", "components": [{"type": "fee_for_service", "years": [1.5]}]})"),
                                          "payment_models[0]");
              }),
              "payment_models[0].components[0].years");
}

// =====================================================================================
// Minimum savings rates
// =====================================================================================

TEST(MinimumSavingsRate, MsspTableBandEndsAndInterpolation) {
    EXPECT_NEAR(mssp_minimum_savings_rate(7'500), 0.033, 1e-12);  // CMS's worked example
    EXPECT_NEAR(mssp_minimum_savings_rate(5'000), 0.039, 1e-12);
    EXPECT_NEAR(mssp_minimum_savings_rate(60'000), 0.020, 1e-12);
    EXPECT_NEAR(mssp_minimum_savings_rate(100'000), 0.020, 1e-12);
    // Band starts (each band's high-end rate is the next band's low-end rate).
    const std::vector<std::pair<double, double>> knots = {{6'000, 0.036}, {7'000, 0.034}, {8'000, 0.032},
                                                          {9'000, 0.031}, {10'000, 0.030}, {15'000, 0.027},
                                                          {20'000, 0.025}, {50'000, 0.022}};
    for (const auto& [n, r] : knots) EXPECT_NEAR(mssp_minimum_savings_rate(n), r, 1e-12) << n;
    // Linear within a band: midpoints.
    EXPECT_NEAR(mssp_minimum_savings_rate(5'500), 0.0375, 1e-12);
    EXPECT_NEAR(mssp_minimum_savings_rate(12'500), 0.0285, 1e-12);
    EXPECT_NEAR(mssp_minimum_savings_rate(35'000), 0.0235, 1e-12);
    EXPECT_NEAR(mssp_minimum_savings_rate(55'000), 0.021, 1e-12);
    // Non-increasing in pool size.
    double prev = 1.0;
    for (double n = 5'000; n <= 70'000; n += 250) {
        const double r = mssp_minimum_savings_rate(n);
        EXPECT_LE(r, prev + 1e-15) << n;
        prev = r;
    }
    EXPECT_EQ(where_of([] { mssp_minimum_savings_rate(4'999); }), "beneficiaries");
    EXPECT_THROW(mssp_minimum_savings_rate(std::nan("")), InvalidInput);
}

TEST(MinimumSavingsRate, ConfidenceIntervalRuleReproducesDomainValues) {
    // z = 1.645 (90% two-sided), cv = 1.676: 12.3%, 8.7%, 5.0%, 3.9% (DOMAIN section 4),
    // to the 0.1 percentage point shown.
    const std::vector<std::pair<double, double>> shown = {{500, 0.123}, {1'000, 0.087}, {3'000, 0.050}, {5'000, 0.039}};
    for (const auto& [n, r] : shown) {
        const double msr = minimum_savings_rate(n, 1.676, 0.90, Sides::two);
        EXPECT_NEAR(msr, r, 0.0005) << n;
        EXPECT_NEAR(msr, 1.6448536269514722 * 1.676 / std::sqrt(n), 1e-9) << n;
    }
    // One-sided 95% is the same z.
    EXPECT_NEAR(minimum_savings_rate(500, 1.676, 0.95, Sides::one), minimum_savings_rate(500, 1.676, 0.90, Sides::two), 1e-12);
    // MinimumRate::resolve fixes the rule before the first trial (pool of year 1, cvs); the
    // resolved rule gives the rate for a period's pool.
    EXPECT_EQ(MinimumRate::fixed_rate(0.02).resolve(10, 0.5, 1.0, "m")(10), 0.02);
    MinimumRate table;
    table.method = MinimumRate::Method::mssp_table;
    EXPECT_NEAR(table.resolve(7'500, 0.5, 1.0, "m")(7'500), 0.033, 1e-12);
    EXPECT_NEAR(table.resolve(7'500, 0.5, 1.0, "m")(4'000), 0.039, 1e-12);  // a pool that shrank keeps the first rate
    EXPECT_EQ(where_of([&] { table.resolve(4'999, 0.5, 1.0, "m"); }), "m (pool members)");
    MinimumRate ci;
    ci.method = MinimumRate::Method::confidence_interval;
    // The confidence interval uses the within-tier cv unless the terms ask for the total.
    EXPECT_NEAR(ci.resolve(1'000, 1.676, 3.0, "m")(1'000), 0.0871759, 1e-6);
    ci.cv_basis = MinimumRate::CvBasis::total;
    EXPECT_NEAR(ci.resolve(1'000, 3.0, 1.676, "m")(1'000), 0.0871759, 1e-6);
    EXPECT_EQ(ci.resolve(1'000, 1.676, 1.676, "m")(0), 1.0);  // nobody eligible: nothing can be shared
    EXPECT_EQ(where_of([&] { ci.resolve(1'000, 1.676, 0.0, "m"); }), "m.cv");  // a cv of 0 cannot set a rate
}

// =====================================================================================
// Properties over random inputs (fixed Philox streams)
// =====================================================================================

struct Uniforms {
    random::Stream s;
    explicit Uniforms(std::uint32_t k) : s(20261123, 0, 0, random::variable_id(random::StreamKind::user, 0, k)) {}
    double operator()(double lo = 0.0, double hi = 1.0) { return lo + (hi - lo) * s.uniform(); }
};

TEST(ContractProperties, CapitatedProviderNetNeverRisesWithCost) {
    Uniforms u(1);
    for (int trial = 0; trial < 3'000; ++trial) {
        Book b;
        DeliveryBasis d;
        d.provider_share = NamedValues{std::nullopt, {{"inpatient", u(0, 0.7)}, {"professional", u(0, 0.7)}, {"pharmacy", u(0, 0.7)}}};
        d.pcp_share = NamedValues::all(u(0, 0.3));
        d.provider_cost_ratio = NamedValues::all(u(0.5, 1.5));
        d.pcp_cost_ratio = NamedValues::all(u(0.5, 1.5));
        b.delivery = ResolvedDelivery(d, b.setup.categories, "delivery");
        b.capitate({1, 1, 1});
        for (double& a : b.allowed) a = u(0, 200'000);
        const Component cap = trial % 2 ? parse(R"({"type": "capitation", "pmpm": {"A": 1200, "B": 500}, "fee_multiplier": 1.05})")
                                        : parse(R"({"type": "capitation", "base_pmpm": 900})");
        auto provider_net = [&] {
            Ledger l;
            b.incur(l);
            b.settle(cap, l);
            b.settle(parse(R"({"type": "fee_for_service"})"), l);
            EXPECT_NEAR(sum_revenue(l), sum_payments(l), 1e-9);
            return l.net(Party::provider);
        };
        const double before = provider_net();
        b.allowed[static_cast<std::size_t>(trial % 3)] += u(0, 50'000);
        const double after = provider_net();
        ASSERT_LE(after, before + 1e-9 * std::fabs(before)) << "case " << trial;
    }
}

TEST(ContractProperties, SharedSavingsZeroBelowMsrAndMonotoneUpToCap) {
    Uniforms u(2);
    SavingsBook b;
    for (int trial = 0; trial < 3'000; ++trial) {
        const double msr = u(0, 0.05), rate = u(0.1, 1.0), cap = u(0.01, 0.2);
        b.benchmark_pmpm = u(200, 5'000);
        const double B = b.benchmark_pmpm * 180;
        Json j = Json::parse(R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}})");
        j["sharing_rate"] = rate;
        j["minimum_savings_rate"] = msr;
        if (trial % 2) j["savings_cap"] = cap;
        const Component ss = parse(j.dump());
        double x1 = u(0.7, 1.3) * B, x2 = u(0.7, 1.3) * B;
        if (x2 > x1) std::swap(x1, x2);  // x2 <= x1: more savings at x2
        b.allowed = {x1, 0, 0};
        const double p1 = metric_of(b.settle(ss), "shared_savings");
        b.allowed = {x2, 0, 0};
        const double p2 = metric_of(b.settle(ss), "shared_savings");
        for (const auto& [x, p] : {std::pair{x1, p1}, std::pair{x2, p2}}) {
            const double r = (B - x) / B;
            if (r < msr * (1 - 1e-12)) {
                ASSERT_EQ(p, 0.0) << "below the MSR, case " << trial;
            }
            if (r > msr * (1 + 1e-12) && r > 0) {
                ASSERT_GT(p, 0.0) << "above the MSR, case " << trial;
            }
            ASSERT_LE(p, rate * std::max(0.0, B - x) * (1 + 1e-12));
            if (trial % 2) {
                ASSERT_LE(p, cap * B * (1 + 1e-12));
            }
        }
        ASSERT_GE(p2, p1 * (1 - 1e-12)) << "more savings never earns less, case " << trial;
    }
}

TEST(ContractProperties, CorridorTransfersContinuousAtRandomBandEdges) {
    Uniforms u(3);
    CorridorBook b;
    const double T = CorridorBook::T;
    for (int trial = 0; trial < 1'000; ++trial) {
        Json bands = Json::array();
        const int n = 1 + static_cast<int>(u(0, 4));
        double from = 0;
        std::vector<double> edges;
        for (int k = 0; k < n; ++k) {
            const bool last = k == n - 1;
            const double to = from + u(0.01, 0.2);
            bands.push_back({{"from", from}, {"to", last ? Json(nullptr) : Json(to)}, {"keep", u()}});
            if (!last) edges.push_back(to);
            from = to;
        }
        Json j = {{"type", "risk_corridor"}, {"target", {{"pmpm", 1000}}}, {"basis", trial % 2 ? "shared" : "capitated"}};
        j[trial % 3 ? "bands" : "savings_bands"] = bands;
        if (trial % 3 == 0) j["loss_bands"] = Json::parse(R"([{"from": 0, "to": 0.05, "keep": 0.9}, {"from": 0.05, "to": null, "keep": 0.3}])");
        const Component c = parse(j.dump());
        edges.push_back(0.0);
        for (double e : edges) {
            const double lo = e > 0 ? e * (1 - 1e-9) : -1e-9, hi = e > 0 ? e * (1 + 1e-9) : 1e-9;
            ASSERT_LE(std::fabs(b.transfer(c, hi) - b.transfer(c, lo)), 2e-9 * std::max(e, 1.0) * T + 1e-9 * T)
                << "savings edge " << e << ", case " << trial;
            ASSERT_LE(std::fabs(b.transfer(c, -hi) - b.transfer(c, -lo)), 2e-9 * std::max(e, 1.0) * T + 1e-9 * T)
                << "loss edge " << e << ", case " << trial;
        }
        // Capitated = shared - T d: the two bases differ by exactly the deviation.
        const double dev = u(-0.5, 0.5);
        Json other = j;
        other["basis"] = trial % 2 ? "capitated" : "shared";
        const Component c2 = parse(other.dump());
        const double shared = trial % 2 ? b.transfer(c, dev) : b.transfer(c2, dev);
        const double capitated = trial % 2 ? b.transfer(c2, dev) : b.transfer(c, dev);
        ASSERT_NEAR(capitated, shared - T * dev, 1e-6);
    }
}

TEST(ContractProperties, CashConservedForEveryComponent) {
    Uniforms u(4);
    const std::vector<std::string> terms = {
        R"({"type": "fee_for_service", "fee_multiplier": {"inpatient": 1.2, "default": 0.9}})",
        R"({"type": "capitation", "pmpm": {"A": 1200, "B": 500}, "categories": ["inpatient"]})",
        R"({"type": "capitation", "party": "pcp", "base_pmpm": 300, "categories": ["professional"], "fee_multiplier": 0.8})",
        R"({"type": "care_management_fee", "pmpm": {"A": 30, "B": 10}})",
        R"({"type": "quality_withhold", "rate": 0.05, "quality": "scale"})",
        R"({"type": "shared_savings", "benchmark": {"pmpm": 900}, "sharing_rate": 0.6, "minimum_savings_rate": 0.01,
            "savings_cap": 0.1, "truncation_amount": 100000, "quality": "scale"})",
        R"({"type": "shared_risk", "party": "pcp", "benchmark": {"pmpm": 900}, "sharing_rate": 0.5, "loss_rate": 0.4,
            "loss_limit_revenue": 0.05, "loss_limit_benchmark": 0.03})",
        R"({"type": "risk_corridor", "preset": "aca"})",
        R"({"type": "risk_corridor", "preset": "reach_global", "target": {"pmpm": 900}})",
        R"({"type": "specific_stop_loss", "attachment": 50000, "coinsurance": 0.9, "loading": 0.2})",
        R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.1, "insurer": "payer", "limit": 20000})",
    };
    std::vector<Component> components;
    for (const auto& t : terms) components.push_back(parse(t));
    for (int trial = 0; trial < 2'000; ++trial) {
        Book b;
        b.use_split_delivery();
        b.capitate({1, 1, 0});
        for (double& a : b.allowed) a = u(0, 150'000);
        b.member_months = {u(0, 60), u(1, 120)};
        b.risk_months = u(0.5, 2.0) * (b.member_months[0] + b.member_months[1]);
        b.program_cost = {u(0, 20'000)};
        b.member_sums = {u(0, 30'000)};
        b.calibration.resize(12);
        for (double& c : b.calibration) c = u(0, 200'000);
        b.quality = u();
        b.benchmark_pmpm = u(500, 1'500);
        Ledger all;
        b.incur(all);
        for (std::size_t k = 0; k < components.size(); ++k) {
            Ledger one;
            one.transfer(Party::payer, Party::provider, u(0, 100'000));
            one.transfer(Party::payer, Party::pcp, u(0, 10'000));
            b.settle(components[k], one);
            ASSERT_NEAR(sum_revenue(one), sum_payments(one), 1e-12 * 1e6) << terms[k] << ", case " << trial;
            b.settle(components[k], all);  // and all together, in order
        }
        ASSERT_NEAR(sum_revenue(all), sum_payments(all), 1e-12 * 1e7) << "case " << trial;
        double total_net = 0, total_cost = 0;
        for (std::size_t p = 0; p < party_count; ++p) {
            total_net += all.net(static_cast<Party>(p));
            total_cost += all.delivery_cost[p];
        }
        // Transfers cancel: the parties' nets add to minus the cost of care.
        ASSERT_NEAR(total_net, -total_cost, 1e-12 * 1e7) << "case " << trial;
    }
}

// =====================================================================================
// JSON errors and round trips
// =====================================================================================

std::string model_error(const std::string& components) {
    return where_of([&] {
        payment_model_from_json(Json::parse(R"({"name": "m", "components": )" + components + "}"), "payment_models[0]");
    });
}

TEST(ContractJson, InvalidTermsNameTheJsonPath) {
    EXPECT_EQ(model_error(R"([{"type": "fee_for_service"},
        {"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 1.5}])"),
              "payment_models[0].components[1].sharing_rate");
    // Overlapping and unsorted corridor bands.
    EXPECT_EQ(model_error(R"([{"type": "risk_corridor", "bands": [{"from": 0, "to": 0.05, "keep": 1},
        {"from": 0.03, "to": null, "keep": 0.5}]}])"),
              "payment_models[0].components[0].bands[1].from");
    EXPECT_EQ(model_error(R"([{"type": "risk_corridor",
        "savings_bands": [{"from": 0, "to": 0.05, "keep": 1}, {"from": 0.10, "to": null, "keep": 0.2}, {"from": 0.05, "to": 0.10, "keep": 0.5}],
        "loss_bands": [{"from": 0, "to": null, "keep": 1}]}])"),
              "payment_models[0].components[0].savings_bands[1].from");
    EXPECT_EQ(model_error(R"([{"type": "risk_corridor", "savings_bands": [{"from": 0, "to": null, "keep": 1}],
        "loss_bands": [{"from": 0, "to": 0.05, "keep": 1}]}])"),
              "payment_models[0].components[0].loss_bands[0].to");
    EXPECT_EQ(model_error(R"([{"type": "risk_corridor", "preset": "reach", "target": {"pmpm": 1000}}])"),
              "payment_models[0].components[0].preset");
    EXPECT_EQ(model_error(R"([{"type": "specific_stop_loss", "attachment": -1}])"),
              "payment_models[0].components[0].attachment");
    EXPECT_EQ(model_error(R"([{"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
        "loss_limit_benchmark": 0.02}])"),
              "payment_models[0].components[0].loss_limit_benchmark");
    EXPECT_EQ(model_error(R"([{"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "loss_rate": 0.3}])"),
              "payment_models[0].components[0].loss_rate");
    EXPECT_EQ(model_error(R"([{"type": "bundled_payment"}])"), "payment_models[0].components[0].type");
    EXPECT_EQ(model_error(R"([{"type": "fee_for_service", "fee_multipler": 1.1}])"),
              "payment_models[0].components[0].fee_multipler");
    EXPECT_EQ(model_error(R"([{"type": "capitation", "pmpm": 100, "base_pmpm": 100}])"), "payment_models[0].components[0]");
    EXPECT_EQ(model_error(R"([{"type": "capitation", "pmpm": 100, "party": "payer"}])"),
              "payment_models[0].components[0].party");
    EXPECT_EQ(model_error(R"([{"type": "shared_savings", "benchmark": {"pmpm": 1000, "trend": 0.03}, "sharing_rate": 0.5}])"),
              "payment_models[0].components[0].benchmark.trend");
    EXPECT_EQ(model_error(R"([{"type": "shared_savings", "benchmark": {"baseline_pmpm": "simulated",
        "base_year_weights": [0.2, 0.3]}, "sharing_rate": 0.5}])"),
              "payment_models[0].components[0].benchmark.base_year_weights");
    EXPECT_EQ(model_error(R"([{"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
        "minimum_savings_rate": {"method": "confidence_interval", "confidence": 1.2}}])"),
              "payment_models[0].components[0].minimum_savings_rate.confidence");
    EXPECT_EQ(model_error(R"([{"type": "quality_withhold", "rate": 0.6}])"), "payment_models[0].components[0].rate");
    EXPECT_EQ(model_error(R"([{"type": "aggregate_stop_loss", "coinsurance": 1.1}])"),
              "payment_models[0].components[0].coinsurance");
    EXPECT_EQ(model_error(R"([{"type": "specific_stop_loss", "preset_422_208": "dental"}])"),
              "payment_models[0].components[0].preset_422_208");
    EXPECT_EQ(model_error(R"([])"), "payment_models[0].components");
    EXPECT_EQ(where_of([] {
                  payment_model_from_json(Json::parse(R"({"name": "m", "components": [{"type": "fee_for_service"}],
                      "quality": {"measures": [{"name": "q", "mean": 0.5, "sd": 0.6}]}})"),
                                          "payment_models[0]");
              }),
              "payment_models[0].quality.measures[0].sd");
}

/// A small scenario for errors found when preparing (apmsim::run checks names against
/// the cost model before simulating anything).
std::string run_error(const std::string& model) {
    Scenario s = Scenario::default_cmc_program(20, 2, false);
    s.payment_models.push_back(payment_model_from_json(Json::parse(model), "payment_models[0]"));
    SimulationOptions o;
    o.trials = 2;
    o.threads = 1;
    return where_of([&] { run(s, o); });
}

TEST(ContractJson, NamesCheckedAgainstTheCostModelWhenPreparing) {
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "fee_for_service", "fee_multiplier": {"inpateint": 1.1}}]})"),
              "payment_models[0].components[0].fee_multiplier.inpateint");
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "fee_for_service"},
        {"type": "shared_savings", "benchmark": {"pmpm": 3000}, "sharing_rate": 0.5, "categories": ["inpatient", "surgery"]}]})"),
              "payment_models[0].components[1].categories[1]");
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "care_management_fee", "pmpm": {"A": 10, "D": 5}}]})"),
              "payment_models[0].components[0].pmpm.D");
    // A category paid twice in the same year: capitation + explicit fee-for-service.
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "capitation", "categories": ["inpatient", "emergency"], "pmpm": 900},
        {"type": "fee_for_service", "categories": ["pharmacy", "emergency"]}]})"),
              "payment_models[0].components[1].categories");
    // ... and two capitations of the same category.
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "capitation", "pmpm": 900},
        {"type": "capitation", "categories": ["dme"], "pmpm": 10, "party": "pcp"}]})"),
              "payment_models[0].components[1].categories");
    // Different years do not overlap: capitation in year 1, fee-for-service in year 2.
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "capitation", "years": [1], "pmpm": 900},
        {"type": "fee_for_service", "years": [2], "categories": ["inpatient"]}]})"),
              "(no error)");
    // The MSSP table needs 5,000 members; this pool has 20.
    EXPECT_EQ(run_error(R"({"name": "m", "components": [{"type": "fee_for_service"}, {"type": "shared_savings",
        "benchmark": {"pmpm": 3000}, "sharing_rate": 0.5, "minimum_savings_rate": {"method": "mssp_table"}}]})"),
              "payment_models[0].components[1].minimum_savings_rate (pool members)");
}

TEST(ContractJson, DeliveryBasisErrors) {
    const std::vector<std::string> categories = {"inpatient", "professional", "pharmacy"};
    // provider + pcp shares above 1 for a category.
    const DeliveryBasis over = delivery_from_json(Json::parse(R"({"provider_share": 0.8, "pcp_share": {"professional": 0.3, "default": 0}})"), "delivery");
    EXPECT_EQ(where_of([&] { ResolvedDelivery(over, categories, "delivery"); }), "delivery.pcp_share.professional");
    EXPECT_EQ(where_of([&] { ResolvedDelivery(delivery_from_json(Json::parse(R"({"provider_share": {"surgery": 0.5, "default": 1}})"), "delivery"),
                                              categories, "delivery"); }),
              "delivery.provider_share.surgery");
    EXPECT_EQ(where_of([] { delivery_from_json(Json::parse(R"({"provider_share": 1.2})"), "delivery"); }), "delivery.provider_share");
    EXPECT_EQ(where_of([] { delivery_from_json(Json::parse(R"({"program_cost_borne_by": {"care_team": "payer"}})"), "delivery"); }),
              "delivery.program_cost_borne_by.care_team");
}

// Every registered type, whatever the registry holds: its example loads, names its type,
// and writes back to terms that load equal (also through text).
TEST(ContractJson, EveryRegisteredTypeRoundTripsItsExample) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (([&] {
             using T = std::variant_alternative_t<I, Component>;
             SCOPED_TRACE(T::type_name);
             const Json example = Json::parse(T::example);
             EXPECT_EQ(example.at("type"), T::type_name);
             const Component c = parse(T::example);
             ASSERT_TRUE(std::holds_alternative<T>(c));
             Json written{{"type", component_type(c)}};
             std::get<T>(c).to_json(written);
             EXPECT_TRUE(parse(written.dump()) == c) << written.dump();
         }()),
         ...);
    }(std::make_index_sequence<std::variant_size_v<Component>>{});
}

TEST(ContractJson, RoundTripEveryComponentType) {
    const Json model = Json::parse(R"({"name": "everything", "components": [
        {"type": "fee_for_service", "fee_multiplier": {"inpatient": 1.1, "default": 0.95}},
        {"type": "fee_for_service", "years": [2], "categories": ["pharmacy"]},
        {"type": "capitation", "party": "pcp", "categories": ["professional"], "base_pmpm": 210.5,
         "reference_risk_score": 1.3, "fee_multiplier": 0.9},
        {"type": "capitation", "years": [1, 3], "pmpm": {"A": 8900, "B": 3300, "C": 1400}},
        {"type": "care_management_fee", "party": "pcp", "pmpm": {"A": 6, "B": 8, "default": 16}},
        {"type": "shared_savings", "years": [1], "benchmark": {"baseline_pmpm": "simulated", "base_year_weights": [0.1, 0.3, 0.6],
          "trend": "realised", "risk_adjustment": "tier_mix", "discount": 0.02},
         "truncation_percentile": 0.99, "sharing_rate": 0.5, "categories": ["inpatient", "emergency"],
         "minimum_savings_rate": {"method": "confidence_interval", "confidence": 0.95, "sides": "one", "cv": 1.7},
         "savings_cap": 0.1, "quality": "gate", "quality_threshold": 0.8},
        {"type": "shared_savings", "benchmark": {"baseline_pmpm": 2500, "trend": 0.03, "risk_adjustment": "risk_score"},
         "truncation_amount": 150000, "sharing_rate": 0.4, "minimum_savings_rate": {"method": "mssp_table"}, "quality": "scale"},
        {"type": "shared_risk", "party": "pcp", "years": [2, 3], "benchmark": {"pmpm": [3000, 3100, 3200]},
         "sharing_rate": 0.6, "minimum_savings_rate": 0.02, "minimum_loss_rate": 0.01, "loss_rate": 0.4,
         "loss_limit_benchmark": 0.05, "loss_limit_revenue": 0.04, "loss_limit_rule": "greater"},
        {"type": "risk_corridor", "preset": "aca"},
        {"type": "risk_corridor", "party": "pcp", "basis": "shared", "target": {"pmpm": 2900},
         "categories": ["inpatient"], "savings_bands": [{"from": 0, "to": 0.02, "keep": 1}, {"from": 0.02, "to": null, "keep": 0.2}],
         "loss_bands": [{"from": 0, "to": null, "keep": 0.5}]},
        {"type": "risk_corridor", "preset": "medicaid_example", "target_ratio": 0.9},
        {"type": "specific_stop_loss", "attachment": 250000, "coinsurance": 0.9, "limit": 1000000, "loading": 0.15,
         "categories": ["inpatient", "pharmacy"]},
        {"type": "specific_stop_loss", "preset_422_208": "professional", "party": "pcp", "insurer": "payer",
         "expected_recoveries_pmpm": 12.5},
        {"type": "aggregate_stop_loss", "attachment_ratio": 1.25, "coinsurance": 0.8, "expected_pmpm": 3000, "loading": 0.1},
        {"type": "quality_withhold", "party": "pcp", "rate": 0.05, "quality": "scale"},
        {"type": "quality_withhold", "rate": 0.02, "quality": "gate", "quality_threshold": 0.75}],
      "quality": {"measures": [{"name": "family_wellbeing", "weight": 0.5, "mean": 0.78, "sd": 0.08, "intervention_lift": 0.05},
                               {"name": "care_plan_timeliness", "weight": 0.5, "mean": 0.82, "sd": 0.06}]}})");
    const PaymentModel m = payment_model_from_json(model, "payment_models[0]");

    const Json written = to_json(m);
    const PaymentModel back = payment_model_from_json(written, "payment_models[0]");
    EXPECT_TRUE(back == m) << written.dump(2);
    // Through text as well (doubles survive printing), and writing is idempotent.
    const PaymentModel reparsed = payment_model_from_json(Json::parse(written.dump()), "payment_models[0]");
    EXPECT_TRUE(reparsed == m);
    EXPECT_EQ(to_json(back), written);
    // A change is seen by operator==.
    PaymentModel changed = m;
    std::get<SharedRisk>(changed.components[7].terms).loss_rate = 0.41;
    EXPECT_FALSE(changed == m);

    // The delivery basis round-trips too.
    const Json d = Json::parse(R"({"provider_share": {"inpatient": 0.85, "default": 0.5}, "pcp_share": 0.1,
        "provider_cost_ratio": 1.1, "pcp_cost_ratio": {"default": 0.95}, "program_cost_borne_by": {"pcp_oversight": "pcp"}})");
    const DeliveryBasis basis = delivery_from_json(d, "delivery");
    EXPECT_TRUE(delivery_from_json(to_json(basis), "delivery") == basis);
}

TEST(ContractJson, RoundTripKeepsTermsThatOnlyMatterLater) {
    // Terms written only in some configurations (a quality threshold with "gate",
    // base-year weights with a given baseline, a target ratio without a target) come back
    // equal (operator== compares every field). The same terms where they can have no
    // effect are refused when parsing (ContractJson.TermsWithoutEffectAreErrors).
    for (const char* component : {
             R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "quality": "gate", "quality_threshold": 0.7})",
             R"({"type": "shared_savings", "benchmark": {"baseline_pmpm": 900, "base_year_weights": [0.4, 0.6]}, "sharing_rate": 0.5})",
             R"({"type": "risk_corridor", "preset": "aca", "target_ratio": 0.9})",
             R"({"type": "quality_withhold", "rate": 0.02, "quality": "gate", "quality_threshold": 0.8})",
         }) {
        const std::string text = component;
        const std::string quality = text.find("gate") != std::string::npos ? R"("quality": {"fixed": 0.9}, )" : "";
        const Json j = Json::parse(R"({"name": "m", )" + quality + R"("components": [)" + text + "]}");
        const PaymentModel m = payment_model_from_json(j, "m");
        const PaymentModel back = payment_model_from_json(to_json(m), "m");
        EXPECT_TRUE(back == m) << component << "\n written as " << to_json(m).dump();
    }
}

}  // namespace

namespace {

TEST(ContractJson, TermsWithoutEffectAreErrors) {
    // Each term can have no effect where it is given: refused with its path, never ignored.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "quality_threshold": 0.7})",
         "c.quality_threshold"},
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "quality": "scale", "quality_threshold": 0.7})",
         "c.quality_threshold"},
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5, "quality": "gate"})", "c.quality_threshold"},
        {R"({"type": "quality_withhold", "rate": 0.02, "quality": "scale", "quality_threshold": 0.8})", "c.quality_threshold"},
        {R"({"type": "risk_corridor", "preset": "aca", "target": {"pmpm": 1000}, "target_ratio": 0.9})", "c.target_ratio"},
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
             "minimum_savings_rate": {"method": "mssp_table", "cv": 1.5}})", "c.minimum_savings_rate.cv"},
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
             "minimum_savings_rate": {"method": "fixed", "rate": 0.02, "sides": "one"}})", "c.minimum_savings_rate.sides"},
        {R"({"type": "shared_savings", "benchmark": {"pmpm": 1000}, "sharing_rate": 0.5,
             "minimum_savings_rate": {"method": "confidence_interval", "cv": "within"}})", "c.minimum_savings_rate.cv"},
    };
    for (const auto& c : cases) EXPECT_EQ(where_of([&] { parse(c.first, "c"); }), c.second) << c.first;  // clang 14 cannot capture a structured binding
}

}  // namespace

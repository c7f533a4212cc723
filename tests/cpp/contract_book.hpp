#pragma once
// A small book of business built by hand, on which the contract tests settle one
// component at a time (tests/cpp/test_contracts.cpp and one test file per component).
//
// The book: categories inpatient / professional / pharmacy with allowed cost
// 100,000 / 40,000 / 20,000 (total 160,000); tiers A / B with 60 / 120 member-months
// (5 and 10 members for 12 months: 180 member-months, 15 members); risk scores 2.0 (A)
// and 0.8 (B), so risk_months = 2.0 x 60 + 0.8 x 120 = 216 and the pool's mean risk
// score is 216 / 180 = 1.2.
// Delivery (when used): provider_share {inpatient 0.8, professional 0.5, pharmacy 0.2},
// pcp_share {professional 0.3}, provider_cost_ratio {inpatient 1.15, else 1}, pcp_cost_ratio 0.9.
// So, per category, provider / pcp / other providers deliver
//   inpatient    80,000 /      0 / 20,000
//   professional 20,000 / 12,000 /  8,000
//   pharmacy      4,000 /      0 / 16,000
// and it costs them (allowed x share x cost ratio) 116,000 / 10,800 / 44,000.
#include "apmsim/contracts/component.hpp"
#include "apmsim/contracts/payment_model.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace apmsim::testing {

inline constexpr double inf = std::numeric_limits<double>::infinity();

inline std::size_t idx(Party p) { return static_cast<std::size_t>(p); }

/// The component prepared against `setup`, its needs dropped.
inline PreparedComponent prepared(const Component& c, const SettlementSetup& setup) {
    ComponentNeeds needs;
    return std::visit([&](const auto& t) { return PreparedComponent(t.prepare(setup, "component", needs)); }, c);
}
/// What the component asks of the driver when prepared at `where`.
inline ComponentNeeds needs_of(const Component& c, const SettlementSetup& setup, const std::string& where) {
    ComponentNeeds needs;
    std::visit([&](const auto& t) { t.prepare(setup, where, needs); }, c);
    return needs;
}
/// A metric of a settled period, by name.
inline double metric_of(const Ledger& l, std::string_view name) {
    SettlementSetup s;
    s.metrics = registered_metrics();
    return l.metric(s.metric(name));
}

/// A hand-built settlement period: the SettlementSetup, PeriodExperience and delivery
/// basis of the book described at the top of the file, with every field editable.
struct Book {
    SettlementSetup setup;
    std::vector<double> allowed = {100'000, 40'000, 20'000};
    std::vector<double> member_months = {60, 120};
    double members = 15;
    double risk_months = 216;
    std::vector<double> program_cost;
    std::vector<double> member_sums;
    std::vector<double> calibration;
    ResolvedDelivery delivery;
    CareCoverage coverage{3};  ///< nothing capitated
    mutable Comparison comparison;  ///< what the last comparing component stated
    double quality = 1.0;
    double benchmark_pmpm = 0.0;
    int year = 0;
    bool intervention_arm = false;

    Book() {
        setup.categories = {"inpatient", "professional", "pharmacy"};
        setup.tiers = {"A", "B"};
        setup.years = 3;
        setup.pool_members = 15;
        setup.mean_risk_score = 1.2;
        setup.member_cost_cv = 1.676;
        setup.member_cost_cv_within_tier = 1.5;
        setup.metrics = registered_metrics();
        delivery = ResolvedDelivery(DeliveryBasis{}, setup.categories, "delivery");
    }

    /// Capitates the categories flagged 1 in `mask` to `to` (what preparation resolves from
    /// the capitations in force).
    void capitate(const std::vector<int>& mask, Party to = Party::provider) {
        coverage = CareCoverage(mask.size());
        for (std::size_t c = 0; c < mask.size(); ++c)
            if (mask[c]) coverage.capitated_to[c] = static_cast<std::uint8_t>(to);
        coverage.finish();
    }

    /// The delivery basis described at the top of the file.
    void use_split_delivery() {
        const Json j = Json::parse(R"({
            "provider_share": {"inpatient": 0.8, "professional": 0.5, "pharmacy": 0.2},
            "pcp_share": {"professional": 0.3, "default": 0},
            "provider_cost_ratio": {"inpatient": 1.15, "default": 1.0},
            "pcp_cost_ratio": 0.9})");
        delivery = ResolvedDelivery(delivery_from_json(j, "delivery"), setup.categories, "delivery");
    }

    PeriodExperience experience() const {
        return {allowed, member_months, members, risk_months, program_cost, member_sums};
    }

    /// Prepares the component against the book's setup (as the settlement does before the
    /// first trial) and settles one period.
    void settle(const Component& c, Ledger& ledger) const {
        const PeriodExperience e = experience();
        const PreparedComponent p = prepared(c, setup);
        const SettlementContext ctx{setup,   e,       year,           intervention_arm, delivery,   coverage,
                                    quality, benchmark_pmpm, member_sums, calibration, &comparison};
        std::visit([&](const auto& x) { x.settle(ctx, ledger); }, p);
    }
    Ledger settle(const Component& c) const {
        Ledger l;
        settle(c, l);
        return l;
    }
    /// What the settlement driver books before the components: each care party's cost
    /// of delivering its share, and program costs (borne by the provider here).
    void incur(Ledger& l) const {
        for (std::size_t c = 0; c < allowed.size(); ++c)
            for (Party p : care_parties) l.incur(p, allowed[c] * delivery.share(p, c) * delivery.cost_ratio(p, c));
        for (double k : program_cost) l.incur(Party::provider, k);
    }
};

/// A component from JSON, read and validated as payment_model_from_json does.
inline Component parse(const std::string& text, const std::string& path = "component") {
    const Json j = Json::parse(text);
    JsonObject o(j, path);
    const std::string type = o.string("type");
    return component_from_json(type, o);
}

inline double sum_revenue(const Ledger& l) { return std::accumulate(l.revenue.begin(), l.revenue.end(), 0.0); }
inline double sum_payments(const Ledger& l) { return std::accumulate(l.payments.begin(), l.payments.end(), 0.0); }

inline void expect_conserved(const Ledger& l, double scale) {
    EXPECT_NEAR(sum_revenue(l), sum_payments(l), 1e-12 * scale);
    for (std::size_t p = 0; p < party_count; ++p) {
        EXPECT_GE(l.revenue[p], 0.0);
        EXPECT_GE(l.payments[p], 0.0);
    }
}

}  // namespace apmsim::testing

#pragma once
/// \file ledger.hpp
/// \brief One settlement's cash flows: what each party received, paid and spent on
/// delivering care, the contract's flow metrics, and the comparison of expenditure with
/// a benchmark that each comparing component states for itself.

#include "apmsim/contracts/party.hpp"

#include <array>
#include <cmath>

namespace apmsim {

/// Cash-flow metrics recorded by the components while they settle, in dollars (the
/// quality score excepted). Flows add up: two components that both pay shared savings
/// report their sum. Metrics that describe a state (benchmark, expenditure, savings
/// rate) are never summed: each comparing component states its own (Comparison).
enum class Metric : std::size_t {
    fee_for_service = 0,   ///< paid by the payer (or a capitated party) for care under fee-for-service
    capitation,            ///< paid by the payer as capitation
    care_management_fees,
    shared_savings,        ///< paid by the payer under shared savings / shared risk
    shared_losses,         ///< owed to the payer under shared risk
    corridor_transfer,     ///< risk corridor, payer to the party when positive
    savings_paid,          ///< every payment for savings (shared savings, shared-basis corridors)
    losses_owed,           ///< every charge for losses (shared risk, shared-basis corridors)
    stop_loss_recoveries,
    stop_loss_premium,
    withhold_retained,     ///< withheld and not returned
    quality_score,         ///< the period's quality score (0-1), stated once by the driver
};
inline constexpr std::array<const char*, 12> metric_names = {
    "fee_for_service", "capitation",   "care_management_fees", "shared_savings",       "shared_losses",     "corridor_transfer",
    "savings_paid",    "losses_owed",  "stop_loss_recoveries", "stop_loss_premium",    "withhold_retained", "quality_score"};
inline constexpr std::size_t metric_count = metric_names.size();
static_assert(static_cast<std::size_t>(Metric::quality_score) + 1 == metric_count, "one name per metric");

/// What a component that compares expenditure with a benchmark or target states for
/// one period (never summed across components).
struct Comparison {
    double benchmark = 0.0;    ///< dollars for the period
    double expenditure = 0.0;  ///< dollars compared with it (after truncation)
    double savings_rate = 0.0; ///< (benchmark - expenditure) / benchmark; 0 when the benchmark is 0
};
inline constexpr std::array<const char*, 3> comparison_names = {"benchmark", "expenditure", "savings_rate"};

/// revenue - payments - cost, with the rounding noise of the sums removed: a result
/// within 1e-12 of the gross amounts is zero (each of the sums has at most a few hundred
/// terms, so its rounding error is below 1e-13 of the gross; a real net of that size is
/// below a cent on any book of business).
inline double net_result(double revenue, double payments, double cost) {
    const double net = revenue - payments - cost;
    return std::fabs(net) <= 1e-12 * (std::fabs(revenue) + std::fabs(payments) + std::fabs(cost)) ? 0.0 : net;
}

struct Ledger {
    std::array<double, party_count> revenue{}, payments{}, delivery_cost{};
    std::array<double, party_count> capitation_received{};  ///< capitation paid to each party
    std::array<double, metric_count> metrics{};

    /// Moves `amount` from `from` to `to`; a negative amount flows the other way, so
    /// revenue and payments stay gross and non-negative.
    void transfer(Party from, Party to, double amount) {
        if (amount < 0) return transfer(to, from, -amount);
        if (from == to || amount == 0) return;
        payments[index(from)] += amount;
        revenue[index(to)] += amount;
    }
    void incur(Party p, double cost) { delivery_cost[index(p)] += cost; }
    void record(Metric m, double v) { metrics[static_cast<std::size_t>(m)] += v; }
    double metric(Metric m) const { return metrics[static_cast<std::size_t>(m)]; }

    double net(Party p) const { return net_result(revenue[index(p)], payments[index(p)], delivery_cost[index(p)]); }
    double revenue_of(Party p) const { return revenue[index(p)]; }

private:
    static std::size_t index(Party p) { return static_cast<std::size_t>(p); }
};

}  // namespace apmsim

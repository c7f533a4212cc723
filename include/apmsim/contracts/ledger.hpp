#pragma once
/// \file ledger.hpp
/// \brief One settlement's cash flows: what each party received, paid and spent on
/// delivering care, plus the contract indicators the outputs report.

#include "apmsim/contracts/party.hpp"

#include <array>

namespace apmsim {

/// Indicators recorded by the components while they settle (all in dollars unless
/// noted; summed when several components write the same one).
enum class Metric : std::size_t {
    fee_for_service = 0,   ///< paid by the payer for care under fee-for-service
    capitation,            ///< paid by the payer as capitation
    care_management_fees,
    benchmark,             ///< benchmark or target, dollars for the period
    expenditure,           ///< expenditure compared with it (after truncation)
    savings_rate,          ///< (benchmark - expenditure) / benchmark, a fraction
    shared_savings,        ///< paid by the payer to the provider/PCP
    shared_losses,         ///< owed by the provider/PCP to the payer
    corridor_transfer,     ///< risk corridor, to the provider when positive
    stop_loss_recoveries,
    stop_loss_premium,
    withhold_retained,     ///< withheld and not returned
    quality_score,         ///< the period's quality score (0-1)
};
inline constexpr std::size_t metric_count = 13;
inline constexpr std::array<const char*, metric_count> metric_names = {
    "fee_for_service", "capitation", "care_management_fees", "benchmark", "expenditure", "savings_rate", "shared_savings",
    "shared_losses", "corridor_transfer", "stop_loss_recoveries", "stop_loss_premium", "withhold_retained",
    "quality_score"};

struct Ledger {
    std::array<double, party_count> revenue{}, payments{}, delivery_cost{};
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

    double net(Party p) const { return revenue[index(p)] - payments[index(p)] - delivery_cost[index(p)]; }
    double revenue_of(Party p) const { return revenue[index(p)]; }

private:
    static std::size_t index(Party p) { return static_cast<std::size_t>(p); }
};

}  // namespace apmsim

#pragma once
/// \file ledger.hpp
/// \brief One settlement's cash flows: what each party received, paid and spent on
/// delivering care, and the contract's metrics. A metric is a contract quantity that
/// belongs to no single party: the flows booked by the components (each component
/// declares the ones it books; contracts/component.hpp lists them all) and the quality
/// score. Flows add up: two components that both pay shared savings report their sum.
/// Comparisons of expenditure with a benchmark describe a state and are never summed:
/// each comparing component states its own (Comparison).

#include "apmsim/contracts/party.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

namespace apmsim {

/// A metric's name (the same in C++, JSON, Python and the results files) and what it counts.
struct MetricInfo {
    std::string_view name;
    std::string_view meaning;
};

/// The position of a metric in the registered list, resolved by name before the first trial.
struct MetricId {
    std::size_t index = 0;
};

/// Room for every registered metric (checked at compile time in component.hpp).
inline constexpr std::size_t max_metrics = 24;

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
    std::array<double, max_metrics> metrics{};
    /// [metric][party]: the part of each flow received by each party (signed as booked).
    std::array<std::array<double, party_count>, max_metrics> received{};
    /// The part of each party's revenue and payments marked as health-home services (matched
    /// at an enhanced federal rate: contracts/federal_match.hpp).
    std::array<double, party_count> health_home_revenue{}, health_home_payments{};

    /// Moves `amount` from `from` to `to`; a negative amount flows the other way, so
    /// revenue and payments stay gross and non-negative.
    void transfer(Party from, Party to, double amount) {
        if (amount < 0) return transfer(to, from, -amount);
        if (from == to || amount == 0) return;
        payments[index(from)] += amount;
        revenue[index(to)] += amount;
    }
    /// A transfer booked as flow `m` (signed: a negative amount is paid by `to`).
    void pay(MetricId m, Party from, Party to, double amount) {
        transfer(from, to, amount);
        record(m, amount);
        credit(m, to, amount);
    }
    /// Marks a transfer already booked as paying for health-home services.
    void mark_health_home(Party from, Party to, double amount) {
        if (amount < 0) return mark_health_home(to, from, -amount);
        if (from == to || amount == 0) return;
        health_home_payments[index(from)] += amount;
        health_home_revenue[index(to)] += amount;
    }
    /// Notes that `p` received `amount` as flow `m` (the transfer and the metric booked apart).
    void credit(MetricId m, Party p, double amount) { received[m.index][index(p)] += amount; }
    void incur(Party p, double cost) { delivery_cost[index(p)] += cost; }
    void record(MetricId m, double v) { metrics[m.index] += v; }
    double metric(MetricId m) const { return metrics[m.index]; }
    /// What `p` received as flow `m` in this period.
    double received_as(MetricId m, Party p) const { return received[m.index][index(p)]; }

    double net(Party p) const { return net_result(revenue[index(p)], payments[index(p)], delivery_cost[index(p)]); }
    double revenue_of(Party p) const { return revenue[index(p)]; }

private:
    static std::size_t index(Party p) { return static_cast<std::size_t>(p); }
};

}  // namespace apmsim

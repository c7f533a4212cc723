#pragma once
/// \file pool_error_rates.hpp
/// \brief Error rates of a shared-savings contract from an exact (or any) distribution of
/// the pool's cost S, when the true saving is zero (shared/DOMAIN.md section 4; DeLia,
/// Hoover & Cantor 2012): with benchmark B (by default E[S], i.e. the benchmark is right),
///   P(false reward)  = P(S <= B (1 - MSR)),
///   P(false penalty) = P(S >= B (1 + MLR)),
///   expected payout  = rate E[min(B - S, cap B) 1{S <= B (1 - MSR)}]   (first-dollar sharing
///                      once the MSR is met, the "MSR cliff"; cap as a share of B, optional).
/// The payout uses E[(d - S)+ 1{S <= t}] = E[(min(d, t) - S)+] + (d - t)+ F(t) and
/// E[(x - S)+] = x - E[min(S, x)]. The normal-approximation versions are in analytics/.

#include "apmsim/core/errors.hpp"
#include "apmsim/exact/aggregate_distribution.hpp"

#include <algorithm>
#include <optional>

namespace apmsim {

namespace detail {
inline double pool_benchmark(const AggregateDistribution& cost, std::optional<double> benchmark) {
    if (benchmark) {
        check::positive("benchmark", *benchmark);
        return *benchmark;
    }
    const double m = cost.analytic_moments().mean;
    if (!std::isfinite(m) || !(m > 0.0))
        throw InvalidInput("benchmark", "a benchmark (the analytic mean is not a finite positive number)", show(m));
    return m;
}
/// E[(d - S)+ 1{S <= t}].
inline double lower_partial(const AggregateDistribution& cost, double d, double t) {
    const double x = std::min(d, t);
    return (x - cost.limited_expected_value(x)) + std::max(0.0, d - t) * cost.cdf(t);
}
}  // namespace detail

/// P(S <= B (1 - msr)): a reward although nothing was saved.
inline double false_reward_probability(const AggregateDistribution& cost, double msr,
                                       std::optional<double> benchmark = std::nullopt) {
    check::in_closed("msr", msr, 0.0, 1.0);
    return cost.cdf(detail::pool_benchmark(cost, benchmark) * (1.0 - msr));
}

/// P(S >= B (1 + mlr)): a penalty although nothing was lost.
inline double false_penalty_probability(const AggregateDistribution& cost, double mlr,
                                        std::optional<double> benchmark = std::nullopt) {
    check::non_negative("mlr", mlr);
    return 1.0 - cost.cdf_left(detail::pool_benchmark(cost, benchmark) * (1.0 + mlr));
}

/// Expected shared-savings payment rate E[min(B - S, cap B) 1{S <= B (1 - msr)}].
inline double expected_shared_savings(const AggregateDistribution& cost, double sharing_rate, double msr,
                                      std::optional<double> benchmark = std::nullopt,
                                      std::optional<double> savings_cap = std::nullopt) {
    check::probability("sharing_rate", sharing_rate);
    check::in_closed("msr", msr, 0.0, 1.0);
    if (savings_cap) check::positive("savings_cap", *savings_cap);
    const double b = detail::pool_benchmark(cost, benchmark), t = b * (1.0 - msr);
    double savings = detail::lower_partial(cost, b, t);
    if (savings_cap) savings -= detail::lower_partial(cost, b * (1.0 - *savings_cap), t);
    return sharing_rate * savings;
}

}  // namespace apmsim

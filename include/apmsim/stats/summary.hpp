#pragma once
/// \file summary.hpp
/// \brief Risk statistics of a sample of per-trial outcomes: mean, sd, standard error,
/// quantiles, expected shortfall and exceedance probabilities.
///
/// Quantiles interpolate between order statistics (Hyndman & Fan type 7, the default
/// of R and numpy). Risk measures describe the adverse tail, which the caller names:
///   upper (a cost: higher is worse): expected_shortfall_95 = mean of the outcomes at or
///     above p95 (the TVaR/CTE of Loss Models for continuous outcomes);
///   lower (a net result or a saving: higher is better): expected_shortfall_95 = mean of
///     the outcomes at or below p05, the mean of the worst 5%.
/// value_at_risk(v, p) and tail_value_at_risk(v, p) below are the upper-tail (cost) forms.

#include "apmsim/core/errors.hpp"
#include "apmsim/stats/running_moments.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace apmsim::stats {

/// Throws when a value is NaN: sorting NaN is undefined and every statistic would be garbage.
inline void check_no_nan(std::span<const double> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (values[i] != values[i]) throw InvalidInput("values[" + std::to_string(i) + "]", "a number", "NaN");
}

/// Type-7 quantile of already sorted values.
inline double sorted_quantile(std::span<const double> sorted, double p) {
    if (sorted.empty()) throw InvalidInput("quantile", "a non-empty sample", "no values");
    check::probability("quantile.p", p);
    const double h = (static_cast<double>(sorted.size()) - 1.0) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

inline double quantile(std::span<const double> values, double p) {
    check_no_nan(values);
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    return sorted_quantile(v, p);
}

inline double value_at_risk(std::span<const double> values, double p) { return quantile(values, p); }

/// Mean of the sorted values at or above `threshold` (which must not exceed the maximum).
inline double sorted_tail_mean(std::span<const double> sorted, double threshold) {
    double sum = 0.0;
    std::size_t n = 0;
    for (auto it = std::lower_bound(sorted.begin(), sorted.end(), threshold); it != sorted.end(); ++it, ++n) sum += *it;
    return sum / static_cast<double>(n);
}

/// Mean of the values at or above the p-quantile.
inline double tail_value_at_risk(std::span<const double> values, double p) {
    check_no_nan(values);
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    return sorted_tail_mean(v, sorted_quantile(v, p));
}

inline double probability_above(std::span<const double> values, double threshold) {
    std::size_t n = 0;
    for (double x : values) n += x > threshold;
    return static_cast<double>(n) / static_cast<double>(values.size());
}
inline double probability_below(std::span<const double> values, double threshold) {
    std::size_t n = 0;
    for (double x : values) n += x < threshold;
    return static_cast<double>(n) / static_cast<double>(values.size());
}

/// Mean of the sorted values at or below `threshold` (which must not be below the minimum).
inline double sorted_lower_tail_mean(std::span<const double> sorted, double threshold) {
    double sum = 0.0;
    std::size_t n = 0;
    for (auto it = sorted.begin(); it != std::upper_bound(sorted.begin(), sorted.end(), threshold); ++it, ++n) sum += *it;
    return sum / static_cast<double>(n);
}

/// Which tail of an outcome hurts: upper for costs, lower for results where higher is better.
enum class Tail { upper, lower };
inline const char* to_string(Tail t) { return t == Tail::upper ? "upper" : "lower"; }

struct Summary {
    std::size_t count = 0;
    double mean = 0, sd = 0, standard_error = 0, min = 0, max = 0;
    double p01 = 0, p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, p99 = 0;
    Tail adverse_tail = Tail::upper;
    /// Mean of the worst 5% (1%) of outcomes, on the adverse tail.
    double expected_shortfall_95 = 0, expected_shortfall_99 = 0;
    double prob_negative = 0;  ///< P(X < 0): e.g. a saving that turned into a loss
};

inline Summary summarize(std::span<const double> values, Tail adverse_tail = Tail::upper) {
    if (values.empty()) throw InvalidInput("summarize", "a non-empty sample", "no values");
    check_no_nan(values);
    Summary s;
    RunningMoments m;
    for (double x : values) m.add(x);
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    s.count = v.size();
    s.mean = m.mean();
    s.sd = v.size() > 1 ? m.sd() : 0.0;
    s.standard_error = s.sd / std::sqrt(static_cast<double>(v.size()));
    s.min = v.front();
    s.max = v.back();
    s.p01 = sorted_quantile(v, 0.01);
    s.p05 = sorted_quantile(v, 0.05);
    s.p25 = sorted_quantile(v, 0.25);
    s.p50 = sorted_quantile(v, 0.50);
    s.p75 = sorted_quantile(v, 0.75);
    s.p95 = sorted_quantile(v, 0.95);
    s.p99 = sorted_quantile(v, 0.99);
    s.adverse_tail = adverse_tail;
    if (adverse_tail == Tail::upper) {
        s.expected_shortfall_95 = sorted_tail_mean(v, s.p95);
        s.expected_shortfall_99 = sorted_tail_mean(v, s.p99);
    } else {
        s.expected_shortfall_95 = sorted_lower_tail_mean(v, s.p05);
        s.expected_shortfall_99 = sorted_lower_tail_mean(v, s.p01);
    }
    s.prob_negative = probability_below(values, 0.0);
    return s;
}

}  // namespace apmsim::stats

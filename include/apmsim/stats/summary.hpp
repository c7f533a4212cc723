#pragma once
/// \file summary.hpp
/// \brief Risk statistics of a sample of per-trial outcomes: mean, sd, standard error,
/// quantiles, expected shortfall and exceedance probabilities.
///
/// Quantiles interpolate between order statistics (Hyndman & Fan type 7, the default
/// of R and numpy). The value at risk at level p is simply the p-quantile (p95, p99).
/// Expected shortfall, the one tail measure (TVaR and CTE are the same thing for a
/// continuous outcome), is the mean of the worst 100(1 - p)% of outcomes on the adverse
/// tail, which the caller names:
///   upper (a cost: higher is worse): ES_p = (1 / (1 - p)) * integral from p to 1 of VaR_u du
///     = VaR_p + E[(X - VaR_p)+] / (1 - p) (Acerbi & Tasche 2002; Loss Models' TVaR);
///   lower (a net result or a saving: higher is better): the mean of the lowest 100(1 - p)%.
/// For a sample of n outcomes that is the mean of the k = n (1 - p) worst ones, the
/// k-th counted with weight k - floor(k) when k is not whole (the empirical distribution's
/// ES, exact with ties); exact/aggregate_distribution.hpp uses the same definition.

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

inline double upper_tail_probability(std::span<const double> values, double threshold) {
    std::size_t n = 0;
    for (double x : values) n += x > threshold;
    return static_cast<double>(n) / static_cast<double>(values.size());
}
inline double lower_tail_probability(std::span<const double> values, double threshold) {
    std::size_t n = 0;
    for (double x : values) n += x < threshold;
    return static_cast<double>(n) / static_cast<double>(values.size());
}

/// Which tail of an outcome hurts: upper for costs, lower for results where higher is better.
enum class Tail { upper, lower };
inline const char* to_string(Tail t) { return t == Tail::upper ? "upper" : "lower"; }

/// Expected shortfall at level p of already sorted values (see the file comment): the
/// mean of the k = n (1 - p) worst, on the adverse tail; k is taken whole when it is
/// within 1e-9 of a whole number (n (1 - p) in floating point is rarely exact).
inline double sorted_expected_shortfall(std::span<const double> sorted, double p, Tail adverse_tail) {
    if (sorted.empty()) throw InvalidInput("expected_shortfall", "a non-empty sample", "no values");
    if (!(p >= 0.0 && p < 1.0)) throw InvalidInput("expected_shortfall.p", "a level in [0, 1)", show(p));
    const double n = static_cast<double>(sorted.size());
    double k = n - n * p;
    if (std::fabs(k - std::round(k)) <= 1e-9 * std::max(1.0, k)) k = std::round(k);
    if (k < 1.0) return adverse_tail == Tail::upper ? sorted.back() : sorted.front();  // within the worst atom
    const auto whole = static_cast<std::size_t>(std::floor(k));
    const double part = k - static_cast<double>(whole);
    double sum = 0.0;
    if (adverse_tail == Tail::upper) {
        for (std::size_t i = sorted.size() - whole; i < sorted.size(); ++i) sum += sorted[i];
        if (part > 0.0) sum += part * sorted[sorted.size() - whole - 1];
    } else {
        for (std::size_t i = 0; i < whole; ++i) sum += sorted[i];
        if (part > 0.0) sum += part * sorted[whole];
    }
    return sum / k;
}

/// Expected shortfall at level p (e.g. 0.95: the mean of the worst 5%) on the adverse tail.
inline double expected_shortfall(std::span<const double> values, double p, Tail adverse_tail = Tail::upper) {
    check_no_nan(values);
    std::vector<double> v(values.begin(), values.end());
    std::sort(v.begin(), v.end());
    return sorted_expected_shortfall(v, p, adverse_tail);
}

struct Summary {
    std::size_t count = 0;
    double mean = 0, sd = 0, standard_error = 0, min = 0, max = 0;
    double p01 = 0, p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, p99 = 0;
    Tail adverse_tail = Tail::upper;
    /// Mean of the worst 5% (1%) of outcomes, on the adverse tail.
    double expected_shortfall_95 = 0, expected_shortfall_99 = 0;
    double p_negative = 0;  ///< P(X < 0): e.g. a saving that turned into a loss
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
    // Squares of values past 1e154 overflow: the spread of such values is measured on them
    // scaled to at most 1 (sd(x) = c sd(x / c)), so a finite spread is never reported as infinite.
    if (const double c = std::max(std::fabs(v.front()), std::fabs(v.back())); v.size() > 1 && c > 1e150 && std::isfinite(c)) {
        RunningMoments scaled;
        for (double x : values) scaled.add(x / c);
        s.sd = c * scaled.sd();
    }
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
    s.expected_shortfall_95 = sorted_expected_shortfall(v, 0.95, adverse_tail);
    s.expected_shortfall_99 = sorted_expected_shortfall(v, 0.99, adverse_tail);
    s.p_negative = lower_tail_probability(values, 0.0);
    return s;
}

}  // namespace apmsim::stats

#pragma once
/// \file estimator_errors.hpp
/// \brief Monte Carlo standard errors of the tail statistics a run reports, so that a
/// goal seek on a quantile or an expected shortfall can state its uncertainty as it does
/// for a mean (sd / sqrt(n)) or a probability (sqrt(p (1 - p) / n)).
///
/// Quantile (distribution-free): the number of values below the p-quantile is
/// Binomial(n, p), so the sample quantiles at p -/+ z sqrt(p (1 - p) / n) bracket it with
/// probability about 95% (z = 1.96); their distance over 2 z estimates the standard
/// error sqrt(p (1 - p) / n) / f(q) without estimating the density f (a difference
/// quotient of the quantile function, as in Siddiqui's estimator of 1 / f).
///
/// Expected shortfall at level p, the mean of the k = n (1 - p) worst values: its
/// asymptotic variance is [Var(X | X beyond q) + p (ES - q)^2] / (n (1 - p))
/// (Brazauskas, Jones, Puri and Zitikis 2008, J. Stat. Plann. Inference 138: 3590),
/// estimated with the k worst values and the type-7 quantile q.

#include "apmsim/stats/summary.hpp"

#include <cmath>
#include <limits>
#include <span>

namespace apmsim::stats {

/// Standard error of the sample p-quantile of `sorted` (ascending): the distance between
/// the type-7 quantiles at p -/+ z sqrt(p (1 - p) / n), over 2 z; NaN when the sample is
/// too small for a value to lie beyond each of them.
inline double quantile_standard_error(std::span<const double> sorted, double p) {
    check::probability("quantile_standard_error.p", p);
    constexpr double z = 1.959963984540054;
    const double n = static_cast<double>(sorted.size());
    const double h = z * std::sqrt(p * (1.0 - p) / n);
    if (sorted.size() < 2 || n * (p - h) < 1.0 || n * (1.0 - p - h) < 1.0) return std::numeric_limits<double>::quiet_NaN();
    return (sorted_quantile(sorted, p + h) - sorted_quantile(sorted, p - h)) / (2.0 * z);
}

/// Standard error of the expected shortfall at level p of `sorted` (ascending) on the
/// adverse tail; NaN when fewer than two values lie in the tail.
inline double expected_shortfall_standard_error(std::span<const double> sorted, double p, Tail adverse_tail) {
    const double n = static_cast<double>(sorted.size());
    const auto k = static_cast<std::size_t>(std::floor(n * (1.0 - p) + 1e-9));
    if (k < 2) return std::numeric_limits<double>::quiet_NaN();
    const double es = sorted_expected_shortfall(sorted, p, adverse_tail);
    const double q = sorted_quantile(sorted, adverse_tail == Tail::upper ? p : 1.0 - p);
    double sum_squares = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
        const double x = adverse_tail == Tail::upper ? sorted[sorted.size() - 1 - i] : sorted[i];
        sum_squares += (x - es) * (x - es);
    }
    const double tail_variance = sum_squares / static_cast<double>(k - 1);
    return std::sqrt((tail_variance + p * (es - q) * (es - q)) / (n * (1.0 - p)));
}

}  // namespace apmsim::stats

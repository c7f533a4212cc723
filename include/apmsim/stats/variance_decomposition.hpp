#pragma once
/// \file variance_decomposition.hpp
/// \brief Where the noise comes from: the law of total variance on a nested design,
/// Var(X) = Var(E[X | theta]) + E[Var(X | theta)], with K outer draws of the parameters
/// theta (trend, effects, uptake, quality: what is drawn once per trial) and M inner trials
/// on each. One-way random-effects ANOVA (Searle, Casella & McCulloch, Variance Components,
/// ch. 3): the process variance is the within-group mean square MSW, the parameter variance
/// (MSB - MSW) / M, both unbiased; the parameter share's standard error is the jackknife's,
/// leaving out one outer draw at a time.

#include "apmsim/core/errors.hpp"

#include <cmath>
#include <span>
#include <vector>

namespace apmsim::stats {

struct VarianceShares {
    double variance = 0;            ///< parameter + process
    double parameter_variance = 0;  ///< Var(E[X | theta]): what better data would remove (may be < 0 by chance)
    double process_variance = 0;    ///< E[Var(X | theta)]: which members get sick; what pooling reduces
    double parameter_share = 0;     ///< parameter_variance / variance (NaN when the variance is 0)
    double parameter_share_se = 0;  ///< jackknife over the outer draws
};

namespace detail {
/// The ANOVA components of `values` ([outer][inner], row-major), skipping outer draw `skip`.
inline VarianceShares anova(std::span<const double> values, std::size_t outer, std::size_t inner, std::size_t skip) {
    const std::size_t k = outer - (skip < outer ? 1 : 0);
    double grand = 0.0;
    std::vector<double> means;
    for (std::size_t g = 0; g < outer; ++g) {
        if (g == skip) continue;
        double m = 0.0;
        for (std::size_t j = 0; j < inner; ++j) m += values[g * inner + j];
        means.push_back(m / static_cast<double>(inner));
        grand += means.back();
    }
    grand /= static_cast<double>(k);
    double between = 0.0, within = 0.0;
    for (std::size_t g = 0, row = 0; g < outer; ++g) {
        if (g == skip) continue;
        const double m = means[row++];
        between += (m - grand) * (m - grand);
        for (std::size_t j = 0; j < inner; ++j) within += (values[g * inner + j] - m) * (values[g * inner + j] - m);
    }
    const double msb = static_cast<double>(inner) * between / static_cast<double>(k - 1);
    const double msw = within / static_cast<double>(k * (inner - 1));
    VarianceShares s;
    s.process_variance = msw;
    s.parameter_variance = (msb - msw) / static_cast<double>(inner);
    s.variance = s.parameter_variance + s.process_variance;
    s.parameter_share = s.variance > 0 ? s.parameter_variance / s.variance : std::nan("");
    return s;
}
}  // namespace detail

/// The decomposition of `values`: `outer` parameter draws ([outer][inner], row-major), each
/// with `inner` trials. Needs outer >= 3 and inner >= 2.
inline VarianceShares decompose_variance(std::span<const double> values, std::size_t outer, std::size_t inner) {
    if (outer < 3) throw InvalidInput("outer", "at least 3 parameter draws", std::to_string(outer));
    if (inner < 2) throw InvalidInput("inner", "at least 2 trials per parameter draw", std::to_string(inner));
    if (values.size() != outer * inner)
        throw InvalidInput("values", std::to_string(outer * inner) + " values (outer x inner)", std::to_string(values.size()));
    VarianceShares all = detail::anova(values, outer, inner, outer);
    if (std::isnan(all.parameter_share)) return all;
    double mean = 0.0, ss = 0.0;
    std::vector<double> left_out(outer);
    for (std::size_t g = 0; g < outer; ++g) mean += left_out[g] = detail::anova(values, outer, inner, g).parameter_share;
    mean /= static_cast<double>(outer);
    for (double v : left_out) ss += (v - mean) * (v - mean);
    all.parameter_share_se = std::sqrt(static_cast<double>(outer - 1) / static_cast<double>(outer) * ss);
    return all;
}

}  // namespace apmsim::stats

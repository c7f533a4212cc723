#pragma once
/// \file variates.hpp
/// \brief Transforms from uniforms to variates, written here so results do not
/// depend on a standard library's std::*_distribution algorithms.

#include "apmsim/random/fast_math.hpp"

#include <cmath>

namespace apmsim::random {

/// Standard normal quantile by Wichura's AS 241 (Applied Statistics 37(3), 1988),
/// PPND16: relative accuracy about 1e-16 over (0, 1).
inline double standard_normal_quantile(double p) {
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) return as241_central(q);
    const double r = q < 0.0 ? p : 1.0 - p;
    if (r <= 0.0) return q < 0.0 ? -HUGE_VAL : HUGE_VAL;
    return as241_tail(std::log(r), q < 0.0);
}

/// Standard normal cdf, Phi(x) = erfc(-x / sqrt 2) / 2.
inline double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x * 0.70710678118654752440); }

/// Gamma(shape, 1) variate by Marsaglia & Tsang (ACM TOMS 26(3), 2000), with
/// G(a) = G(a + 1) U^(1/a) for a < 1. Normals come from AS 241 on the same stream.
template <class UniformSource>
double standard_gamma(double shape, UniformSource& source) {
    if (shape < 1.0) {
        const double g = standard_gamma(shape + 1.0, source);
        return g * std::pow(source.uniform(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double x = standard_normal_quantile(source.uniform());
        double v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        const double u = source.uniform();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

}  // namespace apmsim::random

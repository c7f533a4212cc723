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
    double r = q < 0.0 ? p : 1.0 - p;
    if (r <= 0.0) return q < 0.0 ? -HUGE_VAL : HUGE_VAL;
    r = std::sqrt(-std::log(r));
    double value;
    if (r <= 5.0) {
        r -= 1.6;
        value = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
                      2.41780725177450611770e-1) * r + 1.27045825245236838258e+0) * r +
                    3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r +
                  4.63033784615654529590e+0) * r + 1.42343711074968357734e+0) /
                (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
                      1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r +
                    6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r +
                  2.05319162663775882187e+0) * r + 1.0);
    } else {
        r -= 5.0;
        value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                      1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r +
                    2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r +
                  5.46378491116411436990e+0) * r + 6.65790464350110377720e+0) /
                (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                      1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r +
                    1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
                  5.99832206555887937690e-1) * r + 1.0);
    }
    return q < 0.0 ? -value : value;
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

#pragma once
/// \file fast_math.hpp
/// \brief Branch-free pieces of the variate transforms, shared by the scalar samplers
/// and the vectorised batch kernels so both give the same bits.
///
/// Only +, -, *, /, sqrt (all correctly rounded in IEEE 754) and bit operations are used, and floating-point contraction is off
/// (-ffp-contract=off, see CMakeLists.txt), so a SIMD lane computes exactly what the
/// scalar code computes: results do not depend on the instruction set chosen at run time.

#include <bit>
#include <cmath>
#include <cstdint>

namespace apmsim::random {

/// exp(x) by x = n ln2 + r, |r| <= ln2/2, Taylor series to degree 13 (truncation error
/// below 5e-18 relative) and 2^n assembled from the rounding shifter's mantissa bits.
/// Measured error against glibc exp on [-700, 700]: < 3e-16 relative. x is clamped
/// to [-708, 709] (the normal double range).
inline double exp_kernel(double x) {
    x = x < -708.0 ? -708.0 : x;
    x = x > 709.0 ? 709.0 : x;
    constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low bits
    const double t = x * 1.4426950408889634074 + shifter;
    const double n = t - shifter;
    // ln 2 split so that n * ln2_hi is exact (fdlibm's constants).
    const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const std::uint64_t n_bits = std::bit_cast<std::uint64_t>(t) - std::bit_cast<std::uint64_t>(shifter);
    return p * std::bit_cast<double>((n_bits + 1023u) << 52);
}

/// The central region (|p - 1/2| <= 0.425) of Wichura's AS 241, as a function of q = p - 1/2.
inline double as241_central(double q) {
    const double r = 0.180625 - q * q;
    const double num =
        (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
             4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r +
          1.3314166789178437745e+2) * r + 3.3871328727963666080e+0);
    const double den =
        (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
             2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r +
          4.2313330701600911252e+1) * r + 1.0);
    return q * num / den;
}

/// The tails (|p - 1/2| > 0.425) of Wichura's AS 241, as a function of log(min(p, 1 - p))
/// and which tail. Both rational functions are evaluated and one is kept, so a SIMD lane
/// computes the same bits as the scalar code without branching.
inline double as241_tail(double log_r, bool lower) {
    const double r = std::sqrt(-log_r);  // IEEE sqrt: correctly rounded, in scalar and SIMD alike
    const double a = r - 1.6, b = r - 5.0;
    const double near = (((((((7.74545014278341407640e-4 * a + 2.27238449892691845833e-2) * a + 2.41780725177450611770e-1) * a +
                            1.27045825245236838258e+0) * a + 3.64784832476320460504e+0) * a + 5.76949722146069140550e+0) * a +
                          4.63033784615654529590e+0) * a + 1.42343711074968357734e+0) /
                        (((((((1.05075007164441684324e-9 * a + 5.47593808499534494600e-4) * a + 1.51986665636164571966e-2) * a +
                             1.48103976427480074590e-1) * a + 6.89767334985100004550e-1) * a + 1.67638483018380384940e+0) * a +
                          2.05319162663775882187e+0) * a + 1.0);
    const double far = (((((((2.01033439929228813265e-7 * b + 2.71155556874348757815e-5) * b + 1.24266094738807843860e-3) * b +
                           2.65321895265761230930e-2) * b + 2.96560571828504891230e-1) * b + 1.78482653991729133580e+0) * b +
                         5.46378491116411436990e+0) * b + 6.65790464350110377720e+0) /
                       (((((((2.04426310338993978564e-15 * b + 1.42151175831644588870e-7) * b + 1.84631831751005468180e-5) * b +
                            7.86869131145613259100e-4) * b + 1.48753612908506148525e-2) * b + 1.36929880922735805310e-1) * b +
                         5.99832206555887937690e-1) * b + 1.0);
    const double value = r <= 5.0 ? near : far;
    return lower ? -value : value;
}

/// The uniform in (0, 1) that Stream makes of one Philox word pair: (k + 1/2) 2^-53 with
/// k = the top 53 of the 64 bits hi:lo (k is built from 32-bit conversions, exactly, so
/// that it vectorises). The one k whose half rounds up to 1.0 maps to 1 - 2^-53.
inline double uniform_from_words(std::uint32_t hi, std::uint32_t lo) {
    const double u = (static_cast<double>(hi) * 2097152.0 + static_cast<double>(lo >> 11) + 0.5) * 0x1.0p-53;
    return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

}  // namespace apmsim::random

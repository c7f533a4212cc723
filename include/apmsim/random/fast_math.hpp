#pragma once
/// \file fast_math.hpp
/// \brief Branch-free pieces of the variate transforms, shared by the scalar samplers
/// and the vectorised batch kernels so both give the same bits.
///
/// Only +, -, *, / and bit operations are used, and floating-point contraction is off
/// (-ffp-contract=off, see CMakeLists.txt), so a SIMD lane computes exactly what the
/// scalar code computes: results do not depend on the instruction set chosen at run time.

#include <bit>
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

/// The uniform in (0, 1) that Stream makes of one Philox word pair: (k + 1/2) 2^-53 with
/// k = the top 53 of the 64 bits hi:lo (k is built from 32-bit conversions, exactly, so
/// that it vectorises). The one k whose half rounds up to 1.0 maps to 1 - 2^-53.
inline double uniform_from_words(std::uint32_t hi, std::uint32_t lo) {
    const double u = (static_cast<double>(hi) * 2097152.0 + static_cast<double>(lo >> 11) + 0.5) * 0x1.0p-53;
    return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

}  // namespace apmsim::random

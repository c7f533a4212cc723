#pragma once
/// \file count_recursion.hpp
/// \brief A count drawn by inverting one uniform through the pmf recursion
/// p(k+1) = p(k) (a + b k) / (k + d) c, as plain numbers: the Poisson, negative binomial,
/// binomial and zero-truncated Poisson recursions are all of this form
/// (distributions/discrete_inversion.hpp). The scalar inversion here is the reference; the
/// engine runs a member-year's counts together in vector lanes (random/batch.hpp,
/// invert_counts), with the same operations in the same order, so the same bits.

#include <cstdint>

namespace apmsim::random {

struct CountRecursion {
    double u;       ///< the uniform to invert
    double p0;      ///< p(0)
    double a, b;    ///< numerator of the ratio: a + b k
    double d;       ///< denominator of the ratio: k + d
    double c;       ///< factor of the ratio
    bool strict;    ///< smallest k with F(k) > u (inverting a complement), else F(k) >= u
};

/// The k of `s`'s recursion starting at step `k` (a whole number) with p(k) = p and F(k) = cdf.
/// The loop stops once the remaining terms cannot change F in double precision (u is then
/// beyond the representable cdf), or at 2^32 - 1, so it cannot run away.
inline double recursion_steps(const CountRecursion& s, double k, double p, double cdf) {
    while (s.strict ? s.u >= cdf : s.u > cdf) {
        const double r = (s.a + s.b * k) / (k + s.d) * s.c;
        p *= r;
        k += 1.0;
        cdf += p;
        if (r < 1.0 && p < cdf * 1e-17) break;
        if (k == 4294967295.0) break;
    }
    return k;
}

/// Smallest k with F(k) >= u (F(k) > u when strict), F accumulating p0, p0 ratio(0), ...
inline std::uint32_t invert_count(const CountRecursion& s) { return static_cast<std::uint32_t>(recursion_steps(s, 0.0, s.p0, s.p0)); }

}  // namespace apmsim::random

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

/// A count's log p(0) = factor log1p(argument) + shift (Poisson: 0, 0, -lambda; negative
/// binomial: -r, m / r, 0; binomial: n, -min(p, 1 - p), 0), so that the engine can take
/// the log1p and exp of a member-year's counts together (random::count_p0s) and then finish
/// each draw (the families' prepare_scaled(scale, u, log_p0, p0)). The terms reproduce
/// each family's own expression exactly: x + 0 and 0 log1p(0) + s are exact.
struct LogP0Terms {
    double factor = 0.0, argument = 0.0, shift = 0.0;
    /// The scalar value: what count_p0s computes in vector lanes, the same operations.
    double log_p0(double log1p_of_argument) const { return factor == 0.0 ? shift : factor * log1p_of_argument + shift; }
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

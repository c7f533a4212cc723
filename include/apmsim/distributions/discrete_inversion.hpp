#pragma once
/// \file discrete_inversion.hpp
/// \brief Inversion of counting distributions by the pmf recursion
/// p(k+1) = p(k) ratio(k), and the limited expected value of a count.
///
/// Inversion uses one uniform per draw, so the count is non-decreasing in the
/// uniform: the property that makes common random numbers (with and without an
/// intervention) compare like with like.

#include <cmath>
#include <cstdint>
#include <limits>

namespace apmsim::detail {

/// Smallest k with F(k) >= u, where F accumulates p0, p0 ratio(0), ... The loop stops
/// once the remaining terms cannot change F in double precision (u is then beyond the
/// representable cdf), so it cannot run away.
template <class Ratio>
std::uint32_t invert_by_recursion(double u, double p0, Ratio ratio) {
    double p = p0, cdf = p0;
    std::uint32_t k = 0;
    while (u > cdf) {
        const double r = ratio(k);
        p *= r;
        ++k;
        cdf += p;
        if (r < 1.0 && p < cdf * 1e-17) break;
        if (k == 0xFFFFFFFFu) break;
    }
    return k;
}

/// log of the largest p0 the recursion may start from without losing the body of
/// the distribution to underflow; larger models are split into independent pieces.
inline constexpr double min_log_p0 = -600.0;

/// E[min(N, u)] = sum_{k < floor(u)} P(N > k) + (u - floor(u)) P(N > floor(u)).
template <class Distribution>
double discrete_limited_expected_value(const Distribution& d, double u) {
    if (!(u > 0.0)) return 0.0;
    if (u == std::numeric_limits<double>::infinity()) return d.mean();
    const double whole = std::floor(u);
    double sum = 0.0;
    for (double k = 0.0; k < whole; k += 1.0) {
        const double survival = 1.0 - d.cdf(k);
        if (survival < 1e-17 && k > d.mean()) return sum;
        sum += survival;
    }
    return sum + (u - whole) * (1.0 - d.cdf(whole));
}

}  // namespace apmsim::detail

#pragma once
/// \file discrete_inversion.hpp
/// \brief Inversion of counting distributions by the pmf recursion
/// p(k+1) = p(k) ratio(k) (random/count_recursion.hpp), by search where p(0) underflows,
/// and the limited expected value of a count.
///
/// Inversion uses one uniform per draw, so the count is non-decreasing in the
/// uniform: the property that makes common random numbers (with and without an
/// intervention) compare like with like.

#include "apmsim/random/count_recursion.hpp"
#include "apmsim/random/variates.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace apmsim::detail {

/// A count by inversion of one uniform, split in two so that the engine can run the
/// recursions of a member-year's counts together (random::invert_counts): either the count
/// itself (no recursion: a zero mean, a search for a huge mean) or the recursion to run and
/// how its k becomes the count: offset + min(k, limit), or offset - min(k, limit) for a
/// complement (a binomial with p > 1/2 counts failures).
struct CountDraw {
    std::uint32_t value = 0;  ///< the count when `recursive` is false
    bool recursive = false;
    random::CountRecursion recursion{};
    std::uint32_t offset = 0, limit = 0xFFFFFFFFu;
    bool complement = false;

    static CountDraw of(std::uint32_t count) { return {count}; }
    static CountDraw by_recursion(const random::CountRecursion& r, std::uint32_t offset = 0, std::uint32_t limit = 0xFFFFFFFFu,
                                  bool complement = false) {
        return {0, true, r, offset, limit, complement};
    }
    /// The count, given k = invert_count(recursion).
    std::uint32_t finish(std::uint32_t k) const {
        if (!recursive) return value;
        const std::uint32_t j = std::min(k, limit);
        return complement ? offset - j : offset + j;
    }
    /// The count, its recursion run here.
    std::uint32_t count() const { return finish(recursive ? random::invert_count(recursion) : 0); }
};

/// log of the smallest p0 the recursion may start from without losing the body of
/// the distribution to underflow; larger models are inverted by invert_by_search.
inline constexpr double min_log_p0 = -600.0;

/// Smallest k in [0, 2^32 - 1] with cdf(k) >= u, by bracketing outwards from a normal
/// guess (mean + sd z_u) and bisection. For counts whose p0 underflows (huge means):
/// it stays an exact inversion of the single uniform u, so the count is non-decreasing
/// in u and in the mean (splitting into independent pieces is not monotone in the
/// mean when the number of pieces changes), and it needs only log2(sd) cdf calls.
template <class Cdf>
std::uint32_t invert_by_search(double u, double mean, double sd, Cdf cdf) {
    constexpr double top = 4294967295.0;
    const double guess = std::floor(mean + sd * random::standard_normal_quantile(u));
    double step = std::max(1.0, std::ceil(sd));
    double lo = -1.0, hi = std::clamp(guess, 0.0, top);  // invariant: F(lo) < u <= F(hi), F(-1) = 0
    if (cdf(hi) >= u) {
        for (double x = hi - step; x >= 0.0; x = hi - step) {
            if (cdf(x) < u) {
                lo = x;
                break;
            }
            hi = x;
            step *= 2.0;
        }
    } else {
        lo = hi;
        for (hi = std::min(top, lo + step); hi < top && cdf(hi) < u; hi = std::min(top, lo + step)) {
            lo = hi;
            step *= 2.0;
        }
        if (hi >= top && cdf(hi) < u) return static_cast<std::uint32_t>(top);
    }
    while (hi - lo > 1.0) {
        const double mid = std::floor(0.5 * (lo + hi));
        (cdf(mid) >= u ? hi : lo) = mid;
    }
    return static_cast<std::uint32_t>(hi);
}

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

#pragma once
/// \file common.hpp
/// \brief Helpers shared by the distribution objects: sampling into a vector from a
/// seed, and checks of probabilities passed to quantile().

#include "apmsim/core/errors.hpp"
#include "apmsim/random/philox_stream.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

/// The largest mean a count distribution accepts (events per member-year). Counts are
/// drawn as 32-bit integers: with this bound, frailty and risk-score scaling and the far
/// tail stay below 2^32 instead of being capped there without a word.
inline constexpr double max_count_mean = 1e7;

/// Refuses a count distribution whose mean, or whose mean + 20 sd, does not fit 32-bit counts.
inline void check_count_range(const std::string& where, double mean, double variance) {
    if (mean > max_count_mean)
        throw InvalidInput(where + ".mean", "at most " + show(max_count_mean) + " events (counts are 32-bit)", show(mean));
    if (mean + 20.0 * std::sqrt(variance) > 4294967295.0)
        throw InvalidInput(where, "a count distribution whose mean + 20 sd fits 32-bit counts (4294967295)",
                           "mean " + show(mean) + ", sd " + show(std::sqrt(variance)));
}

/// Draws n variates of `dist` from the stand-alone stream of `seed`
/// (trial 0, member 0, StreamKind::sample). Same seed, same values, on any machine
/// with IEEE doubles and the same libm.
template <class Distribution>
std::vector<double> sample(const Distribution& dist, std::size_t n, std::uint64_t seed) {
    random::Stream stream(seed, 0u, 0u, random::variable_id(random::StreamKind::sample, 0u, 0u));
    std::vector<double> out(n);
    for (auto& x : out) x = static_cast<double>(dist.draw(stream));
    return out;
}

namespace detail {
inline void check_probability_argument(const std::string& who, double p) {
    if (!(p >= 0.0 && p <= 1.0)) throw InvalidInput(who + ".quantile(p)", "p in [0, 1]", show(p));
}
inline void check_cv(const std::string& who, double mean, double cv) {
    check::positive(who + ".mean", mean);
    check::positive(who + ".cv", cv);
}
}  // namespace detail
}  // namespace apmsim

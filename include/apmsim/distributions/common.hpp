#pragma once
/// \file common.hpp
/// \brief Helpers shared by the distribution objects: sampling into a vector from a
/// seed, and checks of probabilities passed to quantile().

#include "apmsim/core/errors.hpp"
#include "apmsim/random/philox_stream.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

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

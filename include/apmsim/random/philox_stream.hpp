#pragma once
/// \file philox_stream.hpp
/// \brief Counter-based random streams: every draw is a pure function of
/// (seed, trial, member, variable, index).
///
/// Philox4x32-10 (Salmon et al., SC'11; Random123) is used as a keyed bijection:
/// key = the 64-bit seed, counter = {trial, member, variable, block}. Each block
/// yields two uniforms with 53 random bits each, so a stream is a sequence
/// u_0, u_1, ... that depends on nothing else: not on threads, block sizes or
/// the order in which trials run. Any trial can be replayed on its own.

#include "apmsim/random/fast_math.hpp"

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace apmsim::random {

/// What a stream is used for; part of the `variable` word of the counter.
enum class StreamKind : std::uint32_t {
    frailty = 1,       ///< member-year frailty (gamma)
    count = 2,         ///< member-year-category event count (inversion)
    severity = 3,      ///< member-year-category event severities, one per event
    transition = 4,    ///< member tier transition between years
    trend = 5,         ///< trial-level annual trend
    intervention = 6,  ///< trial-level intervention effect per category
    copula = 7,        ///< member-year Gaussian copula normals
    sample = 8,        ///< stand-alone `sample(n, seed)` of a distribution
    user = 9,          ///< reserved for users embedding the engine
    quality = 10,      ///< trial-level contract quality measures (contracts/quality.hpp)
    uptake = 11,       ///< trial-level share of targeted members who take part in the program
    participation = 12,  ///< member-level: whether a targeted member takes part
    rising_risk = 13,    ///< trial-level change in participants' chance of moving to a costlier tier
    churn = 14,          ///< trial level: how many members join; member level: when it joins, its tier, when it leaves
    synth = 15,          ///< synthetic claims extracts (synth.hpp): lags, lines, dates and mess
    monitor = 16,        ///< projections of a contract year from observed claims (monitor.hpp)
    severity_sum = 17,   ///< tabulated mode: member-year-category sums of severities, one per 16 events
};

/// The member slot used for trial-level draws (trend, intervention effects).
inline constexpr std::uint32_t trial_level_member = 0xFFFFFFFFu;

/// Packs kind (8 bits), year (8 bits) and an index such as a category (16 bits).
constexpr std::uint32_t variable_id(StreamKind kind, std::uint32_t year, std::uint32_t index) {
    return (static_cast<std::uint32_t>(kind) << 24) | ((year & 0xFFu) << 16) | (index & 0xFFFFu);
}

/// Raw Philox4x32-10 block for a given counter and key (exposed for known-answer tests).
inline std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& counter,
                                                  const std::array<std::uint32_t, 2>& key) {
    r123::Philox4x32_R<10> gen;
    r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
    r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
    const auto r = gen(c, k);
    return {r[0], r[1], r[2], r[3]};
}

/// Maps 64 random bits to a double strictly inside (0, 1): (k + 1/2) 2^-53 with k the
/// top 53 bits (see uniform_from_words, which also keeps the largest k below 1.0).
inline double bits_to_open_unit(std::uint64_t bits) {
    return uniform_from_words(static_cast<std::uint32_t>(bits >> 32), static_cast<std::uint32_t>(bits));
}

/// A sequential stream of uniforms for one (seed, trial, member, variable).
class Stream {
public:
    Stream(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, std::uint32_t variable)
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          counter_{{trial, member, variable, 0u}} {}

    /// The next uniform in (0, 1).
    double uniform() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const auto r = gen_(counter_, key_);
        ++counter_[3];
        spare_ = uniform_from_words(r[2], r[3]);
        has_spare_ = true;
        return uniform_from_words(r[0], r[1]);
    }

    /// Restarts the stream at draw `index` (0-based) without touching earlier draws.
    void seek(std::uint64_t index) {
        counter_[3] = static_cast<std::uint32_t>(index / 2);
        has_spare_ = false;
        if (index % 2 == 1) (void)uniform();
    }

private:
    r123::Philox4x32_R<10> gen_;
    r123::Philox4x32_R<10>::key_type key_;
    r123::Philox4x32_R<10>::ctr_type counter_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace apmsim::random

#pragma once
/// \file options.hpp
/// \brief How many trials, which seed, how many threads.

#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <string>

namespace apmsim {

struct SimulationOptions {
    std::uint64_t trials = 1000;
    std::uint64_t seed = 20261123;
    unsigned threads = 0;        ///< 0 = every core the machine reports
    bool member_detail = false;  ///< keep every member's annual cost for every trial (memory!)
    /// Trials of the calibration sample that estimates what contracts fix before the year
    /// (truncation percentiles, stop-loss expectations), on its own seed stream.
    std::uint64_t calibration_trials = 500;
    /// Trials share their trial-level draws (trend, effects, uptake, quality) in blocks of
    /// this many: trial t draws them as trial t / parameter_block. 1 (every trial its own)
    /// but for the nested design of a variance decomposition (variance_decomposition.hpp).
    std::uint64_t parameter_block = 1;

    std::uint32_t parameter_trial(std::uint64_t trial) const { return static_cast<std::uint32_t>(trial / parameter_block); }

    void validate(const std::string& where = "options") const {
        if (trials < 1 || trials > 0xFFFFFFFFull)
            throw InvalidInput(where + ".trials", "1 to 4294967295 trials", std::to_string(trials));
        if (calibration_trials < 1 || calibration_trials > 10'000'000)
            throw InvalidInput(where + ".calibration_trials", "1 to 10000000 trials", std::to_string(calibration_trials));
        if (parameter_block < 1 || parameter_block > trials)
            throw InvalidInput(where + ".parameter_block", "1 to the number of trials", std::to_string(parameter_block));
        if (threads > 1024) throw InvalidInput(where + ".threads", "0 (all cores) to 1024", std::to_string(threads));
    }
};

}  // namespace apmsim

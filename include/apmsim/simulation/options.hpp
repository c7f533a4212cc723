#pragma once
/// \file options.hpp
/// \brief How many trials, which seed, how many threads.

#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <string>

namespace apmsim {

/// How a member-year-category's cost is drawn. exact: every event's severity; tabulated:
/// the count exactly, then the sum of its severities from quantile tables of the sums of
/// 1 .. 16 severities (one uniform per 16 events; exact/severity_sum_table.hpp states and
/// bounds the error). Every output names the mode.
enum class SimulationMode { exact, tabulated };

inline const char* mode_name(SimulationMode m) { return m == SimulationMode::exact ? "exact" : "tabulated"; }

/// Parses "exact" or "tabulated"; InvalidInput naming `where` otherwise.
inline SimulationMode mode_from_name(const std::string& where, const std::string& name) {
    if (name == "exact") return SimulationMode::exact;
    if (name == "tabulated") return SimulationMode::tabulated;
    throw InvalidInput(where, "\"exact\" or \"tabulated\"", "\"" + name + "\"");
}

struct SimulationOptions {
    std::uint64_t trials = 1000;
    /// The first trial's number: a run simulates trials trial_begin .. trial_begin + trials - 1,
    /// each a function of the seed and its number alone, so the parts of a large run, run
    /// anywhere, merge into the whole run bit for bit (merge_trial_ranges, run.hpp).
    std::uint64_t trial_begin = 0;
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
    SimulationMode mode = SimulationMode::exact;

    std::uint32_t parameter_trial(std::uint64_t trial) const { return static_cast<std::uint32_t>(trial / parameter_block); }
    /// The number of the trial in slot `slot` of this run (what its random numbers depend on).
    std::uint32_t trial_number(std::uint64_t slot) const { return static_cast<std::uint32_t>(trial_begin + slot); }

    void validate(const std::string& where = "options") const {
        if (trials < 1 || trials > 0xFFFFFFFFull)
            throw InvalidInput(where + ".trials", "1 to 4294967295 trials", std::to_string(trials));
        if (trial_begin > 0x1'0000'0000ull - trials)
            throw InvalidInput(where + ".trial_begin", "a first trial with trial_begin + trials at most 4294967296",
                               std::to_string(trial_begin) + " with " + std::to_string(trials) + " trials");
        if (calibration_trials < 1 || calibration_trials > 10'000'000)
            throw InvalidInput(where + ".calibration_trials", "1 to 10000000 trials", std::to_string(calibration_trials));
        if (parameter_block < 1 || parameter_block > trials)
            throw InvalidInput(where + ".parameter_block", "1 to the number of trials", std::to_string(parameter_block));
        if (threads > 1024) throw InvalidInput(where + ".threads", "0 (all cores) to 1024", std::to_string(threads));
    }
};

}  // namespace apmsim

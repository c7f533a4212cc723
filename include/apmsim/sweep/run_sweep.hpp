#pragma once
/// \file run_sweep.hpp
/// \brief Running a sweep into its database: the variants not yet finished, grouped so
/// that variants differing only in payment-model terms share one simulation
/// (apmsim::run_each), each committed as it finishes.

#include "apmsim/simulation/run_control.hpp"
#include "apmsim/sweep/sweep_store.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace apmsim {

struct SweepOptions {
    std::uint64_t trials = 0;  ///< replaces every variant's settings.trials (0: keep them); part of the definition
    std::uint64_t calibration_trials = 0;  ///< replaces settings.calibration_trials (0: keep them); part of the definition
    unsigned threads = 0;      ///< replaces settings.threads when set (never changes a result)
    bool threads_given = false;
    bool resume = false;
    /// How many variants run_each() is handed at once (they share simulations within a
    /// batch): bounds memory; variants are committed one by one whatever the batch.
    std::size_t batch = 64;
};

struct SweepProgress {
    std::size_t done = 0, total = 0;  ///< finished variants (those of earlier runs included)
    std::size_t skipped = 0;          ///< finished before this run (--resume)
    const Variant* last = nullptr;    ///< the variant just finished (nullptr before the first)
};

/// Receives scenario `index`'s statistics table (the rows a sweep stores for a variant).
using StatisticsDone = std::function<void(std::size_t index, std::vector<StatisticRow>&& rows)>;

/// Runs `scenarios` with run_each() (those that differ only in payment-model terms share a
/// simulation) and hands each one's statistics table to `done` as it is settled.
void run_statistics(std::span<const Scenario> scenarios, const StatisticsDone& done, const RunControl& control = {});

/// The definition as stored (base inline, the trial overrides): what --resume checks.
Json sweep_identity(const SweepDefinition& d, const SweepOptions& o);

/// Runs every unfinished variant of `d` into the database `file`. `progress` (optional)
/// is called before the first and after each finished variant. Throws InvalidInput before
/// any work for a bad definition or database, Interrupted when `control.stop` is set
/// (finished variants stay committed). Returns the final progress.
SweepProgress run_sweep(const SweepDefinition& d, const std::string& file, const SweepOptions& o,
                        const std::function<void(const SweepProgress&)>& progress = {}, const RunControl& control = {});

}  // namespace apmsim

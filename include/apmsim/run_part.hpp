#pragma once
/// \file run_part.hpp
/// \brief A part of a run split by trial ranges, as a file: what `apmsim run --part` writes
/// on each machine and `apmsim merge` joins into the results of the whole run, bit for bit
/// (every trial depends only on the seed and its number: simulation/trial_ranges.hpp).
///
/// The file holds the scenario as run (its settings give the trial range) and the exact
/// state of its simulation and payment results (outputs/results_state.hpp). It is read
/// back with every size checked: a truncated or altered file is an error naming it.

#include "apmsim/run.hpp"
#include "apmsim/scenario.hpp"

#include <span>
#include <string>

namespace apmsim {

struct RunPart {
    Scenario scenario;   ///< as run: settings.trials and settings.trial_begin are its range
    RunResults results;
};

/// Writes the part file through a temporary file (nothing partial is left on failure).
void write_run_part(const std::string& file, const Scenario& scenario, const SimulationOptions& options, const RunResults& results);

/// Reads a part file; InvalidInput naming the file when it is not one, or is damaged.
RunPart read_run_part(const std::string& file);

/// The parts of one run joined: the scenario with the union of their trial ranges, and
/// the merged results. `names` name the parts in errors (their files). Throws InvalidInput
/// when a part is of another scenario or settings, or the ranges are not consecutive.
RunPart merge_run_parts(std::span<const RunPart> parts, std::span<const std::string> names);

}  // namespace apmsim

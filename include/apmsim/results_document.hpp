#pragma once
/// \file results_document.hpp
/// \brief The results JSON of a run (`apmsim run --out`, `Results.save` in Python): the
/// numbers, plus what reproduces them: the apmsim version, the resolved scenario (every
/// default filled in, the settings as run: seed, trials, calibration trials; not the
/// thread count, which never changes a number) and the
/// warnings the scenario raises. `apmsim run --replay results.json` reruns the resolved
/// scenario and gives the same numbers.

#include "apmsim/run.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_warnings.hpp"

#include <string>
#include <vector>

namespace apmsim {

/// The format of the results JSON this version writes (`results_format`).
inline constexpr int results_format = 4;  // 2: status_quo; 3: members = at the start, member_slots with churn; 4: mode

/// The results JSON of a run of `scenario` with `options`: its simulation and payments.
Json results_document(const Scenario& scenario, const SimulationOptions& options, const SimulationResults& simulation,
                      const PaymentResults& payments);

/// The warnings of a results document ("warnings": where and message of each) without the
/// numbers: what `apmsim run` prints when it writes no document.
Json results_warnings(const Scenario& scenario, const SimulationOptions& options);

/// The scenario a results JSON records (its "resolved_scenario", settings included), to
/// run again; `file` names the results file in errors. Throws InvalidInput when the
/// document holds no resolved scenario (written by an older apmsim, or not a results file).
Scenario scenario_of_results(const Json& results, const std::string& file);

/// Where a replayed results document first differs from the recorded one: a JSON pointer
/// and both values, or "" when they are identical (numbers compared bit for bit).
std::string replay_difference(const Json& recorded, const Json& replayed);

}  // namespace apmsim

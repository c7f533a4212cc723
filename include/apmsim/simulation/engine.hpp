#pragma once
/// \file engine.hpp
/// \brief simulate(model, options): member-level Monte Carlo of annual costs.
///
/// For trial t, member i, year y and category c (shared/DOMAIN.md section 2):
///   frailty F ~ Gamma(mean 1, cv)                      stream (t, i, frailty y)
///   N ~ Frequency scaled by F x r_i x exposure x effect_c   stream (t, i, count y c), by inversion
///   cost = (1 + g)^(y+1) x sum_{k < N} X_k               stream (t, i, severity y c), X_k = k-th draw
/// where r_i is the member's risk score relative to its tier's months-weighted mean
/// (Population::relative_risk; 1 when a tier's members share one score), g is the
/// trial's trend and effect_c the trial's intervention factor (both drawn
/// once per trial from the trial-level streams). Both arms use the same uniforms, and
/// severities are indexed by event number, so the arms share their first min(N0, N1)
/// events exactly (common random numbers). Every draw is a pure function of
/// (seed, trial, member, variable, index): results do not depend on threads.

#include "apmsim/population/model.hpp"
#include "apmsim/simulation/options.hpp"
#include "apmsim/simulation/results.hpp"
#include "apmsim/simulation/run_control.hpp"
#include "apmsim/simulation/trial_observer.hpp"

#include <vector>

namespace apmsim {

/// Runs `options.trials` trials of `model` (both arms when it has an intervention).
/// `observers` (optional) see every trial's member-level costs. Throws InvalidInput
/// before any work if the model or the options are bad. Costs only: apmsim::run
/// (run.hpp) also settles a scenario's payment models. `control` (optional) counts
/// finished trials and stops the run between trials (throwing Interrupted).
SimulationResults simulate(const Model& model, const SimulationOptions& options, const std::vector<TrialObserver*>& observers = {},
                           const RunControl& control = {});

/// The threads a run uses when `requested` (0 = every core the machine reports).
unsigned resolve_threads(unsigned requested);

}  // namespace apmsim

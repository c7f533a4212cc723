#pragma once
/// \file run.hpp
/// \brief run(scenario, options): simulate the scenario and settle each of its payment
/// models on the same simulated costs (common random numbers), both arms.
///
/// Steps: (1) prepare every payment model against the scenario (names, pool size; errors
/// name the JSON path) before any simulation; (2) if a benchmark needs a simulated base
/// period, simulate it without the program, with no trend (base-year dollars), on the
/// seed base_period_seed(seed); (3) simulate the scenario with an observer that keeps each
/// trial's experience; (4) calibrate what contracts fix in advance (stop-loss premiums,
/// aggregate attachments) on a calibration sample of the base case (no program) of
/// settings.calibration_trials trials on calibration_seed(seed); (5) draw each model's
/// quality score and settle every model, arm, trial and year. A truncation percentile
/// comes from the first trials of the calibration sample (up to about two million
/// member-years).

#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/trial_ranges.hpp"
#include "apmsim/simulation/results.hpp"
#include "apmsim/simulation/run_control.hpp"
#include "apmsim/simulation/trial_observer.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace apmsim {

struct RunResults {
    SimulationResults simulation;
    PaymentResults payments;  ///< empty (no models) when the scenario has none
};

/// Simulates `scenario` with `options` (which replace its settings) and settles its
/// payment models. Throws InvalidInput, naming the JSON path, before any work when the
/// scenario, the options or a combination of contract terms is bad; Interrupted when
/// `control.stop` is set during the run.
RunResults run(const Scenario& scenario, const SimulationOptions& options, const RunControl& control = {});
/// The same with the scenario's own settings.
inline RunResults run(const Scenario& scenario) { return run(scenario, scenario.settings); }

/// What supplies the experience a run settles: the engine's simulate() in run(); the
/// monitor (monitor.hpp) supplies a contract year projected from observed claims.
/// It must call the observers once per trial with the TrialView the engine would give.
using Simulator = std::function<SimulationResults(const Model&, const SimulationOptions&, const std::vector<TrialObserver*>&,
                                                  const RunControl&)>;
/// run() with `simulator` in place of the engine for the scenario's own experience; the
/// simulated benchmark base period and the calibration sample still come from the engine.
RunResults run_with(const Scenario& scenario, const SimulationOptions& options, const Simulator& simulator, const RunControl& control = {});

/// The results of runs of one scenario over consecutive trial ranges (options.trial_begin,
/// trials), joined into the results of one run over their union, bit for bit
/// (simulation/trial_ranges.hpp): how a large run is spread over machines. Throws
/// InvalidInput naming parts[k] when the parts are not consecutive or not of one run.
RunResults merge_trial_ranges(std::span<const RunResults> parts);

/// Checks everything run() checks before it simulates (the scenario, and every payment
/// model prepared against it: combinations of terms included), without simulating (but
/// for the small pilot sample a truncation percentile needs). Throws InvalidInput.
void check_scenario(const Scenario& scenario);

/// Receives the results of scenario `index` of run_each(); `simulation` numbers the
/// simulations run (scenarios settled on the same one get the same number).
using SettledSet = std::function<void(std::size_t index, std::size_t simulation, const SimulationResults&, PaymentResults&&)>;

/// Runs every scenario with its own settings, as run() would, and hands each one's
/// results to `done` (in an order of its choosing, each index once): scenarios that
/// differ only in their payment models and name share one simulation (their experience
/// is simulated once and settled for each), so a sweep over contract terms costs little
/// more than one run. Results are bit-identical to run() of each scenario alone.
/// Validates every scenario before any work.
void run_each(std::span<const Scenario> scenarios, const SettledSet& done, const RunControl& control = {});

/// The scenarios run_each() may settle on one simulation (the same model and settings,
/// whatever their payment models, name and thread count): groups of indices, each and the
/// groups in first-seen order. A sweep on a cluster sends one task per group.
std::vector<std::vector<std::size_t>> simulation_groups(std::span<const Scenario> scenarios);

/// Seed of the simulated benchmark base period: a fixed function of the run's seed, so
/// base-period costs are independent of the performance years but reproducible.
inline std::uint64_t base_period_seed(std::uint64_t seed) { return seed ^ 0x62617365'70657264ull; }  // "baseperd"
/// Seed of the calibration sample (what contracts fix before the year: truncation
/// percentiles, stop-loss expectations): independent of the run's trials, so a trial's
/// outputs depend only on the seed and its index, never on how many trials run.
inline std::uint64_t calibration_seed(std::uint64_t seed) { return seed ^ 0x63616c69'62726174ull; }  // "calibrat"

/// The quality score of a payment model in one trial, year (0-based) and arm: one
/// uniform per measure from the trial-level stream (seed, trial, quality year k), the
/// same in both arms (common random numbers; only the program's lift differs).
double quality_score(const QualityTerms& quality, std::uint64_t seed, std::uint32_t trial, int year, bool intervention_arm);

}  // namespace apmsim

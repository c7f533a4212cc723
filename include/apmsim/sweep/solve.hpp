#pragma once
/// \file solve.hpp
/// \brief Goal seek: the value of one scenario term (a capitation PMPM, an MSR, a
/// corridor width, ...) at which a statistic of the results meets a target, e.g.
/// "the provider's probability of a loss under the capitation model is at most 20%".
///
/// Every evaluation runs on the same random numbers (the scenario's seed), so the
/// statistic is a deterministic, monotone function of such a term and the crossing can
/// be bracketed: each round evaluates several points inside the current bracket (in one
/// run_each() batch: one simulation when the term is a payment-model term) and keeps
/// the sub-interval where the target switches from missed to met. The value reported is
/// the met end of the final bracket. Its Monte Carlo uncertainty: the same search for the
/// target shifted by -1.96 and +1.96 standard errors of the statistic (a mean's
/// standard_error; sqrt(p(1-p)/n) for a probability; for a quantile or an expected
/// shortfall, stats/estimator_errors.hpp from the trials behind it) gives the values between which the
/// answer would lie on 95% of other random numbers (other seeds), to first order.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/simulation/run_control.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

/// Which statistic, and the bound it must meet. Labels not given must be "" in the row
/// (arm: the program's arm when empty; year 0 = all years together).
struct SolveTarget {
    std::string model, arm, party, component, category, tier, measure, statistic;
    int year = 0;
    bool at_most = true;  ///< statistic <= bound (else >=)
    double bound = 0;

    /// Reads "model=NAME party=provider statistic=p_negative <= 0.2": key=value labels
    /// (model, arm, year, party, component, category, tier, measure, statistic; measure
    /// defaults to net when a party is given), then <= or >= and a number.
    static SolveTarget parse(const std::string& text, const std::string& where = "target");
    bool met(double value) const { return at_most ? value <= bound : value >= bound; }
    std::string describe() const;
};

struct SolveOptions {
    double tolerance = 0;      ///< stop when the bracket is this narrow (0: 1e-4 of the range)
    std::size_t points = 7;    ///< points per round inside a bracket of a payment-model term
    std::uint64_t trials = 0;  ///< replaces settings.trials when not 0
    std::uint64_t calibration_trials = 0;  ///< replaces settings.calibration_trials when not 0
};

struct SolveEvaluation {
    double x = 0, statistic = 0;
};

struct SolveResult {
    double value = 0;             ///< the met end of the final bracket
    double statistic = 0;         ///< the statistic there
    double standard_error = 0;    ///< of the statistic there (NaN when unknown)
    double low = 0, high = 0;     ///< the 95% Monte Carlo interval of the value (NaN when unknown)
    std::size_t simulations = 0;  ///< run_each() batches
    std::vector<SolveEvaluation> evaluations;  ///< in the order made
};

/// Finds the value of the term at `pointer` in [lo, hi] (a JSON pointer into the scenario
/// document) where `target` switches between missed and met. Throws InvalidInput when the
/// target is met at both ends or at neither (saying the statistic at each end), when the
/// statistic names no row of the results, or when a value makes the scenario invalid.
SolveResult solve(const Json& scenario, const std::string& pointer, double lo, double hi, const SolveTarget& target,
                  const SolveOptions& options = {}, const RunControl& control = {});

}  // namespace apmsim

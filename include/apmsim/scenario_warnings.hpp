#pragma once
/// \file scenario_warnings.hpp
/// \brief Legal but implausible inputs a user would want to hear about (apmsim validate
/// prints them, exit 0): a given benchmark far from the expected cost of what it covers
/// (an annual figure typed as monthly), a capitation far from the expected cost of the
/// categories it covers, a corridor band beyond 100% of the target, an FMAP above any
/// state's regular match (stop-loss for a party without claims risk is an error:
/// contracts/stop_loss.hpp). Expected costs come
/// from the cost model's closed-form moments (population/analytic_moments.hpp) weighted by
/// the population's year-1 tier mix, 12 months a member-year.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/scenario.hpp"

#include <string>
#include <vector>

namespace apmsim {

/// A warning: where (a JSON path) and what looks wrong.
struct ScenarioWarning {
    std::string where, message;
};

/// The warnings for scenario `s`, read from its document `doc` (the payment models'
/// terms as written). A ratio of stated to expected outside [1/3, 3] is flagged.
std::vector<ScenarioWarning> scenario_warnings(const Scenario& s, const Json& doc);

}  // namespace apmsim

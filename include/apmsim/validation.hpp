#pragma once
/// \file validation.hpp
/// \brief A scenario document checked without running it, as `apmsim validate` and
/// `apmsim.validate` report it: every problem at once (scenario_problems), then what
/// run() would refuse before simulating (check_scenario), then the warnings
/// (scenario_warnings) of a document without problems.

#include "apmsim/core/errors.hpp"
#include "apmsim/core/json_reader.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_warnings.hpp"

#include <optional>
#include <vector>

namespace apmsim {

struct ValidationReport {
    std::vector<InvalidInput> errors;
    std::vector<ScenarioWarning> warnings;
    std::optional<Scenario> scenario;  ///< when there are no errors
};

ValidationReport validate_scenario_document(const Json& doc);

}  // namespace apmsim

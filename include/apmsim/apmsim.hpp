#pragma once
/// \file apmsim.hpp
/// \brief Umbrella header: everything a C++ user of apmsim needs.

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/contracts/settle.hpp"
#include "apmsim/core/errors.hpp"
#include "apmsim/core/json_reader.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/io/json.hpp"
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/population/scenario.hpp"
#include "apmsim/population/synthetic.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/stats/running_moments.hpp"
#include "apmsim/stats/summary.hpp"

namespace apmsim {
inline constexpr const char* version = "0.1.0";
}

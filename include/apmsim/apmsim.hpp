#pragma once
/// \file apmsim.hpp
/// \brief Umbrella header: everything a C++ user of apmsim needs.

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/analytics/size_analytics.hpp"
#include "apmsim/contracts/settle.hpp"
#include "apmsim/core/errors.hpp"
#include "apmsim/core/json_reader.hpp"
#include "apmsim/credibility/blended_rate.hpp"
#include "apmsim/credibility/buhlmann.hpp"
#include "apmsim/credibility/limited_fluctuation.hpp"
#include "apmsim/credibility/risk_adjustment.hpp"
#include "apmsim/credibility/risk_design.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/exact/exact.hpp"
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

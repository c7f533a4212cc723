#pragma once
/// \file results_state.hpp
/// \brief The exact state of simulation and payment results as bytes (doubles bit for bit):
/// Python's pickling (Dask workers), equality, and the part files of a run split by trial
/// ranges (run_part.hpp). Reading checks every array's size against the counts it records.
#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/simulation/results.hpp"

#include <string>

namespace apmsim {

std::string results_state(const SimulationResults& r);
SimulationResults results_from_state(const std::string& state);
std::string payments_state(const PaymentResults& p);
PaymentResults payments_from_state(const std::string& state);
/// A statistics table as bytes: what a sweep's task on a Dask worker sends back.
std::string rows_state(const std::vector<StatisticRow>& rows);
std::vector<StatisticRow> rows_from_state(const std::string& state);

}  // namespace apmsim

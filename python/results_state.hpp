#pragma once
// The exact state of simulation and payment results as bytes, for pickling (Dask workers)
// and equality. Binding-only: not part of the C++ core.
#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/simulation/results.hpp"

#include <string>

namespace apmsim::python {

std::string results_state(const SimulationResults& r);
SimulationResults results_from_state(const std::string& state);
std::string payments_state(const PaymentResults& p);
PaymentResults payments_from_state(const std::string& state);

}  // namespace apmsim::python

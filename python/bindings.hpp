#pragma once
// Declarations shared by the binding files (binding-only: not part of the C++ core).
#include "apmsim/core/errors.hpp"
#include "apmsim/core/json_reader.hpp"

#include <pybind11/pybind11.h>

namespace apmsim {
class SimulationResults;
class PaymentResults;
}  // namespace apmsim

namespace apmsim::python {
namespace py = pybind11;

void register_errors(py::module_& m);
void register_files(py::module_& m);  // _check_output_path, _write_file_atomically
void register_distributions(py::module_& m);
void register_scenario(py::module_& m);
void register_simulation(py::module_& m);
void register_contracts(py::module_& m);    // bind_contracts.cpp
void register_exact(py::module_& m);        // bind_exact.cpp: discretize, aggregate
void register_analytics(py::module_& m);    // bind_analytics.cpp: size analytics, credibility, risk adjustment
void register_sweep(py::module_& m);        // bind_sweep.cpp: sweeps and goal seek
void register_claims(py::module_& m);       // bind_claims.cpp: calibration from claims, synthetic extracts

/// Python dict/list <-> apmsim::Json through the json module (exact for doubles).
Json to_cpp_json(const py::object& o);
py::object to_python_json(const Json& j);

/// A pandas DataFrame of JSON rows (objects), indexed by `index` (none: a plain range index,
/// rows in the order given; pandas imported on use).
py::object data_frame(const Json& rows, const std::vector<std::string>& index, const std::vector<std::string>& columns = {});
/// A read-only view of a part of a value type (apmsim._frozen): in-place edits are refused
/// with advice to assign the whole attribute named by `owner` ("Scenario.delivery").
py::object frozen(const py::object& value, const char* owner);

/// The docstring of Results.compare and PaymentResults.compare.
inline constexpr const char* compare_doc =
    "Each payment model against the status quo, trial by trial on the same random numbers: a pandas DataFrame indexed by "
    "model, arm, year (0 = all years), party and measure (revenue, payments, delivery_cost, net; dollars) of the statistics "
    "of (model - baseline_model) over trials: mean, sd, standard_error, quantiles, expected shortfall, p_negative (the chance "
    "the model leaves the party worse off than the baseline, for net), and standard_error_independent (what the standard "
    "error of the mean difference would be on two independent simulations: the saving common random numbers give). "
    "arm: the program's arm by default. Example: r.compare().loc[('shared_savings', 'intervention', 0, 'provider', 'net')]";

/// The tidy statistics table of a run as JSON rows (NaN as null), for data_frame().
Json statistics_rows(const SimulationResults& sim, const PaymentResults& pay);

}  // namespace apmsim::python

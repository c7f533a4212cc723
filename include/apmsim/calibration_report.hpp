#pragma once
/// \file calibration_report.hpp
/// \brief From claims files to a cost model document and its report: what
/// `apmsim calibrate` and apmsim.calibrate() run. The report (JSON) has the
/// standardisation's findings and reconciliation, the run-out triangle and completion
/// factors, the trend and seasonality, the frailty, and the fit of every cell (observed
/// vs fitted, credibility used), in the names of docs/glossary.md.

#include "apmsim/claims/calibrate.hpp"
#include "apmsim/claims/standardise.hpp"
#include "apmsim/core/json_reader.hpp"

#include <string>

namespace apmsim {

struct CalibrationRun {
    claims::CleanClaims clean;
    claims::Calibration calibration;
};

/// Standardises the two readers' extracts and calibrates the cost model; with a manual
/// model in `calibration`, its tiers and categories are the accepted ones.
CalibrationRun calibrate_claims(csv::Reader& members, csv::Reader& claims, const claims::ColumnMap& map,
                                claims::StandardiseOptions standardise, const claims::CalibrationOptions& calibration);

/// A column map document (claims/column_map.hpp) from a file; errors name the file and path.
claims::ColumnMap load_column_map(const std::string& file);

/// The findings and reconciliation of a standardisation.
Json standardise_report_to_json(const claims::StandardiseReport& report);
/// The same with the window, the counts of members and events, and the run-out triangle.
Json standardise_report_to_json(const claims::CleanClaims& clean);
Json calibration_to_json(const claims::Calibration& calibration);
/// {"standardisation": ..., "calibration": ...}
Json calibration_report(const CalibrationRun& run);

}  // namespace apmsim

// libFuzzer target for a program's claims extracts (claims/standardise.hpp) and their
// calibration (claims/calibrate.hpp): what `apmsim calibrate` and `apmsim monitor` read.
// Input: one byte of options, then the members file, a record separator (0x1e), and the
// claims file; without the separator, everything after the options byte is the claims
// file of a fixed three-member eligibility file. Promises:
// - standardising ends in clean claims or apmsim::InvalidInput, never a crash, a hang or
//   another exception; the same claims sorted a few rows at a time (runs spilled to disk
//   and merged) give the same report and events as sorted in memory;
// - accepted claims reconcile: rows and dollars in = kept + removed, finding by finding;
// - calibrating accepted claims (alone or blended with the bundled program's cost model)
//   ends in a cost model that validates or InvalidInput.
// Build and run: scripts/fuzz.sh fuzz_claims (the test suite replays tests/fuzz/corpus/claims).
#include "apmsim/claims/calibrate.hpp"
#include "apmsim/claims/standardise.hpp"
#include "apmsim/core/csv.hpp"
#include "apmsim/scenario.hpp"

#include "fuzz_support.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace {

const char* fixed_members =
    "member_id,birth_date,sex,tier,risk_score,enrolment_start,enrolment_end\n"
    "M1,2015-01-01,F,A,1.0,2024-01-01,2024-12-31\n"
    "M2,2016-02-02,M,B,1.2,2024-01-01,2024-06-30\n"
    "M3,2017-03-03,F,A,,2024-01-01,2024-12-31\n";

apmsim::claims::CleanClaims standardised(const std::string& members, const std::string& claims, const apmsim::claims::StandardiseOptions& o) {
    auto m = apmsim::csv::Reader::from_text(members, "members.csv");
    auto c = apmsim::csv::Reader::from_text(claims, "claims.csv");
    return apmsim::claims::standardise(m, c, apmsim::claims::ColumnMap{}, o);
}

/// The bundled program's cost model, blended into thin cells (`apmsim calibrate --manual default`).
const apmsim::CostModel& manual_model() {
    static const apmsim::CostModel model = apmsim::Scenario::default_cmc_program(10, 1, false).cost_model;
    return model;
}

bool same_report(const apmsim::claims::StandardiseReport& a, const apmsim::claims::StandardiseReport& b) {
    if (a.rows_in != b.rows_in || a.rows_kept != b.rows_kept || a.allowed_kept != b.allowed_kept || a.window != b.window ||
        a.findings.size() != b.findings.size())
        return false;
    for (std::size_t k = 0; k < a.findings.size(); ++k) {
        const auto &x = a.findings[k], &y = b.findings[k];
        if (x.rows != y.rows || x.allowed != y.allowed || x.examples != y.examples) return false;
    }
    return true;
}

bool same_events(const apmsim::claims::CleanClaims& a, const apmsim::claims::CleanClaims& b) {
    if (a.events.size() != b.events.size()) return false;
    for (std::size_t k = 0; k < a.events.size(); ++k) {
        const auto &x = a.events[k], &y = b.events[k];
        if (x.member != y.member || x.category != y.category || x.service != y.service || x.allowed != y.allowed || x.paid != y.paid)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t flags = data[0];
    const std::string rest = fuzz::text(data + 1, size - 1);
    const std::size_t separator = rest.find('\x1e');
    const std::string members = separator == std::string::npos ? fixed_members : rest.substr(0, separator);
    const std::string claims = separator == std::string::npos ? rest : rest.substr(separator + 1);

    apmsim::claims::StandardiseOptions options;
    options.strict = (flags & 1) != 0;
    if (flags & 2) options.valuation = "2024-06";
    std::optional<apmsim::claims::CleanClaims> clean;
    const bool accepted = fuzz::accepted([&] { clean = standardised(members, claims, options); });
    // A few rows at a time (2 to 16, the options byte's top bits), but at most about 32 runs
    // on disk, so that a large extract is not 400 temporary files.
    const auto lines = static_cast<std::size_t>(std::count(claims.begin(), claims.end(), '\n'));
    options.rows_in_memory = std::max<std::size_t>(2 + 2 * (flags >> 5), lines / 32);
    std::optional<apmsim::claims::CleanClaims> spilled;
    if (fuzz::accepted([&] { spilled = standardised(members, claims, options); }) != accepted)
        fuzz::broken("sorting on disk accepts what sorting in memory accepts");
    if (!accepted) return 0;
    if (!same_report(clean->report, spilled->report) || !same_events(*clean, *spilled))
        fuzz::broken("sorting on disk gives the report and events of sorting in memory");
    if (!clean->report.reconciles()) fuzz::broken("rows and dollars in = kept + removed");

    apmsim::claims::CalibrationOptions calibration;
    if (flags & 4) calibration.seasonality = "no";
    if (flags & 8) calibration.tail_quantile = 0.9;
    if (flags & 16) calibration.manual = manual_model();
    std::optional<apmsim::claims::Calibration> calibrated;
    if (fuzz::accepted([&] { calibrated = apmsim::claims::calibrate(*clean, calibration); }) &&
        !fuzz::accepted([&] { calibrated->cost_model.validate("calibrated cost model"); }))
        fuzz::broken("a calibrated cost model validates");
    return 0;
}

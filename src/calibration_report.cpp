// Claims files to a cost model and its report (include/apmsim/calibration_report.hpp).
#include "apmsim/calibration_report.hpp"

#include "apmsim/core/json_file.hpp"
#include "apmsim/scenario_json.hpp"

#include <cstdio>

namespace apmsim {

namespace {

using stats::month_text;

Json finding_to_json(const claims::Finding& f) {
    return {{"rule", f.rule}, {"source", f.source}, {"file", f.file}, {"removes", f.removes}, {"rows", f.rows}, {"allowed", f.allowed},
            {"examples", f.examples}};
}

Json frequency_fit_to_json(const stats::FrequencyFit& f) {
    return {{"rate", f.rate}, {"rate_se", f.rate_se}, {"selected", f.selected},
            {"dispersion", std::isfinite(f.dispersion) ? Json(f.dispersion) : Json(nullptr)},
            {"overdispersion_p_value", f.overdispersion_p_value}, {"events", f.events}, {"exposure", f.exposure}};
}

Json severity_fit_to_json(const stats::SeverityFit& s) {
    return {{"selected", s.selected}, {"lognormal_mu", s.lognormal_mu}, {"lognormal_mu_se", s.lognormal_mu_se},
            {"lognormal_sigma", s.lognormal_sigma}, {"lognormal_sigma_se", s.lognormal_sigma_se}, {"gamma_shape", s.gamma_shape},
            {"gamma_shape_se", s.gamma_shape_se}, {"gamma_scale", s.gamma_scale}, {"claims", s.claims}, {"mean", s.mean}};
}

Json cell_to_json(const claims::CellCalibration& c) {
    Json j{{"tier", c.tier}, {"category", c.category}, {"member_years", c.member_years}, {"events", c.events},
           {"exposure_years", c.exposure_years}, {"frequency_credibility", c.frequency_credibility},
           {"severity_credibility", c.severity_credibility}, {"observed_frequency", c.observed_frequency},
           {"fitted_frequency", c.fitted_frequency}, {"observed_severity_mean", c.observed_severity_mean},
           {"fitted_severity_mean", c.fitted_severity_mean}, {"severity_mean_se", c.severity_mean_se},
           {"observed_severity_cv", c.observed_severity_cv},
           {"fitted_severity_cv", c.fitted_severity_cv}};
    if (c.tail_fit)
        j["severity_tail"] = {{"threshold", c.tail_fit->threshold}, {"shape", c.tail_fit->shape}, {"shape_se", c.tail_fit->shape_se},
                              {"scale", c.tail_fit->scale}, {"scale_se", c.tail_fit->scale_se}, {"exceedances", c.tail_fit->exceedances},
                              {"share_below", c.tail_fit->share_below}, {"used", c.tail_used}};
    for (std::size_t q = 0; q < c.quantile_levels.size(); ++q) {
        const std::string p = "p" + std::to_string(static_cast<int>(std::lround(c.quantile_levels[q] * 100)));
        j["observed_severity_" + p] = c.observed_severity_quantiles[q];
        j["fitted_severity_" + p] = c.fitted_severity_quantiles[q];
    }
    j["frequency_fit"] = c.frequency_fit ? frequency_fit_to_json(*c.frequency_fit) : Json(nullptr);
    j["severity_fit"] = c.severity_fit ? severity_fit_to_json(*c.severity_fit) : Json(nullptr);
    return j;
}

}  // namespace

CalibrationRun calibrate_claims(csv::Reader& members, csv::Reader& claims, const claims::ColumnMap& map,
                                claims::StandardiseOptions standardise, const claims::CalibrationOptions& calibration) {
    if (calibration.manual) {
        standardise.tiers = calibration.manual->tiers;
        standardise.categories = calibration.manual->categories;
    }
    CalibrationRun run;
    run.clean = claims::standardise(members, claims, map, standardise);
    run.calibration = claims::calibrate(run.clean, calibration);
    return run;
}

claims::ColumnMap load_column_map(const std::string& file) {
    const Json j = read_json_file(file, "a column map file (JSON)");
    try {
        return claims::ColumnMap::from_json(j);
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": " + e.where(), e.expected(), e.actual());
    }
}

Json standardise_report_to_json(const claims::StandardiseReport& r) {
    Json findings = Json::array();
    for (const auto& f : r.findings) findings.push_back(finding_to_json(f));
    return {{"members_file", r.members_file}, {"claims_file", r.claims_file}, {"member_rows_in", r.member_rows_in},
            {"member_rows_kept", r.member_rows_kept}, {"rows_in", r.rows_in}, {"rows_kept", r.rows_kept}, {"allowed_in", r.allowed_in},
            {"allowed_kept", r.allowed_kept}, {"reversal_rows", r.reversal_rows}, {"reconciles", r.reconciles()}, {"findings", findings}};
}

Json standardise_report_to_json(const claims::CleanClaims& c) {
    Json out = standardise_report_to_json(c.report);
    out.update({{"first_month", month_text(c.first)}, {"valuation_month", month_text(c.valuation)}, {"members", c.members.size()},
                {"events", c.events.size()}, {"tiers", c.tiers}, {"categories", c.categories}, {"run_out_triangle", c.triangle.cumulative}});
    return out;
}

Json calibration_to_json(const claims::Calibration& cal) {
    Json cells = Json::array();
    for (const auto& c : cal.cells) cells.push_back(cell_to_json(c));
    Json months = Json::array();
    for (std::size_t t = 0; t < cal.monthly_pmpm.size(); ++t)
        months.push_back({{"month", month_text(cal.first + std::chrono::months{static_cast<int>(t)})},
                          {"allowed", cal.monthly_allowed[t]}, {"member_months", cal.monthly_member_months[t]},
                          {"completeness", cal.completeness[t]}, {"completed_pmpm", cal.monthly_pmpm[t]}});
    const stats::TrendFit& tr = cal.trend;
    return {{"cells", cells},
            {"months", months},
            {"run_out", {{"age_to_age", cal.run_out.age_to_age}, {"tail", cal.run_out.tail}, {"completion", cal.run_out.completion}}},
            {"trend", {{"annual_trend", tr.annual_trend}, {"annual_trend_se", tr.annual_trend_se}, {"seasonal", tr.seasonal},
                       {"seasonality", tr.seasonality}, {"residual_sd", tr.residual_sd}, {"months", tr.months},
                       {"credibility", cal.trend_credibility}, {"cost_model_mean", cal.cost_model.trend.mean},
                       {"cost_model_sd", cal.cost_model.trend.sd}}},
            {"base_year", {month_text(cal.base_first), month_text(cal.base_last)}},
            {"frailty", {{"variance", cal.frailty_variance}, {"variance_se", cal.frailty_variance_se}, {"cv", cal.frailty_cv},
                         {"cv_se", cal.frailty_cv_se}, {"estimated", cal.frailty_estimated}, {"credibility", cal.frailty_credibility},
                         {"cost_model_cv", cal.cost_model.frailty_cv}}},
            {"blended_with_manual", cal.blended},
            {"cost_model", cost_model_document(cal.cost_model)}};
}

Json calibration_report(const CalibrationRun& run) {
    return {{"standardisation", standardise_report_to_json(run.clean)}, {"calibration", calibration_to_json(run.calibration)}};
}

}  // namespace apmsim

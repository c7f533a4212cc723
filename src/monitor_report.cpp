// The monitor from claims files, and its report as JSON (monitor.hpp).
#include "apmsim/monitor.hpp"

#include "apmsim/calibration_report.hpp"
#include "apmsim/stats/exposure.hpp"

#include <cmath>

namespace apmsim {

MonitorReport monitor_claims(const Scenario& scenario, csv::Reader& members, csv::Reader& claims, const claims::ColumnMap& map,
                             claims::StandardiseOptions standardise, const MonitorOptions& options, const RunControl& control) {
    options.validate();
    if (standardise.valuation.empty()) throw InvalidInput("through", "the last month of experience, YYYY-MM", "none");
    standardise.tiers = scenario.cost_model.tiers;
    standardise.categories = scenario.cost_model.categories;
    const claims::CleanClaims clean = claims::standardise(members, claims, map, standardise);
    return monitor(scenario, clean, options, control);
}

namespace {

Json fan_to_json(const Fan& f) {
    Json out = Json::object();
    for (std::size_t k = 0; k < f.size(); ++k) {
        const int level = static_cast<int>(std::lround(MonitorReport::levels[k] * 100));
        out[std::string(level < 10 ? "p0" : "p") + std::to_string(level)] = f[k];
    }
    return out;
}

}  // namespace

Json monitor_report_to_json(const MonitorReport& r) {
    Json ae = Json::array(), fan = Json::array(), outcomes = Json::array();
    for (const ActualVsExpected& a : r.actual_vs_expected)
        ae.push_back({{"tier", a.tier}, {"category", a.category}, {"actual", a.actual}, {"expected", a.expected}, {"ratio", a.ratio},
                      {"low", a.low}, {"high", a.high}, {"percentile", a.percentile}, {"flag", a.flag}});
    for (const FanMonth& m : r.fan) {
        Json row = {{"month", m.month}, {"observed", m.observed}, {"prior", fan_to_json(m.prior)}, {"conditional", fan_to_json(m.conditional)}};
        if (m.observed) row["paid_to_date_pmpm"] = m.paid_to_date, row["completed_pmpm"] = m.completed;
        fan.push_back(std::move(row));
    }
    for (const MonitorOutcome& o : r.outcomes)
        outcomes.push_back({{"model", o.model},
                            {"p_savings_paid", {{"prior", o.p_savings_paid_prior}, {"conditional", o.p_savings_paid}}},
                            {"p_losses_owed", {{"prior", o.p_losses_owed_prior}, {"conditional", o.p_losses_owed}}},
                            {"mean_savings_paid", {{"prior", o.mean_savings_paid_prior}, {"conditional", o.mean_savings_paid}}},
                            {"mean_losses_owed", {{"prior", o.mean_losses_owed_prior}, {"conditional", o.mean_losses_owed}}}});
    return {{"scenario", r.scenario},
            {"start", r.start},
            {"through", r.through},
            {"contract_year", r.year},
            {"months_observed", r.months_observed},
            {"trials", r.trials},
            {"seed", r.seed},
            {"band", r.band},
            {"completeness", r.completeness},
            {"trend_posterior", {{"mean", r.trend_posterior_mean}, {"sd", r.trend_posterior_sd}}},
            {"year_to_date",
             {{"member_months", r.member_months}, {"paid_to_date", r.paid_to_date}, {"pmpm", r.pmpm}, {"percentile", r.percentile},
              {"band_low", r.band_low}, {"band_high", r.band_high}, {"flag", r.flag}}},
            {"actual_vs_expected", ae},
            {"fan_chart", fan},
            {"year_end",
             {{"member_months", r.year_member_months},
              {"pmpm_prior", fan_to_json(r.year_pmpm_prior)},
              {"pmpm_conditional", fan_to_json(r.year_pmpm_conditional)},
              {"pmpm_mean_prior", r.year_pmpm_mean_prior},
              {"pmpm_mean_conditional", r.year_pmpm_mean_conditional}}},
            {"outcomes", outcomes},
            {"standardisation", standardise_report_to_json(r.standardisation)}};
}

}  // namespace apmsim

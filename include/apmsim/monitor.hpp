#pragma once
/// \file monitor.hpp
/// \brief Monitoring a signed contract: a contract year's emerging claims against the
/// scenario's simulation. What `apmsim monitor` and apmsim.monitor() run.
///
/// The months observed are those of contract year y (counted from `start`) up to the
/// valuation month `through`. Claims paid so far are compared like with like: the
/// simulation draws, for the actual members with their tiers, risk scores and enrolment,
/// the claims of those months that would have been paid by now (each month's expected
/// count times its run-out completeness, from the chain ladder of the extract's paid-lag
/// triangle). Expected costs are the scenario's cost model without its program (the
/// benchmark's view: a program that saves shows as actual below expected), in year-y
/// dollars ((1 + g)^y on the base year, g the trial's trend draw).
///  - year to date: the percentile of the paid-to-date PMPM among the simulated ones, and
///    the simulated central band; outside the band it is flagged;
///  - actual vs expected by tier x category (and by tier, by category, in total);
///  - the rest of the year, conditional on what was seen: each member's frailty and
///    category factors are drawn from their posterior given the member's counts so far
///    (claims/frailty_posterior.hpp); the claims still unpaid for the months observed and
///    the months to come are drawn on them; members enrolled at the end of `through` stay
///    to the year's end. The year is then settled by every payment model (run_with(),
///    both arms being the year as it happens), giving the updated probability of shared
///    savings paid and of losses owed, next to the same without conditioning (prior);
///  - a fan chart: the cumulative PMPM month by month, prior and conditional.
///    The trend too is drawn from its posterior given the severities paid so far (normal
///    on log(1 + g), from each cell's mean severity; with a trend sd of 0 it stays fixed).
/// Not conditioned on: tier moves within the year, members joining after `through`. Needs Poisson or negative binomial frequencies and no
/// copula (the posterior above); other cost models are refused, naming the cell.

#include "apmsim/claims/standardise.hpp"
#include "apmsim/core/json_reader.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/run_control.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

struct MonitorOptions {
    std::string start;     ///< "YYYY-MM": the first month of contract year 1
    std::uint64_t trials = 1000;
    std::uint64_t seed = 1;
    unsigned threads = 0;  ///< 0: every core
    double band = 0.90;    ///< the central probability of the simulated band (flags outside it)
    double tail_factor = 1.0;  ///< run-out beyond the triangle's last lag
    /// InvalidInput naming start, trials, band or tail_factor.
    void validate() const;
};

/// Actual vs expected paid to date in one tier x category ("" : every tier or category).
struct ActualVsExpected {
    std::string tier, category;
    double actual = 0.0, expected = 0.0, ratio = 0.0;  ///< ratio = actual / expected
    double low = 0.0, high = 0.0;                       ///< the simulated band of the ratio
    double percentile = 0.0;                            ///< of the actual among the simulated
    std::string flag;                                   ///< "above", "below" or "within"
};

/// Quantiles of a simulated quantity at the levels MonitorReport::levels.
using Fan = std::array<double, 5>;

/// One month of the contract year on the fan chart: cumulative allowed PMPM to its end.
struct FanMonth {
    std::string month;  ///< "YYYY-MM"
    bool observed = false;
    double paid_to_date = 0.0;  ///< observed months: cumulative paid so far, PMPM
    double completed = 0.0;     ///< observed months: completed by the run-out factors, PMPM
    Fan prior{}, conditional{};
};

/// A payment model's outcome for the contract year, before and after the months seen.
struct MonitorOutcome {
    std::string model;
    double p_savings_paid_prior = 0, p_savings_paid = 0;
    double p_losses_owed_prior = 0, p_losses_owed = 0;
    double mean_savings_paid_prior = 0, mean_savings_paid = 0;
    double mean_losses_owed_prior = 0, mean_losses_owed = 0;
};

struct MonitorReport {
    static constexpr std::array<double, 5> levels{0.05, 0.25, 0.50, 0.75, 0.95};
    std::string scenario, start, through;
    int year = 0;             ///< 1-based contract year
    int months_observed = 0;  ///< of the contract year, through `through`
    std::uint64_t trials = 0, seed = 0;
    double band = 0.90;
    std::vector<double> completeness;  ///< per observed month
    double trend_posterior_mean = 0.0, trend_posterior_sd = 0.0;  ///< the annual trend given the severities seen
    double member_months = 0.0, paid_to_date = 0.0, pmpm = 0.0;  ///< observed, year to date
    double percentile = 0.0, band_low = 0.0, band_high = 0.0;    ///< of the PMPM among the simulated
    std::string flag;
    std::vector<ActualVsExpected> actual_vs_expected;
    std::vector<FanMonth> fan;
    double year_member_months = 0.0;   ///< observed and projected
    Fan year_pmpm_prior{}, year_pmpm_conditional{};
    double year_pmpm_mean_prior = 0.0, year_pmpm_mean_conditional = 0.0;
    std::vector<MonitorOutcome> outcomes;
    claims::StandardiseReport standardisation;
};

/// The comparison of the file comment. `clean` must be standardised with the scenario's
/// tiers and categories and the valuation month `through` (monitor_claims does both).
/// InvalidInput for a through month outside the scenario's years, a window that does not
/// start by the contract year's first month, or a cost model the posterior cannot take.
MonitorReport monitor(const Scenario& scenario, const claims::CleanClaims& clean, const MonitorOptions& options,
                      const RunControl& control = {});

/// Standardises the extracts for `scenario` (its tiers and categories; the valuation
/// month `standardise.valuation` is the through month and must be given; the window starts
/// at `standardise.first`, by default the extracts' own first month, so that the run-out
/// factors see as much development as the claims hold) and monitors them. A history too
/// short to see claims finish developing, without a tail factor, is InvalidInput
/// (stats::check_run_out_span).
MonitorReport monitor_claims(const Scenario& scenario, csv::Reader& members, csv::Reader& claims, const claims::ColumnMap& map,
                             claims::StandardiseOptions standardise, const MonitorOptions& options, const RunControl& control = {});

Json monitor_report_to_json(const MonitorReport& report);

}  // namespace apmsim

#pragma once
/// \file calibrate.hpp
/// \brief A cost model from clean claims experience (standardise.hpp), with the fit of
/// every cell and the evidence a payer's actuary asks for.
///
/// 1. Run-out: the chain ladder of the paid-lag triangle gives each incurred month's
///    completeness c_t (the share of its ultimate paid by the valuation month).
/// 2. Trend and seasonality: the completed PMPM of each month (allowed / c_t / member-
///    months) fitted by stats::fit_trend; its standard error becomes trend.sd (parameter
///    uncertainty). Seasonality needs 24 months (by default it is fitted when there are).
/// 3. Amounts are brought to the base year, the last 12 months of the window, by the
///    cost model's trend: the fitted monthly slope, or with a manual model log(1 + g) / 12
///    of the blended trend g (step 7), so that a trend the calibration barely credits does
///    not restate the amounts; the scenario's year 1 is the year after the base year (the
///    engine trends year y by (1 + g)^(y + 1)).
/// 4. Each member-year k (12-month blocks from the first month) has exposure
///    e = sum over its months of member-months x seasonality x completeness / 12, so a
///    cell's expected count is lambda x frailty x e, as the engine draws it.
/// 5. Frequency per tier x category: stats::fit_frequency over the member-years.
///    Severity: stats::fit_severity of the base-year amounts.
/// 6. Frailty: shared by a member-year's categories, it makes counts of different
///    categories covary: E[N_c N_d] = lambda_c lambda_d e^2 (1 + v) for c != d, so
///    v = sum N_c N_d / sum lambda_c lambda_d e^2 - 1 (a ratio estimator, its standard
///    error from member clusters); frailty_cv = sqrt(v). A cell's negative binomial fit
///    holds the frailty's overdispersion too: 1 / r_fit = (1 + v) / r + v, so the cell
///    keeps 1 / r = (1 / r_fit - v) / (1 + v) (Poisson when that is <= 0).
/// 6b. Optionally (tail_quantile q): the amounts above a cell's empirical q-quantile u fit a
///    generalized Pareto tail (stats::fit_pareto_tail); the severity is then the lognormal
///    fit truncated to (0, u] with weight P(X <= u) observed, spliced to u + GPD.
/// 7. With a manual cost model, every cell is blended with it by limited-fluctuation
///    credibility (credibility/limited_fluctuation.hpp): Z_frequency = sqrt(events /
///    (n_full (1 + rate / r_fit))) (the standard for counts times their variance-to-mean
///    ratio; Poisson: 1), Z_severity = sqrt(events / (n_full cv^2)), n_full = (z / k)^2; the means,
///    1/r and the severity cv are blended (Z x experience + (1 - Z) x manual), the family
///    the experience's; a cell with claims but fewer than 2 distinct amounts blends its
///    frequency and takes the manual's severity. Without one, a cell with no claims is an
///    error naming it. The trend is blended with the manual's by precision (1 / sd^2 each:
///    the normal posterior; a fit with no standard error, no residuals, counts for 0). The
///    frailty variance is blended by the credibility of all the cells' events together,
///    v = Z_v v_experience + (1 - Z_v) v_manual (Z_v = 0 when the experience cannot estimate
///    it), and each cell's overdispersion beyond Poisson, c = v + (1 + v) / r (Var N = m +
///    c m^2), by the cell's Z_frequency; the cell keeps 1 / r = (c - v) / (1 + v), so a cell
///    the manual fills keeps the manual's count variance whatever the blended frailty.

#include "apmsim/claims/standardise.hpp"
#include "apmsim/population/cost_model.hpp"
#include "apmsim/stats/claim_fits.hpp"
#include "apmsim/stats/trend_fit.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace apmsim::claims {

struct CalibrationOptions {
    std::optional<CostModel> manual;  ///< blended into every cell by credibility
    double credibility_probability = 0.90, credibility_tolerance = 0.05;  ///< n_full = (z_p / k)^2
    double tail_factor = 1.0;  ///< run-out beyond the triangle's last lag
    /// Fit monthly seasonality: "auto" (when there are 24 months or more), "yes" or "no".
    std::string seasonality = "auto";
    /// A generalized Pareto tail above this quantile of each cell's amounts (none: no tail):
    /// the cell's severity becomes a lognormal body spliced to the fitted tail, where the cell
    /// has at least min_tail_claims amounts above it and its severity is the experience's
    /// alone (no manual model, or full severity credibility).
    std::optional<double> tail_quantile;
    static constexpr std::size_t min_tail_claims = 50;
    void validate() const;
};

/// One tier x category cell: the experience, the fits, the credibility, observed vs fitted.
struct CellCalibration {
    std::string tier, category;
    std::size_t member_years = 0, events = 0;
    double exposure_years = 0.0;
    std::optional<stats::FrequencyFit> frequency_fit;  ///< none: no claims in the cell
    std::optional<stats::SeverityFit> severity_fit;    ///< none: fewer than 2 distinct amounts
    std::optional<stats::ParetoTailFit> tail_fit;      ///< with a tail_quantile and enough amounts above it
    bool tail_used = false;                            ///< the cost model's severity has the fitted tail
    double frequency_credibility = 1.0, severity_credibility = 1.0;  ///< 1: experience alone; 0: manual alone
    double observed_frequency = 0.0, fitted_frequency = 0.0;  ///< events per exposure-year
    double observed_severity_mean = 0.0, fitted_severity_mean = 0.0;
    /// The standard error of the experience's fitted severity mean (before any blending):
    /// sampling and the trend's uncertainty, which moved the amounts to the base year.
    double severity_mean_se = 0.0;
    double observed_severity_cv = 0.0, fitted_severity_cv = 0.0;
    static constexpr std::array<double, 3> quantile_levels{0.5, 0.9, 0.99};
    std::array<double, 3> observed_severity_quantiles{}, fitted_severity_quantiles{};
};

struct Calibration {
    CostModel cost_model;
    std::vector<CellCalibration> cells;  ///< [tier * categories + category]
    stats::ChainLadder run_out;
    std::vector<double> completeness;  ///< per month of the window
    std::vector<double> monthly_allowed, monthly_member_months, monthly_pmpm;  ///< pmpm completed
    std::chrono::year_month first;
    stats::TrendFit trend;
    std::chrono::year_month base_first, base_last;  ///< the base year's months
    /// The experience's frailty (step 6): its variance v, the cv sqrt(v) and their standard
    /// errors; 0 when it cannot be estimated (one category, or no expected cross-category counts).
    double frailty_variance = 0.0, frailty_variance_se = 0.0, frailty_cv = 0.0, frailty_cv_se = 0.0;
    bool frailty_estimated = false;
    /// The experience's weight in the cost model's frailty variance (step 7): Z = sqrt(events /
    /// n_full) over all cells, 0 when the frailty could not be estimated; 1 without a manual model.
    double frailty_credibility = 1.0;
    bool blended = false;  ///< a manual cost model was blended in
    /// The experience's weight in the cost model's trend: w_fit / (w_fit + w_manual), each
    /// 1 / sd^2 (the fit's standard error, the manual's sd); 1 without a manual model.
    double trend_credibility = 1.0;
};

/// The calibration of the file comment. InvalidInput for a window shorter than 3 months, a
/// month with no member-months or no claims, a cell with no claims and no manual model,
/// or a manual model whose tiers and categories differ from the experience's.
Calibration calibrate(const CleanClaims& claims, const CalibrationOptions& options = {});

}  // namespace apmsim::claims

#pragma once
/// \file trend_fit.hpp
/// \brief The annual cost trend and monthly seasonality of a PMPM history, with the trend's
/// standard error: what a scenario's cost_model.trend {mean, sd} (the sd as the trend's
/// parameter uncertainty) and cost_model.seasonality take from a program's own claims.
///
/// Model: log PMPM_t = a + b t + s_(m(t)) + e_t for months t = 0 .. n - 1, m(t) the calendar
/// month, the s_m summing to zero, Var(e_t) = sigma^2 / w_t with w_t the member-months
/// (a month's mean cost is less noisy the more members it averages). Weighted least
/// squares (Eigen's column-pivoting QR on sqrt(w)-scaled rows), sigma^2 from the weighted
/// residuals over n - p degrees of freedom. The annual trend is g = e^(12 b) - 1 with the
/// delta-method standard error 12 e^(12 b) se(b); the seasonality factors are e^(s_m)
/// divided by their mean (so they average 1, as the scenario format requires).

#include <array>
#include <cstddef>
#include <span>

namespace apmsim::stats {

struct TrendFit {
    double annual_trend = 0.0;     ///< g = e^(12 b) - 1
    double annual_trend_se = 0.0;  ///< its standard error (delta method)
    double monthly_log_slope = 0.0, monthly_log_slope_se = 0.0;  ///< b and se(b)
    std::array<double, 12> seasonality{};  ///< by calendar month (January first), averaging 1; all 1 without seasonality
    bool seasonal = false;
    double residual_sd = 0.0;      ///< sigma: the sd of log PMPM in a month of one member-month
    std::size_t months = 0;
    int degrees_of_freedom = 0;
};

/// Fits the model of the file comment to monthly `pmpm` and `member_months` (the same
/// length), the first month being calendar month `first_month` (1 = January). Seasonality
/// needs at least 24 months, the trend alone at least 3. InvalidInput names the argument
/// and month for a PMPM that is not > 0 or an exposure that is not > 0.
TrendFit fit_trend(std::span<const double> pmpm, std::span<const double> member_months, int first_month = 1, bool seasonality = true);

}  // namespace apmsim::stats

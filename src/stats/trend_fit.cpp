// The trend and seasonality fit of stats/trend_fit.hpp (the model is described there).
#include "apmsim/stats/trend_fit.hpp"
#include "apmsim/core/errors.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <string>

namespace apmsim::stats {

TrendFit fit_trend(std::span<const double> pmpm, std::span<const double> member_months, int first_month, bool seasonality) {
    const std::size_t n = pmpm.size();
    if (member_months.size() != n)
        throw InvalidInput("member_months", std::to_string(n) + " months (one per PMPM)", std::to_string(member_months.size()));
    if (first_month < 1 || first_month > 12) throw InvalidInput("first_month", "a calendar month 1 to 12", std::to_string(first_month));
    const std::size_t needed = seasonality ? 24 : 3;
    if (n < needed)
        throw InvalidInput("pmpm", std::to_string(needed) + " months or more" + (seasonality ? " (two years to tell seasonality from trend)" : ""),
                           std::to_string(n) + " months");
    for (std::size_t t = 0; t < n; ++t) {
        check::positive("pmpm[" + std::to_string(t) + "]", pmpm[t]);
        check::positive("member_months[" + std::to_string(t) + "]", member_months[t]);
    }
    // Columns: intercept, t, then 11 contrasts (month m vs December's -sum) when seasonal.
    const Eigen::Index p = seasonality ? 13 : 2;
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), p);
    Eigen::VectorXd y(static_cast<Eigen::Index>(n));
    for (std::size_t t = 0; t < n; ++t) {
        const auto i = static_cast<Eigen::Index>(t);
        const double root_w = std::sqrt(member_months[t]);
        x(i, 0) = root_w;
        x(i, 1) = root_w * static_cast<double>(t);
        if (seasonality) {
            const int month = static_cast<int>((static_cast<std::size_t>(first_month - 1) + t) % 12);  // 0 = January
            for (int k = 0; k < 11; ++k) x(i, 2 + k) = root_w * (month == k ? 1.0 : month == 11 ? -1.0 : 0.0);
        }
        y(i) = root_w * std::log(pmpm[t]);
    }
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
    const Eigen::VectorXd beta = qr.solve(y);
    TrendFit fit;
    fit.months = n;
    fit.seasonal = seasonality;
    fit.degrees_of_freedom = static_cast<int>(n) - static_cast<int>(p);
    const double sigma2 = (y - x * beta).squaredNorm() / fit.degrees_of_freedom;
    fit.residual_sd = std::sqrt(sigma2);
    const Eigen::MatrixXd covariance = sigma2 * (x.transpose() * x).inverse();
    fit.monthly_log_slope = beta(1);
    fit.monthly_log_slope_se = std::sqrt(covariance(1, 1));
    fit.annual_trend = std::expm1(12.0 * beta(1));
    fit.annual_trend_se = 12.0 * std::exp(12.0 * beta(1)) * fit.monthly_log_slope_se;
    double mean = 0.0;
    for (int k = 0; k < 12; ++k) {
        const double s = !seasonality ? 0.0 : k < 11 ? beta(2 + k) : -beta.segment(2, 11).sum();
        fit.seasonality[static_cast<std::size_t>(k)] = std::exp(s);
        mean += fit.seasonality[static_cast<std::size_t>(k)] / 12.0;
    }
    for (double& f : fit.seasonality) f /= mean;
    return fit;
}

}  // namespace apmsim::stats

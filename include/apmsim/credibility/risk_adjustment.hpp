#pragma once
/// \file risk_adjustment.hpp
/// \brief Relative risk weights fitted by exposure-weighted least squares, with
/// standard errors, R^2, predictive ratios and budget-neutral scores.
///
/// Model (concurrent additive model in the style of CMS-HCC and Medicaid rate-cell
/// risk adjustment; 42 CFR 438.5(g) requires budget neutrality, shared/DOMAIN.md
/// section 5): member i has cost C_i over e_i member-months and design row x_i (tier
/// indicators, age-band and sex dummies, 0/1 markers). With y_i = (C_i / e_i) / m,
/// m = sum C / sum e the exposure-weighted mean PMPM, fit
///     y_i = x_i' beta + error,   Var(error_i) ~ sigma^2 / e_i,
/// by weighted least squares with weights e_i (column-pivoted Householder QR of
/// sqrt(W) X). beta are relative risk weights (1.0 = average cost); beta x m are PMPM dollars.
///   classical covariance: sigma^2 (X'WX)^-1, sigma^2 = sum e_i r_i^2 / (n - p)
///   robust (HC1, White): n/(n-p) (X'WX)^-1 [sum e_i^2 r_i^2 x_i x_i'] (X'WX)^-1; prefer it
///     for cost data, whose variance grows with the mean
///   R^2 = 1 - sum e_i r_i^2 / sum e_i (y_i - ybar_w)^2 (weighted, about the weighted mean)
///   score_i = x_i' beta / sum_k e_k x_k' beta / sum_k e_k: budget neutral, the
///     exposure-weighted mean score is exactly 1
///   predictive ratio of group g = sum_g C_i / (m sum_g e_i score_i) (actual / predicted).
/// Members with zero exposure get a score but do not enter the fit.

#include "apmsim/core/errors.hpp"

#include <Eigen/Core>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace apmsim {

/// A fitted risk model.
struct RiskWeightFit {
    std::vector<std::string> names;         ///< one per design column
    Eigen::VectorXd coefficients;           ///< relative risk weights beta
    Eigen::VectorXd standard_errors;        ///< classical WLS
    Eigen::VectorXd robust_standard_errors; ///< HC1 sandwich
    double mean_pmpm = 0.0;                 ///< m = sum C / sum e; beta x m are PMPM dollars
    double r_squared = 0.0;
    double residual_variance = 0.0;         ///< sigma^2 per member-month, relative scale
    double normalization = 1.0;             ///< exposure-weighted mean raw score (scores = raw / this)
    std::size_t observations = 0;           ///< members with positive exposure
    double exposure = 0.0;                  ///< total member-months
    Eigen::VectorXd raw_scores;             ///< x_i' beta, per member
    Eigen::VectorXd scores;                 ///< budget-neutral scores, per member
    std::vector<std::string> group_names;   ///< groups for predictive ratios
    Eigen::VectorXd group_exposure;
    Eigen::VectorXd predictive_ratios;      ///< actual / predicted by group (NaN for a group without exposure)

    /// PMPM dollars of the coefficients.
    Eigen::VectorXd coefficients_pmpm() const { return coefficients * mean_pmpm; }
};

/// Fits relative risk weights. `design` is members x p, `cost` the cost of each member
/// over its `exposure` member-months. `groups` (optional, one per member, 0-based,
/// labelled by `group_names`, or "0", "1", ... when no names are given) selects the
/// predictive-ratio groups; without it there is one group "all".
RiskWeightFit fit_risk_weights(const Eigen::MatrixXd& design, const Eigen::VectorXd& cost,
                                      const Eigen::VectorXd& exposure, std::vector<std::string> names = {},
                                      const std::vector<int>& groups = {}, std::vector<std::string> group_names = {});

}  // namespace apmsim

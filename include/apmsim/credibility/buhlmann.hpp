#pragma once
/// \file buhlmann.hpp
/// \brief Buhlmann and Buhlmann-Straub credibility with the standard unbiased estimators
/// of the structure parameters.
///
/// Source: Buhlmann & Gisler, A Course in Credibility Theory (2005), chapter 4
/// (sections 4.2-4.8); shared/DOMAIN.md section 6. Risks i = 1..I, periods j, ratios
/// X_ij with weights w_ij (e.g. member-months or claim counts); a cell with w_ij = 0 is
/// absent. With n_i observed periods, w_i = sum_j w_ij, w = sum_i w_i:
///   X_i      = sum_j w_ij X_ij / w_i                      (individual weighted mean)
///   sigma^2  = sum_i sum_j w_ij (X_ij - X_i)^2 / sum_i (n_i - 1)      (within variance)
///   X_bar    = sum_i w_i X_i / w
///   tau^2    = [sum_i w_i (X_i - X_bar)^2 - (I - 1) sigma^2] / (w - sum_i w_i^2 / w)
///              (between variance; equals B&G's c [I/(I-1) sum (w_i/w)(X_i - X_bar)^2 - I sigma^2/w])
///   Z_i      = w_i / (w_i + sigma^2 / tau^2)
///   mu       = sum_i Z_i X_i / sum_i Z_i                   (credibility-weighted collective mean)
///   P_i      = Z_i X_i + (1 - Z_i) mu                     (credibility premium)
/// If the tau^2 estimate is <= 0 it is set to 0 (B&G section 4.8): every Z_i = 0, the
/// collective mean is then the weighted mean X_bar, and every premium is X_bar. The result
/// says so (between_variance_truncated, note).

#include "apmsim/core/errors.hpp"

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <string>

namespace apmsim {

/// Structure parameters, credibility factors and premiums of a Buhlmann(-Straub) fit.
struct CredibilityResult {
    double collective_premium = 0.0;         ///< mu: the credibility-weighted collective mean
    double between_variance = 0.0;           ///< tau^2 used (>= 0)
    double between_variance_estimate = 0.0;  ///< the unbiased estimate before truncation (may be < 0)
    double within_variance = 0.0;            ///< sigma^2
    double credibility_coefficient = 0.0;    ///< kappa = sigma^2 / tau^2 (infinite when tau^2 = 0)
    double weighted_mean = 0.0;              ///< X_bar = sum w_i X_i / w
    bool between_variance_truncated = false; ///< tau^2 estimate was <= 0 and was set to 0
    std::string note;                        ///< explains a truncation; empty otherwise
    Eigen::VectorXd weights;                 ///< w_i, total weight per risk
    Eigen::VectorXd risk_means;              ///< X_i, weighted mean per risk
    Eigen::VectorXd credibility_factors;     ///< Z_i
    Eigen::VectorXd premiums;                ///< P_i
};

namespace detail {
inline std::string cell_name(const char* name, Eigen::Index i, Eigen::Index j) {
    return std::string(name) + "[" + std::to_string(i) + ", " + std::to_string(j) + "]";
}
}  // namespace detail

/// Buhlmann-Straub: `ratios` and `weights` are risks x periods. Weights must be finite
/// and >= 0; a zero weight marks a missing cell (its ratio is ignored and may be NaN);
/// where the weight is positive the ratio must be finite. Needs at least two risks,
/// positive total weight for every risk and at least one risk with two observed periods.
CredibilityResult buhlmann_straub(const Eigen::MatrixXd& ratios, const Eigen::MatrixXd& weights);

/// Buhlmann (equal weights): `data` is risks x periods, every cell observed (finite).
/// Equivalent to Buhlmann-Straub with unit weights, where the estimators reduce to
/// sigma^2 = mean of the within-risk sample variances, tau^2 = sample variance of the
/// risk means - sigma^2 / n, Z = n / (n + sigma^2 / tau^2).
CredibilityResult buhlmann(const Eigen::MatrixXd& data);

}  // namespace apmsim

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
inline CredibilityResult buhlmann_straub(const Eigen::MatrixXd& ratios, const Eigen::MatrixXd& weights) {
    const Eigen::Index I = ratios.rows(), J = ratios.cols();
    if (weights.rows() != I || weights.cols() != J)
        throw InvalidInput("weights", "the shape of ratios (" + std::to_string(I) + " x " + std::to_string(J) + ")",
                           std::to_string(weights.rows()) + " x " + std::to_string(weights.cols()));
    if (I < 2) throw InvalidInput("ratios", "at least 2 risks (rows)", std::to_string(I));
    if (J < 1) throw InvalidInput("ratios", "at least 1 period (column)", "0");
    for (Eigen::Index i = 0; i < I; ++i)
        for (Eigen::Index j = 0; j < J; ++j) {
            const double w = weights(i, j);
            if (!(w >= 0.0) || std::isinf(w))
                throw InvalidInput(detail::cell_name("weights", i, j), "a finite weight >= 0 (0 = no observation)", show(w));
            if (w > 0.0 && !std::isfinite(ratios(i, j)))
                throw InvalidInput(detail::cell_name("ratios", i, j), "a finite ratio where the weight is positive",
                                   show(ratios(i, j)));
        }

    CredibilityResult r;
    r.weights = Eigen::VectorXd::Zero(I);
    r.risk_means = Eigen::VectorXd::Zero(I);
    double degrees = 0.0;  // sum_i (n_i - 1)
    for (Eigen::Index i = 0; i < I; ++i) {
        double w = 0.0, wx = 0.0, n = 0.0;
        for (Eigen::Index j = 0; j < J; ++j)
            if (weights(i, j) > 0.0) {
                w += weights(i, j);
                wx += weights(i, j) * ratios(i, j);
                n += 1.0;
            }
        if (!(w > 0.0))
            throw InvalidInput("weights[" + std::to_string(i) + ", :]", "a risk with positive total weight",
                               "no observed period");
        r.weights(i) = w;
        r.risk_means(i) = wx / w;
        degrees += n - 1.0;
    }
    if (!(degrees > 0.0))
        throw InvalidInput("ratios", "at least one risk with two or more observed periods (to estimate the within variance)",
                           "one observed period per risk");

    double ss_within = 0.0;
    for (Eigen::Index i = 0; i < I; ++i)
        for (Eigen::Index j = 0; j < J; ++j)
            if (weights(i, j) > 0.0) {
                const double d = ratios(i, j) - r.risk_means(i);
                ss_within += weights(i, j) * d * d;
            }
    r.within_variance = ss_within / degrees;

    const double w_total = r.weights.sum();
    r.weighted_mean = r.weights.dot(r.risk_means) / w_total;
    const double ss_between = (r.weights.array() * (r.risk_means.array() - r.weighted_mean).square()).sum();
    const double denominator = w_total - r.weights.squaredNorm() / w_total;  // > 0 since I >= 2 and all w_i > 0
    r.between_variance_estimate = (ss_between - static_cast<double>(I - 1) * r.within_variance) / denominator;

    if (r.between_variance_estimate > 0.0) {
        r.between_variance = r.between_variance_estimate;
        r.credibility_coefficient = r.within_variance / r.between_variance;
        r.credibility_factors = r.weights.array() / (r.weights.array() + r.credibility_coefficient);
        r.collective_premium = r.credibility_factors.dot(r.risk_means) / r.credibility_factors.sum();
    } else {
        r.between_variance_truncated = true;
        r.between_variance = 0.0;
        r.credibility_coefficient = std::numeric_limits<double>::infinity();
        r.credibility_factors = Eigen::VectorXd::Zero(I);
        r.collective_premium = r.weighted_mean;
        r.note = "between-risk variance estimate " + show(r.between_variance_estimate) +
                 " <= 0 was set to 0 (Buhlmann & Gisler 2005, section 4.8): no credibility to the risks' own "
                 "experience; every premium is the weighted collective mean";
    }
    r.premiums = r.credibility_factors.array() * r.risk_means.array() +
                 (1.0 - r.credibility_factors.array()) * r.collective_premium;
    return r;
}

/// Buhlmann (equal weights): `data` is risks x periods, every cell observed (finite).
/// Equivalent to Buhlmann-Straub with unit weights, where the estimators reduce to
/// sigma^2 = mean of the within-risk sample variances, tau^2 = sample variance of the
/// risk means - sigma^2 / n, Z = n / (n + sigma^2 / tau^2).
inline CredibilityResult buhlmann(const Eigen::MatrixXd& data) {
    if (data.cols() < 2) throw InvalidInput("data", "at least 2 periods (columns) per risk", std::to_string(data.cols()));
    for (Eigen::Index i = 0; i < data.rows(); ++i)
        for (Eigen::Index j = 0; j < data.cols(); ++j)
            if (!std::isfinite(data(i, j)))
                throw InvalidInput(detail::cell_name("data", i, j), "a finite value (Buhlmann needs every cell; use "
                                                               "buhlmann_straub with zero weights for gaps)",
                                   show(data(i, j)));
    try {
        return buhlmann_straub(data, Eigen::MatrixXd::Ones(data.rows(), data.cols()));
    } catch (const InvalidInput& e) {
        if (e.where() == "ratios") throw InvalidInput("data", e.expected(), e.actual());
        throw;
    }
}

}  // namespace apmsim

// buhlmann (credibility/buhlmann.hpp), compiled once.
#include "apmsim/credibility/buhlmann.hpp"

namespace apmsim {

CredibilityResult buhlmann_straub(const Eigen::MatrixXd& ratios, const Eigen::MatrixXd& weights) {
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

CredibilityResult buhlmann(const Eigen::MatrixXd& data) {
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

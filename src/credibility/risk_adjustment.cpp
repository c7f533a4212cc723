// risk_adjustment (credibility/risk_adjustment.hpp), compiled once.
#include "apmsim/credibility/risk_adjustment.hpp"
#include "apmsim/core/errors.hpp"

namespace apmsim {

RiskWeightFit fit_risk_weights(const Eigen::MatrixXd& design, const Eigen::VectorXd& cost,
                                      const Eigen::VectorXd& exposure, std::vector<std::string> names,
                                      const std::vector<int>& groups, std::vector<std::string> group_names) {
    const Eigen::Index n = design.rows(), p = design.cols();
    if (p < 1) throw InvalidInput("design", "at least one column", "0 columns");
    if (cost.size() != n)
        throw InvalidInput("cost", std::to_string(n) + " values (one per design row)", std::to_string(cost.size()) + " values");
    if (exposure.size() != n)
        throw InvalidInput("exposure", std::to_string(n) + " values (one per design row)",
                           std::to_string(exposure.size()) + " values");
    if (names.empty())
        for (Eigen::Index k = 0; k < p; ++k) names.push_back("x" + std::to_string(k));
    if (static_cast<Eigen::Index>(names.size()) != p)
        throw InvalidInput("names", std::to_string(p) + " names (one per column)", std::to_string(names.size()) + " names");
    if (!groups.empty() && static_cast<Eigen::Index>(groups.size()) != n)
        throw InvalidInput("groups", std::to_string(n) + " values (one per member)", std::to_string(groups.size()) + " values");
    if (groups.empty()) group_names = {"all"};
    else if (group_names.empty()) {  // unnamed groups: "0", "1", ... up to the largest index
        int largest = 0;
        for (int g : groups) largest = std::max(largest, g);
        for (int g = 0; g <= largest; ++g) group_names.push_back(std::to_string(g));
    }
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (groups[i] < 0 || static_cast<std::size_t>(groups[i]) >= group_names.size())
            throw InvalidInput("groups[" + std::to_string(i) + "]",
                               "a group index below " + std::to_string(group_names.size()) + " (the number of group names)",
                               std::to_string(groups[i]));
    double total_cost = 0.0, total_exposure = 0.0;
    Eigen::Index used = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const std::string row = bracketed(i);
        check::non_negative("exposure" + row, exposure(i));
        check::non_negative("cost" + row, cost(i));
        if (exposure(i) == 0.0 && cost(i) > 0.0)
            throw InvalidInput("cost" + row, "0 for a member with no exposure", show(cost(i)));
        for (Eigen::Index k = 0; k < p; ++k)
            if (!std::isfinite(design(i, k)))
                throw InvalidInput("design[" + std::to_string(i) + ", " + std::to_string(k) + "]", "a finite value",
                                   show(design(i, k)));
        total_cost += cost(i);
        total_exposure += exposure(i);
        if (exposure(i) > 0.0) ++used;
    }
    if (used <= p)
        throw InvalidInput("exposure", "more members with positive exposure than design columns (" + std::to_string(p) + ")",
                           std::to_string(used));
    if (!(total_cost > 0.0)) throw InvalidInput("cost", "a positive total cost", "0");

    RiskWeightFit fit;
    fit.names = std::move(names);
    fit.mean_pmpm = total_cost / total_exposure;
    fit.observations = static_cast<std::size_t>(used);
    fit.exposure = total_exposure;

    // Rows with positive exposure, scaled by sqrt(e_i).
    Eigen::MatrixXd A(used, p);
    Eigen::VectorXd b(used), w(used);
    for (Eigen::Index i = 0, r = 0; i < n; ++i) {
        if (exposure(i) == 0.0) continue;
        const double s = std::sqrt(exposure(i));
        w(r) = exposure(i);
        A.row(r) = s * design.row(i);
        b(r) = s * (cost(i) / exposure(i)) / fit.mean_pmpm;
        ++r;
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(A);
    if (qr.rank() < p)
        throw InvalidInput("design", "linearly independent columns (full column rank " + std::to_string(p) +
                                         "; e.g. a level with no exposed member or a constant marker next to the tiers)",
                           "rank " + std::to_string(qr.rank()));
    fit.coefficients = qr.solve(b);

    // (X'WX)^-1 = P R^-1 R^-T P' from A P = Q R.
    const Eigen::MatrixXd R = qr.matrixR().topLeftCorner(p, p).template triangularView<Eigen::Upper>();
    const Eigen::MatrixXd Rinv =
        R.template triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(p, p));
    const Eigen::MatrixXd perm = qr.colsPermutation();
    const Eigen::MatrixXd bread = perm * (Rinv * Rinv.transpose()) * perm.transpose();

    const Eigen::VectorXd resid = b - A * fit.coefficients;  // sqrt(e_i) r_i
    const double dof = static_cast<double>(used - p);
    const double sse = resid.squaredNorm();
    fit.residual_variance = sse / dof;
    // Weighted mean of y is exactly 1 by construction (m = sum C / sum e).
    double sst = 0.0;
    for (Eigen::Index r = 0; r < used; ++r) {
        const double y = b(r) / std::sqrt(w(r));
        sst += w(r) * (y - 1.0) * (y - 1.0);
    }
    fit.r_squared = sst > 0.0 ? 1.0 - sse / sst : std::numeric_limits<double>::quiet_NaN();
    fit.standard_errors = (fit.residual_variance * bread.diagonal()).cwiseSqrt();
    const Eigen::MatrixXd meat = A.transpose() * resid.cwiseAbs2().asDiagonal() * A;
    const Eigen::MatrixXd robust = (static_cast<double>(used) / dof) * bread * meat * bread;
    fit.robust_standard_errors = robust.diagonal().cwiseMax(0.0).cwiseSqrt();

    fit.raw_scores = design * fit.coefficients;
    fit.normalization = exposure.dot(fit.raw_scores) / total_exposure;
    if (!(fit.normalization > 0.0))
        throw ComputationError("fit_risk_weights: the exposure-weighted mean raw score is " + show(fit.normalization) +
                               " (not positive), so scores cannot be normalised");
    fit.scores = fit.raw_scores / fit.normalization;

    fit.group_names = std::move(group_names);
    const std::size_t G = fit.group_names.size();
    Eigen::VectorXd actual = Eigen::VectorXd::Zero(G), predicted = Eigen::VectorXd::Zero(G);
    fit.group_exposure = Eigen::VectorXd::Zero(G);
    for (Eigen::Index i = 0; i < n; ++i) {
        const std::size_t g = groups.empty() ? 0 : static_cast<std::size_t>(groups[i]);
        actual(g) += cost(i);
        predicted(g) += fit.mean_pmpm * exposure(i) * fit.scores(i);
        fit.group_exposure(g) += exposure(i);
    }
    fit.predictive_ratios.resize(G);
    for (std::size_t g = 0; g < G; ++g)
        fit.predictive_ratios(g) = fit.group_exposure(g) > 0.0 ? actual(g) / predicted(g)
                                                                : std::numeric_limits<double>::quiet_NaN();
    return fit;
}

}  // namespace apmsim

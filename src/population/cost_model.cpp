// What the cost model checks with a factorisation (compiled once, not in every file that
// includes population/cost_model.hpp).
#include "apmsim/population/cost_model.hpp"

#include <Eigen/Cholesky>

#include <string>

namespace apmsim {

void CostModel::validate_correlation(const std::string& where) const {
    const auto n = static_cast<Eigen::Index>(categories.size());
    const auto& r = copula_correlation;
    if (r.rows() != n || r.cols() != n)
        throw InvalidInput(where, std::to_string(n) + " x " + std::to_string(n) + " matrix",
                           std::to_string(r.rows()) + " x " + std::to_string(r.cols()));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            const std::string at = where + "[" + std::to_string(i) + "][" + std::to_string(j) + "]";
            if (i == j && r(i, j) != 1.0) throw InvalidInput(at, "1 on the diagonal", show(r(i, j)));
            if (r(i, j) != r(j, i)) throw InvalidInput(at, "a symmetric matrix", show(r(i, j)) + " vs " + show(r(j, i)));
            check::in_closed(at, r(i, j), -1.0, 1.0);
        }
    Eigen::LLT<Eigen::MatrixXd> llt(r);
    if (llt.info() != Eigen::Success)
        throw InvalidInput(where, "a positive definite correlation matrix", "a matrix whose Cholesky factorisation fails");
}

}  // namespace apmsim

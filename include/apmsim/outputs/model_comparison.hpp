#pragma once
/// \file model_comparison.hpp
/// \brief Each payment model against the status quo: a party's result under the model
/// minus its result under the baseline model (fee for service, say), trial by trial. Both
/// are settled on the same simulated costs (common random numbers), so the difference —
/// what a hospital negotiates over — is far less noisy than either result alone; the rows
/// say how much less, with the standard error the difference would have had on
/// independent simulations.

#include "apmsim/outputs/payment_results.hpp"

#include <string>
#include <vector>

namespace apmsim {

struct ModelComparisonRow {
    std::string model, arm;
    int year = 0;  ///< 1-based; 0 = all years together
    std::string party;
    std::string measure;        ///< revenue, payments, delivery_cost or net
    stats::Summary difference;  ///< of (model - baseline) over trials; p_negative = P(the model is lower)
    /// sqrt((var_model + var_baseline) / trials): the standard error of the mean difference
    /// had the two been simulated independently (difference.standard_error is the real one).
    double standard_error_independent = 0;
};

/// Rows for every other model on the same population segment as `baseline_model` (models
/// on other segments settle other members: no common numbers), x arm (`arm`, or every arm
/// when empty) x party that takes part in either model x measure x year (0 = all years).
/// Throws InvalidInput naming `baseline_model` when it is not a settled model, or when no
/// other model shares its segment (nothing to compare).
std::vector<ModelComparisonRow> compare_models(const PaymentResults& payments, const std::string& baseline_model,
                                               const std::string& arm = "");

}  // namespace apmsim

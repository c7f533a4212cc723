// Joining the settled results of consecutive trial ranges (outputs/payment_results.hpp).
#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/simulation/trial_ranges.hpp"

#include <cstring>
#include <tuple>

namespace apmsim {
namespace {

bool same_calibration(const std::vector<CalibrationRow>& a, const std::vector<CalibrationRow>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].model != b[i].model || a[i].component != b[i].component || a[i].year != b[i].year || a[i].quantity != b[i].quantity ||
            std::memcmp(&a[i].value, &b[i].value, sizeof(double)) != 0)
            return false;
    return true;
}

/// Everything but the per-trial arrays must be the same in every part.
void check_same_run(const PaymentResults& first, const PaymentResults& part, const std::string& at) {
    auto differ = [&](const char* what) {
        throw InvalidInput(at, std::string("settled results of the same run as parts[0] (the same ") + what + ")", std::string("other ") + what);
    };
    if (part.models != first.models || part.segments != first.segments || part.arms != first.arms) differ("payment models and arms");
    if (part.metric_names != first.metric_names || part.comparing_components != first.comparing_components ||
        part.pays_on_performance != first.pays_on_performance || part.split_payer != first.split_payer)
        differ("contract terms");
    if (part.years != first.years) differ("years");
    if (part.calibration_trials != first.calibration_trials || part.calibration_seed != first.calibration_seed ||
        !same_calibration(part.calibration, first.calibration))
        differ("calibration");
}

}  // namespace

PaymentResults merge_trial_ranges(std::span<const PaymentResults> parts) {
    const std::vector<std::uint64_t> counts = consecutive_trial_counts(parts, check_same_run);
    PaymentResults out = parts[0];
    for (std::size_t k = 1; k < parts.size(); ++k) out.trials += parts[k].trials;
    const std::size_t model_arms = out.models.size() * out.arms.size();
    using Array = std::vector<double> PaymentResults::*;
    const std::tuple<Array, std::size_t, const char*> arrays[] = {
        {&PaymentResults::values, model_arms, "values"},
        {&PaymentResults::real_savings, out.models.size(), "real_savings"},
        {&PaymentResults::comparisons, out.comparison_slots() * out.arms.size(), "comparisons"},
        {&PaymentResults::federal, model_arms, "federal"}};
    for (const auto& [array, outer, name] : arrays) {
        std::vector<const std::vector<double>*> from;
        for (const auto& p : parts) from.push_back(&(p.*array));
        out.*array = join_trials(from, counts, outer, name);
    }
    return out;
}

}  // namespace apmsim

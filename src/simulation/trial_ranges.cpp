// Joining the results of consecutive trial ranges (simulation/trial_ranges.hpp).
#include "apmsim/simulation/trial_ranges.hpp"

#include <utility>

namespace apmsim {

void check_consecutive_ranges(std::span<const std::uint64_t> begins, std::span<const std::uint64_t> counts, const std::string& where) {
    if (begins.empty()) throw InvalidInput(where, "one part or more", "none");
    for (std::size_t k = 1; k < begins.size(); ++k)
        if (begins[k] != begins[k - 1] + counts[k - 1])
            throw InvalidInput(where + "[" + std::to_string(k) + "].trial_begin",
                               "trial " + std::to_string(begins[k - 1] + counts[k - 1]) + ", where the part before ends (parts in trial order, none missing)",
                               std::to_string(begins[k]));
}

namespace {

/// Everything but the per-trial arrays must be the same in every part.
void check_same_run(const SimulationResults& first, const SimulationResults& part, const std::string& at) {
    auto differ = [&](const char* what) {
        throw InvalidInput(at, std::string("a part of the same run as parts[0] (the same ") + what + ")", std::string("another ") + what);
    };
    if (part.seed != first.seed) differ("seed");
    if (part.mode != first.mode) differ("mode, exact or tabulated");
    if (part.years != first.years || part.tiers != first.tiers || part.categories != first.categories) differ("years, tiers and categories");
    if (part.program_cost_items != first.program_cost_items || part.arms.size() != first.arms.size()) differ("program");
    if (part.member_count != first.member_count || part.members_at_start != first.members_at_start) differ("member count");
    if (part.member_costs.empty() != first.member_costs.empty()) differ("member_detail");
    if (part.upward_transition_factors.empty() != first.upward_transition_factors.empty()) differ("rising risk");
}

}  // namespace

SimulationResults merge_trial_ranges(std::span<const SimulationResults> parts) {
    const std::vector<std::uint64_t> counts = consecutive_trial_counts(parts, check_same_run);
    SimulationResults out = parts[0];
    for (std::size_t k = 1; k < parts.size(); ++k) out.trials += parts[k].trials;
    auto join = [&](auto array_of, std::size_t outer, const char* what) {
        std::vector<const std::vector<double>*> arrays;
        for (const auto& p : parts) arrays.push_back(&array_of(p));
        return join_trials(arrays, counts, outer, what);
    };
    using Array = std::vector<double> ArmResults::*;
    const std::pair<Array, const char*> arm_arrays[] = {
        {&ArmResults::cost, "cost"}, {&ArmResults::events, "events"}, {&ArmResults::member_months, "member_months"},
        {&ArmResults::members, "members"}, {&ArmResults::member_cost_sumsq, "member_cost_sumsq"},
        {&ArmResults::program_cost, "program_cost"}, {&ArmResults::participant_months, "participant_months"}};
    for (std::size_t a = 0; a < out.arms.size(); ++a)
        for (const auto& [array, name] : arm_arrays)
            out.arms[a].*array = join([a, array = array](const SimulationResults& p) -> const auto& { return p.arms[a].*array; }, 1, name);
    using Trials = std::vector<double> SimulationResults::*;
    const std::pair<Trials, const char*> trial_arrays[] = {
        {&SimulationResults::trend, "trend"}, {&SimulationResults::effect_factors, "effect_factors"},
        {&SimulationResults::tier_effect_factors, "tier_effect_factors"},
        {&SimulationResults::upward_transition_factors, "upward_transition_factors"}};
    for (const auto& [array, name] : trial_arrays)
        out.*array = join([array = array](const SimulationResults& p) -> const auto& { return p.*array; }, 1, name);
    out.member_costs = join([](const SimulationResults& p) -> const auto& { return p.member_costs; }, out.arms.size(), "member_costs");
    return out;
}

}  // namespace apmsim

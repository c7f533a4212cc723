#pragma once
/// \file intervention.hpp
/// \brief A care program: relative changes in expected event counts by category, with
/// parameter uncertainty drawn once per trial, and program costs per member per month.

#include "apmsim/core/errors.hpp"

#include <string>
#include <utility>
#include <vector>

namespace apmsim {

/// Relative change in a category's expected count: effect ~ Normal(mean, sd) per trial,
/// factor max(0, 1 + effect). Bergman et al. 2020 (shared/DOMAIN.md section 1) gives
/// the default inpatient -7.7% (95% CI 1.2 to 13.5, so sd ~ 3.1%).
struct CategoryEffect {
    std::string category;
    double mean = 0.0;
    double sd = 0.0;
};

/// A program cost item (care team, family support...), dollars per member per month of
/// eligibility.
struct ProgramCost {
    std::string item;
    double pmpm = 0.0;
};

struct Intervention {
    std::string name;
    std::vector<CategoryEffect> effects;
    std::vector<ProgramCost> costs;

    double total_pmpm() const {
        double s = 0.0;
        for (const auto& c : costs) s += c.pmpm;
        return s;
    }

    void validate(const std::string& where, const std::vector<std::string>& categories) const {
        if (name.empty()) throw InvalidInput(where + ".name", "a non-empty name", "\"\"");
        for (std::size_t i = 0; i < effects.size(); ++i) {
            const auto& e = effects[i];
            const std::string at = where + ".effects." + e.category;
            for (std::size_t k = 0; k < i; ++k)
                if (effects[k].category == e.category) throw InvalidInput(at, "one effect per category", "a second effect");
            bool known = false;
            for (const auto& c : categories) known = known || c == e.category;
            if (!known) throw InvalidInput(at, "a category of the cost model", "\"" + e.category + "\"");
            check::in_closed(at + ".mean", e.mean, -1.0, 10.0);
            check::in_closed(at + ".sd", e.sd, 0.0, 10.0);
        }
        for (std::size_t i = 0; i < costs.size(); ++i) {
            const std::string at = where + ".program_cost_pmpm." + costs[i].item;
            if (costs[i].item.empty()) throw InvalidInput(at, "an item name", "\"\"");
            for (std::size_t k = 0; k < i; ++k)
                if (costs[k].item == costs[i].item) throw InvalidInput(at, "one cost per item", "a second cost");
            check::non_negative(at, costs[i].pmpm);
        }
    }
};

}  // namespace apmsim

#pragma once
/// \file model.hpp
/// \brief What is simulated: the members, their cost model and the program
/// (intervention). The engine, the exact pool distribution and the experience observer
/// take a Model; contract terms and settings live one layer up, in the Scenario.

#include "apmsim/population/cost_model.hpp"
#include "apmsim/population/intervention.hpp"
#include "apmsim/population/population.hpp"

#include <optional>
#include <vector>

namespace apmsim {

/// How a synthetic population was generated, kept so the scenario writes back compactly.
struct PopulationRecipe {
    std::size_t members = 0;
    std::vector<double> tier_mix;
    bool operator==(const PopulationRecipe&) const = default;
};

struct Model {
    CostModel cost_model;
    Population population;
    std::optional<PopulationRecipe> population_recipe;
    std::optional<Intervention> intervention;  ///< none: the baseline arm only

    int years() const { return population.years; }

    /// Checks the cost model, the members against its tiers and the intervention against
    /// its categories, tiers and years; errors name the JSON path.
    void validate() const {
        cost_model.validate("cost_model");
        population.validate("population.members", cost_model.tier_count());
        if (intervention) intervention->validate("intervention", cost_model.categories, cost_model.tiers, years());
    }
};

}  // namespace apmsim

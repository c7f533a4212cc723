#pragma once
/// \file scenario.hpp
/// \brief Everything one simulation needs: population, cost model, optional intervention.

#include "apmsim/population/cost_model.hpp"
#include "apmsim/population/intervention.hpp"
#include "apmsim/population/population.hpp"
#include "apmsim/simulation/options.hpp"

#include <vector>

#include <optional>
#include <string>

namespace apmsim {

/// How a synthetic population was generated, kept so the scenario writes back compactly.
struct PopulationRecipe {
    std::size_t members = 0;
    std::vector<double> tier_mix;
};

struct Scenario {
    std::string name = "scenario";
    CostModel cost_model;
    Population population;
    std::optional<PopulationRecipe> population_recipe;
    std::optional<Intervention> intervention;
    SimulationOptions settings;  ///< default trials, seed and threads for this scenario

    int years() const { return population.years; }

    void validate() const {
        cost_model.validate("cost_model");
        population.validate("population.members", cost_model.tier_count());
        if (intervention) intervention->validate("intervention", cost_model.categories);
        settings.validate("settings");
    }

    /// The bundled synthetic CMC program of shared/DOMAIN.md section 2 with `members`
    /// children (25% tier A, 50% B, 25% C, in that order), `years` years of 12 months,
    /// trend 4% (sd 1%) and the default complex-care-coordination intervention.
    static Scenario default_cmc_program(std::size_t members = 1000, int years = 3);
};

}  // namespace apmsim

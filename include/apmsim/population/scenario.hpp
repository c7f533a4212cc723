#pragma once
/// \file scenario.hpp
/// \brief Everything one simulation needs: population, cost model, optional intervention.

#include "apmsim/contracts/payment_model.hpp"
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
    DeliveryBasis delivery;      ///< who delivers each category's care, at what cost
    std::vector<PaymentModel> payment_models;  ///< settled side by side on the same costs

    int years() const { return population.years; }

    void validate() const {
        cost_model.validate("cost_model");
        population.validate("population.members", cost_model.tier_count());
        if (intervention) intervention->validate("intervention", cost_model.categories);
        settings.validate("settings");
        delivery.validate("delivery");
        const ResolvedDelivery resolved(delivery, cost_model.categories, "delivery");
        if (intervention)
            for (const auto& [component, party] : delivery.program_cost_bearer) {
                bool known = false;
                for (const auto& c : intervention->costs) known = known || c.component == component;
                if (!known) throw InvalidInput("delivery.program_costs_borne_by." + component, "a program cost component", "\"" + component + "\"");
            }
        for (std::size_t i = 0; i < payment_models.size(); ++i) {
            payment_models[i].validate(index_path("payment_models", i));
            payment_models[i].validate_years(index_path("payment_models", i), years());
            for (std::size_t k = 0; k < i; ++k)
                if (payment_models[k].name == payment_models[i].name)
                    throw InvalidInput(index_path("payment_models", i) + ".name", "a name no other payment model has",
                                       "\"" + payment_models[i].name + "\"");
        }
    }

    /// The bundled synthetic CMC program of shared/DOMAIN.md section 2 with `members`
    /// children (25% tier A, 50% B, 25% C, in that order), `years` years of 12 months,
    /// trend 4% (sd 1%), the default complex-care-coordination intervention and an
    /// illustrative delivery basis; with `payment_models`, four payment models (FFS;
    /// FFS + care fees + shared savings; a glide path to shared risk; global capitation
    /// with an ACA corridor and specific stop-loss).
    static Scenario default_cmc_program(std::size_t members = 1000, int years = 3, bool payment_models = true);
};

}  // namespace apmsim

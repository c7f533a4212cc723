// Scenario::validate (scenario.hpp).
#include "apmsim/scenario.hpp"

namespace apmsim {

void Scenario::validate() const {
    Model::validate();
    settings.validate("settings");
    delivery.validate("delivery");
    const ResolvedDelivery resolved(delivery, cost_model.categories, "delivery");
    // A bearer of a cost nobody incurs would have no effect: an error, not a no-op.
    for (const auto& [item, party] : delivery.program_cost_bearer) {
        bool known = false;
        if (intervention)
            for (const auto& c : intervention->cost_items()) known = known || c == item;
        if (!known)
            throw InvalidInput("delivery.program_cost_borne_by." + item,
                               intervention ? "a program cost item of the intervention"
                                            : "no program cost bearers (the scenario has no intervention: remove delivery.program_cost_borne_by with it)",
                               "\"" + item + "\"");
    }
    for (std::size_t i = 0; i < payment_models.size(); ++i) {
        payment_models[i].validate(index_path("payment_models", i));
        payment_models[i].validate_years(index_path("payment_models", i), years());
        for (std::size_t k = 0; k < i; ++k)
            if (payment_models[k].name == payment_models[i].name)
                throw InvalidInput(index_path("payment_models", i) + ".name", "a name no other payment model has",
                                   "\"" + payment_models[i].name + "\"");
    }
    validate_federal_match();
}

void Scenario::validate_federal_match() const {
    if (federal_match) {
        federal_match->validate("federal_match", years());
        if (payment_models.empty())
            throw InvalidInput("federal_match", "payment models whose payer's cost it splits", "a scenario without payment_models");
    }
    const bool rule = federal_match && federal_match->health_home;
    bool marked = false, effective = false;
    for (std::size_t i = 0; i < payment_models.size(); ++i)
        for (std::size_t c : payment_models[i].health_home_components()) {
            if (!rule)
                throw InvalidInput(index_path(index_path("payment_models", i) + ".components", c) + ".health_home",
                                   "false, or a federal_match.health_home rule that matches health-home services", "true with no rule");
            marked = true;
            for (int y = 0; y < years(); ++y)
                effective = effective || (payment_models[i].in_force(c, y) && federal_match->health_home_rate_in(y) > federal_match->fmap_in(y));
        }
    if (rule && !marked)
        throw InvalidInput("federal_match.health_home", "a care_management_fee marked \"health_home\": true in a payment model", "none marked");
    if (rule && !effective)
        throw InvalidInput("federal_match.health_home.first_quarter",
                           "a component marked health_home in force in a simulated year with enhanced match",
                           "program quarter " + std::to_string(federal_match->health_home->first_quarter) + " in year 1: none in force while the match is enhanced");
}

}  // namespace apmsim

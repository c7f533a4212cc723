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
}

}  // namespace apmsim

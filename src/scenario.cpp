// Scenario::validate (scenario.hpp).
#include "apmsim/scenario.hpp"

#include <algorithm>

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
        validate_segment_of(payment_models[i], index_path("payment_models", i) + ".segment");
    }
    validate_federal_match();
    if (!status_quo.empty() && !status_quo_model())
        throw InvalidInput("status_quo", "a payment model of the scenario with another on the same population segment to compare with it",
                           "\"" + status_quo + "\"");
}

std::optional<std::string> Scenario::status_quo_model() const {
    const std::string name = status_quo.empty() ? "fee_for_service" : status_quo;
    if (!has_comparable_model(name)) return std::nullopt;
    return name;
}

bool Scenario::has_comparable_model(const std::string& model) const {
    const auto it = std::find_if(payment_models.begin(), payment_models.end(), [&](const PaymentModel& m) { return m.name == model; });
    if (it == payment_models.end()) return false;
    for (const auto& m : payment_models)
        if (m.name != model && m.segment == it->segment) return true;
    return false;
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

/// A model's segment exists, and holds all of the program's target tiers or none of them
/// (the program's costs, start-up included, belong to one side of the split).
void Scenario::validate_segment_of(const PaymentModel& m, const std::string& where) const {
    if (m.segment.empty()) return;
    const std::vector<bool> mask = segment_mask(segments, m.segment, cost_model.tiers, where);
    bool members = false;
    for (std::size_t i = 0; i < population.size() && !members; ++i) members = mask[population.tier[i]] && population.months_of(i, 0) > 0;
    if (!members) throw InvalidInput(where, "a segment with members in year 1", "\"" + m.segment + "\", with none");
    if (!intervention) return;
    std::size_t targeted = 0, inside = 0;
    for (std::size_t t = 0; t < mask.size(); ++t)
        if (intervention->targets(cost_model.tiers[t])) {
            ++targeted;
            inside += mask[t] ? 1 : 0;
        }
    if (inside != 0 && inside != targeted)
        throw InvalidInput(where, "a segment holding all of the program's target tiers or none of them",
                           "\"" + m.segment + "\", which holds " + std::to_string(inside) + " of its " + std::to_string(targeted));
}

}  // namespace apmsim

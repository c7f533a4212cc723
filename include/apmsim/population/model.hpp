#pragma once
/// \file model.hpp
/// \brief What is simulated: the members, their cost model and the program
/// (intervention). The engine, the exact pool distribution and the experience observer
/// take a Model; contract terms and settings live one layer up, in the Scenario.

#include "apmsim/population/churn.hpp"
#include "apmsim/population/cost_model.hpp"
#include "apmsim/population/intervention.hpp"
#include "apmsim/population/population.hpp"
#include "apmsim/population/segments.hpp"

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
    std::optional<Churn> churn;                ///< none: a closed cohort (population.churn)
    std::vector<Segment> segments;             ///< none: one population (population.segments)

    int years() const { return population.years; }

    /// Checks the cost model, the members against its tiers and the intervention against
    /// its categories, tiers and years; errors name the JSON path.
    void validate() const {
        cost_model.validate("cost_model");
        population.validate("population.members", cost_model.tier_count());
        if (churn) churn->validate("population.churn", cost_model.tiers, years());
        validate_segments(segments, cost_model.tiers, "population.segments");
        if (intervention) intervention->validate("intervention", cost_model.categories, cost_model.tiers, years());
        if (intervention && intervention->target_risk_score) check_risk_score_rule_acts();
        if (intervention) check_costs_by_tier_can_be_paid();
        if (intervention && intervention->upward_transition_change) {
            std::vector<bool> enrolled;
            for (const auto& t : cost_model.tiers) enrolled.push_back(intervention->targets(t));
            check_rising_risk_can_act(cost_model, enrolled, "intervention.upward_transition_change");
            if (years() < 2)
                throw InvalidInput("intervention.upward_transition_change", "a horizon of 2 years or more (tiers change between years)",
                                   "1 year: the change could have no effect");
        }
    }

private:
    /// A PMPM for a tier no participant can be in would never be paid: a tier the program
    /// enrols, or any tier when participants can move between tiers.
    void check_costs_by_tier_can_be_paid() const {
        if (cost_model.tier_transition.size() != 0) return;
        for (const auto& c : intervention->costs)
            for (const auto& r : c.by_tier)
                if (!intervention->targets(r.tier))
                    throw InvalidInput("intervention.program_cost_pmpm." + c.item + ".by_tier." + r.tier,
                                       "a tier the program enrols (target_tiers; participants stay in their tier without tier_transitions)",
                                       "\"" + r.tier + "\"");
    }

    /// A rule on the risk score must keep some members of the target tiers and leave out
    /// others: one that keeps none or all of them would have no effect.
    void check_risk_score_rule_acts() const {
        std::size_t kept = 0, targeted = 0;
        for (std::size_t i = 0; i < population.size(); ++i) {
            const std::string& tier = cost_model.tiers[population.tier[i]];
            if (!intervention->targets(tier)) continue;
            ++targeted;
            kept += intervention->eligible(tier, population.risk_score[i]) ? 1 : 0;
        }
        if (churn)  // an entrant's score is its tier's mean: the rule would keep all or none of a tier's entrants
            throw InvalidInput("intervention.target_risk_score", "no churn with a rule on the risk score (entrants' own scores are not known)",
                               "population.churn");
        if (kept == 0 || kept == targeted)
            throw InvalidInput("intervention.target_risk_score", "a rule that keeps some members of the target tiers and leaves out others",
                               std::to_string(kept) + " of " + std::to_string(targeted) + " kept: the rule has no effect");
    }
};

}  // namespace apmsim

// The bundled synthetic CMC program: shared/DOMAIN.md section 2 (illustrative defaults,
// not published figures) with the intervention effects of Bergman et al. 2020.
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/population/synthetic.hpp"

namespace apmsim {
namespace {

struct Row {
    const char* category;
    double events[3];    // tiers A, B, C
    double severity[3];  // mean allowed $ per event
    double severity_cv;
    double dispersion;
};

// DOMAIN.md section 2 table.
constexpr Row default_rows[] = {
    {"inpatient", {1.6, 0.6, 0.2}, {26000, 22000, 18000}, 2.5, 1.0},
    {"emergency", {3.0, 2.0, 1.5}, {1100, 1000, 900}, 1.0, 1.5},
    {"outpatient", {14, 8, 5}, {700, 600, 500}, 1.5, 2.0},
    {"professional", {40, 24, 15}, {180, 170, 160}, 1.2, 3.0},
    {"pharmacy", {45, 30, 20}, {260, 150, 110}, 2.0, 3.0},
    {"home_health", {60, 16, 4}, {250, 250, 250}, 0.8, 0.5},
    {"dme", {12, 5, 2}, {400, 300, 250}, 1.5, 1.5},
    {"behavioral_health", {4, 3, 4}, {300, 300, 300}, 1.0, 1.0},
};

// Illustrative delivery basis of a children's hospital running a complex-care program (an
// assumption for the bundled example, not a published figure): most hospital care inside
// the organisation, pharmacy, home health and DME mostly outside; primary care delivers
// part of professional and behavioural care; Medicaid pays below cost for inpatient,
// emergency, professional and behavioural care (cost-to-payment ratio above 1).
constexpr const char* default_delivery = R"({
  "provider_share": {"inpatient": 0.85, "emergency": 0.85, "outpatient": 0.7, "professional": 0.5, "pharmacy": 0.3,
                     "home_health": 0.2, "dme": 0.2, "behavioral_health": 0.3},
  "pcp_share": {"outpatient": 0.1, "professional": 0.3, "behavioral_health": 0.1, "default": 0.0},
  "provider_cost_ratio": {"inpatient": 1.15, "emergency": 1.1, "outpatient": 0.95, "professional": 1.1, "pharmacy": 0.8,
                          "home_health": 1.0, "dme": 0.9, "behavioral_health": 1.2},
  "pcp_cost_ratio": 0.95,
  "program_cost_borne_by": {"pcp_oversight": "pcp"}
})";

// Four payment models on the same costs (illustrative terms; rates near the expected
// cost of DOMAIN.md section 2: $7,883 / $2,915 / $1,229 PMPM for tiers A / B / C).
constexpr const char* default_payment_models = R"([
  {"name": "fee_for_service", "components": [{"type": "fee_for_service"}]},
  {"name": "ffs_care_fee_shared_savings",
   "quality": {"measures": [
     {"name": "family_wellbeing", "weight": 0.5, "mean": 0.78, "sd": 0.08, "intervention_lift": 0.05},
     {"name": "care_plan_timeliness", "weight": 0.5, "mean": 0.82, "sd": 0.06, "intervention_lift": 0.06}]},
   "components": [
     {"type": "fee_for_service"},
     {"type": "care_management_fee", "party": "provider", "pmpm": {"A": 200, "B": 150, "C": 100}},
     {"type": "care_management_fee", "party": "pcp", "pmpm": 15},
     {"type": "shared_savings", "benchmark": {"baseline_pmpm": "simulated", "base_year_weights": [0.1, 0.3, 0.6],
                                              "trend": "realised", "risk_adjustment": "tier_mix"},
      "truncation_percentile": 0.99, "sharing_rate": 0.5,
      "minimum_savings_rate": {"method": "confidence_interval", "confidence": 0.9, "sides": "two"},
      "savings_cap": 0.1, "quality": "gate", "quality_threshold": 0.8}]},
  {"name": "ffs_shared_risk_glide_path",
   "components": [
     {"type": "fee_for_service"},
     {"type": "care_management_fee", "pmpm": 150},
     {"type": "shared_savings", "years": [1], "benchmark": {"baseline_pmpm": "simulated", "trend": "realised"},
      "sharing_rate": 0.5, "minimum_savings_rate": 0.02, "savings_cap": 0.1},
     {"type": "shared_risk", "years": "from 2", "benchmark": {"baseline_pmpm": "simulated", "trend": "realised"},
      "sharing_rate": 0.5, "minimum_savings_rate": 0.02, "minimum_loss_rate": 0.02, "savings_cap": 0.1, "loss_rate": 0.3,
      "loss_limit_revenue": 0.04, "loss_limit_benchmark": 0.02}]},
  {"name": "global_capitation_corridor_stop_loss",
   "components": [
     {"type": "capitation", "pmpm": {"A": 8900, "B": 3300, "C": 1400}},
     {"type": "risk_corridor", "preset": "aca"},
     {"type": "specific_stop_loss", "attachment": 250000, "coinsurance": 0.9, "loading": 0.15}]}
])";

/// The glide path's shared risk runs from year 2 to the horizon ("years": "from 2"); in a
/// one-year scenario there is no year 2 and the model is shared savings only.
void glide_path_years(Json& models, int years) {
    for (Json& model : models) {
        Json kept = Json::array();
        for (Json& c : model["components"]) {
            if (c.contains("years") && c["years"] == "from 2") {
                if (years < 2) continue;
                c["years"] = Json::array();
                for (int y = 2; y <= years; ++y) c["years"].push_back(y);
            }
            kept.push_back(c);
        }
        model["components"] = kept;
    }
}

}  // namespace

Scenario Scenario::default_cmc_program(std::size_t members, int years, bool payment_models) {
    if (years < 1 || years > 100) throw InvalidInput("default_cmc_program.years", "1 to 100 years", std::to_string(years));
    Scenario s;
    s.name = "default_cmc_program";
    CostModel& m = s.cost_model;
    m.tiers = {"A", "B", "C"};
    for (const auto& row : default_rows) m.categories.emplace_back(row.category);
    for (std::size_t t = 0; t < 3; ++t)
        for (const auto& row : default_rows)
            m.cells.push_back({NegativeBinomial(row.events[t], row.dispersion),
                               Lognormal::from_mean_cv(row.severity[t], row.severity_cv)});
    m.frailty_cv = 0.5;
    m.trend = {0.04, 0.01};

    const std::vector<double> mix = {0.25, 0.50, 0.25};
    s.population = synthetic_population(members, mix, years, relative_tier_costs(m, mix), "default_cmc_program");
    s.population_recipe = PopulationRecipe{members, mix};

    // Bergman et al., Pediatrics 2020: inpatient -7.7% (95% CI 1.2-13.5), emergency
    // -11.6% (3.9-18.4); sd = CI half-width / 1.96. Outpatient +2%: more planned visits.
    Intervention program;
    program.name = "complex_care_coordination";
    program.effects = {{"inpatient", -0.077, 0.031, ""}, {"emergency", -0.116, 0.037, ""}, {"outpatient", 0.02, 0.0, ""}};
    program.costs = {{"care_team", 70.0, {}}, {"family_support", 20.0, {}}, {"care_coordination", 45.0, {}}, {"pcp_oversight", 15.0, {}}};
    s.intervention = program;
    // The delivery basis describes the program, not a contract: it stays when the models are left out.
    s.delivery = delivery_from_json(Json::parse(default_delivery), "delivery");
    if (payment_models) {
        Json models = Json::parse(default_payment_models);
        glide_path_years(models, years);
        for (std::size_t i = 0; i < models.size(); ++i)
            s.payment_models.push_back(payment_model_from_json(models[i], index_path("payment_models", i)));
    }
    s.validate();
    return s;
}

}  // namespace apmsim

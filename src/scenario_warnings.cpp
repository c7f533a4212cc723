// Implausible but legal scenario inputs (scenario_warnings.hpp).
#include "apmsim/scenario_warnings.hpp"

#include "apmsim/contracts/component.hpp"
#include "apmsim/population/analytic_moments.hpp"

#include <cmath>

namespace apmsim {

namespace {

constexpr double implausible_ratio = 3.0;

/// Expected allowed cost PMPM of the categories `covered` ("all", a list, or absent = all),
/// for one tier or (tier = npos) for the population's year-1 mix.
double expected_pmpm(const Scenario& s, const std::vector<MemberYearMoments>& moments, const Json* covered, std::size_t tier) {
    std::vector<bool> in(s.cost_model.category_count(), true);
    if (covered && covered->is_array()) {
        in.assign(in.size(), false);
        for (const auto& name : *covered)
            for (std::size_t c = 0; c < in.size(); ++c)
                if (name.is_string() && name.get<std::string>() == s.cost_model.categories[c]) in[c] = true;
    }
    auto tier_pmpm = [&](std::size_t k) {
        double sum = 0;
        for (std::size_t c = 0; c < in.size(); ++c) sum += in[c] ? moments[k].category_mean[c] : 0.0;
        return sum / 12.0;
    };
    if (tier != std::string::npos) return tier_pmpm(tier);
    double weighted = 0, months = 0;
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        weighted += s.population.months_of(i, 0) * tier_pmpm(s.population.tier[i]);
        months += s.population.months_of(i, 0);
    }
    return months > 0 ? weighted / months : 0.0;
}

void check_ratio(std::vector<ScenarioWarning>& out, const std::string& where, const std::string& what, double stated, double expected) {
    if (!(expected > 0) || !(stated > 0)) return;
    const double ratio = stated / expected;
    if (ratio > implausible_ratio || ratio < 1.0 / implausible_ratio)
        out.push_back({where, what + " " + show(stated) + " is " + show(std::round(ratio * 100) / 100) + " times the expected cost PMPM of what it covers (" +
                                  show(std::round(expected)) + ")" + (ratio > 10 ? ": an annual figure typed as monthly?" : "")});
}

void check_component(const Scenario& s, const std::vector<MemberYearMoments>& moments, const Json& c, const std::string& where,
                     std::vector<ScenarioWarning>& out) {
    const Json* covered = c.contains("categories") ? &c.at("categories") : nullptr;
    const std::string type = c.value("type", "");
    if (c.contains("benchmark") && c.at("benchmark").is_object() && c.at("benchmark").contains("pmpm")) {
        const Json& pmpm = c.at("benchmark").at("pmpm");
        const double expected = expected_pmpm(s, moments, covered, std::string::npos);
        if (pmpm.is_number()) check_ratio(out, where + ".benchmark.pmpm", "the benchmark", pmpm.get<double>(), expected);
        if (pmpm.is_array())
            for (std::size_t y = 0; y < pmpm.size(); ++y)
                if (pmpm[y].is_number()) check_ratio(out, index_path(where + ".benchmark.pmpm", y), "the benchmark", pmpm[y].get<double>(), expected);
    }
    if (type == "capitation" && c.contains("pmpm")) {
        const Json& pmpm = c.at("pmpm");
        if (pmpm.is_number()) check_ratio(out, where + ".pmpm", "the capitation", pmpm.get<double>(), expected_pmpm(s, moments, covered, std::string::npos));
        if (pmpm.is_object())
            for (std::size_t k = 0; k < s.cost_model.tier_count(); ++k) {
                const std::string& tier = s.cost_model.tiers[k];
                if (pmpm.contains(tier) && pmpm.at(tier).is_number())
                    check_ratio(out, where + ".pmpm." + tier, "the tier's capitation", pmpm.at(tier).get<double>(), expected_pmpm(s, moments, covered, k));
            }
    }
    if (type == "risk_corridor")
        for (const char* side : {"savings_bands", "loss_bands"})
            if (c.contains(side) && c.at(side).is_array())
                for (std::size_t b = 0; b < c.at(side).size(); ++b) {
                    const Json& band = c.at(side)[b];
                    if (band.is_object() && band.contains("to") && band.at("to").is_number() && band.at("to").get<double>() > 1.0)
                        out.push_back({index_path(where + "." + side, b) + ".to",
                                       "a band up to " + show(band.at("to").get<double>() * 100) + "% of the target (beyond 100%: a percentage typed as a fraction?)"});
                }
}

/// An FMAP above any state's regular match (about 77% in the poorest states, shared/DOMAIN.md
/// section 9): legal (special populations are matched at up to 100%) but worth a look.
void check_fmap(const Scenario& s, std::vector<ScenarioWarning>& out) {
    if (!s.federal_match) return;
    const std::vector<double>& fmap = s.federal_match->fmap;
    for (std::size_t y = 0; y < fmap.size(); ++y)
        if (fmap[y] > 0.85)
            out.push_back({fmap.size() == 1 ? std::string("federal_match.fmap") : index_path("federal_match.fmap", y),
                           "an FMAP of " + show(fmap[y]) + ", above any state's regular match (about 0.77 at most): a special rate, or a typo?"});
}

}  // namespace

std::vector<ScenarioWarning> scenario_warnings(const Scenario& s, const Json& doc) {
    std::vector<ScenarioWarning> out;
    check_fmap(s, out);
    std::vector<MemberYearMoments> moments;
    try {
        for (std::size_t k = 0; k < s.cost_model.tier_count(); ++k) moments.push_back(member_year_moments(s.cost_model, k));
    } catch (const InvalidInput&) {
        return out;  // no closed-form moments (a copula): nothing to compare with
    }
    if (!doc.contains("payment_models") || !doc.at("payment_models").is_array()) return out;
    const Json& models = doc.at("payment_models");
    for (std::size_t i = 0; i < models.size(); ++i) {
        if (!models[i].contains("components") || !models[i].at("components").is_array()) continue;
        const Json& components = models[i].at("components");
        for (std::size_t k = 0; k < components.size(); ++k)
            if (components[k].is_object())
                check_component(s, moments, components[k], index_path(index_path("payment_models", i) + ".components", k), out);
    }
    return out;
}

}  // namespace apmsim

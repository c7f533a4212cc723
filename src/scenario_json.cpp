// Scenario documents: parsing with JSON-path errors, and writing back.
#include "apmsim/scenario_json.hpp"

#include "apmsim/core/json_file.hpp"
#include "apmsim/member_list_json.hpp"
#include "apmsim/contracts/component.hpp"

#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/distributions/json.hpp"
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/population/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace apmsim {
namespace {

int years_from_json(JsonObject& o) {
    const int years = static_cast<int>(o.count("years", 100, 1));
    if (years < 1) throw InvalidInput("years", "1 to 100", "0");
    return years;
}

std::vector<std::string> names_from_json(JsonObject& o, const std::string& key) {
    const Json& a = o.at(key);
    const std::string path = o.path(key);
    if (!a.is_array() || a.empty()) throw InvalidInput(path, "a non-empty array of names", describe(a));
    std::vector<std::string> names;
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string n = json_string(a[i], index_path(path, i));
        if (n.empty()) throw InvalidInput(index_path(path, i), "a non-empty name", "\"\"");
        if (CostModel::index_of(names, n) >= 0) throw InvalidInput(index_path(path, i), "a name not used before", "\"" + n + "\" again");
        names.push_back(std::move(n));
    }
    return names;
}

CostModel cost_model_from_json(JsonObject& o, std::vector<std::string> tiers, std::vector<std::string> categories) {
    CostModel m;
    m.tiers = std::move(tiers);
    m.categories = std::move(categories);
    m.frailty_cv = o.number("frailty_cv", 0.0);
    if (o.has("trend")) {
        JsonObject t = o.object("trend");
        m.trend.mean = t.number("mean", 0.0);
        m.trend.sd = t.number("sd", 0.0);
        t.finish({"mean", "sd"});
    }
    // cells: {category: {tier: {"frequency": ..., "severity": ...}}}, every pair present.
    JsonObject cells = o.object("cells");
    std::vector<std::optional<CategoryModel>> grid(m.tiers.size() * m.categories.size());
    for (const auto& cat : cells.keys()) {
        const int c = require_name(m.categories, cat, cells.path(cat), "category");
        JsonObject by_tier = cells.object(cat);
        for (const auto& tier : by_tier.keys()) {
            const int t = require_name(m.tiers, tier, by_tier.path(tier), "tier");
            JsonObject cell = by_tier.object(tier);
            Frequency f = frequency_from_json(cell.at("frequency"), cell.path("frequency"));
            Severity s = severity_from_json(cell.at("severity"), cell.path("severity"));
            cell.finish({"frequency", "severity"});
            grid[t * m.categories.size() + c] = CategoryModel{f, s};
        }
        by_tier.use_all();
    }
    cells.use_all();
    for (std::size_t t = 0; t < m.tiers.size(); ++t)
        for (std::size_t c = 0; c < m.categories.size(); ++c) {
            auto& g = grid[t * m.categories.size() + c];
            if (!g) throw InvalidInput(cells.path(m.categories[c] + "." + m.tiers[t]), "a frequency and severity for every category and tier", "nothing");
            m.cells.push_back(*g);
        }
    if (o.has("seasonality")) {
        JsonObject s = o.object("seasonality");
        m.seasonality.assign(m.categories.size(), std::array<double, 12>{});
        for (auto& row : m.seasonality) row.fill(1.0);
        for (const auto& cat : s.keys()) {
            const int c = require_name(m.categories, cat, s.path(cat), "category");
            const auto v = json_numbers(s.at(cat), s.path(cat));
            if (v.size() != 12) throw InvalidInput(s.path(cat), "12 monthly factors", std::to_string(v.size()) + " values");
            std::copy(v.begin(), v.end(), m.seasonality[c].begin());
        }
    }
    if (o.has("copula")) {
        JsonObject cop = o.object("copula");
        const Json& rows = cop.at("correlation");
        const std::string path = cop.path("correlation");
        if (!rows.is_array()) throw InvalidInput(path, "an array of rows", describe(rows));
        if (rows.size() != m.categories.size())
            throw InvalidInput(path, std::to_string(m.categories.size()) + " rows (one per category)", std::to_string(rows.size()) + " rows");
        m.copula_correlation.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.size()));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto r = json_numbers(rows[i], index_path(path, i));
            if (r.size() != rows.size())
                throw InvalidInput(index_path(path, i), std::to_string(rows.size()) + " values (a square matrix)", std::to_string(r.size()) + " values");
            for (std::size_t k = 0; k < r.size(); ++k) m.copula_correlation(i, k) = r[k];
        }
        cop.finish({"correlation"});
    }
    if (o.has("tier_transitions")) {
        JsonObject tr = o.object("tier_transitions");
        m.tier_transition = Eigen::MatrixXd::Zero(m.tiers.size(), m.tiers.size());
        for (const auto& from : tr.keys()) {
            const int i = require_name(m.tiers, from, tr.path(from), "tier");
            JsonObject row = tr.object(from);
            for (const auto& to : row.keys()) m.tier_transition(i, require_name(m.tiers, to, row.path(to), "tier")) = row.number(to);
        }
        tr.use_all();
        for (std::size_t i = 0; i < m.tiers.size(); ++i)
            if (!tr.has(m.tiers[i])) throw InvalidInput(tr.path(m.tiers[i]), "a row for every tier", "nothing");
    }
    o.finish({"frailty_cv", "trend", "cells", "seasonality", "copula", "tier_transitions"});
    return m;
}

/// population.churn: {"monthly_exit": q} or {"renewal_exit": q}, q a number or {tier: q}
/// (tiers not listed: 0).
Churn churn_from_json(JsonObject& population, const std::vector<std::string>& tiers) {
    JsonObject o = population.object("churn");
    Churn c;
    if (o.has("monthly_exit") == o.has("renewal_exit"))
        throw InvalidInput(o.path("monthly_exit"), "monthly_exit (members leave month by month) or renewal_exit (at the annual renewal only)",
                           o.has("monthly_exit") ? "both" : "neither");
    c.at_renewal = o.has("renewal_exit");
    const char* key = c.key();
    c.exit.assign(tiers.size(), 0.0);
    if (o.at(key).is_object()) {
        c.by_tier = true;
        JsonObject q = o.object(key);
        for (const auto& t : q.keys()) c.exit[static_cast<std::size_t>(require_name(tiers, t, q.path(t), "tier"))] = q.number(t);
    } else {
        std::fill(c.exit.begin(), c.exit.end(), o.number(key));
    }
    o.finish({"monthly_exit", "renewal_exit"});
    return c;
}

Json churn_to_json(const Churn& c, const std::vector<std::string>& tiers) {
    if (!c.by_tier) return {{c.key(), c.exit.empty() ? 0.0 : c.exit[0]}};
    Json q = Json::object();
    for (std::size_t t = 0; t < tiers.size(); ++t) q[tiers[t]] = c.exit[t];
    return {{c.key(), q}};
}

Intervention intervention_from_json(JsonObject& o) {
    Intervention iv;
    iv.name = o.string("name");
    if (o.has("effects")) {
        JsonObject e = o.object("effects");
        for (const auto& cat : e.keys()) {
            JsonObject x = e.object(cat);
            if (x.has("by_tier")) {  // {"by_tier": {tier: {mean, sd}}}: listed tiers only
                JsonObject by = x.object("by_tier");
                for (const auto& tier : by.keys()) {
                    JsonObject t = by.object(tier);
                    iv.effects.push_back({cat, t.number("mean"), t.number("sd", 0.0), tier});
                    t.finish({"mean", "sd"});
                }
                by.use_all();
                x.finish({"by_tier"});
            } else {
                iv.effects.push_back({cat, x.number("mean"), x.number("sd", 0.0), ""});
                x.finish({"mean", "sd", "by_tier"});
            }
        }
        e.use_all();
    }
    if (o.has("program_cost_pmpm")) {  // {item: pmpm} or {item: {"by_tier": {tier: pmpm}}}
        JsonObject c = o.object("program_cost_pmpm");
        for (const auto& item : c.keys()) {
            if (!c.at(item).is_object()) {
                iv.costs.push_back({item, c.number(item), {}});
                continue;
            }
            JsonObject x = c.object(item);
            JsonObject by = x.object("by_tier");
            ProgramCost cost{item, 0.0, {}};
            for (const auto& tier : by.keys()) cost.by_tier.push_back({tier, by.number(tier)});
            if (cost.by_tier.empty()) throw InvalidInput(x.path("by_tier"), "a PMPM for one tier or more", "{}");
            x.finish({"by_tier"});
            iv.costs.push_back(std::move(cost));
        }
    }
    if (o.has("target_tiers")) {
        const Json& t = o.at("target_tiers");
        if (!t.is_array() || t.empty()) throw InvalidInput(o.path("target_tiers"), "a non-empty array of tier names", describe(t));
        for (std::size_t i = 0; i < t.size(); ++i) iv.target_tiers.push_back(json_string(t[i], index_path(o.path("target_tiers"), i)));
    }
    if (o.has("target_risk_score")) {
        JsonObject r = o.object("target_risk_score");
        RiskScoreRule rule;
        rule.min = r.number("min", rule.min);
        if (r.has("max")) rule.max = r.number("max");
        const bool bounded = r.has("min") || r.has("max");
        r.finish({"min", "max"});
        if (!bounded) throw InvalidInput(r.path("min"), "min, max or both", "neither");
        iv.target_risk_score = rule;
    }
    if (o.has("uptake")) {
        if (o.at("uptake").is_number()) {
            iv.uptake.mean = o.number("uptake");
        } else {
            JsonObject u = o.object("uptake");
            iv.uptake = {u.number("mean"), u.number("sd", 0.0)};
            u.finish({"mean", "sd"});
        }
    }
    if (o.has("ramp_up")) iv.ramp_up = json_numbers(o.at("ramp_up"), o.path("ramp_up"));
    if (o.has("staffing")) {
        JsonObject st = o.object("staffing");
        for (const auto& item : st.keys()) {
            JsonObject c = st.object(item);
            StaffingCost cost{item, {}, c.number("participants_per_staff"), c.number("annual_cost")};
            if (c.has("tiers")) cost.tiers = names_from_json(c, "tiers");
            c.finish({"participants_per_staff", "annual_cost", "tiers"});
            iv.staffing.push_back(std::move(cost));
        }
    }
    if (o.has("start_up_cost")) {
        JsonObject su = o.object("start_up_cost");
        for (const auto& item : su.keys()) iv.start_up.push_back({item, su.number(item)});
    }
    if (o.has("upward_transition_change")) {
        JsonObject u = o.object("upward_transition_change");
        iv.upward_transition_change = UpwardTransitionChange{u.number("mean"), u.number("sd", 0.0)};
        u.finish({"mean", "sd"});
    }
    o.finish({"name", "effects", "program_cost_pmpm", "target_tiers", "target_risk_score", "uptake", "ramp_up", "staffing",
              "start_up_cost", "upward_transition_change"});
    return iv;
}

/// The intervention's JSON; who takes part and the ramp-up only when they differ from
/// everyone from the start (so version 0.2's resolved scenarios are written unchanged).
Json intervention_to_json(const Intervention& in) {
    Json iv;
    iv["name"] = in.name;
    iv["effects"] = Json::object();
    for (const auto& e : in.effects) {
        const Json effect = {{"mean", e.mean}, {"sd", e.sd}};
        if (e.tier.empty()) iv["effects"][e.category] = effect;
        else iv["effects"][e.category]["by_tier"][e.tier] = effect;
    }
    iv["program_cost_pmpm"] = Json::object();
    for (const auto& c : in.costs) {
        if (c.by_tier.empty()) {
            iv["program_cost_pmpm"][c.item] = c.pmpm;
            continue;
        }
        Json by = Json::object();
        for (const auto& r : c.by_tier) by[r.tier] = r.pmpm;
        iv["program_cost_pmpm"][c.item] = {{"by_tier", std::move(by)}};
    }
    if (!in.target_tiers.empty()) iv["target_tiers"] = in.target_tiers;
    if (const auto& r = in.target_risk_score) {
        iv["target_risk_score"] = {{"min", r->min}};
        if (std::isfinite(r->max)) iv["target_risk_score"]["max"] = r->max;
    }
    if (in.uptake.mean != 1.0 || in.uptake.sd != 0.0) iv["uptake"] = {{"mean", in.uptake.mean}, {"sd", in.uptake.sd}};
    if (!in.ramp_up.empty()) iv["ramp_up"] = in.ramp_up;
    for (const auto& c : in.staffing) {
        Json cost = {{"participants_per_staff", c.participants_per_staff}, {"annual_cost", c.annual_cost}};
        if (!c.tiers.empty()) cost["tiers"] = c.tiers;
        iv["staffing"][c.item] = std::move(cost);
    }
    for (const auto& c : in.start_up) iv["start_up_cost"][c.item] = c.amount;
    if (const auto& u = in.upward_transition_change) iv["upward_transition_change"] = {{"mean", u->mean}, {"sd", u->sd}};
    return iv;
}

}  // namespace

SimulationOptions options_from_json(const Json& j, const std::string& path) {
    JsonObject o(j, path);
    SimulationOptions s;
    s.trials = o.count("trials", 0xFFFFFFFFull, s.trials);
    s.trial_begin = o.count("trial_begin", 0xFFFFFFFFull, 0);  // with trials: validate()
    s.seed = o.count("seed", ~0ull, s.seed);
    s.threads = static_cast<unsigned>(o.count("threads", 1024, s.threads));
    s.member_detail = o.boolean("member_detail", false);
    s.calibration_trials = o.count("calibration_trials", ~0ull, s.calibration_trials);  // range: validate()
    s.mode = mode_from_name(o.path("mode"), o.string("mode", "exact"));
    o.finish({"trials", "trial_begin", "seed", "threads", "member_detail", "calibration_trials", "mode"});
    s.validate(path);
    return s;
}

Json to_json(const SimulationOptions& o) {
    Json j{{"trials", o.trials}, {"seed", o.seed}, {"threads", o.threads}, {"member_detail", o.member_detail},
           {"calibration_trials", o.calibration_trials}};
    if (o.trial_begin != 0) j["trial_begin"] = o.trial_begin;  // a part of a larger run only
    if (o.mode != SimulationMode::exact) j["mode"] = mode_name(o.mode);  // exact: the default, as before version 0.4
    return j;
}

Scenario scenario_from_json(const Json& j) {
    JsonObject o(j, "");
    Scenario s;
    s.name = o.string("name", "scenario");
    const int years = years_from_json(o);
    const auto tiers = names_from_json(o, "tiers");
    const auto categories = names_from_json(o, "categories");
    {
        JsonObject cm = o.object("cost_model");
        s.cost_model = cost_model_from_json(cm, tiers, categories);
    }
    s.cost_model.validate("cost_model");
    {
        JsonObject pop = o.object("population");
        if (pop.has("generate")) {
            JsonObject g = pop.object("generate");
            const std::size_t members = g.count("members", 100'000'000);
            std::vector<double> mix(tiers.size(), 0.0);
            JsonObject mj = g.object("tier_mix");
            for (const auto& t : mj.keys()) mix[require_name(tiers, t, mj.path(t), "tier")] = mj.number(t);
            g.finish({"members", "tier_mix"});
            s.population = synthetic_population(members, mix, years, relative_tier_costs(s.cost_model, mix), g.path());
            s.population_recipe = PopulationRecipe{members, mix};
        } else {
            JsonObject members = pop.object("members");
            s.population = members_from_json(members, tiers, years);
        }
        if (pop.has("churn")) s.churn = churn_from_json(pop, tiers);
        if (pop.has("segments")) {
            JsonObject seg = pop.object("segments");
            for (const auto& name : seg.keys()) s.segments.push_back({name, names_from_json(seg, name)});
        }
        pop.finish({"generate", "members", "churn", "segments"});
    }
    if (o.has("intervention")) {
        JsonObject iv = o.object("intervention");
        s.intervention = intervention_from_json(iv);
    }
    if (o.has("settings")) s.settings = options_from_json(o.at("settings"), "settings");
    if (o.has("delivery")) s.delivery = delivery_from_json(o.at("delivery"), "delivery");
    if (o.has("payment_models")) {
        const Json& list = o.at("payment_models");
        if (!list.is_array()) throw InvalidInput("payment_models", "an array of payment models", describe(list));
        for (std::size_t i = 0; i < list.size(); ++i) s.payment_models.push_back(payment_model_from_json(list[i], index_path("payment_models", i)));
    }
    if (o.has("federal_match")) s.federal_match = FederalMatch::from_json(o.at("federal_match"), "federal_match");
    if (o.has("status_quo")) {
        s.status_quo = o.string("status_quo");
        if (s.status_quo.empty()) throw InvalidInput("status_quo", "the name of a payment model", "\"\"");
    }
    o.finish(scenario_keys());
    s.validate();
    return s;
}

namespace {

/// Runs `check`, adding the problem it throws (if any) to `out`; true when it passed.
template <class Check>
bool collect(std::vector<InvalidInput>& out, Check check) {
    try {
        check();
        return true;
    } catch (const InvalidInput& e) {
        out.push_back(e);
        return false;
    }
}

/// Each component of payment model `i` on its own, then the model's other keys.
void payment_model_problems(const Json& m, const std::string& where, std::vector<InvalidInput>& out) {
    const std::size_t before = out.size();
    if (m.is_object() && m.contains("components") && m.at("components").is_array()) {
        const Json& list = m.at("components");
        for (std::size_t k = 0; k < list.size(); ++k)
            collect(out, [&] {
                JsonObject c(list[k], index_path(where + ".components", k));
                if (c.has("years")) (void)json_numbers(c.at("years"), c.path("years"));
                (void)component_from_json(c.string("type"), c);
            });
    }
    if (out.size() == before) collect(out, [&] { (void)payment_model_from_json(m, where); });
}

/// Every problem of a member list, when the tiers and years it is read against are sound.
void member_list_problems(const Json& j, std::vector<InvalidInput>& out) {
    if (!j.contains("population") || !j.at("population").is_object() || !j.at("population").contains("members")) return;
    std::vector<std::string> tiers;
    int years = 1;
    std::vector<InvalidInput> reported_later;  // with the rest of the document
    if (!collect(reported_later, [&] {
            JsonObject o(j, "");
            tiers = names_from_json(o, "tiers");
            years = years_from_json(o);
        }))
        return;
    collect(out, [&] {
        JsonObject members(j.at("population").at("members"), "population.members");
        (void)read_member_list(members, tiers, years, out);
    });
}

/// Each cell's frequency and severity of the cost model on its own (their names are
/// checked against the tiers and categories later, with the rest of the cost model).
void cost_model_cell_problems(const Json& j, std::vector<InvalidInput>& out) {
    if (!j.contains("cost_model") || !j.at("cost_model").is_object() || !j.at("cost_model").contains("cells")) return;
    const Json& cells = j.at("cost_model").at("cells");
    if (!cells.is_object()) return;
    for (auto cat = cells.begin(); cat != cells.end(); ++cat) {
        if (!cat.value().is_object()) continue;
        for (auto tier = cat.value().begin(); tier != cat.value().end(); ++tier) {
            const std::string where = "cost_model.cells." + cat.key() + "." + tier.key();
            const Json& cell = tier.value();
            if (!cell.is_object()) continue;
            for (const char* part : {"frequency", "severity"})
                if (cell.contains(part))
                    collect(out, [&] {
                        if (part[0] == 'f') (void)frequency_from_json(cell.at(part), where + "." + part);
                        else (void)severity_from_json(cell.at(part), where + "." + part);
                    });
        }
    }
}

}  // namespace

std::vector<InvalidInput> scenario_problems(const Json& j) {
    std::vector<InvalidInput> out;
    if (!collect(out, [&] { JsonObject(j, ""); })) return out;
    for (auto it = j.begin(); it != j.end(); ++it)  // unknown keys, each once
        collect(out, [&] {
            const std::vector<std::string>& known = scenario_keys();
            if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
                const Json alone = {{it.key(), it.value()}};
                JsonObject(alone, "").finish(known);
            }
        });
    const std::size_t top = out.size();
    cost_model_cell_problems(j, out);
    member_list_problems(j, out);
    if (j.contains("settings")) collect(out, [&] { (void)options_from_json(j.at("settings"), "settings"); });
    if (j.contains("delivery")) collect(out, [&] { (void)delivery_from_json(j.at("delivery"), "delivery"); });
    if (j.contains("intervention")) collect(out, [&] {
        JsonObject iv(j.at("intervention"), "intervention");
        (void)intervention_from_json(iv);
    });
    if (j.contains("federal_match")) collect(out, [&] { (void)FederalMatch::from_json(j.at("federal_match"), "federal_match"); });
    if (j.contains("payment_models")) {
        const Json& list = j.at("payment_models");
        if (!list.is_array()) collect(out, [&] { throw InvalidInput("payment_models", "an array of payment models", describe(list)); });
        else
            for (std::size_t i = 0; i < list.size(); ++i) payment_model_problems(list[i], index_path("payment_models", i), out);
    }
    // The rest (names, the population and the cost model's other parts against the tiers
    // and categories, and every check across sections) needs the parts above to be sound:
    // its first problem only.
    if (out.size() == top) collect(out, [&] { (void)scenario_from_json(j); });
    return out;
}

Json cost_model_document(const CostModel& m) {
    Json j = cost_model_to_json(m);
    j["tiers"] = m.tiers;
    j["categories"] = m.categories;
    return j;
}

CostModel cost_model_document_from_json(const Json& j, const std::string& path) {
    JsonObject o(j, path);
    const auto tiers = names_from_json(o, "tiers");
    const auto categories = names_from_json(o, "categories");
    CostModel m = cost_model_from_json(o, tiers, categories);
    m.validate(path);
    return m;
}

CostModel load_cost_model(const std::string& file) {
    const Json j = read_json_file(file, "a cost model file (JSON)");
    try {
        return cost_model_document_from_json(j, "");
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": " + e.where(), e.expected(), e.actual());
    }
}

Json cost_model_part(const Json& scenario, Json document, const std::string& where) {
    for (const char* key : {"tiers", "categories"})
        if (document.is_object() && scenario.contains(key) && document.value(key, Json()) != scenario[key])
            throw InvalidInput(where + key, std::string("the scenario's ") + key + " " + scenario[key].dump(),
                               document.value(key, Json()).dump());
    if (document.is_object()) document.erase("tiers"), document.erase("categories");
    return document;
}

namespace {
/// A scenario's "cost_model" given as a path (relative to the scenario's folder): the
/// document's cost model in its place, after checking its tiers and categories are the scenario's.
Json with_cost_model_file(Json j, const std::string& scenario_file) {
    if (!j.is_object() || !j.contains("cost_model") || !j["cost_model"].is_string()) return j;
    std::filesystem::path path(j["cost_model"].get<std::string>());
    if (path.is_relative()) path = std::filesystem::path(scenario_file).parent_path() / path;
    j["cost_model"] = cost_model_part(j, read_json_file(path.string(), "a cost model file (JSON) named by cost_model"), path.string() + ": ");
    return j;
}
}  // namespace

Scenario load_scenario(const std::string& file) {
    const Json j = with_cost_model_file(read_json_file(file, "a scenario file (JSON)"), file);
    try {
        return scenario_from_json(j);
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": " + e.where(), e.expected(), e.actual());
    }
}

Json cost_model_to_json(const CostModel& m) {
    Json cm;
    cm["frailty_cv"] = m.frailty_cv;
    cm["trend"] = {{"mean", m.trend.mean}, {"sd", m.trend.sd}};
    Json cells = Json::object();
    for (std::size_t c = 0; c < m.categories.size(); ++c)
        for (std::size_t t = 0; t < m.tiers.size(); ++t)
            cells[m.categories[c]][m.tiers[t]] = {{"frequency", to_json(m.cell(t, c).frequency)},
                                                   {"severity", to_json(m.cell(t, c).severity)}};
    cm["cells"] = cells;
    if (!m.seasonality.empty()) {
        for (std::size_t c = 0; c < m.categories.size(); ++c)
            cm["seasonality"][m.categories[c]] = std::vector<double>(m.seasonality[c].begin(), m.seasonality[c].end());
    }
    if (m.copula_correlation.size() != 0) {
        Json rows = Json::array();
        for (Eigen::Index i = 0; i < m.copula_correlation.rows(); ++i) {
            Json r = Json::array();
            for (Eigen::Index k = 0; k < m.copula_correlation.cols(); ++k) r.push_back(m.copula_correlation(i, k));
            rows.push_back(r);
        }
        cm["copula"] = {{"correlation", rows}};
    }
    if (m.tier_transition.size() != 0)
        for (std::size_t i = 0; i < m.tiers.size(); ++i)
            for (std::size_t k = 0; k < m.tiers.size(); ++k) cm["tier_transitions"][m.tiers[i]][m.tiers[k]] = m.tier_transition(i, k);
    return cm;
}

Json scenario_to_json(const Scenario& s) {
    const CostModel& m = s.cost_model;
    Json j;
    j["name"] = s.name;
    j["years"] = s.years();
    j["tiers"] = m.tiers;
    j["categories"] = m.categories;
    if (s.population_recipe) {
        Json mix = Json::object();
        for (std::size_t t = 0; t < m.tiers.size(); ++t) mix[m.tiers[t]] = s.population_recipe->tier_mix[t];
        j["population"] = {{"generate", {{"members", s.population_recipe->members}, {"tier_mix", mix}}}};
    } else {
        const Population& p = s.population;
        Json tier = Json::array(), months = Json::array();
        for (std::size_t i = 0; i < p.size(); ++i) {
            tier.push_back(m.tiers[p.tier[i]]);
            Json row = Json::array();
            for (int y = 0; y < p.years; ++y) row.push_back(p.months_of(i, y));
            months.push_back(row);
        }
        j["population"] = {{"members", {{"id", p.id}, {"tier", tier}, {"age_band", p.age_band}, {"sex", p.sex},
                                        {"risk_score", p.risk_score}, {"months", months}}}};
    }
    if (s.churn) j["population"]["churn"] = churn_to_json(*s.churn, m.tiers);
    for (const Segment& seg : s.segments) j["population"]["segments"][seg.name] = seg.tiers;
    j["cost_model"] = cost_model_to_json(m);
    if (s.intervention) j["intervention"] = intervention_to_json(*s.intervention);
    j["settings"] = to_json(s.settings);
    if (!(s.delivery == DeliveryBasis{})) j["delivery"] = to_json(s.delivery);
    if (!s.payment_models.empty()) {
        j["payment_models"] = Json::array();
        for (const auto& model : s.payment_models) j["payment_models"].push_back(to_json(model));
    }
    if (s.federal_match) j["federal_match"] = s.federal_match->to_json();
    if (!s.status_quo.empty()) j["status_quo"] = s.status_quo;
    return j;
}

}  // namespace apmsim

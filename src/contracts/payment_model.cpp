// Payment models: lifetime, validation and JSON (contracts/payment_model.hpp).
#include "apmsim/contracts/payment_model.hpp"

#include "apmsim/contracts/benchmark.hpp"
#include "apmsim/contracts/component.hpp"
#include "apmsim/contracts/named_values.hpp"

#include <algorithm>

namespace apmsim {

PaymentModel::PaymentModel() = default;
PaymentModel::PaymentModel(const PaymentModel&) = default;
PaymentModel::PaymentModel(PaymentModel&&) noexcept = default;
PaymentModel& PaymentModel::operator=(const PaymentModel&) = default;
PaymentModel& PaymentModel::operator=(PaymentModel&&) noexcept = default;
PaymentModel::~PaymentModel() = default;
bool PaymentModel::operator==(const PaymentModel&) const = default;

void PaymentModel::validate(const std::string& where) const {
    if (name.empty()) throw InvalidInput(where + ".name", "a non-empty name", "\"\"");
    if (components.empty()) throw InvalidInput(where + ".components", "at least one component", "none");
    for (std::size_t i = 0; i < components.size(); ++i) {
        const std::string at = index_path(where + ".components", i);
        std::visit([&](const auto& c) { c.validate(at); }, components[i].terms);
        for (int y : components[i].years)
            if (y < 1 || y > 100) throw InvalidInput(at + ".years", "years from 1 to 100", std::to_string(y));
    }
    quality.validate(where + ".quality");
    validate_quality_use(where);
}

std::vector<std::size_t> PaymentModel::health_home_components() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < components.size(); ++i)
        if (marks_health_home(components[i].terms)) out.push_back(i);
    return out;
}

bool PaymentModel::in_force(std::size_t i, int year0) const { return components[i].in_force(year0); }

void PaymentModel::validate_quality_use(const std::string& where) const {
    const bool scored = this->scored();
    for (std::size_t i = 0; i < components.size(); ++i)
        if (uses_quality(components[i].terms) && !scored)
            throw InvalidInput(where + ".quality", std::string("a quality score ({\"fixed\": ...} or {\"measures\": [...]}) for ") +
                                                       index_path(where + ".components", i) + " (" + component_type(components[i].terms) +
                                                       "), which uses it",
                               "none");
    if (!scored) return;
    for (const auto& c : components)
        if (uses_quality(c.terms)) return;
    throw InvalidInput(where + ".quality", "a component that uses the score",
                       "a score that no component uses");
}

namespace {

/// A benchmark's (or corridor target's) list of PMPMs runs over the years its component is
/// in force, the last repeating: a longer list would have values with no effect.
void check_per_year_list(const std::string& at, const ComponentInForce& c, int horizon) {
    std::visit(
        [&](const auto& t) {
            const BenchmarkTerms* b = nullptr;
            std::string key;
            if constexpr (requires { t.benchmark; }) b = &t.benchmark, key = ".benchmark.pmpm";
            if constexpr (requires { t.target; })
                if (t.target) b = &*t.target, key = ".target.pmpm";
            const std::size_t in_force = c.years.empty() ? static_cast<std::size_t>(horizon) : c.years.size();
            if (b && b->pmpm.size() > in_force)
                throw InvalidInput(at + key, "at most " + std::to_string(in_force) + " PMPM(s): one per year the component is in force (" +
                                                 (c.years.empty() ? "every year of the horizon" : "its years") + "), the last repeating",
                                   std::to_string(b->pmpm.size()) + " values");
        },
        c.terms);
}

std::string flow_list(const std::vector<std::string>& flows) {
    std::string all;
    for (const auto& f : flows) all += (all.empty() ? "" : " or ") + f;
    return all;
}

/// Whether `c` pays `party` a flow named in `flows` (fee_for_service, capitation,
/// care_management_fees). Fee-for-service may pay the provider or the PCPs (the delivery's
/// shares, not known here), so it counts for both.
bool pays_as(const Component& c, Party party, const std::vector<std::string>& flows) {
    auto named = [&](const char* flow) { return std::find(flows.begin(), flows.end(), flow) != flows.end(); };
    if (std::holds_alternative<FeeForService>(c)) return named("fee_for_service");
    if (const auto* k = std::get_if<Capitation>(&c)) return named("capitation") && k->party == party;
    if (const auto* f = std::get_if<CareManagementFee>(&c)) return named("care_management_fees") && f->party == party;
    return false;
}

/// A quality withhold or performance adjustment takes a share of what the payer paid its
/// party that year: in a year when no component in force pays it one of those flows, it
/// can have no effect (an error, naming the year).
void check_has_a_basis(const std::string& where, const std::vector<ComponentInForce>& components, int horizon) {
    for (std::size_t i = 0; i < components.size(); ++i) {
        Party party;
        std::vector<std::string> flows = {"fee_for_service", "capitation", "care_management_fees"};
        if (const auto* w = std::get_if<QualityWithhold>(&components[i].terms)) party = w->party;
        else if (const auto* a = std::get_if<PerformanceAdjustment>(&components[i].terms)) party = a->party, flows = a->basis;
        else continue;
        for (int y = 0; y < horizon; ++y) {
            if (!components[i].in_force(y)) continue;
            bool paid = false;
            for (const auto& other : components) paid = paid || (other.in_force(y) && pays_as(other.terms, party, flows));
            if (!paid)
                throw InvalidInput(index_path(where + ".components", i),
                                   "a component in force in year " + std::to_string(y + 1) + " that pays the " + to_string(party) + " as " +
                                       flow_list(flows) + " (the basis it takes its share of; without one it can have no effect)",
                                   "none in year " + std::to_string(y + 1));
        }
    }
}

}  // namespace

void PaymentModel::validate_years(const std::string& where, int years) const {
    check_has_a_basis(where, components, years);
    for (std::size_t i = 0; i < components.size(); ++i) {
        const auto& ys = components[i].years;
        for (std::size_t k = 0; k < ys.size(); ++k) {
            const std::string at = index_path(index_path(where + ".components", i) + ".years", k);
            if (ys[k] > years)
                throw InvalidInput(at, "a year of the scenario's horizon, 1 to " + std::to_string(years), std::to_string(ys[k]));
            if (std::find(ys.begin(), ys.begin() + static_cast<std::ptrdiff_t>(k), ys[k]) != ys.begin() + static_cast<std::ptrdiff_t>(k))
                throw InvalidInput(at, "each year once", std::to_string(ys[k]) + " again");
        }
        // A rate trend moves rates from year 2: on a component in force in year 1 only it would do nothing.
        const bool trended = std::visit(
            [](const auto& t) {
                if constexpr (requires { t.rate_trend; }) return t.rate_trend.has_value();
                else return false;
            },
            components[i].terms);
        check_per_year_list(index_path(where + ".components", i), components[i], years);
        const int last = ys.empty() ? years : *std::max_element(ys.begin(), ys.end());
        if (trended && last < 2)
            throw InvalidInput(index_path(where + ".components", i) + ".rate_trend", "a component in force after year 1 (rates move from year 2)",
                               "in force in year 1 only");
    }
}

PaymentModel payment_model_from_json(const Json& j, const std::string& path) {
    JsonObject o(j, path);
    PaymentModel m;
    m.name = o.string("name");
    const Json& list = o.at("components");
    if (!list.is_array()) throw InvalidInput(o.path("components"), "an array of components", describe(list));
    for (std::size_t i = 0; i < list.size(); ++i) {
        JsonObject c(list[i], index_path(o.path("components"), i));
        ComponentInForce in_force{FeeForService{}, {}};
        const std::string type = c.string("type");
        if (c.has("years")) {
            for (double y : json_numbers(c.at("years"), c.path("years"))) {
                if (y != std::floor(y) || y < 1 || y > 100) throw InvalidInput(c.path("years"), "whole years from 1 to 100", show(y));
                in_force.years.push_back(static_cast<int>(y));
            }
        }
        in_force.terms = component_from_json(type, c);
        m.components.push_back(std::move(in_force));
    }
    if (o.has("quality")) m.quality = QualityTerms::from_json(o.at("quality"), o.path("quality"));
    if (o.has("segment")) {
        m.segment = o.string("segment");
        if (m.segment.empty()) throw InvalidInput(o.path("segment"), "a segment name", "\"\"");
    }
    o.finish({"name", "components", "quality", "segment"});
    m.validate(path);
    return m;
}

Json to_json(const PaymentModel& m) {
    Json j{{"name", m.name}, {"components", Json::array()}};
    for (const auto& c : m.components) {
        Json x{{"type", component_type(c.terms)}};
        if (!c.years.empty()) x["years"] = c.years;
        std::visit([&](const auto& terms) { terms.to_json(x); }, c.terms);
        j["components"].push_back(std::move(x));
    }
    if (m.scored()) j["quality"] = m.quality.to_json();
    if (!m.segment.empty()) j["segment"] = m.segment;
    return j;
}

DeliveryBasis delivery_from_json(const Json& j, const std::string& path) {
    JsonObject o(j, path);
    DeliveryBasis d;
    if (o.has("provider_share")) d.provider_share = NamedValues::from_json(o.at("provider_share"), o.path("provider_share"));
    if (o.has("pcp_share")) d.pcp_share = NamedValues::from_json(o.at("pcp_share"), o.path("pcp_share"));
    if (o.has("provider_cost_ratio"))
        d.provider_cost_ratio = NamedValues::from_json(o.at("provider_cost_ratio"), o.path("provider_cost_ratio"));
    if (o.has("pcp_cost_ratio")) d.pcp_cost_ratio = NamedValues::from_json(o.at("pcp_cost_ratio"), o.path("pcp_cost_ratio"));
    if (o.has("program_cost_borne_by")) {
        JsonObject b = o.object("program_cost_borne_by");
        for (const auto& k : b.keys()) d.program_cost_bearer[k] = care_party_from_string(b.path(k), b.string(k));
    }
    o.finish({"provider_share", "pcp_share", "provider_cost_ratio", "pcp_cost_ratio", "program_cost_borne_by"});
    d.validate(path);
    return d;
}

Json to_json(const DeliveryBasis& d) {
    Json j{{"provider_share", d.provider_share.to_json()},
           {"pcp_share", d.pcp_share.to_json()},
           {"provider_cost_ratio", d.provider_cost_ratio.to_json()},
           {"pcp_cost_ratio", d.pcp_cost_ratio.to_json()}};
    if (!d.program_cost_bearer.empty()) {
        j["program_cost_borne_by"] = Json::object();
        for (const auto& [k, p] : d.program_cost_bearer) j["program_cost_borne_by"][k] = to_string(p);
    }
    return j;
}

}  // namespace apmsim

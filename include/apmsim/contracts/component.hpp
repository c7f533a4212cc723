#pragma once
/// \file component.hpp
/// \brief The registry of contract components. Adding a type: write its header (terms,
/// validate, needs, settle, JSON; see fee_for_service.hpp for the smallest), add it to
/// the variant below, write its tests. The JSON factory and the Python class (one per
/// alternative, named T::class_name) follow from this list.

#include "apmsim/contracts/capitation.hpp"
#include "apmsim/contracts/care_management_fee.hpp"
#include "apmsim/contracts/fee_for_service.hpp"
#include "apmsim/contracts/quality_withhold.hpp"
#include "apmsim/contracts/risk_corridor.hpp"
#include "apmsim/contracts/shared_savings.hpp"
#include "apmsim/contracts/stop_loss.hpp"

#include <variant>

namespace apmsim {

using Component = std::variant<FeeForService, Capitation, CareManagementFee, SharedSavings, SharedRisk, RiskCorridor,
                               SpecificStopLoss, AggregateStopLoss, QualityWithhold>;

/// Names of every registered component type, for error messages.
inline std::string component_type_names() {
    std::string out;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((out += (I ? ", " : "") + std::string(std::variant_alternative_t<I, Component>::type_name)), ...);
    }(std::make_index_sequence<std::variant_size_v<Component>>{});
    return out;
}

/// The component of JSON type `type` read from `o` (its "type" and "years" already read).
inline Component component_from_json(const std::string& type, JsonObject& o) {
    std::optional<Component> out;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (([&] {
             using T = std::variant_alternative_t<I, Component>;
             if (!out && type == T::type_name) {
                 T c = T::from_json(o);
                 std::vector<std::string> allowed = T::keys();
                 allowed.insert(allowed.begin(), {"type", "years"});
                 o.finish(allowed);
                 c.validate(o.path());
                 out = std::move(c);
             }
         }()),
         ...);
    }(std::make_index_sequence<std::variant_size_v<Component>>{});
    if (!out) throw InvalidInput(o.path("type"), "one of: " + component_type_names(), "\"" + type + "\"");
    return std::move(*out);
}

inline const char* component_type(const Component& c) {
    return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::type_name; }, c);
}
inline int phase(const Component& c) {
    return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::phase; }, c);
}

/// What a component declares about itself (false when it does not say): it states a
/// comparison of expenditure with a benchmark; it pays for savings or charges for losses
/// (counted in the error rates); it uses the payment model's quality score.
inline bool compares(const Component& c) {
    return std::visit([](const auto& x) { if constexpr (requires { x.compares(); }) return x.compares(); else return false; }, c);
}
inline bool pays_on_performance(const Component& c) {
    return std::visit([](const auto& x) { if constexpr (requires { x.pays_on_performance(); }) return x.pays_on_performance(); else return false; }, c);
}
inline bool uses_quality(const Component& c) {
    return std::visit([](const auto& x) { if constexpr (requires { x.uses_quality(); }) return x.uses_quality(); else return false; }, c);
}

/// A component and the years (1-based) it is in force; empty: every year (glide paths
/// list different components for different years).
struct ComponentInForce {
    Component terms;
    std::vector<int> years;

    bool in_force(int year0) const {
        if (years.empty()) return true;
        for (int y : years)
            if (y == year0 + 1) return true;
        return false;
    }
    bool operator==(const ComponentInForce&) const = default;
};

}  // namespace apmsim

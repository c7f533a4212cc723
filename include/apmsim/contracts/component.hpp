#pragma once
/// \file component.hpp
/// \brief The registry of contract components. Adding a type: write its header, add it
/// to the `Component` variant below (the one registration line), write its tests. The
/// JSON factory, the Python class (named T::class_name), the settlement and the list of
/// metrics follow from this list.
///
/// A component type T holds only its terms and declares what it is:
///   type_name, class_name, example (a typical use in JSON), phase (settlement order: 0 pays for care or per member, 1
///   adjusts those payments, 2 compares expenditure with a benchmark, 3 insures, 4 shares a
///   capitated party's risk net of its insurance: corridors), its
///   `metrics` (the flows it books), validate(where), from_json / to_json / keys, and
///   prepare(setup, where, needs) -> T::Prepared, whose settle(ctx, ledger) settles one
///   period with every name resolved (it neither allocates nor throws).
/// Optional declarations (absent means no): compares() (it states a Comparison),
/// pays_on_performance() (it pays for savings or charges for losses: counted in the error
/// rates), uses_quality(), marks_health_home() (it pays for health-home services), covers() / residual() / capitated_party() (what care it pays
/// for, checked against the others in force), insures() (the party and categories a stop-loss covers), check_coverage(), and on T::Prepared
/// calibrate() / describe_calibration() (expectations fixed before the year).

#include "apmsim/contracts/capitation.hpp"
#include "apmsim/contracts/care_management_fee.hpp"
#include "apmsim/contracts/fee_for_service.hpp"
#include "apmsim/contracts/performance_adjustment.hpp"
#include "apmsim/contracts/quality_withhold.hpp"
#include "apmsim/contracts/risk_corridor.hpp"
#include "apmsim/contracts/shared_savings.hpp"
#include "apmsim/contracts/stop_loss.hpp"

#include <algorithm>
#include <string_view>
#include <variant>

namespace apmsim {

using Component = std::variant<FeeForService, Capitation, CareManagementFee, SharedSavings, SharedRisk, RiskCorridor,
                               SpecificStopLoss, AggregateStopLoss, QualityWithhold, PerformanceAdjustment>;

/// The prepared form of each registered type, in the same order.
template <class V>
struct prepared_variant;
template <class... T>
struct prepared_variant<std::variant<T...>> {
    using type = std::variant<typename T::Prepared...>;
};
using PreparedComponent = prepared_variant<Component>::type;

/// The metric the driver states for every period of a scored payment model.
inline constexpr MetricInfo quality_score_metric{"quality_score", "the period's quality score (0 to 1), stated once per model by the driver"};

namespace detail {
/// Every metric the registered types declare, each name once, in registration order,
/// then the quality score.
template <class V>
struct metric_list;
template <class... T>
struct metric_list<std::variant<T...>> {
    static constexpr std::size_t declared = (T::metrics.size() + ...);
    static constexpr auto all = [] {
        std::array<MetricInfo, declared + 1> out{};
        std::size_t n = 0;
        auto add = [&](const MetricInfo& m) {
            for (std::size_t k = 0; k < n; ++k)
                if (out[k].name == m.name) return;
            out[n++] = m;
        };
        (([&] { for (const MetricInfo& m : T::metrics) add(m); }()), ...);
        add(quality_score_metric);
        return std::pair{out, n};
    }();
};
}  // namespace detail

/// The metrics of every registered component type, each once.
inline std::span<const MetricInfo> registered_metrics() {
    static constexpr auto list = detail::metric_list<Component>::all;
    static_assert(list.second <= max_metrics, "raise max_metrics in contracts/ledger.hpp");
    return {list.first.data(), list.second};
}

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
/// It pays for health-home services (matched at the enhanced federal rate: contracts/federal_match.hpp).
inline bool marks_health_home(const Component& c) {
    return std::visit([](const auto& x) { if constexpr (requires { x.marks_health_home(); }) return x.marks_health_home(); else return false; }, c);
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
    /// Which of its own years year `year0` (0-based, in force) is, 0-based: what a per-year
    /// list of its terms (a benchmark's PMPMs) is indexed by.
    std::size_t term_year(int year0) const {
        if (years.empty()) return static_cast<std::size_t>(year0);
        return static_cast<std::size_t>(std::count_if(years.begin(), years.end(), [&](int y) { return y < year0 + 1; }));
    }
    bool operator==(const ComponentInForce&) const = default;
};

}  // namespace apmsim

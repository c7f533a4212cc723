#pragma once
/// \file payment_model.hpp
/// \brief A payment model: a named list of components settled together (e.g.
/// fee-for-service + care-management fee + shared savings + specific stop-loss), with
/// the years each is in force and the quality score the model uses. All payment models
/// of a scenario are settled on the same simulated costs.
///
/// The components' types are registered in contracts/component.hpp; this header only
/// names them, so what includes a PaymentModel (the Scenario, and everything above it)
/// does not recompile when a component header changes.

#include "apmsim/contracts/delivery.hpp"
#include "apmsim/contracts/quality.hpp"

#include <string>
#include <vector>

namespace apmsim {

struct ComponentInForce;  // contracts/component.hpp

struct PaymentModel {
    std::string name;
    std::vector<ComponentInForce> components;
    QualityTerms quality;
    /// The population segment it covers (population.segments); empty: the whole population.
    std::string segment;

    PaymentModel();
    PaymentModel(const PaymentModel&);
    PaymentModel(PaymentModel&&) noexcept;
    PaymentModel& operator=(const PaymentModel&);
    PaymentModel& operator=(PaymentModel&&) noexcept;
    ~PaymentModel();

    /// Name, components (each validated) and the use of the quality score.
    void validate(const std::string& where) const;
    /// Every component's years lie within a horizon of `years` and are listed once.
    void validate_years(const std::string& where, int years) const;
    bool scored() const { return quality.defined(); }
    /// The components (indices) marked as paying for health-home services.
    std::vector<std::size_t> health_home_components() const;
    /// Whether component `i` is in force in year `year0` (0-based).
    bool in_force(std::size_t i, int year0) const;

    bool operator==(const PaymentModel&) const;

private:
    /// A component that uses the quality score needs one defined, and a score that no
    /// component uses would have no effect: both are errors.
    void validate_quality_use(const std::string& where) const;
};

/// {"name", "components": [{"type", "years", terms...}], "quality"}; errors name the JSON path.
PaymentModel payment_model_from_json(const Json& j, const std::string& path);
Json to_json(const PaymentModel& m);

DeliveryBasis delivery_from_json(const Json& j, const std::string& path);
Json to_json(const DeliveryBasis& d);

}  // namespace apmsim

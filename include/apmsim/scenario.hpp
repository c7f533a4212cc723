#pragma once
/// \file scenario.hpp
/// \brief The document that holds a whole study: the Model that is simulated
/// (population, cost model, intervention), who delivers the care (delivery), the payment
/// models settled side by side on the same simulated costs, who pays the payer's cost
/// (the state and the federal match), and default settings.
/// It sits above every layer; the engine and the exact methods take its Model part.

#include "apmsim/contracts/delivery.hpp"
#include "apmsim/contracts/federal_match.hpp"
#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/population/model.hpp"
#include "apmsim/simulation/options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace apmsim {

struct Scenario : Model {
    std::string name = "scenario";
    SimulationOptions settings;  ///< default trials, seed and threads for this scenario
    DeliveryBasis delivery;      ///< who delivers each category's care, at what cost
    std::vector<PaymentModel> payment_models;  ///< settled side by side on the same costs
    /// The payer's cost split into the state's and the federal government's (none: not split).
    std::optional<FederalMatch> federal_match;
    /// The payment model every other is compared with (status_quo); empty: the default,
    /// a model named fee_for_service when there is one.
    std::string status_quo;

    /// The status-quo model's name: `status_quo`, or fee_for_service when a model has that
    /// name; none when neither, or when no other model covers the same population segment.
    std::optional<std::string> status_quo_model() const;
    /// Whether `model` names a payment model with another on its population segment (the
    /// models it can be compared with on common random numbers).
    bool has_comparable_model(const std::string& model) const;

    /// The model, the settings, the delivery basis against the categories and program
    /// cost items, and every payment model (names unique, years within the horizon).
    void validate() const;

private:
    /// federal_match against the horizon and the payment models: it has models to split, a
    /// health-home rule has a marked component in force while it raises the match, and a
    /// marked component has a rule (each would otherwise have no effect).
    void validate_federal_match() const;

public:

    /// The bundled synthetic CMC program of shared/DOMAIN.md section 2 with `members`
    /// children (25% tier A, 50% B, 25% C, in that order), `years` years of 12 months,
    /// trend 4% (sd 1%), the default complex-care-coordination intervention and an
    /// illustrative delivery basis; with `payment_models`, four payment models (FFS;
    /// FFS + care fees + shared savings; a glide path to shared risk; global capitation
    /// with an ACA corridor and specific stop-loss).
    static Scenario default_cmc_program(std::size_t members = 1000, int years = 3, bool payment_models = true);

private:
    void validate_segment_of(const PaymentModel& m, const std::string& where) const;
};

}  // namespace apmsim

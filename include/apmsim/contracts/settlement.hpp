#pragma once
/// \file settlement.hpp
/// \brief The payment models of a scenario prepared for settlement once, before the first
/// trial (names resolved to indices and masks, care coverage checked year by year, the
/// member-level reductions and benchmark base periods the driver must compute listed),
/// then settled one model, trial, arm and year at a time from experience. Settlement never
/// runs the engine: the driver (apmsim::run) simulates and hands the experience in.

#include "apmsim/contracts/component.hpp"
#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/experience/experience.hpp"

#include <optional>
#include <string>
#include <vector>

namespace apmsim {

/// One component of a model, prepared.
struct SettlementStep {
    const ComponentInForce* component = nullptr;
    std::string where;   ///< its JSON path, payment_models[i].components[j]
    std::string label;   ///< in the results: the type, or type@index when the model has two
    ComponentNeeds needs;
    PreparedComponent prepared;
    std::size_t first_reduction = 0;        ///< in the main experience table
    std::size_t base_reduction = 0;         ///< in the base-period table (when truncated)
    std::optional<std::size_t> comparison;  ///< its slot among all comparing components
    std::vector<double> calibration;        ///< what its calibrate() returned
};

struct PreparedModel {
    const PaymentModel* model = nullptr;
    std::vector<SettlementStep> steps;   ///< in settlement order (phase, then listed order)
    std::vector<CareCoverage> coverage;  ///< [year]
    bool scored = false;                 ///< has a quality score
    bool pays_on_performance = false;    ///< a component pays for savings or charges for losses
    std::size_t segment = 0;             ///< which setup (and experience) it settles on: 0 the whole population
};

/// What benchmarks are priced from: the simulated base period (when a benchmark asks for
/// it) and the expected cost of each tier (the tier-mix risk adjustment's weights).
struct BenchmarkBasis {
    const ExperienceTable* base_period = nullptr;
    std::vector<double> tier_mean;     ///< [tier] expected allowed cost per member-year
    double given_base_tier_risk = 1.0; ///< tier-mix risk of year 1's members (a given base period)
};

/// One period of one trial and arm, as the driver hands it to settle().
struct PeriodInputs {
    const PeriodExperience& experience;
    std::uint64_t trial = 0;
    int year = 0;  ///< 0-based
    bool intervention_arm = false;
    double realised_trend = 0.0;
    double quality_score = 1.0;
};

class Settlement {
public:
    /// Prepares every model; errors name the JSON path. `trend_mean` deflates year 1's
    /// truncation point to the base period's base-year dollars.
    Settlement(const std::vector<PaymentModel>& models, const SettlementSetup& setup, const DeliveryBasis& delivery,
               const std::vector<Party>& program_cost_bearer, double trend_mean);
    /// The same with the pool facts of each model's population segment: model i is prepared
    /// against setups[segment_of_model[i]] (setups[0]: the whole population); the driver
    /// hands each model the experience of its segment.
    Settlement(const std::vector<PaymentModel>& models, const std::vector<SettlementSetup>& setups,
               const std::vector<std::size_t>& segment_of_model, const DeliveryBasis& delivery,
               const std::vector<Party>& program_cost_bearer, double trend_mean);

    const std::vector<PreparedModel>& models() const { return models_; }
    const SettlementSetup& setup() const { return setup_; }
    /// Member-level reductions for the main run and calibration sample, and for the base period.
    const std::vector<MemberReduction>& reductions() const { return reductions_; }
    const std::vector<MemberReduction>& base_reductions() const { return base_reductions_; }
    /// Years of simulated base period a benchmark needs (0: none).
    std::size_t base_years() const { return base_years_; }
    std::size_t comparison_slots() const { return comparisons_; }
    bool needs_calibration() const;
    /// Whether model `m` has a component that calibrates.
    bool needs_calibration(std::size_t m) const;

    /// Fixes what contracts set before the year from the calibration sample's base case,
    /// each model from the table of its segment (calibration_sample[segment]).
    void calibrate(std::span<const ExperienceTable> calibration_sample);

    /// Settles model `m` for one period into `ledger`; comparing components write their
    /// Comparison to comparisons[slot]. Neither allocates nor throws.
    void settle(std::size_t m, const PeriodInputs& in, const BenchmarkBasis& basis, Ledger& ledger,
                std::span<Comparison> comparisons) const;

private:
    double benchmark_pmpm(const SettlementStep& step, const SettlementSetup& setup, const PeriodInputs& in, const BenchmarkBasis& basis) const;

    SettlementSetup setup_;
    std::vector<SettlementSetup> setups_;  ///< [segment]
    ResolvedDelivery delivery_;
    std::vector<Party> bearer_;  ///< [program cost item] who bears it
    std::vector<PreparedModel> models_;
    std::vector<MemberReduction> reductions_, base_reductions_;
    std::size_t base_years_ = 0, comparisons_ = 0;
    MetricId quality_metric_;
};

}  // namespace apmsim

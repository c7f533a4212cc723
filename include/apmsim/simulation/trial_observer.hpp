#pragma once
/// \file trial_observer.hpp
/// \brief A hook that sees every member's annual cost of one trial while it is in
/// memory, so contracts that need member-level amounts (specific stop-loss,
/// truncation) can settle without storing trials x members.

#include <cstdint>
#include <span>

namespace apmsim {

struct TrialView {
    std::size_t trial = 0;  ///< the trial's slot in the run: its number less options.trial_begin
    int years = 0;
    std::size_t members = 0;  ///< the population's members, then the slots of entrants (churn)
    /// per arm: [member * years + year] tier in force that year (a program that prevents
    /// rising risk moves its participants' tiers apart from the baseline's)
    std::span<const std::span<const std::uint16_t>> arm_tiers;
    std::span<const std::uint8_t> months;           ///< [member * years + year]: eligible months (with churn, drawn per trial)
    /// [member * years + year]: the first of those months (0-11), or empty: every member-year's
    /// months are the year's first ones
    std::span<const std::uint8_t> first_months;
    std::span<const double> risk_score;             ///< [member]: the population's, then entrants' (churn.hpp)
    std::span<const std::span<const double>> arms;  ///< per arm: [member * years + year] allowed cost
    std::size_t categories = 0;
    /// per arm: [(member * years + year) * categories + category] allowed cost
    std::span<const std::span<const double>> arm_categories;
    std::span<const std::uint8_t> participant;      ///< [member]: 1 when the member takes part in the program (empty: no program)

    /// The month member-year `my`'s eligible months start in.
    int first_month(std::size_t my) const { return first_months.empty() ? 0 : first_months[my]; }
};

/// Called once per trial from worker threads, in no particular order. An observer must
/// write only to storage owned by `view.trial` (results stay bit-identical whatever the
/// thread count) and must not throw.
class TrialObserver {
public:
    virtual ~TrialObserver() = default;
    virtual void observe(const TrialView& view) = 0;
};

}  // namespace apmsim

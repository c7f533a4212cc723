#pragma once
/// \file experience.hpp
/// \brief What settlement needs from one trial, arm and year of a simulation: allowed
/// cost by category, exposure by tier, risk-score-weighted exposure, program costs, and
/// member-level reductions (truncation excess, specific stop-loss recoveries) computed
/// while the trial's members are in memory, so nothing of size trials x members is kept.

#include "apmsim/simulation/run_control.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace apmsim {

/// sum over members of min(limit, coinsurance x max(0, cost - attachment[year])), where
/// cost is the member-year's allowed cost in the selected categories. With coinsurance
/// 1 and no limit it is the excess over a truncation point; otherwise a specific
/// stop-loss recovery.
struct MemberReduction {
    std::vector<double> attachment;  ///< [year]
    double coinsurance = 1.0;
    double limit = std::numeric_limits<double>::infinity();
    std::vector<bool> categories;  ///< [category] included

    double apply(double cost, int year) const {
        return std::min(limit, coinsurance * std::max(0.0, cost - attachment[static_cast<std::size_t>(year)]));
    }
    bool operator==(const MemberReduction&) const = default;
};

/// One trial-arm-year row of an ExperienceTable.
struct PeriodExperience {
    std::span<const double> allowed;        ///< [category]
    std::span<const double> member_months;  ///< [tier]
    double members = 0;                     ///< members with any eligibility
    double risk_months = 0;                 ///< sum of risk score x months
    std::span<const double> program_cost;   ///< [intervention component]
    std::span<const double> member_sums;    ///< [reduction]

    double total_months() const { return sum(member_months); }
    double total_allowed() const { return sum(allowed); }
    double allowed_in(const std::vector<bool>& categories) const {
        double s = 0.0;
        for (std::size_t c = 0; c < allowed.size(); ++c) s += categories[c] ? allowed[c] : 0.0;
        return s;
    }

private:
    static double sum(std::span<const double> v) {
        double s = 0.0;
        for (double x : v) s += x;
        return s;
    }
};

class ExperienceTable {
public:
    ExperienceTable() = default;
    /// Zeroed rows for every trial, arm and year (Interrupted when `control` asks to stop meanwhile).
    ExperienceTable(std::uint64_t trials, std::size_t arms, int years, std::size_t categories, std::size_t tiers,
                    std::size_t components, std::size_t reductions, const RunControl& control = {})
        : trials_(trials), arms_(arms), years_(years), C_(categories), T_(tiers), K_(components), R_(reductions),
          stride_(categories + tiers + 2 + components + reductions) {
        fill_stoppably(data_, trials * arms * static_cast<std::size_t>(years) * stride_, 0.0, control);
    }

    std::uint64_t trials() const { return trials_; }
    std::size_t arms() const { return arms_; }
    int years() const { return years_; }

    std::span<double> row(std::uint64_t trial, std::size_t arm, int year) {
        return {data_.data() + offset(trial, arm, year), stride_};
    }
    PeriodExperience at(std::uint64_t trial, std::size_t arm, int year) const {
        const double* r = data_.data() + offset(trial, arm, year);
        return {{r, C_}, {r + C_, T_}, r[C_ + T_], r[C_ + T_ + 1], {r + C_ + T_ + 2, K_}, {r + C_ + T_ + 2 + K_, R_}};
    }
    std::size_t categories() const { return C_; }
    std::size_t tiers() const { return T_; }
    std::size_t components() const { return K_; }
    /// The memory it holds.
    std::size_t bytes() const { return sizeof(*this) + data_.capacity() * sizeof(double); }

private:
    std::size_t offset(std::uint64_t trial, std::size_t arm, int year) const {
        return ((trial * arms_ + arm) * static_cast<std::size_t>(years_) + static_cast<std::size_t>(year)) * stride_;
    }
    std::uint64_t trials_ = 0;
    std::size_t arms_ = 0;
    int years_ = 0;
    std::size_t C_ = 0, T_ = 0, K_ = 0, R_ = 0, stride_ = 0;
    std::vector<double> data_;
};

}  // namespace apmsim

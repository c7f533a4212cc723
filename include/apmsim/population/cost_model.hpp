#pragma once
/// \file cost_model.hpp
/// \brief Frequency and severity per tier x service category, member frailty,
/// an optional Gaussian copula, seasonality, tier transitions and annual trend.

#include "apmsim/core/errors.hpp"
#include "apmsim/distributions/distribution.hpp"

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace apmsim {

struct CategoryModel {
    Frequency frequency;  ///< events per member-year at 12 months of exposure
    Severity severity;    ///< allowed cost per event, base-year dollars
};

/// Annual cost trend g ~ Normal(mean, sd), drawn once per trial: a common shock shared
/// by every member of the trial. Year k (1-based) costs are base-year costs times (1+g)^k.
struct Trend {
    double mean = 0.0;
    double sd = 0.0;
};

struct CostModel {
    std::vector<std::string> tiers;
    std::vector<std::string> categories;
    std::vector<CategoryModel> cells;  ///< [tier * categories.size() + category]
    double frailty_cv = 0.0;           ///< gamma frailty (mean 1) per member-year; 0 = none
    Eigen::MatrixXd copula_correlation;  ///< categories x categories, or empty for independence
    std::vector<std::array<double, 12>> seasonality;  ///< per category, or empty for flat
    Eigen::MatrixXd tier_transition;  ///< tiers x tiers row-stochastic, or empty for fixed tiers
    Trend trend;

    std::size_t tier_count() const { return tiers.size(); }
    std::size_t category_count() const { return categories.size(); }
    const CategoryModel& cell(std::size_t tier, std::size_t category) const {
        return cells[tier * categories.size() + category];
    }

    /// Index of a tier or category by name, or -1.
    static int index_of(const std::vector<std::string>& names, const std::string& name) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        return -1;
    }

    void validate(const std::string& where) const {
        check_names(where + ".tiers", tiers, "tier");
        check_names(where + ".categories", categories, "category");
        if (tiers.size() > 1000) throw InvalidInput(where + ".tiers", "at most 1000 tiers", std::to_string(tiers.size()));
        if (categories.size() > 1000)
            throw InvalidInput(where + ".categories", "at most 1000 categories", std::to_string(categories.size()));
        if (cells.size() != tiers.size() * categories.size())
            throw InvalidInput(where + ".categories", std::to_string(tiers.size() * categories.size()) +
                                                          " tier x category cells",
                               std::to_string(cells.size()));
        for (std::size_t t = 0; t < tiers.size(); ++t)
            for (std::size_t c = 0; c < categories.size(); ++c) {
                // Counts are 32-bit and every event is drawn: keep a member-year's count sane.
                const Frequency& f = cell(t, c).frequency;
                const std::string at = where + ".cells." + categories[c] + "." + tiers[t] + ".frequency";
                if (!(mean(f) <= 1e6)) throw InvalidInput(at, "a mean of at most 1e6 events per member-year", show(mean(f)));
                if (!(variance(f) <= 1e12))
                    throw InvalidInput(at, "a variance of at most 1e12 (events per member-year)^2", show(variance(f)));
            }
        check::in_closed(where + ".frailty_cv", frailty_cv, 0.0, 10.0);
        check::finite(where + ".trend.mean", trend.mean);
        if (!(trend.mean > -1.0)) throw InvalidInput(where + ".trend.mean", "a rate > -1", show(trend.mean));
        check::in_closed(where + ".trend.sd", trend.sd, 0.0, 1.0);
        if (!(trend.mean - 6.0 * trend.sd > -1.0))  // (1 + g)^k must stay positive
            throw InvalidInput(where + ".trend.sd", "mean - 6 sd > -1 (a trend that cannot fall to -100%)",
                               show(trend.sd) + " with mean " + show(trend.mean));
        if (!seasonality.empty()) {
            if (seasonality.size() != categories.size())
                throw InvalidInput(where + ".seasonality", "one row per category",
                                   std::to_string(seasonality.size()) + " rows");
            for (std::size_t c = 0; c < seasonality.size(); ++c) {
                double sum = 0.0;
                for (int m = 0; m < 12; ++m) {
                    check::non_negative(where + ".seasonality." + categories[c] + "[" + std::to_string(m) + "]",
                                        seasonality[c][m]);
                    sum += seasonality[c][m];
                }
                if (std::fabs(sum / 12.0 - 1.0) > 1e-6)
                    throw InvalidInput(where + ".seasonality." + categories[c],
                                       "12 monthly factors averaging 1", "an average of " + show(sum / 12.0));
            }
        }
        if (copula_correlation.size() != 0) validate_correlation(where + ".copula.correlation");
        if (tier_transition.size() != 0) validate_transition(where + ".tier_transitions");
    }

private:
    static void check_names(const std::string& where, const std::vector<std::string>& names, const char* what) {
        if (names.empty()) throw InvalidInput(where, std::string("at least one ") + what, "none");
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string at = where + "[" + std::to_string(i) + "]";
            if (names[i].empty()) throw InvalidInput(at, "a non-empty name", "\"\"");
            for (std::size_t k = 0; k < i; ++k)
                if (names[k] == names[i]) throw InvalidInput(at, "a name not used before", "\"" + names[i] + "\" again");
        }
    }
    /// copula_correlation is a symmetric n x n matrix with 1 on the diagonal, entries in
    /// [-1, 1], and positive definite (its Cholesky factorisation succeeds).
    void validate_correlation(const std::string& where) const;
    void validate_transition(const std::string& where) const {
        const auto n = static_cast<Eigen::Index>(tiers.size());
        const auto& p = tier_transition;
        if (p.rows() != n || p.cols() != n)
            throw InvalidInput(where, std::to_string(n) + " x " + std::to_string(n) + " matrix",
                               std::to_string(p.rows()) + " x " + std::to_string(p.cols()));
        for (Eigen::Index i = 0; i < n; ++i) {
            double sum = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
                check::probability(where + "." + tiers[i] + "." + tiers[j], p(i, j));
                sum += p(i, j);
            }
            if (std::fabs(sum - 1.0) > 1e-9)
                throw InvalidInput(where + "." + tiers[i], "a row summing to 1", "a sum of " + show(sum));
        }
    }
};

}  // namespace apmsim

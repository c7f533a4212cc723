#pragma once
/// \file minimum_savings_rate.hpp
/// \brief Minimum savings rates: the MSSP size table and the confidence-interval rule
/// it was built from. Shared by the contracts (shared savings/risk terms) and the
/// small-population analytics.
///
/// Sources (shared/DOMAIN.md section 4): 42 CFR 425.604(b) MSR table, linearly
/// interpolated within each band; CMS's example 7,500 beneficiaries -> 3.3%.
/// Confidence-interval rule: MSR(n) = z * cv / sqrt(n).

#include "apmsim/core/errors.hpp"
#include "apmsim/random/variates.hpp"

#include <array>
#include <cmath>
#include <string>

namespace apmsim {

/// Whether a confidence level describes a two-sided interval (z = Phi^-1((1+p)/2)) or a
/// one-sided bound (z = Phi^-1(p)). CMS's 90% two-sided interval gives z = 1.645.
enum class Sides { one = 1, two = 2 };

inline const char* to_string(Sides s) { return s == Sides::one ? "one" : "two"; }

/// Parses "one"/"two" (JSON, CLI and Python spell it the same).
inline Sides sides_from_string(const std::string& where, const std::string& text) {
    if (text == "one") return Sides::one;
    if (text == "two") return Sides::two;
    throw InvalidInput(where, "\"one\" or \"two\"", "\"" + text + "\"");
}

/// The normal quantile z for a confidence level in (0, 1).
inline double confidence_z(double confidence, Sides sides, const std::string& where = "confidence") {
    check::in_open(where, confidence, 0.0, 1.0);
    const double p = sides == Sides::two ? 0.5 * (1.0 + confidence) : confidence;
    return random::standard_normal_quantile(p);
}

/// MSR = z * cv / sqrt(members): the half-width, as a share of the mean, of the
/// confidence interval of a pool's mean cost (DOMAIN section 4).
inline double minimum_savings_rate(double members, double cv, double confidence = 0.90, Sides sides = Sides::two) {
    check::positive("members", members);
    check::positive("cv", cv);
    return confidence_z(confidence, sides) * cv / std::sqrt(members);
}

namespace detail {
struct MsspKnot {
    double beneficiaries;
    double msr;
};
// Band starts of 42 CFR 425.604(b). Each band runs linearly from its low-end rate to its
// high-end rate, and every band's high-end rate is the next band's low-end rate, so the
// table is one continuous piecewise-linear function with these knots; flat from 60,000.
inline constexpr std::array<MsspKnot, 10> mssp_knots{{{5'000, 0.039},
                                                      {6'000, 0.036},
                                                      {7'000, 0.034},
                                                      {8'000, 0.032},
                                                      {9'000, 0.031},
                                                      {10'000, 0.030},
                                                      {15'000, 0.027},
                                                      {20'000, 0.025},
                                                      {50'000, 0.022},
                                                      {60'000, 0.020}}};

/// The table's rate for a checked number of beneficiaries (at least 5,000).
inline double mssp_interpolate(double beneficiaries) noexcept {
    const auto& k = mssp_knots;
    if (beneficiaries >= k.back().beneficiaries) return k.back().msr;
    std::size_t i = 0;
    while (beneficiaries >= k[i + 1].beneficiaries) ++i;
    const double f = (beneficiaries - k[i].beneficiaries) / (k[i + 1].beneficiaries - k[i].beneficiaries);
    return k[i].msr + f * (k[i + 1].msr - k[i].msr);
}
}  // namespace detail

/// The one-sided MSSP minimum savings rate for a number of assigned beneficiaries.
/// The table starts at 5,000 (the smallest MSSP ACO); smaller pools are an error that
/// points to the confidence-interval rule, which is what the table was built from.
inline double mssp_minimum_savings_rate(double beneficiaries, const std::string& where = "beneficiaries") {
    check::finite(where, beneficiaries);
    const auto& k = detail::mssp_knots;
    if (beneficiaries < k.front().beneficiaries)
        throw InvalidInput(where,
                           "at least 5,000 beneficiaries (the MSSP table, 42 CFR 425.604(b), starts there; "
                           "use the confidence-interval MSR for smaller pools)",
                           show(beneficiaries));
    return detail::mssp_interpolate(beneficiaries);
}

}  // namespace apmsim

#pragma once
/// \file rate_trend.hpp
/// \brief How a PMPM rate moves after the first contract year: not at all, by a given
/// annual trend, or by the trial's realised cost trend (a rate indexed to the market).
/// The rates stated are those of year 1; year k (1-based) pays them x (1 + g)^(k - 1),
/// instead of one glide-path component per year.

#include "apmsim/core/json_reader.hpp"

#include <cmath>
#include <optional>
#include <string>

namespace apmsim {

struct RateTrend {
    std::optional<double> annual;  ///< a given annual trend; none: the trial's realised trend
    bool operator==(const RateTrend&) const = default;

    /// The factor on year-1 rates in year `year` (0-based) of a trial whose cost trend was `realised`.
    double factor(int year, double realised) const { return std::pow(std::max(0.0, 1.0 + annual.value_or(realised)), year); }
    void validate(const std::string& where) const {
        if (annual && !(*annual > -1.0 && *annual < 1.0)) throw InvalidInput(where, "an annual trend in (-1, 1), or \"realised\"", show(*annual));
    }
    /// A number, or "realised".
    static RateTrend from_json(const Json& j, const std::string& where) {
        if (j.is_string() && j.get<std::string>() == "realised") return {};
        if (!j.is_number()) throw InvalidInput(where, "an annual trend (a number) or \"realised\"", describe(j));
        return {json_number(j, where)};
    }
    Json to_json() const { return annual ? Json(*annual) : Json("realised"); }
};

}  // namespace apmsim

#pragma once
/// \file minimum_rate.hpp
/// \brief The minimum savings (or loss) rate of a shared-savings contract: fixed, the
/// MSSP size table (42 CFR 425.604(b)), or the confidence-interval rule the table was
/// built from, MSR = z cv / sqrt(n) (shared/DOMAIN.md section 4). n is the number of
/// members eligible in the performance year. The cv defaults to the within-tier cv
/// (sqrt of the mean within-tier variance over the mean): for a pool whose tier mix is
/// fixed, the noise of its mean cost is that cv / sqrt(n); "cv": "total" takes the cv of a
/// member drawn at random from the mix (between-tier variance included, more conservative).

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/core/json_reader.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace apmsim {

struct MinimumRate {
    enum class Method { fixed, mssp_table, confidence_interval };
    Method method = Method::fixed;
    double rate = 0.0;              ///< fixed
    double confidence = 0.90;       ///< confidence_interval
    Sides sides = Sides::two;       ///< confidence_interval
    std::optional<double> cv;       ///< confidence_interval; none: the scenario's analytic cv (cv_basis)
    enum class CvBasis { within_tier, total };
    CvBasis cv_basis = CvBasis::within_tier;

    static MinimumRate fixed_rate(double r) { return MinimumRate{Method::fixed, r, 0.90, Sides::two, std::nullopt, CvBasis::within_tier}; }

    void validate(const std::string& where) const {
        if (method == Method::fixed) check::in_closed(where, rate, 0.0, 0.5);
        if (method == Method::confidence_interval) {
            check::in_open(where + ".confidence", confidence, 0.0, 1.0);
            if (cv) check::positive(where + ".cv", *cv);
        }
    }

    /// The rule resolved before the first trial: the cv (given, or the scenario's analytic
    /// cv of the chosen basis) and z fixed, so the rate for a pool of n members is a
    /// formula that cannot fail. `pool_members` (year 1) must reach the MSSP table.
    struct Resolved {
        Method method = Method::fixed;
        double rate = 0.0, z = 0.0, cv = 0.0;

        double operator()(double members) const noexcept {
            switch (method) {
                case Method::fixed: return rate;
                // The table starts at 5,000 (checked for year 1 at preparation); a later year's
                // pool that shrank below it keeps the table's first rate, 3.9%.
                case Method::mssp_table: return detail::mssp_interpolate(std::max(members, 5000.0));
                case Method::confidence_interval:
                    if (!(members > 0)) return 1.0;  // nobody eligible: nothing can be shared
                    return z * cv / std::sqrt(members);
            }
            return rate;
        }
    };
    Resolved resolve(double pool_members, double within_tier_cv, double total_cv, const std::string& where) const {
        Resolved r{method, rate, 0.0, 0.0};
        if (method == Method::mssp_table) mssp_minimum_savings_rate(pool_members, where + " (pool members)");
        if (method == Method::confidence_interval) {
            r.z = confidence_z(confidence, sides, where + ".confidence");
            r.cv = cv.value_or(cv_basis == CvBasis::total ? total_cv : within_tier_cv);
            check::positive(where + ".cv", r.cv);
        }
        return r;
    }

    /// A number (fixed), or {"method": "mssp_table"} or {"method": "confidence_interval",
    /// "confidence": 0.9, "sides": "two", "cv": 1.68}.
    static MinimumRate from_json(const Json& j, const std::string& path) {
        MinimumRate m;
        if (j.is_number()) {
            m.rate = j.get<double>();
        } else {
            JsonObject o(j, path);
            const std::string method = o.string("method");
            std::vector<std::string> keys = {"method"};  // the keys this method reads
            if (method == "fixed") {
                m.rate = o.number("rate");
                keys.push_back("rate");
            } else if (method == "mssp_table") {
                m.method = Method::mssp_table;
            } else if (method == "confidence_interval") {
                keys.insert(keys.end(), {"confidence", "sides", "cv"});
                m.method = Method::confidence_interval;
                m.confidence = o.number("confidence", 0.90);
                if (o.has("sides")) m.sides = sides_from_string(o.path("sides"), o.string("sides"));
                if (o.has("cv")) {
                    const Json& c = o.at("cv");
                    if (c.is_string() && (c.get<std::string>() == "within_tier" || c.get<std::string>() == "total"))
                        m.cv_basis = c.get<std::string>() == "total" ? CvBasis::total : CvBasis::within_tier;
                    else if (c.is_number())
                        m.cv = o.number("cv");
                    else
                        throw InvalidInput(o.path("cv"), "a number, \"within_tier\" or \"total\"", describe(c));
                }
            } else {
                throw InvalidInput(o.path("method"), "\"fixed\", \"mssp_table\" or \"confidence_interval\"", "\"" + method + "\"");
            }
            o.finish(keys);
        }
        m.validate(path);
        return m;
    }
    Json to_json() const {
        if (method == Method::fixed) return rate;
        if (method == Method::mssp_table) return Json{{"method", "mssp_table"}};
        Json j{{"method", "confidence_interval"}, {"confidence", confidence}, {"sides", to_string(sides)}};
        j["cv"] = cv ? Json(*cv) : Json(cv_basis == CvBasis::total ? "total" : "within_tier");
        return j;
    }
    bool operator==(const MinimumRate&) const = default;
};

}  // namespace apmsim

#pragma once
/// \file benchmark.hpp
/// \brief The benchmark (or target) that shared savings, shared risk and risk corridors
/// compare expenditure with: given directly as PMPM, or a base-period PMPM (given, or
/// simulated without the program on fresh random numbers) x trend x risk adjustment,
/// less a discount. Sources: shared/DOMAIN.md section 4 (MSSP benchmark: weighted base
/// years 10/30/60, risk adjusted, trended; regional trend), section 5 (REACH discount).

#include "apmsim/core/json_reader.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace apmsim {

enum class RiskAdjustment { none, tier_mix, risk_score };

/// What the settlement driver resolves for one trial and year before a benchmark is priced.
struct BenchmarkInputs {
    double realised_trend = 0;   ///< the trial's trend draw
    double simulated_base_pmpm = std::nan("");  ///< weighted base-period PMPM (simulated baseline only)
    double base_risk = 1, performance_risk = 1;  ///< average risk of base period and performance year
};

struct BenchmarkTerms {
    std::vector<double> pmpm;             ///< given benchmark PMPM by year (one value: every year)
    std::optional<double> baseline_pmpm;  ///< given base-period PMPM (base-year dollars)
    std::vector<double> base_year_weights = {1.0};  ///< simulated base years, oldest first
    std::optional<double> trend;          ///< annual trend; none = the trial's realised trend
    RiskAdjustment risk_adjustment = RiskAdjustment::none;
    double discount = 0.0;

    bool direct() const { return !pmpm.empty(); }
    bool simulated_baseline() const { return !direct() && !baseline_pmpm; }

    void validate(const std::string& where) const {
        for (std::size_t i = 0; i < pmpm.size(); ++i) check::positive(index_path(where + ".pmpm", i), pmpm[i]);
        if (baseline_pmpm) check::positive(where + ".baseline_pmpm", *baseline_pmpm);
        if (base_year_weights.empty() || base_year_weights.size() > 10)
            throw InvalidInput(where + ".base_year_weights", "1 to 10 weights", std::to_string(base_year_weights.size()));
        double total = 0;
        for (std::size_t i = 0; i < base_year_weights.size(); ++i) {
            check::non_negative(index_path(where + ".base_year_weights", i), base_year_weights[i]);
            total += base_year_weights[i];
        }
        if (std::fabs(total - 1.0) > 1e-9) throw InvalidInput(where + ".base_year_weights", "weights that sum to 1", show(total));
        if (trend) check::in_open(where + ".trend", *trend, -1.0, 1.0);
        check::in_closed(where + ".discount", discount, 0.0, 0.5);
    }

    /// Benchmark PMPM in year `year` of the horizon (0-based; performance year 1 is trended
    /// once from the base period, like the simulated costs), the `term_year`-th year its
    /// component is in force (0-based: a given list runs over those years).
    double pmpm_in(int year, std::size_t term_year, const BenchmarkInputs& in) const {
        double b;
        if (direct()) {
            b = pmpm[std::min<std::size_t>(term_year, pmpm.size() - 1)];
        } else {
            const double base = baseline_pmpm ? *baseline_pmpm : in.simulated_base_pmpm;
            const double g = trend ? *trend : in.realised_trend;
            b = base * std::pow(std::max(0.0, 1.0 + g), year + 1);
            if (risk_adjustment != RiskAdjustment::none) b *= in.performance_risk / in.base_risk;
        }
        return b * (1.0 - discount);
    }

    static BenchmarkTerms from_json(const Json& j, const std::string& path) {
        JsonObject o(j, path);
        BenchmarkTerms b;
        if (o.has("pmpm")) {
            const Json& p = o.at("pmpm");
            b.pmpm = p.is_array() ? json_numbers(p, o.path("pmpm")) : std::vector<double>{json_number(p, o.path("pmpm"))};
            if (b.pmpm.empty()) throw InvalidInput(o.path("pmpm"), "a PMPM or one per year", "an empty array");
            for (const char* k : {"baseline_pmpm", "base_year_weights", "trend", "risk_adjustment"})
                if (o.has(k)) throw InvalidInput(o.path(k), "no base-period terms with a given \"pmpm\"", describe(j[k]));
        } else {
            if (o.has("baseline_pmpm")) {
                const Json& v = o.at("baseline_pmpm");
                if (!(v.is_string() && v.get<std::string>() == "simulated")) b.baseline_pmpm = json_number(v, o.path("baseline_pmpm"));
            }
            if (o.has("base_year_weights")) b.base_year_weights = json_numbers(o.at("base_year_weights"), o.path("base_year_weights"));
            if (o.has("trend")) {
                const Json& t = o.at("trend");
                if (!(t.is_string() && t.get<std::string>() == "realised")) b.trend = json_number(t, o.path("trend"));
            }
            const std::string ra = o.string("risk_adjustment", "none");
            if (ra == "tier_mix") b.risk_adjustment = RiskAdjustment::tier_mix;
            else if (ra == "risk_score") b.risk_adjustment = RiskAdjustment::risk_score;
            else if (ra != "none") throw InvalidInput(o.path("risk_adjustment"), "\"none\", \"tier_mix\" or \"risk_score\"", "\"" + ra + "\"");
        }
        b.discount = o.number("discount", 0.0);
        o.finish({"pmpm", "baseline_pmpm", "base_year_weights", "trend", "risk_adjustment", "discount"});
        b.validate(path);
        return b;
    }

    Json to_json() const {
        Json j = Json::object();
        if (direct()) {
            j["pmpm"] = pmpm.size() == 1 ? Json(pmpm[0]) : Json(pmpm);
        } else {
            j["baseline_pmpm"] = baseline_pmpm ? Json(*baseline_pmpm) : Json("simulated");
            j["base_year_weights"] = base_year_weights;
            j["trend"] = trend ? Json(*trend) : Json("realised");
            j["risk_adjustment"] = risk_adjustment == RiskAdjustment::none       ? "none"
                                   : risk_adjustment == RiskAdjustment::tier_mix ? "tier_mix"
                                                                                 : "risk_score";
        }
        if (discount != 0.0) j["discount"] = discount;
        return j;
    }
    bool operator==(const BenchmarkTerms&) const = default;
};

}  // namespace apmsim

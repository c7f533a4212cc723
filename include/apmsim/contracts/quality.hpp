#pragma once
/// \file quality.hpp
/// \brief The quality score a payment model uses to gate or scale sharing and to
/// return withholds: fixed, or a weighted mean of measures (e.g. family-reported
/// well-being, care-plan timeliness, HEDIS-like rates), each a beta distribution with
/// the given mean and sd, optionally lifted by the program in the intervention arm.
/// These are terms only: the run driver draws one uniform per measure, trial and year
/// (apmsim::quality_score in run.hpp) and both arms use it (common random numbers), so
/// the lift is the only difference.

#include "apmsim/core/json_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace apmsim {

/// A score meets a gate's threshold: score >= threshold, less 1e-12. A score is a weighted
/// mean of values in [0, 1], computed with rounding errors near 1e-16; a score equal to
/// the threshold in exact arithmetic (measures 0.7 and 0.85 weighted 1 and 2 against 0.8)
/// must meet it ("the full rate applies when the quality standard is met", 42 CFR 425).
inline bool meets_quality_threshold(double score, double threshold) { return score >= threshold - 1e-12; }

struct QualityMeasure {
    std::string name;
    double weight = 1.0;
    double mean = 0.0;
    double sd = 0.0;
    double intervention_lift = 0.0;  ///< added to the mean in the intervention arm

    /// The measure for a uniform u: the beta quantile (method of moments), or the mean when sd = 0.
    double value(double u, bool intervention_arm) const;
    bool operator==(const QualityMeasure&) const = default;
};

struct QualityTerms {
    std::optional<double> fixed;          ///< a fixed score (overrides measures)
    std::vector<QualityMeasure> measures;  ///< none and no fixed score: the score is 1

    void validate(const std::string& where) const {
        if (fixed) check::probability(where + ".fixed", *fixed);
        if (fixed && !measures.empty()) throw InvalidInput(where, "either \"fixed\" or \"measures\"", "both");
        for (std::size_t k = 0; k < measures.size(); ++k) {
            const QualityMeasure& q = measures[k];
            const std::string at = index_path(where + ".measures", k);
            if (q.name.empty()) throw InvalidInput(at + ".name", "a non-empty name", "\"\"");
            check::positive(at + ".weight", q.weight);
            check::in_open(at + ".mean", q.mean, 0.0, 1.0);
            check::in_open(at + ".mean + intervention_lift", q.mean + q.intervention_lift, 0.0, 1.0);
            for (double m : {q.mean, q.mean + q.intervention_lift})
                if (!(q.sd >= 0.0 && q.sd * q.sd < m * (1.0 - m)))
                    throw InvalidInput(at + ".sd", "0 <= sd < sqrt(mean (1 - mean)) = " + show(std::sqrt(m * (1.0 - m))),
                                       show(q.sd));
        }
    }

    /// A score is defined (fixed, or from measures).
    bool defined() const { return fixed.has_value() || !measures.empty(); }

    /// The score for an arm, given measure k's uniform `uniform(k)`: the weighted mean of
    /// the measures' values; the fixed score; 1 when no score is defined.
    template <class Uniform>
    double score(Uniform uniform, bool intervention_arm) const {
        if (fixed) return *fixed;
        if (measures.empty()) return 1.0;
        double s = 0.0, w = 0.0;
        for (std::size_t k = 0; k < measures.size(); ++k) {
            s += measures[k].weight * measures[k].value(uniform(k), intervention_arm);
            w += measures[k].weight;
        }
        return s / w;
    }

    static QualityTerms from_json(const Json& j, const std::string& path) {
        JsonObject o(j, path);
        QualityTerms q;
        if (o.has("fixed")) q.fixed = o.number("fixed");
        if (o.has("measures")) {
            const Json& list = o.at("measures");
            if (!list.is_array()) throw InvalidInput(o.path("measures"), "an array of measures", describe(list));
            for (std::size_t k = 0; k < list.size(); ++k) {
                JsonObject m(list[k], index_path(o.path("measures"), k));
                QualityMeasure x;
                x.name = m.string("name");
                x.weight = m.number("weight", 1.0);
                x.mean = m.number("mean");
                x.sd = m.number("sd", 0.0);
                x.intervention_lift = m.number("intervention_lift", 0.0);
                m.finish({"name", "weight", "mean", "sd", "intervention_lift"});
                q.measures.push_back(x);
            }
        }
        o.finish({"fixed", "measures"});
        q.validate(path);
        return q;
    }

    Json to_json() const {
        Json j = Json::object();
        if (fixed) j["fixed"] = *fixed;
        if (!measures.empty()) {
            j["measures"] = Json::array();
            for (const auto& m : measures)
                j["measures"].push_back(
                    {{"name", m.name}, {"weight", m.weight}, {"mean", m.mean}, {"sd", m.sd}, {"intervention_lift", m.intervention_lift}});
        }
        return j;
    }
    bool operator==(const QualityTerms&) const = default;
};

}  // namespace apmsim

#pragma once
/// \file quality_withhold.hpp
/// \brief Quality withhold: a share of what the payer paid the `party` under the model
/// that year (fee-for-service, capitation, care-management fees) is withheld and returned
/// when the quality target is met (quality "gate": all if the score reaches the
/// quality_threshold, nothing otherwise; the gate needs a threshold in (0, 1]) or in
/// proportion to the score ("scale", no threshold); the same terms as shared savings. The part not returned goes back to the payer. Needs the
/// payment model to define a quality score.

#include "apmsim/contracts/quality.hpp"
#include "apmsim/contracts/settlement_context.hpp"

namespace apmsim {

struct QualityWithhold {
    static constexpr const char* type_name = "quality_withhold";
    static constexpr const char* class_name = "QualityWithhold";
    static constexpr int phase = 1;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "quality_withhold", "rate": 0.02, "quality": "gate", "quality_threshold": 0.8})";

    Party party = Party::provider;
    double rate = 0.0;       ///< share withheld
    bool scale = false;      ///< return in proportion to the score instead of a gate
    std::optional<double> threshold;  ///< gate only

    void validate(const std::string& where) const {
        if (party != Party::provider && party != Party::pcp) throw InvalidInput(where + ".party", "\"provider\" or \"pcp\"", to_string(party));
        check::in_closed(where + ".rate", rate, 0.0, 0.5);
        if (!scale && !threshold) throw InvalidInput(where + ".quality_threshold", "a threshold in (0, 1] for quality \"gate\"", "none");
        if (scale && threshold) throw InvalidInput(where + ".quality_threshold", "no threshold with quality \"scale\"", show(*threshold));
        if (threshold) check::in_half_open(where + ".quality_threshold", *threshold, 0.0, 1.0);
    }
    bool uses_quality() const { return true; }
    static constexpr std::array<MetricInfo, 1> metrics = {{{"withhold_retained", "withheld by the payer and not returned"}}};

    struct Prepared {
        const QualityWithhold* terms;
        std::array<MetricId, 3> base;  ///< what the payer paid the party: fee_for_service, capitation, care_management_fees
        MetricId retained;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            const QualityWithhold& w = *terms;
            double paid = 0.0;
            for (MetricId m : base) paid += ledger.received_as(m, w.party);
            const double returned = w.scale ? ctx.quality_score : (meets_quality_threshold(ctx.quality_score, *w.threshold) ? 1.0 : 0.0);
            ledger.pay(retained, w.party, Party::payer, w.rate * paid * (1.0 - returned));
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string&, ComponentNeeds&) const {
        return {this, {s.metric("fee_for_service"), s.metric("capitation"), s.metric("care_management_fees")}, s.metric("withhold_retained")};
    }

    static QualityWithhold from_json(JsonObject& o) {
        QualityWithhold w;
        w.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        w.rate = o.number("rate");
        const std::string rule = o.string("quality", "gate");
        if (rule != "gate" && rule != "scale") throw InvalidInput(o.path("quality"), "\"gate\" or \"scale\"", "\"" + rule + "\"");
        w.scale = rule == "scale";
        if (o.has("quality_threshold")) w.threshold = o.number("quality_threshold");
        return w;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["rate"] = rate;
        j["quality"] = scale ? "scale" : "gate";
        if (threshold) j["quality_threshold"] = *threshold;
    }
    static std::vector<std::string> keys() { return {"party", "rate", "quality", "quality_threshold"}; }
    bool operator==(const QualityWithhold&) const = default;
};

}  // namespace apmsim

#pragma once
/// \file risk_corridor.hpp
/// \brief Risk corridors: the deviation of expenditure X from a target T, d = (T - X) / T
/// (savings positive), is split into bands as a fraction of the target; in each band the
/// at-risk party keeps a share. Savings and losses have their own bands (asymmetric
/// corridors allowed). The kept amount is T x sum_b keep_b x |[0, |d|] intersect band_b|,
/// continuous in X.
///   With a `target` (a benchmark), X is the allowed cost of `categories` (default all).
///   Without one, T = the capitation paid to the party x target_ratio, so a capitation
///   to the party must be in force in every year the corridor is, and X is the allowed
///   cost of the categories that capitation covers (listing other categories is an error).
///   basis "shared": the party is paid the kept share of savings and owes the kept share
///   of losses (ACO REACH, on a fee-for-service base);
///   basis "capitated": the party already holds the whole deviation (capitation); it
///   returns the savings it does not keep and is paid the losses it does not keep
///   (ACA 42 USC 18062, Medicaid 42 CFR 438 corridors). Its expenditure is net of the
///   stop-loss recoveries the party receives that year (as ACA allowable costs are net of
///   reinsurance payments, 45 CFR 153.500), so the two never pay for the same dollar:
///   corridors settle after insurance (phase 4), and every category that stop-loss covers
///   must be one the corridor measures.
/// Presets from shared/DOMAIN.md section 5: reach_global, reach_professional, aca,
/// medicaid_example, medicaid_contractor_103.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <limits>
#include <optional>

namespace apmsim {

struct CorridorBand {
    double from = 0.0;  ///< fraction of target
    double to = std::numeric_limits<double>::infinity();
    double keep = 1.0;  ///< share kept by the party
    bool operator==(const CorridorBand&) const = default;
};

struct RiskCorridor {
    static constexpr const char* type_name = "risk_corridor";
    static constexpr const char* class_name = "RiskCorridor";
    static constexpr int phase = 4;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "risk_corridor", "preset": "reach_global", "target": {"pmpm": 3900}})";

    enum class Basis { shared, capitated };
    Party party = Party::provider;
    Basis basis = Basis::capitated;
    std::optional<BenchmarkTerms> target;  ///< none: the party's capitation revenue x target_ratio
    double target_ratio = 1.0;
    std::vector<std::string> categories;   ///< expenditure categories; empty: all (target) or the capitated ones
    std::vector<CorridorBand> savings_bands, loss_bands;

    static double kept(double deviation, const std::vector<CorridorBand>& bands) {
        double k = 0.0;
        for (const auto& b : bands) k += b.keep * std::max(0.0, std::min(deviation, b.to) - b.from);
        return k;
    }

    static void validate_bands(const std::string& where, const std::vector<CorridorBand>& bands) {
        if (bands.empty()) throw InvalidInput(where, "at least one band", "none");
        for (std::size_t i = 0; i < bands.size(); ++i) {
            const std::string at = index_path(where, i);
            const double expected_from = i == 0 ? 0.0 : bands[i - 1].to;
            if (bands[i].from != expected_from)
                throw InvalidInput(at + ".from", i == 0 ? "0 (bands start at the target)" : "the previous band's \"to\", " + show(expected_from) + " (sorted, contiguous, not overlapping)",
                                   show(bands[i].from));
            if (!(bands[i].to > bands[i].from)) throw InvalidInput(at + ".to", "a bound above \"from\" = " + show(bands[i].from), show(bands[i].to));
            check::probability(at + ".keep", bands[i].keep);
        }
        if (bands.back().to != std::numeric_limits<double>::infinity())
            throw InvalidInput(index_path(where, bands.size() - 1) + ".to", "null (the last band is unbounded)", show(bands.back().to));
    }

    bool compares() const { return true; }
    /// Shared basis: pays the party for savings and charges it for losses.
    bool pays_on_performance() const { return basis == Basis::shared; }

    void validate(const std::string& where) const {
        if (party != Party::provider && party != Party::pcp) throw InvalidInput(where + ".party", "\"provider\" or \"pcp\"", to_string(party));
        if (target) target->validate(where + ".target");
        if (target && target_ratio != 1.0)
            throw InvalidInput(where + ".target_ratio", "no target_ratio with a \"target\" (it scales a capitation target)", show(target_ratio));
        check::positive(where + ".target_ratio", target_ratio);
        validate_bands(where + ".savings_bands", savings_bands);
        validate_bands(where + ".loss_bands", loss_bands);
    }

    /// Without a target: a capitation to the party in force this year (0-based), and
    /// listed categories equal to the ones it covers. On a capitated basis, every category
    /// the party's stop-loss covers is one it measures (it nets those recoveries).
    void check_coverage(const SettlementSetup& s, const CareCoverage& coverage, int year, const std::string& where) const {
        const std::vector<bool>& capitated = coverage.capitated_to_party(party);
        const std::string in_year = " in year " + std::to_string(year + 1);
        if (!target && std::find(capitated.begin(), capitated.end(), true) == capitated.end())
            throw InvalidInput(where + ".target", std::string("a target, or a capitation paid to the ") + to_string(party) + " in force" +
                                                      in_year + " (the corridor's default target)",
                               "neither");
        if (!target && !categories.empty() && s.category_mask(categories, where + ".categories") != capitated)
            throw InvalidInput(where + ".categories", "the categories the capitation it is measured against covers (" + s.categories_in(capitated) +
                                                          "), or a target", names_to_json(categories).dump());
        if (basis != Basis::capitated) return;
        const std::vector<bool> measured = target ? s.category_mask(categories, where + ".categories") : capitated;
        const std::vector<bool>& insured = coverage.insured_for_party(party);
        for (std::size_t c = 0; c < insured.size(); ++c)
            if (insured[c] && !measured[c])
                throw InvalidInput(where + ".categories",
                                   std::string("categories that include every one the ") + to_string(party) + "'s stop-loss covers" + in_year +
                                       " (" + s.categories_in(insured) + "): a corridor on a capitated basis measures cost net of those recoveries",
                                   "\"" + s.categories[c] + "\" insured, not measured");
    }

    static constexpr std::array<MetricInfo, 3> metrics = {{
        {"corridor_transfer", "risk corridor: paid by the payer to the party when positive, by the party when negative"},
        {"savings_paid", "every payment for savings: shared savings, shared risk, corridors on a shared basis"},
        {"losses_owed", "every charge for losses: shared risk, corridors on a shared basis"}}};

    struct Prepared {
        const RiskCorridor* terms;
        std::vector<bool> mask;  ///< [category] expenditure with a target; else the capitated ones of that year
        MetricId transfer, savings_paid, losses_owed, capitation, recoveries;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            const RiskCorridor& c = *terms;
            const double T = c.target ? ctx.benchmark_pmpm * ctx.months() : ledger.received_as(capitation, c.party) * c.target_ratio;
            double X = ctx.experience.allowed_in(c.target ? mask : ctx.coverage.capitated_to_party(c.party));
            if (c.basis == Basis::capitated) X -= ledger.received_as(recoveries, c.party);  // net of its stop-loss (file comment)
            const double d = T > 0 ? (T - X) / T : 0.0;
            if (ctx.comparison) *ctx.comparison = {T, X, d};
            if (!(T > 0)) return;
            double to_party;  // signed transfer from the payer to the party
            if (d >= 0) {
                const double keep = T * kept(d, c.savings_bands);
                to_party = c.basis == Basis::shared ? keep : -(T * d - keep);
            } else {
                const double keep = T * kept(-d, c.loss_bands);
                to_party = c.basis == Basis::shared ? -keep : (T * -d - keep);
            }
            ledger.pay(transfer, Party::payer, c.party, to_party);
            if (c.basis == Basis::shared) ledger.record(to_party > 0 ? savings_paid : losses_owed, std::fabs(to_party));
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds& n) const {
        n.base_categories = s.category_mask(categories, where + ".categories");
        if (target) n.benchmark = &*target;
        return {this, n.base_categories, s.metric("corridor_transfer"), s.metric("savings_paid"), s.metric("losses_owed"),
                s.metric("capitation"), s.metric("stop_loss_recoveries")};
    }

    /// Sets bands (and basis) from a named preset.
    static void apply_preset(RiskCorridor& c, const std::string& name, const std::string& where) {
        const double inf = std::numeric_limits<double>::infinity();
        if (name == "reach_global") {  // kept by the ACO: <25% 100%, 25-35% 50%, 35-50% 25%, >50% 10%
            c.basis = Basis::shared;
            c.savings_bands = c.loss_bands = {{0, 0.25, 1.0}, {0.25, 0.35, 0.5}, {0.35, 0.5, 0.25}, {0.5, inf, 0.1}};
        } else if (name == "reach_professional") {  // <5% 50%, 5-10% 35%, 10-15% 15%, >15% 5%
            c.basis = Basis::shared;
            c.savings_bands = c.loss_bands = {{0, 0.05, 0.5}, {0.05, 0.10, 0.35}, {0.10, 0.15, 0.15}, {0.15, inf, 0.05}};
        } else if (name == "aca") {  // government shares none within 3%, 50% in 3-8%, 80% beyond 8%
            c.basis = Basis::capitated;
            c.savings_bands = c.loss_bands = {{0, 0.03, 1.0}, {0.03, 0.08, 0.5}, {0.08, inf, 0.2}};
        } else if (name == "medicaid_example") {  // keeps 95-100% of target, half of 90-95%, returns the rest
            c.basis = Basis::capitated;
            c.savings_bands = {{0, 0.05, 1.0}, {0.05, 0.10, 0.5}, {0.10, inf, 0.0}};
            c.loss_bands = {{0, inf, 1.0}};
        } else if (name == "medicaid_contractor_103") {  // liable for costs between 100% and 103% of expected
            c.basis = Basis::capitated;
            c.savings_bands = {{0, inf, 1.0}};
            c.loss_bands = {{0, 0.03, 1.0}, {0.03, inf, 0.0}};
        } else {
            throw InvalidInput(where, "one of: reach_global, reach_professional, aca, medicaid_example, medicaid_contractor_103",
                               "\"" + name + "\"");
        }
    }

    static std::vector<CorridorBand> bands_from_json(const Json& j, const std::string& path) {
        if (!j.is_array()) throw InvalidInput(path, "an array of {\"from\", \"to\", \"keep\"}", describe(j));
        std::vector<CorridorBand> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            JsonObject o(j[i], index_path(path, i));
            CorridorBand b;
            b.from = o.number("from");
            if (!o.at("to").is_null()) b.to = o.number("to");
            b.keep = o.number("keep");
            o.finish({"from", "to", "keep"});
            out.push_back(b);
        }
        return out;
    }
    static Json bands_to_json(const std::vector<CorridorBand>& bands) {
        Json a = Json::array();
        for (const auto& b : bands)
            a.push_back({{"from", b.from}, {"to", b.to == std::numeric_limits<double>::infinity() ? Json(nullptr) : Json(b.to)}, {"keep", b.keep}});
        return a;
    }

    static RiskCorridor from_json(JsonObject& o) {
        RiskCorridor c;
        if (o.has("preset")) {
            apply_preset(c, o.string("preset"), o.path("preset"));
            for (const char* k : {"savings_bands", "loss_bands", "bands"})
                if (o.has(k)) throw InvalidInput(o.path(k), "no bands with a \"preset\"", describe(o.at(k)));
        } else if (o.has("bands")) {
            c.savings_bands = c.loss_bands = bands_from_json(o.at("bands"), o.path("bands"));
            for (const char* k : {"savings_bands", "loss_bands"})
                if (o.has(k)) throw InvalidInput(o.path(k), "either \"bands\" (symmetric) or savings_bands and loss_bands", describe(o.at(k)));
        } else {
            c.savings_bands = bands_from_json(o.at("savings_bands"), o.path("savings_bands"));
            c.loss_bands = bands_from_json(o.at("loss_bands"), o.path("loss_bands"));
        }
        if (o.has("basis")) {
            const std::string b = o.string("basis");
            if (b != "shared" && b != "capitated") throw InvalidInput(o.path("basis"), "\"shared\" or \"capitated\"", "\"" + b + "\"");
            c.basis = b == "shared" ? Basis::shared : Basis::capitated;
        }
        c.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        if (o.has("target")) c.target = BenchmarkTerms::from_json(o.at("target"), o.path("target"));
        c.target_ratio = o.number("target_ratio", 1.0);
        if (c.target && o.has("target_ratio"))
            throw InvalidInput(o.path("target_ratio"), "no target_ratio with a \"target\" (it scales a capitation target)", describe(o.at("target_ratio")));
        if (o.has("categories")) c.categories = names_from_json(o.at("categories"), o.path("categories"));
        // Band errors are located where the bands were given.
        validate_bands(o.path(o.has("bands") ? "bands" : "savings_bands"), c.savings_bands);
        validate_bands(o.path(o.has("bands") ? "bands" : "loss_bands"), c.loss_bands);
        return c;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["basis"] = basis == Basis::shared ? "shared" : "capitated";
        if (target) j["target"] = target->to_json();
        else j["target_ratio"] = target_ratio;
        j["categories"] = names_to_json(categories);
        j["savings_bands"] = bands_to_json(savings_bands);
        j["loss_bands"] = bands_to_json(loss_bands);
    }
    static std::vector<std::string> keys() {
        return {"preset", "bands", "savings_bands", "loss_bands", "basis", "party", "target", "target_ratio", "categories"};
    }
    bool operator==(const RiskCorridor&) const = default;
};

}  // namespace apmsim

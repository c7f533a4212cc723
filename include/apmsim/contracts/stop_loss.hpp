#pragma once
/// \file stop_loss.hpp
/// \brief Stop-loss bought by a party at risk, from the reinsurer (or the payer).
///   specific: per member-year, recovery = min(limit, coinsurance x (X_i - attachment)+),
///     summed over members (X_i the member-year's allowed cost in the covered categories);
///   aggregate: recovery = min(limit, coinsurance x (X - attachment)+) on the pool's total,
///     attachment = attachment_ratio x expected cost (commonly 1.25; shared/DOMAIN.md s.5).
///     With specific stop-loss of the same party on some of its categories, X is the
///     claims net of their recoveries (the aggregate layer sits above the specific one,
///     so no dollar is recovered twice), and so is the expected cost it attaches on.
/// Premium = expected recoveries x (1 + loading), the expectation fixed before the year:
/// given as PMPM, or the mean over trials of the base case (the baseline arm, no program).
/// Stop-loss reimburses claims the insured party pays: every category it covers must be
/// capitated to that party in each year it is in force (42 CFR 422.208 protects
/// physicians at substantial financial risk; under fee-for-service the payer pays the
/// claims, and a recovery would pay the party for costs it never bore).
/// The 42 CFR 422.208 per-patient deductibles by panel size are a named preset; with it
/// the coinsurance defaults to the regulation's 90%.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace apmsim {

/// 42 CFR 422.208(f): per-patient stop-loss deductible for physicians at substantial
/// financial risk, by panel size; kind "combined", "institutional" or "professional".
/// Above 25,000 patients no stop-loss is required: the result is +infinity.
inline double stop_loss_deductible_422_208(double panel_size, const std::string& kind, const std::string& where = "panel") {
    struct Row { double up_to, combined, institutional, professional; };
    static constexpr std::array<Row, 5> table{{{1'000, 6'000, 10'000, 3'000},
                                              {5'000, 30'000, 40'000, 10'000},
                                              {8'000, 40'000, 60'000, 15'000},
                                              {10'000, 75'000, 100'000, 20'000},
                                              {25'000, 150'000, 200'000, 25'000}}};
    if (kind != "combined" && kind != "institutional" && kind != "professional")
        throw InvalidInput(where, "\"combined\", \"institutional\" or \"professional\"", "\"" + kind + "\"");
    check::positive(where + " size", panel_size);
    for (const Row& r : table)
        if (panel_size <= r.up_to) return kind == "combined" ? r.combined : kind == "institutional" ? r.institutional : r.professional;
    return std::numeric_limits<double>::infinity();
}

/// Terms both kinds share: who is insured by whom, what is covered, how it is priced.
struct StopLossCommon {
    Party party = Party::provider;     ///< the insured party
    Party insurer = Party::reinsurer;
    double coinsurance = 1.0;  ///< share of the excess reimbursed
    std::optional<double> limit;
    std::vector<std::string> categories;  ///< covered; empty: all
    double loading = 0.0;
    std::optional<double> expected_recoveries_pmpm;  ///< given expectation; none: simulated base case

    void validate(const std::string& where) const {
        if (party == Party::payer || party == Party::reinsurer || party == Party::other_providers)
            throw InvalidInput(where + ".party", "\"provider\" or \"pcp\" (the insured party)", to_string(party));
        if (insurer != Party::reinsurer && insurer != Party::payer)
            throw InvalidInput(where + ".insurer", "\"reinsurer\" or \"payer\"", to_string(insurer));
        check::probability(where + ".coinsurance", coinsurance);
        if (limit) check::non_negative(where + ".limit", *limit);
        check::in_closed(where + ".loading", loading, 0.0, 10.0);
        if (expected_recoveries_pmpm) check::non_negative(where + ".expected_recoveries_pmpm", *expected_recoveries_pmpm);
    }
    void read(JsonObject& o) {
        party = party_from_string(o.path("party"), o.string("party", "provider"));
        insurer = party_from_string(o.path("insurer"), o.string("insurer", "reinsurer"));
        coinsurance = o.number("coinsurance", 1.0);
        if (o.has("limit")) limit = o.number("limit");
        if (o.has("categories")) categories = names_from_json(o.at("categories"), o.path("categories"));
        loading = o.number("loading", 0.0);
        if (o.has("expected_recoveries_pmpm")) expected_recoveries_pmpm = o.number("expected_recoveries_pmpm");
    }
    void write(Json& j) const {
        j["party"] = to_string(party);
        j["insurer"] = to_string(insurer);
        j["coinsurance"] = coinsurance;
        if (limit) j["limit"] = *limit;
        j["categories"] = names_to_json(categories);
        j["loading"] = loading;
        if (expected_recoveries_pmpm) j["expected_recoveries_pmpm"] = *expected_recoveries_pmpm;
    }
    /// The insured party and the categories covered (marked in each year's CareCoverage).
    std::pair<Party, std::vector<bool>> insures(const SettlementSetup& s, const std::string& where) const {
        return {party, s.category_mask(categories, where + ".categories")};
    }
    /// Every covered category capitated to the insured party in `year` (0-based; file comment).
    void check_coverage(const SettlementSetup& s, const CareCoverage& coverage, int year, const std::string& where) const {
        const std::vector<bool> covered = s.category_mask(categories, where + ".categories");
        const std::vector<bool>& capitated = coverage.capitated_to_party(party);
        for (std::size_t c = 0; c < covered.size(); ++c)
            if (covered[c] && !capitated[c])
                throw InvalidInput(where + ".categories",
                                   std::string("categories whose claims the ") + to_string(party) + " pays under a capitation in year " +
                                       std::to_string(year + 1) + " (" + s.categories_in(capitated) +
                                       "): stop-loss reimburses claims the insured party bears",
                                   "\"" + s.categories[c] + "\", not capitated to the " + to_string(party));
    }
    static std::vector<std::string> common_keys() {
        return {"party", "insurer", "coinsurance", "limit", "categories", "loading", "expected_recoveries_pmpm"};
    }
    static constexpr std::array<MetricInfo, 2> metrics = {{
        {"stop_loss_recoveries", "paid by the insurer to the insured party under stop-loss"},
        {"stop_loss_premium", "paid by the insured party for stop-loss: expected recoveries x (1 + loading)"}}};

    /// The two flows every stop-loss books, resolved at preparation.
    struct Flows {
        MetricId recoveries, premium;
        static Flows of(const SettlementSetup& s) { return {s.metric("stop_loss_recoveries"), s.metric("stop_loss_premium")}; }
    };
    /// Pays the recovery and collects the premium for it.
    void book(const SettlementContext& ctx, Ledger& ledger, const Flows& f, double recovery, double expected_recovery) const {
        const double expected = expected_recoveries_pmpm ? *expected_recoveries_pmpm * ctx.months() : expected_recovery;
        const double premium = expected * (1.0 + loading);
        ledger.pay(f.recoveries, insurer, party, recovery);
        ledger.pay(f.premium, party, insurer, premium);
    }
    bool operator==(const StopLossCommon&) const = default;
};

/// Mean over the calibration sample's trials of the base case, and its standard error,
/// per year, of f(year, baseline experience, member sums): [means by year..., standard errors by year...].
template <class F>
std::vector<double> base_case_means(const CalibrationView& v, F f) {
    const auto Y = static_cast<std::size_t>(v.years);
    std::vector<double> out(2 * Y, 0.0);
    const double n = static_cast<double>(v.trials);
    for (std::size_t y = 0; y < Y; ++y) {
        double s = 0.0, s2 = 0.0;
        for (std::uint64_t t = 0; t < v.trials; ++t) {
            const double x = f(y, v.baseline(t, static_cast<int>(y)), v.member_sums(t, static_cast<int>(y)));
            s += x;
            s2 += x * x;
        }
        out[y] = s / n;
        out[Y + y] = v.trials > 1 ? std::sqrt(std::max(0.0, (s2 - s * s / n) / (n - 1.0)) / n) : 0.0;
    }
    return out;
}

/// The first 2 x years numbers of a calibration, named.
inline std::vector<std::pair<std::string, std::vector<double>>> name_means(std::span<const double> c, int years, const std::string& what) {
    const auto Y = static_cast<std::size_t>(years);
    return {{what, std::vector<double>(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(Y))},
            {what + "_standard_error", std::vector<double>(c.begin() + static_cast<std::ptrdiff_t>(Y), c.begin() + static_cast<std::ptrdiff_t>(2 * Y))}};
}

struct SpecificStopLoss : StopLossCommon {
    static constexpr const char* type_name = "specific_stop_loss";
    static constexpr const char* class_name = "SpecificStopLoss";
    static constexpr int phase = 3;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "specific_stop_loss", "attachment": 250000, "coinsurance": 0.9, "loading": 0.15})";

    std::optional<double> attachment;  ///< dollars per member-year
    std::string preset_panel;          ///< "combined" | "institutional" | "professional": 422.208 by pool size

    void validate(const std::string& where) const {
        StopLossCommon::validate(where);
        if (attachment.has_value() == !preset_panel.empty())
            throw InvalidInput(where + ".attachment", "an attachment in dollars, or \"preset_422_208\" (not both)",
                               attachment ? "both" : "neither");
        if (attachment) check::non_negative(where + ".attachment", *attachment);
        if (!preset_panel.empty()) stop_loss_deductible_422_208(1.0, preset_panel, where + ".preset_422_208");
    }
    struct Prepared {
        const SpecificStopLoss* terms;
        Flows flows;

        /// [expected recoveries by year..., their standard errors...] of the base case.
        std::vector<double> calibrate(const CalibrationView& v) const {
            return base_case_means(v, [](std::size_t, const PeriodExperience&, std::span<const double> sums) { return sums[0]; });
        }
        std::vector<std::pair<std::string, std::vector<double>>> describe_calibration(std::span<const double> c, int years) const {
            return name_means(c, years, "expected_recoveries");
        }
        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            terms->book(ctx, ledger, flows, ctx.member_sums[0], ctx.calibration[static_cast<std::size_t>(ctx.year)]);
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds& n) const {
        MemberReduction r;
        const double a = attachment ? *attachment : stop_loss_deductible_422_208(s.pool_members, preset_panel, where + ".preset_422_208");
        r.attachment.assign(static_cast<std::size_t>(s.years), a);
        r.coinsurance = coinsurance;
        if (limit) r.limit = *limit;
        r.categories = s.category_mask(categories, where + ".categories");
        n.reductions.push_back(r);
        return {this, Flows::of(s)};
    }

    static SpecificStopLoss from_json(JsonObject& o) {
        SpecificStopLoss s;
        s.read(o);
        if (o.has("attachment")) s.attachment = o.number("attachment");
        if (o.has("preset_422_208")) {
            s.preset_panel = o.string("preset_422_208");
            if (!o.has("coinsurance")) s.coinsurance = 0.9;  // 42 CFR 422.208(f): 90% of costs above the deductible
        }
        return s;
    }
    void to_json(Json& j) const {
        write(j);
        if (attachment) j["attachment"] = *attachment;
        else j["preset_422_208"] = preset_panel;
    }
    static std::vector<std::string> keys() {
        auto k = common_keys();
        k.insert(k.end(), {"attachment", "preset_422_208"});
        return k;
    }
    bool operator==(const SpecificStopLoss&) const = default;
};

struct AggregateStopLoss : StopLossCommon {
    static constexpr const char* type_name = "aggregate_stop_loss";
    static constexpr const char* class_name = "AggregateStopLoss";
    static constexpr int phase = 3;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example = R"({"type": "aggregate_stop_loss", "attachment_ratio": 1.25, "coinsurance": 0.9, "loading": 0.1})";

    double attachment_ratio = 1.25;        ///< of expected cost
    std::optional<double> expected_pmpm;   ///< given expected cost; none: base-case mean

    void validate(const std::string& where) const {
        StopLossCommon::validate(where);
        check::in_closed(where + ".attachment_ratio", attachment_ratio, 0.0, 10.0);
        if (expected_pmpm) check::positive(where + ".expected_pmpm", *expected_pmpm);
    }
    double recovery(double cost, double expected_cost) const {
        const double r = coinsurance * std::max(0.0, cost - attachment_ratio * expected_cost);
        return limit ? std::min(r, *limit) : r;
    }

    struct Prepared {
        const AggregateStopLoss* terms;
        std::vector<bool> mask;  ///< [category] covered
        Flows flows;
        /// [k][year]: member sum k is a specific stop-loss's recoveries on covered categories,
        /// netted in the years that stop-loss is in force (set by the settlement, which sees
        /// the model's other components: contracts/settlement.cpp).
        std::vector<std::vector<bool>> netted;

        /// The covered claims net of the specific stop-loss recoveries of year `y`.
        double net_cost(const PeriodExperience& e, std::span<const double> sums, std::size_t y) const {
            double x = e.allowed_in(mask);
            for (std::size_t k = 0; k < netted.size(); ++k)
                if (netted[k][y]) x -= sums[k];
            return x;
        }
        /// [expected recoveries by year..., their standard errors..., expected cost by year..., its standard errors...]
        /// of the base case (the attachment point is attachment_ratio x the expected cost).
        std::vector<double> calibrate(const CalibrationView& v) const {
            const AggregateStopLoss& t = *terms;
            const std::vector<double> expected = base_case_means(v, [&](std::size_t y, const PeriodExperience& e, std::span<const double> sums) {
                return t.expected_pmpm ? *t.expected_pmpm * e.total_months() : net_cost(e, sums, y);
            });
            std::vector<double> out = base_case_means(v, [&](std::size_t y, const PeriodExperience& e, std::span<const double> sums) {
                return t.recovery(net_cost(e, sums, y), t.expected_pmpm ? *t.expected_pmpm * e.total_months() : expected[y]);
            });
            out.insert(out.end(), expected.begin(), expected.end());
            return out;
        }
        std::vector<std::pair<std::string, std::vector<double>>> describe_calibration(std::span<const double> c, int years) const {
            auto out = name_means(c, years, "expected_recoveries");
            if (!terms->expected_pmpm) {
                auto cost = name_means(c.subspan(2 * static_cast<std::size_t>(years)), years, "expected_cost");
                out.insert(out.end(), cost.begin(), cost.end());
            }
            return out;
        }
        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            const AggregateStopLoss& t = *terms;
            const std::size_t y = static_cast<std::size_t>(ctx.year), Y = static_cast<std::size_t>(ctx.setup.years);
            const double expected = t.expected_pmpm ? *t.expected_pmpm * ctx.months() : ctx.calibration[2 * Y + y];
            t.book(ctx, ledger, flows, t.recovery(net_cost(ctx.experience, ctx.member_sums, y), expected), ctx.calibration[y]);
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string& where, ComponentNeeds& n) const {
        n.base_categories = s.category_mask(categories, where + ".categories");
        return {this, n.base_categories, Flows::of(s), {}};
    }

    static AggregateStopLoss from_json(JsonObject& o) {
        AggregateStopLoss s;
        s.read(o);
        s.attachment_ratio = o.number("attachment_ratio", 1.25);
        if (o.has("expected_pmpm")) s.expected_pmpm = o.number("expected_pmpm");
        return s;
    }
    void to_json(Json& j) const {
        write(j);
        j["attachment_ratio"] = attachment_ratio;
        if (expected_pmpm) j["expected_pmpm"] = *expected_pmpm;
    }
    static std::vector<std::string> keys() {
        auto k = common_keys();
        k.insert(k.end(), {"attachment_ratio", "expected_pmpm"});
        return k;
    }
    bool operator==(const AggregateStopLoss&) const = default;
};

}  // namespace apmsim

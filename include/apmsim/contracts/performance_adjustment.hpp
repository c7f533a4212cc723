#pragma once
/// \file performance_adjustment.hpp
/// \brief Performance-based payment adjustment: the payer adds to (or takes back from) what
/// it paid the `party` that year a share of it set by the payment model's quality score,
/// as Primary Care First adjusts its population-based payment by -10% to +50% on
/// performance (shared/DOMAIN.md section 5):
///   adjustment = rate(q) x B,
/// B = what the party received that period as the flows in `basis` (default the
/// care-management fees, apmsim's population-based payment), q = the model's quality
/// score, rate(q) = the `schedule` of (score, rate) points joined by straight lines and
/// flat beyond its ends. A negative adjustment is paid back by the party. Needs the model
/// to define a quality score; a schedule whose rates are all 0 can have no effect and is
/// an error.

#include "apmsim/contracts/named_values.hpp"
#include "apmsim/contracts/settlement_context.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace apmsim {

struct PerformanceAdjustment {
    static constexpr const char* type_name = "performance_adjustment";
    static constexpr const char* class_name = "PerformanceAdjustment";
    static constexpr int phase = 1;
    /// A typical use, in JSON (documentation and the round-trip test of every type).
    static constexpr const char* example =
        R"({"type": "performance_adjustment", "party": "pcp", "schedule": [{"score": 0.5, "rate": -0.1}, {"score": 0.9, "rate": 0.5}]})";
    static constexpr std::array<MetricInfo, 1> metrics = {
        {{"performance_adjustment", "paid by the payer on performance (positive), or paid back by the party (negative)"}}};

    struct Point {
        double score = 0.0;  ///< quality score, 0 to 1
        double rate = 0.0;   ///< share of the basis paid (negative: paid back)
        bool operator==(const Point&) const = default;
    };

    Party party = Party::provider;
    /// Illustrative default spanning Primary Care First's range: -10% at a score of 0.5 or
    /// less, rising to +50% at 0.9 or more.
    std::vector<Point> schedule = {{0.5, -0.10}, {0.9, 0.50}};
    std::vector<std::string> basis = {"care_management_fees"};

    static constexpr std::array<const char*, 3> basis_flows = {"fee_for_service", "capitation", "care_management_fees"};

    void validate(const std::string& where) const {
        if (party != Party::provider && party != Party::pcp) throw InvalidInput(where + ".party", "\"provider\" or \"pcp\"", to_string(party));
        if (schedule.empty()) throw InvalidInput(where + ".schedule", "at least one {\"score\", \"rate\"} point", "none");
        bool any = false;
        for (std::size_t i = 0; i < schedule.size(); ++i) {
            const std::string at = index_path(where + ".schedule", i);
            check::probability(at + ".score", schedule[i].score);
            if (i > 0 && !(schedule[i].score > schedule[i - 1].score))
                throw InvalidInput(at + ".score", "a score above the previous point's " + show(schedule[i - 1].score), show(schedule[i].score));
            check::in_closed(at + ".rate", schedule[i].rate, -1.0, 10.0);
            any = any || schedule[i].rate != 0.0;
        }
        if (!any) throw InvalidInput(where + ".schedule", "a rate other than 0 (an adjustment of 0 has no effect)", "every rate 0");
        if (basis.empty()) throw InvalidInput(where + ".basis", "at least one flow", "none");
        for (std::size_t i = 0; i < basis.size(); ++i) {
            const bool known = std::find_if(basis_flows.begin(), basis_flows.end(), [&](const char* f) { return basis[i] == f; }) != basis_flows.end();
            if (!known) throw InvalidInput(index_path(where + ".basis", i), "fee_for_service, capitation or care_management_fees", "\"" + basis[i] + "\"");
            if (std::find(basis.begin(), basis.begin() + static_cast<std::ptrdiff_t>(i), basis[i]) != basis.begin() + static_cast<std::ptrdiff_t>(i))
                throw InvalidInput(index_path(where + ".basis", i), "each flow once", "\"" + basis[i] + "\" again");
        }
    }
    bool uses_quality() const { return true; }

    /// rate(q): the schedule's straight lines, flat beyond its ends.
    double rate(double q) const {
        if (q <= schedule.front().score) return schedule.front().rate;
        for (std::size_t i = 1; i < schedule.size(); ++i)
            if (q < schedule[i].score) {
                const Point& a = schedule[i - 1];
                const Point& b = schedule[i];
                return a.rate + (q - a.score) / (b.score - a.score) * (b.rate - a.rate);
            }
        return schedule.back().rate;
    }

    struct Prepared {
        const PerformanceAdjustment* terms;
        std::vector<MetricId> basis;
        MetricId paid;

        void settle(const SettlementContext& ctx, Ledger& ledger) const {
            double base = 0.0;
            for (MetricId m : basis) base += ledger.received_as(m, terms->party);
            ledger.pay(paid, Party::payer, terms->party, terms->rate(ctx.quality_score) * base);
        }
    };
    Prepared prepare(const SettlementSetup& s, const std::string&, ComponentNeeds&) const {
        Prepared p{this, {}, s.metric("performance_adjustment")};
        for (const auto& flow : basis) p.basis.push_back(s.metric(flow));
        return p;
    }

    static PerformanceAdjustment from_json(JsonObject& o) {
        PerformanceAdjustment a;
        a.party = care_party_from_string(o.path("party"), o.string("party", "provider"));
        if (o.has("schedule")) {
            const Json& list = o.at("schedule");
            if (!list.is_array()) throw InvalidInput(o.path("schedule"), "an array of {\"score\", \"rate\"}", describe(list));
            a.schedule.clear();
            for (std::size_t i = 0; i < list.size(); ++i) {
                JsonObject p(list[i], index_path(o.path("schedule"), i));
                a.schedule.push_back({p.number("score"), p.number("rate")});
                p.finish({"score", "rate"});
            }
        }
        if (o.has("basis")) a.basis = names_from_json(o.at("basis"), o.path("basis"));
        return a;
    }
    void to_json(Json& j) const {
        j["party"] = to_string(party);
        j["schedule"] = Json::array();
        for (const auto& p : schedule) j["schedule"].push_back({{"score", p.score}, {"rate", p.rate}});
        j["basis"] = basis;
    }
    static std::vector<std::string> keys() { return {"party", "schedule", "basis"}; }
    bool operator==(const PerformanceAdjustment&) const = default;
};

}  // namespace apmsim

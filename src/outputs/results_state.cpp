// Results to and from bytes (results_state.hpp): fields in a fixed order, doubles bit for bit.
#include "apmsim/outputs/results_state.hpp"

#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace apmsim {
namespace {

constexpr std::uint32_t format_version = 8;  // 2: participant months; 3: effects by tier; 4: rising risk; 5: federal match; 6: models' segments, trial ranges; 7: members at the start; 8: mode

class Writer {
public:
    template <class T>
        requires std::is_arithmetic_v<T>
    void put(T v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void put(const std::string& s) {
        put<std::uint64_t>(s.size());
        out_ += s;
    }
    template <class T>
    void put(const std::vector<T>& v) {
        put<std::uint64_t>(v.size());
        for (const auto& x : v) put(x);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(const std::string& s) : s_(s) {}
    template <class T>
        requires std::is_arithmetic_v<T>
    void get(T& v) {
        need(sizeof v);
        std::memcpy(&v, s_.data() + at_, sizeof v);
        at_ += sizeof v;
    }
    void get(std::string& v) {
        std::uint64_t n = 0;
        get(n);
        need(n);
        v.assign(s_.data() + at_, n);
        at_ += n;
    }
    template <class T>
    void get(std::vector<T>& v) {
        std::uint64_t n = 0;
        get(n);
        need(n);  // at least a byte each: a corrupt size cannot allocate without bound
        v.resize(n);
        for (auto& x : v) get(x);
    }
    void done() const {
        if (at_ != s_.size()) throw InvalidInput("state", "a results state written by this version", "trailing bytes");
    }

private:
    void need(std::uint64_t n) const {
        if (n > s_.size() - at_) throw InvalidInput("state", "a results state written by this version", "a truncated state");
    }
    const std::string& s_;
    std::size_t at_ = 0;
};

/// The product of sizes, or UINT64_MAX when it overflows (then no array can match it).
std::uint64_t size_of(std::initializer_list<std::uint64_t> factors) {
    std::uint64_t n = 1;
    for (std::uint64_t f : factors)
        if (__builtin_mul_overflow(n, f, &n)) return UINT64_MAX;
    return n;
}

/// A state whose arrays do not have the sizes its counts give is corrupt: refused here,
/// before any reader indexes them.
void check_size(const char* what, std::size_t actual, std::uint64_t expected) {
    if (actual != expected)
        throw InvalidInput(std::string("state: ") + what, std::to_string(expected) + " values (from the state's counts)", std::to_string(actual));
}

void check_shapes(const SimulationResults& r) {
    if (r.years < 1 || r.years > 1000) throw InvalidInput("state: years", "1 to 1000", std::to_string(r.years));
    const std::uint64_t T = r.tiers.size(), C = r.categories.size(), Y = static_cast<std::uint64_t>(r.years);
    const std::uint64_t cells = size_of({r.trials, Y, T, C}), tier_cells = size_of({r.trials, Y, T});
    for (std::size_t a = 0; a < r.arms.size(); ++a) {
        const ArmResults& arm = r.arms[a];
        check_size("cost", arm.cost.size(), cells);
        check_size("events", arm.events.size(), cells);
        check_size("member_months", arm.member_months.size(), tier_cells);
        check_size("members", arm.members.size(), tier_cells);
        check_size("member_cost_sumsq", arm.member_cost_sumsq.size(), tier_cells);
        check_size("program_cost", arm.program_cost.size(), size_of({r.trials, Y, r.program_cost_items.size()}));
        check_size("participant_months", arm.participant_months.size(), a == 1 ? tier_cells : 0);
    }
    const bool program = r.arms.size() > 1;
    check_size("trend", r.trend.size(), r.trials);
    check_size("effect_factors", r.effect_factors.size(), program ? size_of({r.trials, C}) : 0);
    check_size("tier_effect_factors", r.tier_effect_factors.size(), program ? size_of({r.trials, T, C}) : 0);
    if (!r.upward_transition_factors.empty()) check_size("upward_transition_factors", r.upward_transition_factors.size(), r.trials);
    if (!r.member_costs.empty()) check_size("member_costs", r.member_costs.size(), size_of({r.arms.size(), r.trials, Y, r.member_count}));
    if (r.members_at_start > r.member_count) throw InvalidInput("state: members", "at most the member slots", std::to_string(r.members_at_start));
}

void check_version(Reader& in) {
    std::uint32_t v = 0;
    in.get(v);
    if (v != format_version) throw InvalidInput("state", "results state format " + std::to_string(format_version), std::to_string(v));
}

}  // namespace

std::string results_state(const SimulationResults& r) {
    Writer w;
    w.put(format_version);
    w.put(r.trials);
    w.put(r.trial_begin);
    w.put(r.seed);
    w.put(r.years);
    w.put(r.tiers);
    w.put(r.categories);
    w.put(r.program_cost_items);
    w.put<std::uint64_t>(r.arms.size());
    for (const auto& a : r.arms) {
        w.put(a.name);
        for (const auto* v : {&a.cost, &a.events, &a.member_months, &a.members, &a.member_cost_sumsq, &a.program_cost, &a.participant_months}) w.put(*v);
    }
    w.put(r.trend);
    w.put(r.effect_factors);
    w.put(r.tier_effect_factors);
    w.put(r.upward_transition_factors);
    w.put<std::uint64_t>(r.member_count);
    w.put<std::uint64_t>(r.members_at_start);
    w.put(r.member_costs);
    w.put<std::uint8_t>(r.mode == SimulationMode::exact ? 0 : 1);
    return w.take();
}

SimulationResults results_from_state(const std::string& state) {
    Reader in(state);
    check_version(in);
    SimulationResults r;
    in.get(r.trials);
    in.get(r.trial_begin);
    in.get(r.seed);
    in.get(r.years);
    in.get(r.tiers);
    in.get(r.categories);
    in.get(r.program_cost_items);
    std::uint64_t arms = 0;
    in.get(arms);
    if (arms > 2) throw InvalidInput("state", "at most 2 arms", std::to_string(arms));
    r.arms.resize(arms);
    for (auto& a : r.arms) {
        in.get(a.name);
        for (auto* v : {&a.cost, &a.events, &a.member_months, &a.members, &a.member_cost_sumsq, &a.program_cost, &a.participant_months}) in.get(*v);
    }
    in.get(r.trend);
    in.get(r.effect_factors);
    in.get(r.tier_effect_factors);
    in.get(r.upward_transition_factors);
    std::uint64_t members = 0;
    in.get(members);
    r.member_count = members;
    in.get(members);
    r.members_at_start = members;
    in.get(r.member_costs);
    std::uint8_t mode = 0;
    in.get(mode);
    if (mode > 1) throw InvalidInput("state: mode", "0 (exact) or 1 (tabulated)", std::to_string(mode));
    r.mode = mode == 0 ? SimulationMode::exact : SimulationMode::tabulated;
    in.done();
    if (r.arms.empty()) throw InvalidInput("state: arms", "1 or 2 arms", "none");
    check_shapes(r);
    return r;
}

std::string payments_state(const PaymentResults& p) {
    Writer w;
    w.put(format_version);
    w.put(p.models);
    w.put(p.segments);
    w.put(p.arms);
    w.put(p.metric_names);
    w.put(p.trials);
    w.put(p.trial_begin);
    w.put(p.years);
    w.put(p.values);
    w.put(p.real_savings);
    w.put(p.pays_on_performance);
    w.put<std::uint64_t>(p.comparing_components.size());
    for (const auto& c : p.comparing_components) w.put(c);
    w.put(p.comparisons);
    w.put<std::uint64_t>(p.calibration.size());
    for (const auto& c : p.calibration) {
        w.put(c.model);
        w.put(c.component);
        w.put(c.year);
        w.put(c.quantity);
        w.put(c.value);
    }
    w.put(p.calibration_trials);
    w.put(p.calibration_seed);
    w.put<std::uint64_t>(p.split_payer);
    w.put(p.federal);
    return w.take();
}

PaymentResults payments_from_state(const std::string& state) {
    Reader in(state);
    check_version(in);
    PaymentResults p;
    in.get(p.models);
    in.get(p.segments);
    if (p.segments.size() != p.models.size()) throw InvalidInput("state", "one segment per model", std::to_string(p.segments.size()));
    in.get(p.arms);
    in.get(p.metric_names);
    in.get(p.trials);
    in.get(p.trial_begin);
    in.get(p.years);
    in.get(p.values);
    in.get(p.real_savings);
    in.get(p.pays_on_performance);
    std::uint64_t n = 0;
    in.get(n);
    if (n != p.models.size()) throw InvalidInput("state", "one list of comparing components per model", std::to_string(n));
    p.comparing_components.resize(n);
    for (auto& c : p.comparing_components) in.get(c);
    in.get(p.comparisons);
    in.get(n);
    if (n > state.size()) throw InvalidInput("state", "a results state written by this version", "a corrupt row count");
    p.calibration.resize(n);
    for (auto& c : p.calibration) {
        in.get(c.model);
        in.get(c.component);
        in.get(c.year);
        in.get(c.quantity);
        in.get(c.value);
    }
    in.get(p.calibration_trials);
    in.get(p.calibration_seed);
    std::uint64_t split = 0;
    in.get(split);
    p.split_payer = split != 0;
    in.get(p.federal);
    in.done();
    if (p.values.size() != p.models.size() * p.arms.size() * p.trials * static_cast<std::size_t>(p.years) * p.stride())
        throw InvalidInput("state", "values for every model, arm, trial and year", std::to_string(p.values.size()) + " values");
    check_size("real_savings", p.real_savings.size(), p.arms.size() > 1 ? size_of({p.models.size(), p.trials, static_cast<std::uint64_t>(p.years)}) : 0);
    check_size("pays_on_performance", p.pays_on_performance.size(), p.models.size());
    check_size("comparisons", p.comparisons.size(),
               size_of({p.comparison_slots(), p.arms.size(), p.trials, static_cast<std::uint64_t>(p.years), comparison_names.size()}));
    if (p.federal.size() != (p.split_payer ? p.values.size() / p.stride() * 3 : 0))
        throw InvalidInput("state", "the federal part of the payer's results for every period (or none)", std::to_string(p.federal.size()) + " values");
    return p;
}

std::string rows_state(const std::vector<StatisticRow>& rows) {
    Writer w;
    w.put(format_version);
    w.put<std::uint64_t>(rows.size());
    for (const StatisticRow& r : rows) {
        for (const std::string* text : {&r.model, &r.arm, &r.party, &r.component, &r.category, &r.tier, &r.measure, &r.statistic}) w.put(*text);
        w.put(r.year);
        w.put(r.value);
    }
    return w.take();
}

std::vector<StatisticRow> rows_from_state(const std::string& state) {
    Reader in(state);
    check_version(in);
    std::uint64_t n = 0;
    in.get(n);
    if (n > state.size()) throw InvalidInput("state", "a statistics table written by this version", "a corrupt row count");
    std::vector<StatisticRow> rows(n);
    for (StatisticRow& r : rows) {
        for (std::string* text : {&r.model, &r.arm, &r.party, &r.component, &r.category, &r.tier, &r.measure, &r.statistic}) in.get(*text);
        in.get(r.year);
        in.get(r.value);
    }
    in.done();
    return rows;
}

}  // namespace apmsim

// Goal seek on common random numbers (sweep/solve.hpp).
#include "apmsim/sweep/solve.hpp"

#include "apmsim/core/json_pointer.hpp"

#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/stats/estimator_errors.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

namespace apmsim {

SolveTarget SolveTarget::parse(const std::string& text, const std::string& where) {
    SolveTarget t;
    std::istringstream in(text);
    std::string token;
    bool have_relation = false, have_bound = false;
    const std::string hint = "labels key=value, then <= or >= and a number, e.g. \"model=capitation party=provider statistic=p_negative <= 0.2\"";
    auto quoted = [](const std::string& s) { return "\"" + (s.size() > 60 ? s.substr(0, 57) + "..." : s) + "\""; };
    while (in >> token) {
        if (have_relation) {
            std::size_t used = 0;
            try {
                t.bound = std::stod(token, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != token.size() || !std::isfinite(t.bound) || have_bound) throw InvalidInput(where, hint, quoted(text));
            have_bound = true;
        } else if (token == "<=" || token == "<" || token == ">=" || token == ">") {
            t.at_most = token[0] == '<';
            have_relation = true;
        } else {
            const auto eq = token.find('=');
            if (eq == std::string::npos) throw InvalidInput(where, hint, quoted(token));
            const std::string key = token.substr(0, eq), value = token.substr(eq + 1);
            if (key == "model") t.model = value;
            else if (key == "arm") t.arm = value;
            else if (key == "party") t.party = value;
            else if (key == "component") t.component = value;
            else if (key == "category") t.category = value;
            else if (key == "tier") t.tier = value;
            else if (key == "measure") t.measure = value;
            else if (key == "statistic") t.statistic = value;
            else if (key == "year") {
                try {
                    t.year = std::stoi(value);
                } catch (const std::exception&) {
                    throw InvalidInput(where + " year", "a year number (0 = all years)", quoted(value));
                }
            } else {
                throw InvalidInput(where, "labels model, arm, year, party, component, category, tier, measure, statistic", "the key " + quoted(key));
            }
        }
    }
    if (!have_bound) throw InvalidInput(where, hint, quoted(text));
    if (t.statistic.empty()) throw InvalidInput(where, "a statistic= label (mean, p05, p_negative, p_false_reward, ...)", quoted(text));
    if (t.measure.empty() && !t.party.empty()) t.measure = "net";
    return t;
}

std::string SolveTarget::describe() const {
    std::string out;
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"model", &model}, {"arm", &arm}, {"party", &party},
                                     {"component", &component}, {"category", &category}, {"tier", &tier}, {"measure", &measure}})
        if (!value->empty()) out += std::string(key) + "=" + *value + " ";
    if (year != 0) out += "year=" + std::to_string(year) + " ";
    return out + "statistic=" + statistic + (at_most ? " <= " : " >= ") + show(bound);
}

namespace {

struct Measured {
    double value = 0, standard_error = std::nan("");
};

/// The standard error of a quantile (p01 ... p99) or an expected shortfall target, from
/// the trials behind it (stats/estimator_errors.hpp); NaN for other statistics.
double tail_standard_error(const SimulationResults& sim, const PaymentResults& pay, const SolveTarget& t, const std::string& arm) {
    const std::string& name = t.statistic;
    const bool quantile = name.size() == 3 && name[0] == 'p' && std::isdigit(static_cast<unsigned char>(name[1])) && std::isdigit(static_cast<unsigned char>(name[2]));
    const bool shortfall = name.rfind("expected_shortfall_", 0) == 0;
    if (!quantile && !shortfall) return std::nan("");
    StatisticRow labels{t.model, arm, t.year, t.party, t.component, t.category, t.tier, t.measure, name, 0.0};
    std::vector<double> v = trials_behind(sim, pay, labels);
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    if (quantile) return stats::quantile_standard_error(v, std::stod(name.substr(1)) / 100.0);
    return stats::expected_shortfall_standard_error(v, std::stod(name.substr(19)) / 100.0, adverse_tail_of(t.measure));
}

/// The target's statistic in a run's table, and its standard error when known.
Measured measure(const SimulationResults& sim, const PaymentResults& pay, const SolveTarget& t) {
    const std::vector<StatisticRow> rows = statistics_table(sim, pay);
    const std::uint64_t trials = sim.trials;
    std::string arm = t.arm;
    if (arm.empty()) arm = std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.arm == "intervention"; }) ? "intervention" : "baseline";
    auto labels_match = [&](const StatisticRow& r) {
        return r.model == t.model && r.arm == arm && r.year == t.year && r.party == t.party && r.component == t.component &&
               r.category == t.category && r.tier == t.tier && r.measure == t.measure;
    };
    Measured m;
    bool found = false;
    for (const auto& r : rows) {
        if (!labels_match(r)) continue;
        if (r.statistic == t.statistic) m.value = r.value, found = true;
        if (r.statistic == "standard_error" && t.statistic == "mean") m.standard_error = r.value;
    }
    if (!found) {
        std::string models;
        for (const auto& r : rows)
            if (!r.model.empty() && models.find("\"" + r.model + "\"") == std::string::npos) models += (models.empty() ? "" : ", ") + ("\"" + r.model + "\"");
        throw InvalidInput("target", "labels that name one statistic of the results (payment models: " + models + ")", "\"" + t.describe() + "\"");
    }
    if (std::isnan(m.value)) throw InvalidInput("target", "a statistic that applies to this model", "\"" + t.describe() + "\", which is not defined here");
    if (t.statistic.rfind("p_", 0) == 0) m.standard_error = std::sqrt(std::max(0.0, m.value * (1 - m.value)) / static_cast<double>(trials));
    else m.standard_error = std::isnan(m.standard_error) ? tail_standard_error(sim, pay, t, arm) : m.standard_error;
    return m;
}

/// Runs the scenario with the term at each x (one run_each batch) and measures the target.
class Evaluator {
public:
    Evaluator(const Json& doc, std::string pointer, const SolveTarget& t, const SolveOptions& o, const RunControl& control, SolveResult& out)
        : doc_(doc), pointer_(std::move(pointer)), target_(t), options_(o), control_(control), out_(out) {
        whole_ = doc_.contains(Json::json_pointer(pointer_)) && doc_.at(Json::json_pointer(pointer_)).is_number_integer();
    }
    bool whole() const { return whole_; }

    void evaluate(std::vector<double> xs) {
        std::vector<double> pending;
        for (double x : xs)
            if (!seen_.count(x) && std::find(pending.begin(), pending.end(), x) == pending.end()) pending.push_back(x);
        if (pending.empty()) return;
        std::vector<Scenario> batch;
        for (double x : pending) {
            Json d = doc_;
            d[Json::json_pointer(pointer_)] = whole_ ? Json(static_cast<long long>(x)) : Json(x);
            try {
                batch.push_back(scenario_from_json(d));
            } catch (const InvalidInput& e) {
                throw InvalidInput(pointer_ + " = " + show(x) + ": " + e.where(), e.expected(), e.actual());
            }
            if (options_.trials != 0) batch.back().settings.trials = options_.trials;
            if (options_.calibration_trials != 0) batch.back().settings.calibration_trials = options_.calibration_trials;
        }
        run_each(
            batch,
            [&](std::size_t k, std::size_t, const SimulationResults& sim, PaymentResults&& pay) {
                const Measured m = measure(sim, pay, target_);
                seen_[pending[k]] = m;
                out_.evaluations.push_back({pending[k], m.value});
            },
            control_);
        ++out_.simulations;
    }
    const Measured& at(double x) const { return seen_.at(x); }
    /// The evaluated points, in increasing x.
    const std::map<double, Measured>& points() const { return seen_; }

private:
    Json doc_;
    std::string pointer_;
    SolveTarget target_;
    SolveOptions options_;
    RunControl control_;
    SolveResult& out_;
    bool whole_ = false;
    std::map<double, Measured> seen_;
};

struct Bracket {
    double bound = 0;  ///< the bound searched for
    double a = 0, b = 0;
    bool active = false;
};

bool met(const SolveTarget& t, double bound, double value) { return t.at_most ? value <= bound : value >= bound; }

/// The first pair of neighbouring evaluated points where meeting `bound` switches.
Bracket find_bracket(const Evaluator& e, const SolveTarget& t, double bound) {
    Bracket br{bound, 0, 0, false};
    const auto& p = e.points();
    for (auto it = p.begin(); it != p.end() && std::next(it) != p.end(); ++it) {
        const auto next = std::next(it);
        if (met(t, bound, it->second.value) != met(t, bound, next->second.value)) return {bound, it->first, next->first, true};
    }
    return br;
}

/// Narrows every bracket until it is at most `tolerance` wide, all brackets' points in one batch per round.
void narrow(Evaluator& e, const SolveTarget& t, std::vector<Bracket>& brackets, double tolerance, std::size_t points) {
    for (int round = 0; round < 200; ++round) {
        std::vector<double> xs;
        for (auto& br : brackets) {
            br = find_bracket(e, t, br.bound);
            if (!br.active || br.b - br.a <= tolerance || (e.whole() && br.b - br.a <= 1)) continue;
            for (std::size_t k = 1; k <= points; ++k) {
                double x = br.a + (br.b - br.a) * static_cast<double>(k) / static_cast<double>(points + 1);
                if (e.whole()) x = std::round(x);
                if (x > br.a && x < br.b) xs.push_back(x);
            }
        }
        if (xs.empty()) return;
        e.evaluate(xs);
    }
}

/// The met end of a bracket.
double met_end(const Evaluator& e, const SolveTarget& t, const Bracket& br) { return met(t, br.bound, e.at(br.a).value) ? br.a : br.b; }

}  // namespace

SolveResult solve(const Json& scenario, const std::string& pointer, double lo, double hi, const SolveTarget& target,
                  const SolveOptions& options, const RunControl& control) {
    if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) throw InvalidInput("between", "two finite numbers LO < HI", show(lo) + " and " + show(hi));
    const Json::json_pointer p = pointer_into(scenario, pointer, "vary", false);
    if (!scenario.at(p).is_number())
        throw InvalidInput("vary", "a pointer to a number in the scenario", describe(Json(pointer)) + ", which names a " + std::string(scenario.at(p).type_name()));
    SolveResult out;
    Evaluator e(scenario, pointer, target, options, control, out);
    // A payment-model term re-settles one simulation: many points per round cost little.
    const std::size_t points = pointer.rfind("/payment_models/", 0) == 0 ? std::max<std::size_t>(1, options.points) : 1;
    if (e.whole()) lo = std::ceil(lo), hi = std::floor(hi);
    std::vector<double> first = {lo, hi};
    for (std::size_t k = 1; k <= points && points > 1; ++k) first.push_back(e.whole() ? std::round(lo + (hi - lo) * k / (points + 1.0)) : lo + (hi - lo) * k / (points + 1.0));
    e.evaluate(first);
    const double at_lo = e.at(lo).value, at_hi = e.at(hi).value;
    if (target.met(at_lo) == target.met(at_hi))
        throw InvalidInput("target", "a target met at one end of [" + show(lo) + ", " + show(hi) + "] and missed at the other",
                           std::string(target.met(at_lo) ? "met at both" : "missed at both") + " (" + target.statistic + " " + show(at_lo) + " at " +
                               show(lo) + ", " + show(at_hi) + " at " + show(hi) + "; widen --between)");
    const double tolerance = options.tolerance > 0 ? options.tolerance : 1e-4 * (hi - lo);
    std::vector<Bracket> central = {{target.bound, lo, hi, true}};
    narrow(e, target, central, tolerance, points);
    central[0] = find_bracket(e, target, target.bound);
    out.value = met_end(e, target, central[0]);
    out.statistic = e.at(out.value).value;
    out.standard_error = e.at(out.value).standard_error;
    out.low = out.high = std::nan("");
    if (std::isfinite(out.standard_error) && out.standard_error > 0) {
        std::vector<Bracket> shifted = {{target.bound - 1.96 * out.standard_error, lo, hi, true}, {target.bound + 1.96 * out.standard_error, lo, hi, true}};
        narrow(e, target, shifted, tolerance, points);
        std::vector<double> ends;
        for (auto& br : shifted) {
            br = find_bracket(e, target, br.bound);
            if (br.active) ends.push_back(met_end(e, target, br));
        }
        if (ends.size() == 2) out.low = std::min(ends[0], ends[1]), out.high = std::max(ends[0], ends[1]);
    }
    return out;
}

}  // namespace apmsim

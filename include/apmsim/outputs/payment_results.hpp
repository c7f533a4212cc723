#pragma once
/// \file payment_results.hpp
/// \brief Settled payment models: for every model, arm, trial and year each party's
/// revenue, payments and cost of delivering care (net = revenue - payments - cost: the
/// party measures), and the contract's metrics (flows such as shared savings and
/// stop-loss recoveries, the quality score, and each comparing component's benchmark,
/// expenditure and savings rate). Summaries (statistics over trials) per model x party x
/// year and per model x metric x year, and the indicators of the contract (probabilities
/// and means over trials per model and year), among them its error rates, where "savings paid"
/// and "losses owed" count every component that pays for savings or charges for losses
/// (shared savings, shared risk, risk corridors on a shared basis):
///   false reward: savings paid in the baseline arm, i.e. on the same random numbers
///     with the program's effect set to zero;
///   false penalty: losses owed in the baseline arm;
///   missed reward: the program really saved (baseline - intervention allowed cost > 0 on
///     the same random numbers) but no savings were paid;
///   penalty despite savings: it really saved but losses were owed.
/// With a federal match (contracts/federal_match.hpp) the payer's results are also split
/// into two derived rows, payer_state and payer_federal (derived_parties()): the federal
/// part of each of the payer's measures, and the payer's less it. They are not ledger
/// parties: sums over the five parties (cash conservation) never include them.
/// Risk measures of a party's net result and of a savings rate describe the lower tail
/// (the worst outcomes); those of payments and costs the upper tail (stats::Summary).

#include "apmsim/contracts/federal_match.hpp"
#include "apmsim/contracts/ledger.hpp"
#include "apmsim/simulation/results.hpp"
#include "apmsim/simulation/run_control.hpp"
#include "apmsim/stats/summary.hpp"

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace apmsim {

/// The statistics of one party measure (revenue, payments, delivery_cost, net).
struct PaymentSummaryRow {
    std::string model, arm;
    int year = 0;  ///< 1-based; 0 = all years together
    std::string party;
    std::string measure;
    stats::Summary stats;
};

/// The statistics of one metric of a model (a flow, the quality score, or a comparison).
struct MetricSummaryRow {
    std::string model, arm;
    int year = 0;           ///< 1-based
    std::string component;  ///< the comparing component, for benchmark, expenditure and savings_rate; else ""
    std::string metric;
    stats::Summary stats;
};

struct PaymentIndicatorRow {
    std::string model;
    int year = 0;
    double p_savings_paid = 0, p_losses_owed = 0;  ///< program arm (baseline without a program)
    double mean_savings_paid = 0, mean_losses_owed = 0;
    double mean_stop_loss_recoveries = 0, mean_stop_loss_premium = 0;
    /// Need a component that pays for savings or charges for losses; the last two also an intervention.
    double p_false_reward = std::nan(""), p_false_penalty = std::nan("");
    double p_missed_reward = std::nan(""), p_penalty_despite_savings = std::nan("");
};

/// A quantity a contract fixed before the year (from the calibration sample or given):
/// truncation_point, expected_recoveries (and its standard_error), expected_cost.
struct CalibrationRow {
    std::string model, component;
    int year = 0;
    std::string quantity;
    double value = 0;
};

/// Column `y` of trials x years samples (1-based; 0: the sum over the years), one value per trial.
std::vector<double> year_values(const SampleMatrix& s, int y);
/// The statistics of year_values(s, y), on the adverse tail of measure `name`.
stats::Summary summarize_year(const SampleMatrix& s, int y, const std::string& name);

class PaymentResults {
public:
    std::vector<std::string> models, arms;
    std::vector<std::string> segments;  ///< [model] the population segment it settles ("": the whole population)
    std::vector<std::string> metric_names;  ///< every registered metric, in the order stored
    std::uint64_t trials = 0;
    std::uint64_t trial_begin = 0;  ///< the first trial's number (SimulationResults::trial_begin)
    int years = 0;
    std::vector<double> values;        ///< [model][arm][trial][year][stride()]: revenue, payments, delivery cost by party, metrics
    std::vector<double> real_savings;  ///< [model][trial][year] baseline - intervention allowed cost of the model's population (with an intervention)
    std::vector<std::uint8_t> pays_on_performance;  ///< [model] pays for savings or charges for losses (else the error rates are NaN)
    /// [model] labels of the components that state a comparison, in slot order
    std::vector<std::vector<std::string>> comparing_components;
    std::vector<double> comparisons;  ///< [slot][arm][trial][year][benchmark, expenditure, savings_rate]; NaN when not in force
    std::vector<CalibrationRow> calibration;
    std::uint64_t calibration_trials = 0, calibration_seed = 0;  ///< of the calibration sample (0: none was needed)
    bool split_payer = false;  ///< the scenario has a federal match: payer_state and payer_federal are reported
    /// [model][arm][trial][year][revenue, payments, delivery_cost]: the federal part of the payer's (with split_payer)
    std::vector<double> federal;

    /// The rows derived from the payer's: payer_state and payer_federal with a federal match, else none.
    std::vector<std::string> derived_parties() const {
        return split_payer ? std::vector<std::string>{"payer_state", "payer_federal"} : std::vector<std::string>{};
    }
    /// The five ledger parties, then the derived rows.
    std::vector<std::string> reported_parties() const {
        std::vector<std::string> all(party_names.begin(), party_names.end());
        for (auto& d : derived_parties()) all.push_back(std::move(d));
        return all;
    }

    static const std::vector<std::string>& party_measures() {
        static const std::vector<std::string> m = {"revenue", "payments", "delivery_cost", "net"};
        return m;
    }

    std::size_t stride() const { return 3 * party_count + metric_names.size(); }
    /// Room for every model, arm, trial and year (Interrupted when `control` asks to stop meanwhile).
    void allocate(const RunControl& control = {}) {
        const std::size_t periods = arms.size() * trials * static_cast<std::size_t>(years);
        fill_stoppably(values, models.size() * periods * stride(), 0.0, control);
        fill_stoppably(comparisons, comparison_slots() * periods * comparison_names.size(), std::nan(""), control);
        fill_stoppably(federal, split_payer ? models.size() * periods * 3 : 0, 0.0, control);
    }
    void store_federal(std::size_t model, std::size_t arm, std::uint64_t trial, int year, const FederalPart& f) {
        double* out = federal.data() + period(model, arm, trial, year) * 3;
        out[0] = f.revenue;
        out[1] = f.payments;
        out[2] = f.delivery_cost;
    }
    void store_comparison(std::size_t slot, std::size_t arm, std::uint64_t trial, int year, const Comparison& c) {
        double* out = comparisons.data() + comparison_offset(slot, arm, trial, year);
        out[0] = c.benchmark;
        out[1] = c.expenditure;
        out[2] = c.savings_rate;
    }
    std::span<double> cell(std::size_t model, std::size_t arm, std::uint64_t trial, int year) {
        return {values.data() + offset(model, arm, trial, year), stride()};
    }
    void store(std::size_t model, std::size_t arm, std::uint64_t trial, int year, const Ledger& l) {
        auto c = cell(model, arm, trial, year);
        for (std::size_t p = 0; p < party_count; ++p) {
            c[p] = l.revenue[p];
            c[party_count + p] = l.payments[p];
            c[2 * party_count + p] = l.delivery_cost[p];
        }
        for (std::size_t k = 0; k < metric_names.size(); ++k) c[3 * party_count + k] = l.metrics[k];
    }

    std::size_t model_index(const std::string& name) const { return index_of("model", models, name); }
    std::size_t arm_index(const std::string& name) const { return index_of("arm", arms, name); }
    /// The arm a contract is judged on: the program's arm when there is one.
    std::string program_arm() const { return arms.back(); }

    /// trials x years of a party's (or a derived row's) revenue, payments, delivery_cost or net.
    SampleMatrix samples(const std::string& model, const std::string& party, const std::string& measure = "net",
                         const std::string& arm = "") const {
        const std::size_t m = model_index(model), a = arm_index(arm.empty() ? program_arm() : arm);
        const std::size_t p = index_of("party", reported_parties(), party);
        const std::size_t k = index_of("measure", party_measures(), measure);
        if (p >= party_count) return derived_samples(m, a, p == party_count + 1, k);
        return collect(m, a, [&](const double* c) {
            return k < 3 ? c[k * party_count + p] : net_result(c[p], c[party_count + p], c[2 * party_count + p]);
        });
    }
    /// trials x years of a contract metric: a flow (see Metric), or benchmark, expenditure
    /// or savings_rate of one comparing component (its label; may be omitted when the model
    /// has one), NaN in the years it is not in force.
    SampleMatrix metric(const std::string& model, const std::string& name, const std::string& arm = "",
                        const std::string& component = "") const {
        const std::size_t m = model_index(model), a = arm_index(arm.empty() ? program_arm() : arm);
        for (std::size_t k = 0; k < comparison_names.size(); ++k)
            if (name == comparison_names[k]) return comparison(m, a, k, component);
        if (!component.empty()) throw InvalidInput("component", "no component for the flow metric \"" + name + "\" (flows are summed over components)", "\"" + component + "\"");
        std::vector<std::string> names = metric_names;
        names.insert(names.end(), comparison_names.begin(), comparison_names.end());
        const std::size_t k = index_of("metric", names, name);
        return collect(m, a, [&](const double* c) { return c[3 * party_count + k]; });
    }

    /// Whether `party` has revenue, payments or a cost of care under `model` in `arm`.
    bool takes_part(const std::string& model, const std::string& party, const std::string& arm) const;
    /// Rows for every model x arm x party (that takes part; then the derived rows) x year, year 0 = all years
    /// summed, for revenue, payments, delivery_cost and net.
    std::vector<PaymentSummaryRow> summary() const;
    /// Rows for every model x arm x year of each flow and the quality score a model books
    /// (not all zero), then each comparing component's benchmark, expenditure and savings
    /// rate in the years it is in force.
    std::vector<MetricSummaryRow> metric_summary() const;
    /// Per model and year: how often savings are paid and losses owed (by any component), mean
    /// amounts, and the false reward / false penalty / missed reward probabilities.
    std::vector<PaymentIndicatorRow> indicators() const;

    std::size_t comparison_slots() const {
        std::size_t n = 0;
        for (const auto& c : comparing_components) n += c.size();
        return n;
    }

private:
    std::size_t comparison_offset(std::size_t slot, std::size_t arm, std::uint64_t trial, int year) const {
        return (((slot * arms.size() + arm) * trials + trial) * static_cast<std::size_t>(years) + static_cast<std::size_t>(year)) *
               comparison_names.size();
    }
    SampleMatrix comparison(std::size_t m, std::size_t a, std::size_t k, const std::string& component) const {
        const std::vector<std::string>& labels = comparing_components[m];
        std::size_t first = 0;
        for (std::size_t i = 0; i < m; ++i) first += comparing_components[i].size();
        if (labels.empty()) throw InvalidInput("metric", "a model with a component that compares expenditure with a benchmark", "\"" + models[m] + "\"");
        if (component.empty() && labels.size() > 1) throw InvalidInput("component", "one of: " + join(labels) + " (the model has several)", "none");
        const std::size_t slot = first + (component.empty() ? 0 : index_of("component", labels, component));
        SampleMatrix out(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y) out(t, y) = comparisons[comparison_offset(slot, a, t, y) + k];
        return out;
    }
    static std::string join(const std::vector<std::string>& names) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        return all;
    }
    /// The position of one model, arm, trial and year among all periods.
    std::size_t period(std::size_t model, std::size_t arm, std::uint64_t trial, int year) const {
        return ((model * arms.size() + arm) * trials + trial) * static_cast<std::size_t>(years) + static_cast<std::size_t>(year);
    }
    std::size_t offset(std::size_t model, std::size_t arm, std::uint64_t trial, int year) const { return period(model, arm, trial, year) * stride(); }
    /// The federal part of the payer's measure k (or the state's: the payer's less it).
    SampleMatrix derived_samples(std::size_t m, std::size_t a, bool federal_part, std::size_t k) const {
        const auto payer = static_cast<std::size_t>(Party::payer);
        SampleMatrix out(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y) {
                const double* c = values.data() + offset(m, a, t, y);
                const double* f = federal.data() + period(m, a, t, y) * 3;
                const double fed = k < 3 ? f[k] : f[0] - f[1] - f[2];
                const double all = k < 3 ? c[k * party_count + payer] : net_result(c[payer], c[party_count + payer], c[2 * party_count + payer]);
                out(t, y) = federal_part ? fed : all - fed;
            }
        return out;
    }
    template <class F>
    SampleMatrix collect(std::size_t m, std::size_t a, F f) const {
        SampleMatrix out(static_cast<Eigen::Index>(trials), years);
        for (std::uint64_t t = 0; t < trials; ++t)
            for (int y = 0; y < years; ++y) out(t, y) = f(values.data() + offset(m, a, t, y));
        return out;
    }
    static std::size_t index_of(const char* what, const std::vector<std::string>& names, const std::string& name) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return i;
        throw InvalidInput(what, "one of: " + join(names), "\"" + name + "\"");
    }
};

/// The settled results of consecutive trial ranges of one run, joined into those of their
/// union (simulation/trial_ranges.hpp): the same models, terms and calibration in every
/// part, else InvalidInput naming parts[k].
PaymentResults merge_trial_ranges(std::span<const PaymentResults> parts);

}  // namespace apmsim

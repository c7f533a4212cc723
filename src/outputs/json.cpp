// Results as JSON: the summary table plus per-trial samples of the headline measures.
#include "apmsim/outputs/json.hpp"

#include "apmsim/outputs/statistics_table.hpp"

#include <cmath>

namespace apmsim {

Json to_json(const stats::Summary& s) {
    Json j;
    for (const auto& [name, value] : statistic_values(s)) {
        if (name == "expected_shortfall_95") j["adverse_tail"] = stats::to_string(s.adverse_tail);  // the tail they describe
        j[std::string(name)] = value;
    }
    j["count"] = s.count;  // a whole number
    return j;
}

namespace {
/// A summary row: its labels, then its statistics.
Json with_statistics(Json labels, const stats::Summary& s) {
    const Json statistics = to_json(s);  // named: items() of a temporary would dangle
    for (const auto& [key, value] : statistics.items()) labels[key] = value;
    return labels;
}
}  // namespace

Json summary_to_json(const std::vector<SummaryRow>& rows) {
    Json out = Json::array();
    for (const auto& r : rows)
        out.push_back(with_statistics({{"arm", r.arm}, {"year", r.year}, {"measure", r.measure}, {"category", r.category}, {"tier", r.tier}}, r.stats));
    return out;
}

namespace {
Json matrix_to_json(const SampleMatrix& m) {
    Json rows = Json::array();
    for (Eigen::Index t = 0; t < m.rows(); ++t) {
        Json r = Json::array();
        for (Eigen::Index y = 0; y < m.cols(); ++y) r.push_back(m(t, y));
        rows.push_back(std::move(r));
    }
    return rows;
}
}  // namespace

Json results_to_json(const SimulationResults& r, const std::string& scenario_name) {
    Json j;
    j["scenario"] = scenario_name;
    j["trials"] = r.trials;
    if (r.trial_begin != 0) j["trial_begin"] = r.trial_begin;  // a part of a larger run only
    j["seed"] = r.seed;
    j["mode"] = mode_name(r.mode);
    j["years"] = r.years;
    j["members"] = r.members_at_start;
    if (r.member_count != r.members_at_start) j["member_slots"] = r.member_count;  // churn: entrants' slots too
    j["tiers"] = r.tiers;
    j["categories"] = r.categories;
    j["program_cost_items"] = r.program_cost_items;
    Json arms = Json::array();
    for (const auto& a : r.arms) arms.push_back(a.name);
    j["arms"] = arms;
    j["summary"] = summary_to_json(summary_rows(r));
    Json cv = Json::object();
    for (const auto& a : r.arms)
        for (int y = 1; y <= r.years; ++y) cv[a.name].push_back(r.member_level_cv(a.name, y));
    j["member_level_cv"] = cv;
    // Per-trial samples, trials x years, for the headline measures.
    Json samples = Json::object();
    for (const auto& a : r.arms) {
        samples[a.name]["total_cost"] = matrix_to_json(r.samples("total_cost", a.name));
        samples[a.name]["member_months"] = matrix_to_json(r.samples("member_months", a.name));
        if (!r.program_cost_items.empty()) samples[a.name]["program_cost"] = matrix_to_json(r.samples("program_cost", a.name));
    }
    if (r.has_intervention()) {
        samples["savings"] = matrix_to_json(r.samples("savings"));
        samples["net_savings"] = matrix_to_json(r.samples("net_savings"));
    }
    samples["trend"] = r.trend;
    j["samples"] = samples;
    return j;
}

Json payment_summary_to_json(const std::vector<PaymentSummaryRow>& rows) {
    Json out = Json::array();
    for (const auto& r : rows)
        out.push_back(with_statistics({{"model", r.model}, {"arm", r.arm}, {"year", r.year}, {"party", r.party}, {"measure", r.measure}}, r.stats));
    return out;
}

Json model_comparison_to_json(const std::vector<ModelComparisonRow>& rows) {
    Json out = Json::array();
    for (const auto& r : rows) {
        Json row = with_statistics({{"model", r.model}, {"arm", r.arm}, {"year", r.year}, {"party", r.party}, {"measure", r.measure}}, r.difference);
        row["standard_error_independent"] = r.standard_error_independent;
        out.push_back(std::move(row));
    }
    return out;
}

Json net_changes_to_json(const std::vector<ModelComparisonRow>& rows) {
    std::vector<ModelComparisonRow> net;
    for (const auto& r : rows)
        if (r.measure == "net") net.push_back(r);
    Json out = model_comparison_to_json(net);
    for (Json& row : out) row.erase("measure");
    return out;
}

Json metric_summary_to_json(const std::vector<MetricSummaryRow>& rows) {
    Json out = Json::array();
    for (const auto& r : rows)
        out.push_back(with_statistics({{"model", r.model}, {"arm", r.arm}, {"year", r.year}, {"component", r.component}, {"metric", r.metric}}, r.stats));
    return out;
}

namespace {
Json number_or_null(double x) { return std::isnan(x) ? Json(nullptr) : Json(x); }
}  // namespace

Json payment_indicators_to_json(const std::vector<PaymentIndicatorRow>& rows) {
    Json out = Json::array();
    for (const auto& r : rows)
        out.push_back({{"model", r.model},
                       {"year", r.year},
                       {"p_savings_paid", r.p_savings_paid},
                       {"p_losses_owed", r.p_losses_owed},
                       {"mean_savings_paid", r.mean_savings_paid},
                       {"mean_losses_owed", r.mean_losses_owed},
                       {"mean_stop_loss_recoveries", r.mean_stop_loss_recoveries},
                       {"mean_stop_loss_premium", r.mean_stop_loss_premium},
                       {"p_false_reward", number_or_null(r.p_false_reward)},
                       {"p_false_penalty", number_or_null(r.p_false_penalty)},
                       {"p_missed_reward", number_or_null(r.p_missed_reward)},
                       {"p_penalty_despite_savings", number_or_null(r.p_penalty_despite_savings)}});
    return out;
}

Json calibration_to_json(const PaymentResults& p) {
    Json rows = Json::array();
    for (const auto& r : p.calibration)
        rows.push_back({{"model", r.model}, {"component", r.component}, {"year", r.year}, {"quantity", r.quantity}, {"value", r.value}});
    return Json{{"trials", p.calibration_trials}, {"seed", p.calibration_seed}, {"rows", rows}};
}

Json payments_to_json(const PaymentResults& p) {
    Json j;
    j["models"] = p.models;
    j["arms"] = p.arms;
    j["parties"] = Json(std::vector<std::string>(party_names.begin(), party_names.end()));
    if (p.split_payer) j["derived_parties"] = p.derived_parties();
    j["metrics"] = p.metric_names;
    j["summary"] = payment_summary_to_json(p.summary());
    j["metric_summary"] = metric_summary_to_json(p.metric_summary());
    j["indicators"] = payment_indicators_to_json(p.indicators());
    j["calibration"] = calibration_to_json(p);
    Json net = Json::object();
    for (const auto& model : p.models)
        for (const auto& arm : p.arms)
            for (const std::string& party : p.reported_parties()) {
                const SampleMatrix s = p.samples(model, party, "net", arm);
                if (!s.isZero(0.0)) net[model][arm][party] = matrix_to_json(s);
            }
    j["net_samples"] = net;
    return j;
}

}  // namespace apmsim

// The tidy statistics and samples tables (outputs/statistics_table.hpp).
#include "apmsim/outputs/statistics_table.hpp"

#include <algorithm>

#include "apmsim/outputs/simulation_summary.hpp"

#include <charconv>
#include <cmath>

namespace apmsim {

std::vector<std::pair<std::string_view, double>> statistic_values(const stats::Summary& s) {
    return {{"count", static_cast<double>(s.count)},
            {"mean", s.mean},
            {"sd", s.sd},
            {"standard_error", s.standard_error},
            {"min", s.min},
            {"p01", s.p01},
            {"p05", s.p05},
            {"p25", s.p25},
            {"p50", s.p50},
            {"p75", s.p75},
            {"p95", s.p95},
            {"p99", s.p99},
            {"max", s.max},
            {"expected_shortfall_95", s.expected_shortfall_95},
            {"expected_shortfall_99", s.expected_shortfall_99},
            {"p_negative", s.p_negative}};
}

namespace {

void add_statistics(std::vector<StatisticRow>& out, const StatisticRow& labels, const stats::Summary& s) {
    for (const auto& [name, value] : statistic_values(s)) {
        StatisticRow r = labels;
        r.statistic = name;
        r.value = value;
        out.push_back(std::move(r));
    }
}

void add_indicators(std::vector<StatisticRow>& out, const PaymentResults& p) {
    for (const PaymentIndicatorRow& i : p.indicators()) {
        const std::pair<const char*, double> values[] = {
            {"p_savings_paid", i.p_savings_paid},
            {"p_losses_owed", i.p_losses_owed},
            {"mean_savings_paid", i.mean_savings_paid},
            {"mean_losses_owed", i.mean_losses_owed},
            {"mean_stop_loss_recoveries", i.mean_stop_loss_recoveries},
            {"mean_stop_loss_premium", i.mean_stop_loss_premium},
            {"p_false_reward", i.p_false_reward},
            {"p_false_penalty", i.p_false_penalty},
            {"p_missed_reward", i.p_missed_reward},
            {"p_penalty_despite_savings", i.p_penalty_despite_savings}};
        for (const auto& [name, value] : values)
            out.push_back({i.model, p.program_arm(), i.year, "", "", "", "", "indicator", name, value});
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break (RFC 4180).
std::string field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string number(double x) {
    if (std::isnan(x)) return "";
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
    return std::string(buffer, end);
}

}  // namespace

std::vector<StatisticRow> simulation_statistics(const SimulationResults& simulation) {
    std::vector<StatisticRow> out;
    for (const SummaryRow& r : summary_rows(simulation))
        add_statistics(out, {"", r.arm, r.year, "", "", r.category, r.tier, r.measure, "", 0}, r.stats);
    return out;
}

void append_payment_statistics(std::vector<StatisticRow>& out, const PaymentResults& payments) {
    if (payments.models.empty()) return;
    for (const PaymentSummaryRow& r : payments.summary())
        add_statistics(out, {r.model, r.arm, r.year, r.party, "", "", "", r.measure, "", 0}, r.stats);
    for (const MetricSummaryRow& r : payments.metric_summary())
        add_statistics(out, {r.model, r.arm, r.year, "", r.component, "", "", r.metric, "", 0}, r.stats);
    add_indicators(out, payments);
}

std::vector<StatisticRow> statistics_table(const SimulationResults& simulation, const PaymentResults& payments) {
    std::vector<StatisticRow> out = simulation_statistics(simulation);
    append_payment_statistics(out, payments);
    return out;
}

stats::Tail adverse_tail_of(std::string_view measure) {
    for (std::string_view better_high : {"savings", "net_savings", "net", "revenue", "savings_rate"})
        if (measure == better_high) return stats::Tail::lower;
    return stats::Tail::upper;
}

std::vector<double> trials_behind(const SimulationResults& simulation, const PaymentResults& payments, const StatisticRow& row) {
    SampleMatrix m;
    if (!row.model.empty()) {
        const auto& measures = PaymentResults::party_measures();
        if (row.party.empty() || !row.component.empty() || std::find(measures.begin(), measures.end(), row.measure) == measures.end()) return {};
        m = payments.samples(row.model, row.party, row.measure, row.arm);
    } else {
        if (row.measure == "indicator" || row.year < 1) return {};
        m = simulation.samples(row.measure, row.arm, row.category, row.tier);
    }
    std::vector<double> out(static_cast<std::size_t>(m.rows()));
    for (Eigen::Index t = 0; t < m.rows(); ++t) out[static_cast<std::size_t>(t)] = row.year == 0 ? m.row(t).sum() : m(t, row.year - 1);
    return out;
}

std::vector<SampleRow> samples_table(const SimulationResults& simulation, const PaymentResults& payments) {
    std::vector<SampleRow> out;
    auto add = [&](const std::string& arm, const std::string& measure, const std::string& model, const std::string& party,
                   const SampleMatrix& m) {
        for (Eigen::Index t = 0; t < m.rows(); ++t)
            for (Eigen::Index y = 0; y < m.cols(); ++y)
                out.push_back({simulation.trial_begin + static_cast<std::uint64_t>(t), static_cast<int>(y + 1), arm, measure, model, party, m(t, y)});
    };
    for (const auto& a : simulation.arms)
        for (const char* measure : {"total_cost", "cost_pmpm", "program_cost", "net_cost"}) add(a.name, measure, "", "", simulation.samples(measure, a.name));
    if (simulation.has_intervention())
        for (const char* measure : {"savings", "net_savings"}) add("intervention", measure, "", "", simulation.samples(measure));
    for (const std::string& model : payments.models)
        for (const std::string& party : payments.reported_parties()) {
            bool any = false;
            for (const std::string& arm : payments.arms) any = any || payments.takes_part(model, party, arm);
            if (!any) continue;
            for (const std::string& arm : payments.arms)
                for (const std::string& measure : PaymentResults::party_measures()) add(arm, measure, model, party, payments.samples(model, party, measure, arm));
        }
    return out;
}

std::string statistics_csv(const std::vector<StatisticRow>& rows) {
    std::string out = "model,arm,year,party,component,category,tier,measure,statistic,value\n";
    for (const StatisticRow& r : rows)
        out += field(r.model) + ',' + field(r.arm) + ',' + std::to_string(r.year) + ',' + field(r.party) + ',' + field(r.component) + ',' +
               field(r.category) + ',' + field(r.tier) + ',' + field(r.measure) + ',' + field(r.statistic) + ',' + number(r.value) + '\n';
    return out;
}

std::string samples_csv(const std::vector<SampleRow>& rows) {
    std::string out = "trial,year,arm,measure,model,party,value\n";
    for (const SampleRow& r : rows)
        out += std::to_string(r.trial) + ',' + std::to_string(r.year) + ',' + field(r.arm) + ',' + field(r.measure) + ',' + field(r.model) + ',' +
               field(r.party) + ',' + number(r.value) + '\n';
    return out;
}

}  // namespace apmsim

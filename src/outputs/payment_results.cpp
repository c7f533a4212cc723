// Summaries and indicators of settled payment models (outputs/payment_results.hpp).
#include "apmsim/outputs/payment_results.hpp"
#include "apmsim/outputs/statistics_table.hpp"

namespace apmsim {

std::vector<double> year_values(const SampleMatrix& s, int y) {
    std::vector<double> col(static_cast<std::size_t>(s.rows()));
    for (Eigen::Index t = 0; t < s.rows(); ++t) col[static_cast<std::size_t>(t)] = y == 0 ? s.row(t).sum() : s(t, y - 1);
    return col;
}

stats::Summary summarize_year(const SampleMatrix& s, int y, const std::string& name) {
    return stats::summarize(year_values(s, y), adverse_tail_of(name));
}

bool PaymentResults::takes_part(const std::string& model, const std::string& party, const std::string& arm) const {
    for (const char* measure : {"revenue", "payments", "delivery_cost"})
        if (!samples(model, party, measure, arm).isZero(0.0)) return true;
    return false;
}

std::vector<PaymentSummaryRow> PaymentResults::summary() const {
    std::vector<PaymentSummaryRow> rows;
    for (const auto& model : models)
        for (const auto& arm : arms)
            for (const std::string& party : reported_parties()) {
                if (!takes_part(model, party, arm)) continue;
                for (const auto& measure : party_measures()) {
                    const SampleMatrix s = samples(model, party, measure, arm);
                    for (int y = 0; y <= years; ++y) rows.push_back({model, arm, y, party, measure, summarize_year(s, y, measure)});
                }
            }
    return rows;
}

std::vector<MetricSummaryRow> PaymentResults::metric_summary() const {
    std::vector<MetricSummaryRow> rows;
    auto add = [&](const std::string& model, const std::string& arm, const std::string& component, const std::string& name, const SampleMatrix& s) {
        for (int y = 1; y <= years; ++y) {
            if (s.rows() > 0 && std::isnan(s(0, y - 1))) continue;  // not in force
            rows.push_back({model, arm, y, component, name, summarize_year(s, y, name)});
        }
    };
    for (const auto& model : models)
        for (const auto& arm : arms) {
            for (const std::string& name : metric_names) {
                const SampleMatrix s = metric(model, name, arm);
                if (!s.isZero(0.0)) add(model, arm, "", name, s);
            }
            for (const auto& label : comparing_components[model_index(model)])
                for (const char* name : comparison_names) add(model, arm, label, name, metric(model, name, arm, label));
        }
    return rows;
}

std::vector<PaymentIndicatorRow> PaymentResults::indicators() const {
    std::vector<PaymentIndicatorRow> rows;
    const bool program = arms.size() > 1;
    for (std::size_t mi = 0; mi < models.size(); ++mi) {
        const std::string& model = models[mi];
        const bool sharing = mi < pays_on_performance.size() && pays_on_performance[mi];
        const SampleMatrix ss = metric(model, "savings_paid"), sl = metric(model, "losses_owed"),
                           rec = metric(model, "stop_loss_recoveries"), prem = metric(model, "stop_loss_premium"),
                           ss0 = metric(model, "savings_paid", arms.front()), sl0 = metric(model, "losses_owed", arms.front());
        for (int y = 0; y < years; ++y) {
            PaymentIndicatorRow r;
            r.model = model;
            r.year = y + 1;
            // Counts, divided once: a probability of k trials in n is exactly k / n.
            double paid = 0, owed = 0, missed = 0, penalised = 0, false_reward = 0, false_penalty = 0;
            const double n = static_cast<double>(trials);
            for (std::uint64_t t = 0; t < trials; ++t) {
                paid += ss(t, y) > 0;
                owed += sl(t, y) > 0;
                r.mean_savings_paid += ss(t, y) / n;
                r.mean_losses_owed += sl(t, y) / n;
                r.mean_stop_loss_recoveries += rec(t, y) / n;
                r.mean_stop_loss_premium += prem(t, y) / n;
                false_reward += ss0(t, y) > 0;
                false_penalty += sl0(t, y) > 0;
                if (program && real_savings[(mi * trials + t) * static_cast<std::size_t>(years) + static_cast<std::size_t>(y)] > 0) {
                    missed += ss(t, y) == 0;
                    penalised += sl(t, y) > 0;
                }
            }
            r.p_savings_paid = paid / n;
            r.p_losses_owed = owed / n;
            if (sharing) {
                r.p_false_reward = false_reward / n;
                r.p_false_penalty = false_penalty / n;
            }
            if (sharing && program) {
                r.p_missed_reward = missed / n;
                r.p_penalty_despite_savings = penalised / n;
            }
            rows.push_back(r);
        }
    }
    return rows;
}

}  // namespace apmsim

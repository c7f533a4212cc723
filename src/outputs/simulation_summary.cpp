// The summary table of a simulation (outputs/simulation_summary.hpp).
#include "apmsim/outputs/simulation_summary.hpp"
#include "apmsim/outputs/statistics_table.hpp"

namespace apmsim {

std::vector<SummaryRow> summary_rows(const SimulationResults& r) {
    std::vector<SummaryRow> rows;
    auto add = [&](const std::string& arm, int y, const std::string& measure, const SampleMatrix& m,
                   const std::string& cat = "", const std::string& tier = "") {
        std::vector<double> col(m.rows());
        for (Eigen::Index t = 0; t < m.rows(); ++t) col[t] = m(t, y - 1);
        rows.push_back({arm, y, measure, cat, tier, stats::summarize(col, adverse_tail_of(measure))});
    };
    for (const auto& a : r.arms) {
        const SampleMatrix total = r.samples("total_cost", a.name), pmpm = r.samples("cost_pmpm", a.name),
                           prog = r.samples("program_cost", a.name), net = r.samples("net_cost", a.name);
        std::vector<SampleMatrix> by_cat, by_tier;
        for (const auto& c : r.categories) by_cat.push_back(r.samples("total_cost", a.name, c));
        for (const auto& t : r.tiers) by_tier.push_back(r.samples("total_cost", a.name, "", t));
        for (int y = 1; y <= r.years; ++y) {
            add(a.name, y, "total_cost", total);
            add(a.name, y, "cost_pmpm", pmpm);
            add(a.name, y, "program_cost", prog);
            add(a.name, y, "net_cost", net);
            for (std::size_t c = 0; c < r.categories.size(); ++c) add(a.name, y, "total_cost", by_cat[c], r.categories[c]);
            for (std::size_t t = 0; t < r.tiers.size(); ++t) add(a.name, y, "total_cost", by_tier[t], "", r.tiers[t]);
        }
    }
    if (r.has_intervention()) {
        const SampleMatrix sav = r.samples("savings"), net = r.samples("net_savings");
        for (int y = 1; y <= r.years; ++y) {
            add("intervention", y, "savings", sav);
            add("intervention", y, "net_savings", net);
        }
    }
    return rows;
}

}  // namespace apmsim

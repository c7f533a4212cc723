// Payment models against the status quo on common random numbers (outputs/model_comparison.hpp).
#include "apmsim/outputs/model_comparison.hpp"

#include "apmsim/outputs/statistics_table.hpp"

#include <algorithm>
#include <cmath>

namespace apmsim {
namespace {

double sample_variance(const std::vector<double>& x) {
    stats::RunningMoments m;
    for (double v : x) m.add(v);
    return x.size() > 1 ? m.sd() * m.sd() : 0.0;
}

/// The rows of one model against the baseline for one arm and party.
void compare_party(const PaymentResults& p, const std::string& model, const std::string& baseline, const std::string& arm,
                   const std::string& party, std::vector<ModelComparisonRow>& out) {
    for (const std::string& measure : PaymentResults::party_measures()) {
        const SampleMatrix a = p.samples(model, party, measure, arm), b = p.samples(baseline, party, measure, arm);
        for (int y = 0; y <= p.years; ++y) {
            const std::vector<double> va = year_values(a, y), vb = year_values(b, y);
            std::vector<double> d(va.size());
            std::transform(va.begin(), va.end(), vb.begin(), d.begin(), [](double x, double z) { return x - z; });
            ModelComparisonRow row{model, arm, y, party, measure, stats::summarize(d, adverse_tail_of(measure)), 0.0};
            row.standard_error_independent = std::sqrt((sample_variance(va) + sample_variance(vb)) / static_cast<double>(d.size()));
            out.push_back(std::move(row));
        }
    }
}

}  // namespace

std::vector<ModelComparisonRow> compare_models(const PaymentResults& p, const std::string& baseline_model, const std::string& arm) {
    const auto base = std::find(p.models.begin(), p.models.end(), baseline_model);
    if (base == p.models.end()) {
        std::string all;
        for (const auto& m : p.models) all += (all.empty() ? "" : ", ") + m;
        throw InvalidInput("baseline_model", "a settled payment model (" + all + ")", "\"" + baseline_model + "\"");
    }
    const std::string& segment = p.segments[static_cast<std::size_t>(base - p.models.begin())];
    std::vector<std::string> arms = p.arms;
    if (!arm.empty()) arms = {p.arms[p.arm_index(arm)]};
    std::vector<ModelComparisonRow> rows;
    for (std::size_t mi = 0; mi < p.models.size(); ++mi) {
        const std::string& model = p.models[mi];
        if (model == baseline_model || p.segments[mi] != segment) continue;  // another population: no common numbers
        for (const std::string& a : arms)
            for (const std::string& party : p.reported_parties())
                if (p.takes_part(model, party, a) || p.takes_part(baseline_model, party, a)) compare_party(p, model, baseline_model, a, party, rows);
    }
    if (rows.empty())
        throw InvalidInput("baseline_model", "a model with another on the same population segment to compare with it",
                           "\"" + baseline_model + "\"" + (segment.empty() ? "" : " (segment " + segment + ")") + ", the only one");
    return rows;
}

}  // namespace apmsim

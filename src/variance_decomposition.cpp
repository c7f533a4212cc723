// Where the noise comes from (variance_decomposition.hpp).
#include "apmsim/variance_decomposition.hpp"

#include "apmsim/outputs/payment_results.hpp"

namespace apmsim {
namespace {

/// The rows of a trials x years sample: each year (and, with `all_years`, year 0).
void add_rows(std::vector<VarianceDecompositionRow>& rows, VarianceDecompositionRow label, const SampleMatrix& s, std::uint64_t outer,
              std::uint64_t inner, bool all_years) {
    for (int y = all_years ? 0 : 1; y <= static_cast<int>(s.cols()); ++y) {
        const std::vector<double> v = year_values(s, y);
        label.year = y;
        label.shares = stats::decompose_variance(v, outer, inner);
        rows.push_back(label);
    }
}

}  // namespace

std::vector<VarianceDecompositionRow> variance_decomposition(const Scenario& scenario, std::uint64_t outer, std::uint64_t inner,
                                                             const RunControl& control) {
    if (outer < 3 || outer > 1'000'000) throw InvalidInput("outer", "3 to 1000000 parameter draws", std::to_string(outer));
    if (inner < 2 || inner > 1'000'000) throw InvalidInput("inner", "2 to 1000000 trials per parameter draw", std::to_string(inner));
    if (outer * inner > 0xFFFFFFFFull)
        throw InvalidInput("outer, inner", "outer x inner at most 4294967295 trials", std::to_string(outer) + " x " + std::to_string(inner));
    SimulationOptions o = scenario.settings;
    o.trials = outer * inner;
    o.trial_begin = 0;  // the nested design's blocks start at trial 0 (a part's settings may say otherwise)
    o.parameter_block = inner;
    const RunResults r = run(scenario, o, control);
    const SimulationResults& sim = r.simulation;
    std::vector<VarianceDecompositionRow> rows;
    for (const auto& arm : sim.arms) add_rows(rows, {"", arm.name, 0, "", "total_cost", {}}, sim.samples("total_cost", arm.name), outer, inner, false);
    if (sim.has_intervention()) add_rows(rows, {"", "", 0, "", "savings", {}}, sim.samples("savings"), outer, inner, false);
    const PaymentResults& p = r.payments;
    for (const auto& model : p.models)
        for (const std::string& party : p.reported_parties())
            if (p.takes_part(model, party, p.program_arm()))
                add_rows(rows, {model, p.program_arm(), 0, party, "net", {}}, p.samples(model, party, "net"), outer, inner, true);
    return rows;
}

}  // namespace apmsim

// apmsim decompose: where each result's noise comes from (variance_decomposition.hpp).
#include "cli_common.hpp"

#include "apmsim/scenario_json.hpp"
#include "apmsim/variance_decomposition.hpp"
#include "apmsim/version.hpp"

#include <cstdio>

namespace apmsim::cli {
namespace {

struct DecomposeArguments {
    std::string scenario, outer = "200", inner = "10";
};

std::string share(double x) { return std::isnan(x) ? std::string("-") : pct(x); }

void decompose_command(const DecomposeArguments& a) {
    const Scenario s = load_scenario(a.scenario);
    const std::uint64_t outer = whole_number("--outer", a.outer, 1'000'000, 3), inner = whole_number("--inner", a.inner, 1'000'000, 2);
    std::vector<VarianceDecompositionRow> rows;
    naming_scenario_file(a.scenario, [&] { rows = variance_decomposition(s, outer, inner, {&stop_flag(), nullptr}); });
    std::printf("apmsim %s | %s: where the noise comes from (%llu parameter draws x %llu trials each)\n"
                "parameter: the trend, effects, uptake and quality drawn once per trial (better data would narrow it);\n"
                "process: which members need care (a larger pool narrows it); se: jackknife over the parameter draws\n",
                version, s.name.c_str(), static_cast<unsigned long long>(outer), static_cast<unsigned long long>(inner));
    const std::vector<int> w = {38, 13, 11, 6, 11, 15, 16, 10};
    print_row({"model", "arm", "party", "year", "measure", "sd", "parameter share", "se"}, w);
    bool below_zero = false;
    for (const auto& r : rows) {
        if (r.party == "other_providers") continue;
        below_zero = below_zero || r.shares.parameter_share < 0;
        print_row({r.model.empty() ? "(simulated costs)" : r.model, r.arm.empty() ? "both" : r.arm, r.party.empty() ? "-" : r.party,
                   r.year == 0 ? "all" : std::to_string(r.year), r.measure, money(std::sqrt(std::max(0.0, r.shares.variance))),
                   share(r.shares.parameter_share), share(r.shares.parameter_share_se)},
                  w);
    }
    if (below_zero)
        std::printf("A share below 0 is chance around a true share of 0 (the estimates are unbiased, not cut at 0): "
                    "read it as no parameter uncertainty to speak of.\n");
}

}  // namespace

void add_decompose_command(CLI::App& app) {
    auto args = std::make_shared<DecomposeArguments>();
    CLI::App* d = app.add_subcommand("decompose", "Split each result's variance into parameter uncertainty and process noise (nested design).");
    d->add_option("scenario", args->scenario, "the scenario file (JSON)")->required()->type_name("SCENARIO.json");
    d->add_option("--outer", args->outer, "parameter draws, 3 to 1000000")->capture_default_str()->type_name("K");
    d->add_option("--inner", args->inner, "trials on each parameter draw, 2 to 1000000")->capture_default_str()->type_name("M");
    d->callback(action(d, [args] { decompose_command(*args); }));
}

}  // namespace apmsim::cli

// apmsim monitor: a contract year's emerging claims against its scenario's simulation
// (include/apmsim/monitor.hpp): the year-to-date percentile, actual vs expected, and the
// rest of the year projected conditionally on the months seen, settled by every model.
#include "cli_common.hpp"

#include "apmsim/calibration_report.hpp"
#include "apmsim/core/files.hpp"
#include "apmsim/monitor.hpp"
#include "apmsim/scenario_json.hpp"

#include <cstdio>
#include <string>

namespace apmsim::cli {
namespace {

struct MonitorArgs {
    std::string scenario;
    bool strict = false;
};

void print_report(const MonitorReport& r) {
    std::printf("Contract year %d, %d month%s observed (%s from %s), %s trials\n", r.year, r.months_observed, r.months_observed == 1 ? "" : "s",
                r.through.c_str(), r.start.c_str(), money(static_cast<double>(r.trials)).c_str());
    std::printf("Paid to date: %s over %s member-months, PMPM %s: percentile %.1f%% of the simulated (%.0f%% band %s - %s): %s\n",
                money(r.paid_to_date).c_str(), money(r.member_months).c_str(), money(r.pmpm).c_str(), 100 * r.percentile, 100 * r.band,
                money(r.band_low).c_str(), money(r.band_high).c_str(), r.flag.c_str());
    const std::vector<int> w = {6, 18, 15, 15, 7, 15, 8};
    std::printf("\nActual vs expected, paid to date\n");
    print_row({"tier", "category", "actual", "expected", "A/E", "band", "flag"}, w);
    char ratio[32], band[48];
    for (const ActualVsExpected& a : r.actual_vs_expected) {
        std::snprintf(ratio, sizeof ratio, "%.3f", a.ratio);
        std::snprintf(band, sizeof band, "%.2f-%.2f", a.low, a.high);
        print_row({a.tier.empty() ? "all" : a.tier, a.category.empty() ? "all" : a.category, money(a.actual), money(a.expected), ratio, band, a.flag}, w);
    }
    std::printf("\nYear-end PMPM: prior median %s (90%%: %s - %s); given the months seen, median %s (90%%: %s - %s)\n",
                money(r.year_pmpm_prior[2]).c_str(), money(r.year_pmpm_prior[0]).c_str(), money(r.year_pmpm_prior[4]).c_str(),
                money(r.year_pmpm_conditional[2]).c_str(), money(r.year_pmpm_conditional[0]).c_str(), money(r.year_pmpm_conditional[4]).c_str());
    for (const MonitorOutcome& o : r.outcomes)
        std::printf("  %-28s P(savings paid) %s -> %s   P(losses owed) %s -> %s\n", o.model.c_str(), pct(o.p_savings_paid_prior).c_str(),
                    pct(o.p_savings_paid).c_str(), pct(o.p_losses_owed_prior).c_str(), pct(o.p_losses_owed).c_str());
}

void monitor_command(const MonitorArgs& args, const Flags& flags) {
    for (const char* required : {"--members", "--claims", "--start", "--through"})
        if (!flags.count(required)) throw InvalidInput(std::string("command line ") + required, "a value", "nothing");
    const std::string out = flags.count("--out") ? flags.at("--out") : "";
    if (!out.empty()) check_output_path("--out", out);
    const Scenario s = args.scenario.empty() ? Scenario::default_cmc_program() : load_scenario(args.scenario);
    MonitorOptions mo;
    mo.start = flags.at("--start");
    mo.seed = s.settings.seed;
    if (flags.count("--trials")) mo.trials = whole_number("--trials", flags.at("--trials"), 10'000'000, 2);
    if (flags.count("--seed")) mo.seed = whole_number("--seed", flags.at("--seed"), UINT64_MAX);
    if (flags.count("--threads")) mo.threads = static_cast<unsigned>(whole_number("--threads", flags.at("--threads"), 1024));
    if (flags.count("--band")) mo.band = real_number("--band", flags.at("--band"));
    if (flags.count("--tail")) mo.tail_factor = real_number("--tail", flags.at("--tail"));
    claims::StandardiseOptions so;
    so.strict = args.strict;
    so.valuation = flags.at("--through");
    if (flags.count("--first")) so.first = flags.at("--first");
    if (flags.count("--extreme")) so.extreme_threshold = real_number("--extreme", flags.at("--extreme"));
    const claims::ColumnMap map = flags.count("--map") ? load_column_map(flags.at("--map")) : claims::ColumnMap{};
    csv::Reader members(flags.at("--members")), claims_file(flags.at("--claims"));
    MonitorReport report;
    naming_scenario_file(args.scenario, [&] { report = monitor_claims(s, members, claims_file, map, so, mo, {&stop_flag(), nullptr}); });
    print_report(report);
    if (!out.empty()) {
        write_file_atomically(out, monitor_report_to_json(report).dump(2) + "\n");
        std::printf("\nWrote the report to %s\n", out.c_str());
    }
}

}  // namespace

void add_monitor_command(CLI::App& app) {
    CLI::App* c = app.add_subcommand("monitor", "A contract year's emerging claims against the scenario's simulation.");
    auto args = std::make_shared<MonitorArgs>();
    c->add_option("scenario", args->scenario, "the scenario file (JSON; default: the bundled default CMC program)")->type_name("SCENARIO.json");
    const auto flags = add_text_options(
        c, {{"--members", "members (eligibility) CSV (required; docs/claims-data.md)"},
            {"--claims", "claims CSV (required)"},
            {"--map", "column and code map (JSON)"},
            {"--start", "the first month of contract year 1, YYYY-MM (required)"},
            {"--through", "the last month of experience, YYYY-MM: claims paid later are left out (required)"},
            {"--first", "first incurred month of the history read, YYYY-MM (default: the extracts' first month; more history, better run-out factors)"},
            {"--trials", "simulated trials (default 1000)"},
            {"--seed", "random seed (default: the scenario's)"},
            {"--threads", "threads (default: every core)"},
            {"--band", "central probability of the simulated band; outside it is flagged (default 0.9)"},
            {"--tail", "chain-ladder tail factor (default 1)"},
            {"--extreme", "a line's allowed above this is flagged (default 1000000)"},
            {"--out", "the report file to write (JSON)"}});
    c->add_flag("--strict", args->strict, "any finding of the standardisation is an error");
    c->footer(
        "Compares the paid-to-date PMPM with what the scenario's cost model gives the same members, months and run-out\n"
        "(percentile, band, actual vs expected by tier and category), then projects the rest of the year conditionally on each\n"
        "member's claims so far and settles it with every payment model: the updated chance of savings paid or losses owed.");
    c->callback(action(c, [args, flags] { monitor_command(*args, *flags); }));
}

}  // namespace apmsim::cli

// apmsim calibrate: a cost model from a program's members and claims extracts
// (include/apmsim/calibration_report.hpp), with the standardisation and fit report.
#include "cli_common.hpp"

#include "apmsim/calibration_report.hpp"
#include "apmsim/core/files.hpp"
#include "apmsim/core/json_file.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_json.hpp"

#include <cstdio>
#include <string>

namespace apmsim::cli {
namespace {

/// --manual: "default" (the bundled program's cost model), a scenario file (its cost model)
/// or a cost model document.
CostModel manual_cost_model(const std::string& text) {
    if (text == "default") return Scenario::default_cmc_program().cost_model;
    const Json j = read_json_file(text, "a manual cost model or scenario file (JSON)");
    if (j.is_object() && j.contains("population")) return load_scenario(text).cost_model;
    return load_cost_model(text);
}

void print_findings(const claims::StandardiseReport& r) {
    std::printf("Standardisation: %s claim rows in, %s lines kept (allowed %s of %s); %s member rows, %s kept\n",
                money(static_cast<double>(r.rows_in)).c_str(), money(static_cast<double>(r.rows_kept)).c_str(), money(r.allowed_kept).c_str(),
                money(r.allowed_in).c_str(), money(static_cast<double>(r.member_rows_in)).c_str(),
                money(static_cast<double>(r.member_rows_kept)).c_str());
    for (const auto& f : r.findings)
        if (f.rows > 0)
            std::printf("  %-8s %-27s %9s rows %15s allowed%s\n", f.source.c_str(), f.rule.c_str(), money(static_cast<double>(f.rows)).c_str(),
                        money(f.allowed).c_str(), f.removes ? "" : " (kept)");
    std::printf("  reconciles: %s\n", r.reconciles() ? "yes" : "NO");
}

void print_calibration(const claims::Calibration& cal) {
    std::printf("\nTrend %+.2f%% a year (se %.2f%%), %s; frailty cv %.3f (se %.3f)\n", 100 * cal.trend.annual_trend,
                100 * cal.trend.annual_trend_se, cal.trend.seasonal ? "with seasonality" : "no seasonality", cal.frailty_cv, cal.frailty_cv_se);
    if (cal.blended) {
        std::printf("The cost model's trend, blended with the manual's by precision: %+.2f%% (sd %.2f%%), credibility %.3f\n",
                    100 * cal.cost_model.trend.mean, 100 * cal.cost_model.trend.sd, cal.trend_credibility);
        std::printf("The cost model's frailty cv, blended with the manual's: %.3f, credibility %.3f%s\n", cal.cost_model.frailty_cv,
                    cal.frailty_credibility, cal.frailty_estimated ? "" : " (the claims cannot estimate it)");
    }
    const std::vector<int> w = {6, 16, 9, 11, 11, 12, 12, 7, 7};
    print_row({"tier", "category", "events", "freq obs", "freq fit", "sev obs", "sev fit", "Z freq", "Z sev"}, w);
    char buf[9][32];
    for (const auto& c : cal.cells) {
        std::snprintf(buf[0], 32, "%.4f", c.observed_frequency);
        std::snprintf(buf[1], 32, "%.4f", c.fitted_frequency);
        std::snprintf(buf[2], 32, "%.2f", c.frequency_credibility);
        std::snprintf(buf[3], 32, "%.2f", c.severity_credibility);
        print_row({c.tier, c.category, money(static_cast<double>(c.events)), buf[0], buf[1], money(c.observed_severity_mean),
                   money(c.fitted_severity_mean), buf[2], buf[3]},
                  w);
    }
}

void calibrate_command(const Flags& flags, bool strict) {
    for (const char* required : {"--members", "--claims", "--out"})
        if (!flags.count(required)) throw InvalidInput(std::string("command line ") + required, "a file name", "nothing");
    const std::string out = flags.at("--out"), report = flags.count("--report") ? flags.at("--report") : "";
    check_output_path("--out", out);
    if (!report.empty()) check_output_path("--report", report);
    const claims::ColumnMap map = flags.count("--map") ? load_column_map(flags.at("--map")) : claims::ColumnMap{};
    claims::StandardiseOptions so;
    so.strict = strict;
    if (flags.count("--first")) so.first = flags.at("--first");
    if (flags.count("--valuation")) so.valuation = flags.at("--valuation");
    if (flags.count("--extreme")) so.extreme_threshold = real_number("--extreme", flags.at("--extreme"));
    claims::CalibrationOptions co;
    if (flags.count("--manual")) co.manual = manual_cost_model(flags.at("--manual"));
    if (flags.count("--tail")) co.tail_factor = real_number("--tail", flags.at("--tail"));
    if (flags.count("--seasonality")) co.seasonality = flags.at("--seasonality");
    if (flags.count("--tail-quantile")) co.tail_quantile = real_number("--tail-quantile", flags.at("--tail-quantile"));
    csv::Reader members(flags.at("--members")), claims_file(flags.at("--claims"));
    const CalibrationRun run = calibrate_claims(members, claims_file, map, so, co);
    print_findings(run.clean.report);
    print_calibration(run.calibration);
    write_file_atomically(out, cost_model_document(run.calibration.cost_model).dump(2) + "\n");
    std::printf("\nWrote the cost model to %s", out.c_str());
    if (!report.empty()) {
        write_file_atomically(report, calibration_report(run).dump(2) + "\n");
        std::printf(" and the report to %s", report.c_str());
    }
    std::printf("\n");
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
    CLI::App* c = app.add_subcommand("calibrate", "A cost model from a program's members and claims extracts, with a report.");
    c->footer(
        "Cleans the extracts (duplicates, reversals, unknown members, unmapped codes, bad values, service outside enrolment;\n"
        "every removed row counted with its rule, the report reconciles), completes recent months by the chain ladder of the\n"
        "paid-lag triangle, fits trend and seasonality, frequency and severity per tier x category and the member frailty,\n"
        "and blends thin cells with a manual cost model by credibility. docs/claims-data.md describes the files and rules.");
    const auto flags = add_text_options(
        c, {{"--members", "members (eligibility) CSV: member_id, tier, enrolment_start, enrolment_end (required)"},
            {"--claims", "claims CSV: claim_id, member_id, service_date, paid_date, category, allowed (required)"},
            {"--map", "column and code map (JSON): column names, tier and category codes, reversal values"},
            {"--manual", "manual cost model to blend thin cells with: a cost model file, a scenario file, or 'default'"},
            {"--out", "the cost model file to write (JSON; a scenario's cost_model may name it) (required)"},
            {"--report", "the report file to write (JSON)"},
            {"--first", "first incurred month YYYY-MM (default: the later of the earliest service and enrolment months)"},
            {"--valuation", "valuation month YYYY-MM: the last incurred and paid month (default: the latest paid month)"},
            {"--extreme", "a line's allowed above this is flagged (default 1000000)"},
            {"--tail", "chain-ladder tail factor (default 1)"},
            {"--seasonality", "fit monthly seasonality: auto (from 24 months), yes or no (default auto)"},
            {"--tail-quantile", "fit a generalized Pareto severity tail above this quantile of each cell's amounts, 0.5 to 1 "
                                "(cells with 50 or more amounts above it and full severity credibility; default: none)"}});
    auto strict = std::make_shared<bool>(false);
    c->add_flag("--strict", *strict, "any finding of the standardisation is an error");
    c->callback(action(c, [flags, strict] { calibrate_command(*flags, *strict); }));
}

}  // namespace apmsim::cli
